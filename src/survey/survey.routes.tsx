import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { eq } from 'drizzle-orm';
import {
  CodesPage,
  DelegateCodePage,
  OpenSurveyPage,
  PreviewPage,
  PublicSurveysPage,
  RespondPage,
  ReviewPage,
  SurveyEditPage,
  SurveyFormFragment,
  SurveyResultPage,
  SurveysPage,
} from '../../views/survey/survey';
import { requireRole } from '../auth/auth.middleware';
import { findPersonalData, maskPersonalData, PERSONAL_DATA_LABELS } from '../lib/personal-data.core';
import { OPEN_SURVEY_LIMIT } from '../auth/auth.core';
import { limitAddress, limitedLookup, spendBudget } from '../auth/rate-limit.service';
import { defaultCampaign, getCampaign, type Campaign } from '../campaigns/campaigns.service';
import { campaigns, surveys } from '../db/schema';
import { personalLinkDelegate } from '../delegates/links.service';
import type { AppEnv } from '../env';
import { staticScript } from '../lib/assets';
import { AppError, editConflict, isEditConflict, notFound, httpError } from '../lib/errors';
import { readJson, RESULT_LIMIT, uploadedJson } from '../lib/input';
import { submittedVersion } from '../lib/validation';
import { formFieldsAll, page } from '../lib/render';
import { rateChartSvg } from '../tally/chart.core';
import { allQuestions, surveyCsv, type Question, type SurveyDefinition } from './survey.core';
import {
  closeSurvey,
  createDisciplineSurvey,
  createSocialSurvey,
  createSurvey,
  disciplineSurvey,
  findInvitation,
  getSurvey,
  invitationCounts,
  issueCitizenCodes,
  issueDelegateCode,
  listSurveys,
  openSurvey,
  parseDefinition,
  redeemInvitation,
  respondOpen,
  respondWithCredential,
  saveDefinition,
  type Survey,
} from './survey.service';
import {
  approveSurveyResult,
  isSurveyUnsealed,
  joinSurveyCeremony,
  loadSurveyResult,
  postSurveyResult,
  publishTexts,
  sealedSurveyShareFor,
  setSurveyParams,
  surveyCommitment,
  surveyResponsesFile,
  surveySealState,
  surveySeatsDocument,
  uploadSurveyCeremony,
} from './survey-seal.service';

/** Questionnaires: the organisers' builder and the survey's life (staff), the respondent's pages and API, results. */
export const surveyRoutes = new Hono<AppEnv>();

const STAFF = ['organiser', 'statistician', 'custodian', 'auditor', 'venue_staff'] as const;
const RESULT_READERS = ['organiser', 'statistician', 'auditor'] as const;
const actor = (c: Context<AppEnv>) => ({ id: c.var.user!.id, name: c.var.user!.username });
const noStore = (c: Context<AppEnv>) => {
  c.header('Cache-Control', 'no-store');
  c.header('X-Robots-Tag', 'noindex');
};

async function load(c: Context<AppEnv>) {
  const campaign = await getCampaign(c.var.db, c.req.param('code') ?? '');
  const survey = await getSurvey(c.var.db, campaign, c.req.param('id') ?? '');
  return { campaign, survey };
}

async function editPage(c: Context<AppEnv>, campaign: Campaign, survey: Survey, extra: { flash?: string; error?: string; errors?: Record<string, string>; json?: string } = {}, status: 200 | 404 | 409 | 410 | 422 = 200) {
  const [seal, counts] = await Promise.all([surveySealState(c.var.db, survey), invitationCounts(c.var.db, survey.id)]);
  return page(
    c,
    { title: survey.title, campaignCode: campaign.code, status },
    <SurveyEditPage campaign={campaign} survey={survey} def={parseDefinition(survey)} user={c.var.user!} csrfToken={c.var.csrfToken} seal={seal} counts={counts} {...extra} />,
  );
}

/** Runs a staff action; a refusal re-renders the survey page with the reason (409 for a frozen survey). */
async function act(c: Context<AppEnv>, run: (campaign: Campaign, survey: Survey) => Promise<string>, extra: { json?: string } = {}) {
  const { campaign, survey } = await load(c);
  try {
    const done = await run(campaign, survey);
    return c.redirect(`/staff/c/${campaign.code}/surveys/${survey.id}?done=${encodeURIComponent(done)}`, 303);
  } catch (caught) {
    const err = httpError(caught) ?? caught; // a domain error, as HTTP
    if (err instanceof AppError && [404, 409, 410, 422].includes(err.status)) {
      const fresh = await getSurvey(c.var.db, campaign, survey.id);
      // after a concurrent edit the page shows the newer definition, not the text that lost
      const keep = isEditConflict(err) ? {} : extra;
      return editPage(c, campaign, fresh, { error: err.message, errors: err.fields, ...keep }, err.status as 404 | 409 | 410 | 422);
    }
    throw err;
  }
}

const DONE: Record<string, string> = {
  question: '已添加题目',
  deleted: '已删除题目',
  moved: '已调整顺序',
  saved: '问卷已保存',
  settings: '已保存保管人数和开封门限',
  join: '已登记席位公钥。仪式举行后可随时下载封存分片(只有您的口令或密钥文件能打开)',
  ceremony: '仪式文件已核对并保存:公钥、封存分片与指纹;服务器不保存私钥',
  opened: '问卷已开放作答,内容已冻结',
  closed: '问卷已结束,答卷集合已承诺',
  posted: '开封结果已核对(答卷数、根摘要与统计均重算一致),等待保管人确认',
  approved: '已确认结果,等待其他保管人确认',
  unsealed: '问卷已开封,结果已公布',
};

surveyRoutes.get('/staff/c/:code/surveys', requireRole(...STAFF), async (c) => {
  const campaign = await getCampaign(c.var.db, c.req.param('code'));
  return page(c, { title: '问卷调查', campaignCode: campaign.code }, <SurveysPage campaign={campaign} surveys={await listSurveys(c.var.db, campaign.id)} csrfToken={c.var.csrfToken} user={c.var.user!} />);
});

async function created(c: Context<AppEnv>, campaign: Campaign, make: () => Promise<string>) {
  try {
    const id = await make();
    return c.redirect(`/staff/c/${campaign.code}/surveys/${id}`, 303);
  } catch (caught) {
    const err = httpError(caught) ?? caught; // a domain error, as HTTP
    if (err instanceof AppError && err.status === 422) {
      return page(c, { title: '问卷调查', campaignCode: campaign.code, status: 422 }, <SurveysPage campaign={campaign} surveys={await listSurveys(c.var.db, campaign.id)} csrfToken={c.var.csrfToken} user={c.var.user!} error={err.message} />);
    }
    throw err;
  }
}

surveyRoutes.post('/staff/c/:code/surveys', requireRole('organiser'), async (c) => {
  const campaign = await getCampaign(c.var.db, c.req.param('code'));
  const form = await formFieldsAll(c);
  return created(c, campaign, () => createSurvey(c.var.db, actor(c), campaign, { title: String(form['title'] ?? ''), kind: 'social' }));
});

surveyRoutes.post('/staff/c/:code/surveys/templates/:template', requireRole('organiser'), async (c) => {
  const campaign = await getCampaign(c.var.db, c.req.param('code'));
  const t = c.req.param('template');
  if (t !== 'social' && t !== 'discipline') throw notFound('模板');
  return created(c, campaign, () => (t === 'social' ? createSocialSurvey(c.var.db, actor(c), campaign) : createDisciplineSurvey(c.var.db, actor(c), campaign)));
});

surveyRoutes.get('/staff/c/:code/surveys/:id', requireRole(...STAFF), async (c) => {
  const { campaign, survey } = await load(c);
  const done = c.req.query('done');
  return editPage(c, campaign, survey, done && DONE[done] ? { flash: DONE[done] } : {});
});

surveyRoutes.get('/staff/c/:code/surveys/:id/preview', requireRole(...STAFF), async (c) => {
  const { campaign, survey } = await load(c);
  return page(c, { title: `预览:${survey.title}`, campaignCode: campaign.code }, <PreviewPage campaign={campaign} survey={survey} def={parseDefinition(survey)} />);
});

// ---- builder ----

const str = (v: string | string[] | undefined) => (Array.isArray(v) ? (v[v.length - 1] ?? '') : (v ?? '')).trim();
const optInt = (v: string) => (v === '' ? undefined : Number(v));

/** The question as the add-question form describes it; shape problems keyed by form field. */
function questionFromForm(form: Record<string, string | string[]>, def: SurveyDefinition): { q: Question; errors: Record<string, string> } {
  const kind = str(form['kind']) as Question['kind'];
  const used = new Set(allQuestions(def).map((q) => q.id));
  let n = used.size + 1;
  while (used.has(`q${n}`)) n++;
  const q: Question = { id: `q${n}`, kind, title: str(form['title']), required: str(form['required']) === '1' };
  const errors: Record<string, string> = {};
  if (!q.title) errors['title'] = '请填写题目';
  if (kind === 'single' || kind === 'multiple') {
    q.options = str(form['options'])
      .split(/\r?\n/)
      .map((o) => o.trim())
      .filter(Boolean);
    if (q.options.length < 2) errors['options'] = '选择题至少需要 2 个选项,每行一个';
  }
  if (kind === 'multiple') {
    const min = optInt(str(form['minChoices']));
    const max = optInt(str(form['maxChoices']));
    if (min !== undefined) q.minChoices = min;
    if (max !== undefined) q.maxChoices = max;
  }
  if (kind === 'text') {
    const max = optInt(str(form['maxLength']));
    if (max !== undefined) q.maxLength = max;
  }
  return { q, errors };
}

/** Where a definition problem for the new question lands on the add form. */
function formKeyOf(key: string): string {
  const last = key.split('.').pop()!;
  return ['title', 'options', 'choices', 'maxLength'].includes(last) ? (last === 'maxLength' ? 'choices' : last) : 'title';
}

surveyRoutes.post('/staff/c/:code/surveys/:id/questions', requireRole('organiser'), async (c) => {
  const form = await formFieldsAll(c);
  return act(c, async (campaign, survey) => {
    if (survey.state !== 'draft') await saveDefinition(c.var.db, actor(c), campaign, survey, parseDefinition(survey)); // 409
    const def = parseDefinition(survey);
    const { q, errors } = questionFromForm(form, def);
    let sectionId = str(form['section']);
    if (!sectionId || !def.sections.some((s) => s.id === sectionId)) {
      const title = str(form['sectionTitle']);
      if (!title) errors['title'] ??= '请选择栏目,或填写新栏目名称';
      let k = def.sections.length + 1;
      while (def.sections.some((s) => s.id === `s${k}`)) k++;
      sectionId = `s${k}`;
      def.sections.push({ id: sectionId, title, questions: [] });
    }
    if (Object.keys(errors).length) throw new AppError(422, 'INVALID_QUESTION', Object.values(errors)[0]!, errors);
    def.sections.find((s) => s.id === sectionId)!.questions.push(q);
    try {
      // on the version the form was rendered with: a question added on a page read before
      // someone else's edit is refused (409), not merged into a definition its author never saw
      await saveDefinition(c.var.db, actor(c), campaign, survey, def, survey.title, submittedVersion(form as Record<string, string>));
    } catch (caught) {
      const err = httpError(caught) ?? caught; // a domain error, as HTTP
      if (err instanceof AppError && err.status === 422) {
        const mine = Object.fromEntries(Object.entries(err.fields).map(([k, v]) => [formKeyOf(k), v]));
        throw new AppError(422, 'INVALID_QUESTION', err.message, mine);
      }
      throw err;
    }
    return 'question';
  });
});

function withQuestion(c: Context<AppEnv>, change: (def: SurveyDefinition, si: number, qi: number, form: Record<string, string | string[]>) => string) {
  return async () => {
    const form = await formFieldsAll(c);
    return act(c, async (campaign, survey) => {
      const def = parseDefinition(survey);
      const qid = c.req.param('qid');
      const si = def.sections.findIndex((s) => s.questions.some((q) => q.id === qid));
      // gone since the page was read (someone else deleted it): the page comes back with the newer definition
      if (si < 0) throw submittedVersion(form as Record<string, string>) !== survey.version ? editConflict() : new AppError(404, 'QUESTION_NOT_FOUND', '找不到该题目');
      const qi = def.sections[si]!.questions.findIndex((q) => q.id === qid);
      const done = change(def, si, qi, form);
      def.sections = def.sections.filter((s) => s.questions.length > 0);
      // the question and its neighbours are the ones the page showed: the form's version, not this request's read
      await saveDefinition(c.var.db, actor(c), campaign, survey, def, survey.title, submittedVersion(form as Record<string, string>));
      return done;
    });
  };
}

surveyRoutes.post('/staff/c/:code/surveys/:id/questions/:qid/delete', requireRole('organiser'), (c) =>
  withQuestion(c, (def, si, qi) => {
    def.sections[si]!.questions.splice(qi, 1);
    return 'deleted';
  })(),
);

surveyRoutes.post('/staff/c/:code/surveys/:id/questions/:qid/move', requireRole('organiser'), (c) =>
  withQuestion(c, (def, si, qi) => {
    const qs = def.sections[si]!.questions;
    if (qi > 0) [qs[qi - 1], qs[qi]] = [qs[qi]!, qs[qi - 1]!];
    return 'moved';
  })(),
);

const scaleShape = z.object({ label: z.string().max(20), valid: z.boolean(), satisfied: z.boolean() });
const questionShape = z.object({
  id: z.string().regex(/^[A-Za-z0-9_-]{1,20}$/, '题目编号只能用字母、数字、下划线和连字符(1–20 个)'),
  kind: z.enum(['single', 'multiple', 'rating', 'text']),
  title: z.string().max(200),
  required: z.boolean(),
  options: z.array(z.string().max(60)).max(60).optional(),
  minChoices: z.number().int().optional(),
  maxChoices: z.number().int().optional(),
  maxLength: z.number().int().optional(),
});
const definitionShape = z.object({
  intro: z.string().max(2000),
  scale: z.array(scaleShape).min(2).max(7),
  sections: z.array(z.object({ id: z.string().regex(/^[A-Za-z0-9_-]{1,20}$/), title: z.string().max(60), note: z.string().max(500).optional(), questions: z.array(questionShape).max(80) })).max(20),
});

surveyRoutes.post('/staff/c/:code/surveys/:id/definition', requireRole('organiser'), async (c) => {
  const form = await formFieldsAll(c);
  const text = str(form['definition']);
  return act(
    c,
    async (campaign, survey) => {
      if (survey.state !== 'draft') await saveDefinition(c.var.db, actor(c), campaign, survey, parseDefinition(survey)); // 409
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        throw new AppError(422, 'INVALID_DEFINITION', '问卷定义不是有效的 JSON', { definition: '问卷定义不是有效的 JSON' });
      }
      const shape = definitionShape.safeParse(parsed);
      if (!shape.success) {
        const issue = shape.error.issues[0]!;
        const m = `问卷定义格式不正确(${issue.path.join('.')}):${issue.message}`;
        throw new AppError(422, 'INVALID_DEFINITION', m, { definition: m });
      }
      await saveDefinition(c.var.db, actor(c), campaign, survey, shape.data as SurveyDefinition, survey.title, submittedVersion(form as Record<string, string>));
      return 'saved';
    },
    { json: text },
  );
});

// ---- ceremony, opening, closing, unsealing ----

surveyRoutes.post('/staff/c/:code/surveys/:id/tally/settings', requireRole('organiser'), async (c) => {
  const form = await formFieldsAll(c);
  return act(c, async (campaign, survey) => {
    await setSurveyParams(c.var.db, actor(c), campaign, survey, Number(str(form['shareCount'])), Number(str(form['threshold'])));
    return 'settings';
  });
});


/** body seat, seatKey: the public seat key the custodian derived on their side (npm run seat-key, group 0, the survey's scope). */
surveyRoutes.post('/staff/c/:code/surveys/:id/tally/join', requireRole('custodian'), async (c) => {
  const form = await formFieldsAll(c);
  return act(c, async (campaign, survey) => {
    await joinSurveyCeremony(c.var.db, actor(c), campaign, survey, Number(str(form['seat'])), str(form['seatKey']).trim(), c.var.user!.displayName);
    return 'join';
  });
});

surveyRoutes.post('/staff/c/:code/surveys/:id/tally/ceremony', requireRole('organiser', 'statistician'), (c) =>
  act(c, async (campaign, survey) => {
    await uploadSurveyCeremony(c.var.db, actor(c), campaign, survey, await uploadedJson(c, 'ceremonyFile', 200_000));
    return 'ceremony';
  }),
);

surveyRoutes.post('/staff/c/:code/surveys/:id/tally/result', requireRole('custodian', 'statistician', 'organiser'), (c) =>
  act(c, async (campaign, survey) => {
    await postSurveyResult(c.var.db, actor(c), campaign, survey, await uploadedJson(c, 'resultFile', RESULT_LIMIT));
    return 'posted';
  }),
);

surveyRoutes.post('/staff/c/:code/surveys/:id/tally/approve', requireRole('custodian'), async (c) => {
  const form = await formFieldsAll(c);
  return act(c, async (campaign, survey) => {
    const r = await approveSurveyResult(c.var.db, actor(c), campaign, survey, str(form['digest']));
    return r.published ? 'unsealed' : 'approved';
  });
});

// ---- the same as JSON, for the CLI and scripts (bearer token or cookie with X-CSRF-Token) ----

const apiSurvey = '/api/campaigns/:code/surveys/:id/tally';

/** The ceremony's input: seats, names, seat public keys, k, n, the survey's scope as "campaign" and group 0. */
surveyRoutes.get(`${apiSurvey}/seats`, requireRole(...STAFF), async (c) => {
  const { campaign, survey } = await load(c);
  return c.json(await surveySeatsDocument(c.var.db, campaign, survey), 200, { 'content-disposition': `inline; filename="seats-${campaign.code}-survey-${survey.id.slice(0, 8)}.json"` });
});

/** body {"seat": n, "seatKey": "<43-character base64url X25519 public key>"} */
surveyRoutes.post(`${apiSurvey}/join`, requireRole('custodian'), async (c) => {
  const { campaign, survey } = await load(c);
  const body = await readJson(c);
  return c.json({ seat: await joinSurveyCeremony(c.var.db, actor(c), campaign, survey, body['seat'], body['seatKey'], c.var.user!.displayName) });
});

/** body: the ceremony file written by `npm run ceremony -- --survey <id>` on the offline machine. */
surveyRoutes.post(`${apiSurvey}/ceremony`, requireRole('statistician', 'organiser'), async (c) => {
  const { campaign, survey } = await load(c);
  return c.json(await uploadSurveyCeremony(c.var.db, actor(c), campaign, survey, await readJson(c)));
});

surveyRoutes.get(`${apiSurvey}/share`, requireRole('custodian'), async (c) => {
  const { campaign, survey } = await load(c);
  const sealed = await sealedSurveyShareFor(c.var.db, actor(c), campaign, survey);
  return c.json(sealed, 200, { 'cache-control': 'no-store', 'content-disposition': `attachment; filename="sealed-share-${campaign.code}-survey-${survey.id.slice(0, 8)}-${sealed.seat}.json"` });
});

/** The commitment fixed at closing (public: it reveals receipts and the definition, no content). */
surveyRoutes.get(`${apiSurvey}/commitment`, async (c) => {
  const { campaign, survey } = await load(c);
  return c.json(await surveyCommitment(c.var.db, campaign, survey), 200, { 'content-disposition': `inline; filename="commitment-${campaign.code}-survey-${survey.id.slice(0, 8)}.json"` });
});

surveyRoutes.get(`${apiSurvey}/responses`, requireRole(...STAFF), async (c) => {
  const { campaign, survey } = await load(c);
  return c.json(await surveyResponsesFile(c.var.db, campaign, survey), 200, { 'content-disposition': `inline; filename="responses-${campaign.code}-survey-${survey.id.slice(0, 8)}.json"` });
});

/** body: the public edition written by `npm run unseal` (no private key). */
surveyRoutes.post(`${apiSurvey}/result`, requireRole('custodian', 'statistician', 'organiser'), async (c) => {
  const { campaign, survey } = await load(c);
  const r = await postSurveyResult(c.var.db, actor(c), campaign, survey, await readJson(c));
  return c.json({ digest: r.digest, threshold: r.threshold });
});

/** The preview a seated custodian checks before approving (the tally, never the answers). */
surveyRoutes.get(`${apiSurvey}/draft`, requireRole('custodian'), async (c) => {
  const { survey } = await load(c);
  const seal = await surveySealState(c.var.db, survey);
  if (!seal.seats.some((s) => s.custodianId === c.var.user!.id)) throw new AppError(403, 'NO_SEAT', '只有本问卷的保管人可以预览待确认的结果');
  if (!seal.draft) throw new AppError(404, 'NO_DRAFT', '还没有待确认的结果');
  return c.json(seal.draft, 200, { 'cache-control': 'no-store' });
});

/** body {"digest": "<the draft's digest as previewed>"}; the k-th approval publishes. */
surveyRoutes.post(`${apiSurvey}/approve`, requireRole('custodian'), async (c) => {
  const { campaign, survey } = await load(c);
  const body = await readJson(c);
  const r = await approveSurveyResult(c.var.db, actor(c), campaign, survey, body['digest']);
  return c.json({ ...r, result: r.published ? `/c/${campaign.code}/surveys/${survey.id}/results` : null });
});

surveyRoutes.post('/staff/c/:code/surveys/:id/open', requireRole('organiser'), (c) =>
  act(c, async (campaign, survey) => {
    await openSurvey(c.var.db, actor(c), campaign, survey, c.var.atRest);
    return 'opened';
  }),
);

surveyRoutes.post('/staff/c/:code/surveys/:id/close', requireRole('organiser'), (c) =>
  act(c, async (campaign, survey) => {
    await closeSurvey(c.var.db, actor(c), campaign, survey);
    return 'closed';
  }),
);

// ---- invitations ----

surveyRoutes.post('/staff/c/:code/surveys/:id/invitations/citizens', requireRole('organiser'), async (c) => {
  const { campaign, survey } = await load(c);
  const form = await formFieldsAll(c);
  try {
    const { batch, codes } = await issueCitizenCodes(c.var.db, actor(c), campaign, survey, Number(str(form['count'])));
    c.header('Cache-Control', 'no-store');
    return page(c, { title: '邀请码', campaignCode: campaign.code }, <CodesPage survey={survey} batch={batch} codes={codes} note="邀请码只显示这一次(服务器只保存其摘要),请立即打印后分发给受邀市民。每个码可提交一份匿名答卷。" />);
  } catch (caught) {
    const err = httpError(caught) ?? caught; // a domain error, as HTTP
    if (err instanceof AppError && [409, 422].includes(err.status)) return editPage(c, campaign, survey, { error: err.message, errors: err.fields }, err.status as 409 | 422);
    throw err;
  }
});

surveyRoutes.post('/staff/c/:code/surveys/:id/invitations/delegate', requireRole('organiser', 'venue_staff'), async (c) => {
  const { campaign, survey } = await load(c);
  const form = await formFieldsAll(c);
  try {
    const r = await issueDelegateCode(c.var.db, actor(c), c.var.user!, campaign, survey, str(form['delegateCode']));
    c.header('Cache-Control', 'no-store');
    return page(c, { title: '邀请码', campaignCode: campaign.code }, <DelegateCodePage survey={survey} code={r.code} name={r.name} />);
  } catch (caught) {
    const err = httpError(caught) ?? caught; // a domain error, as HTTP
    if (err instanceof AppError && [404, 409].includes(err.status)) return editPage(c, campaign, survey, { error: err.message }, err.status as 404 | 409);
    throw err;
  }
});

/** A delegate's personal link: their own invitation for an open questionnaire, handed to the device in the URL fragment. */
surveyRoutes.post('/d/:token/surveys/:id', async (c) => {
  noStore(c);
  const row = await personalLinkDelegate(c, c.req.param('token'));
  const [campaign] = await c.var.db.select().from(campaigns).where(eq(campaigns.id, row.delegate.campaignId));
  const survey = await getSurvey(c.var.db, campaign!, c.req.param('id'));
  const r = await issueDelegateCode(c.var.db, { id: null, name: `delegate:${row.delegate.delegateCode}` }, 'the delegate', campaign!, survey, row.delegate.delegateCode);
  return c.redirect(`/s#t=${r.code}`, 303);
});

// ---- responding (no staff session is read) ----

surveyRoutes.get('/s', (c) => {
  noStore(c);
  return page(c, { title: '问卷调查' }, <RespondPage scriptUrl={staticScript('survey.js')} />);
});

surveyRoutes.get('/s/form', async (c) => {
  const [survey] = await c.var.db.select().from(surveys).where(eq(surveys.id, c.req.query('survey') ?? ''));
  if (!survey || survey.state !== 'open' || survey.access !== 'invited') throw notFound('问卷');
  return c.html(<SurveyFormFragment survey={survey} def={parseDefinition(survey)} />);
});

const jsonBody = readJson;

const codeBody = z.object({ code: z.string().min(4).max(40) });
surveyRoutes.post('/api/survey/invitation', async (c) => {
  noStore(c);
  const parsed = codeBody.safeParse(await jsonBody(c));
  if (!parsed.success) throw new AppError(422, 'VALIDATION_FAILED', '请输入邀请码');
  const { invitation, survey } = await limitedLookup(c, 'invitation', () => findInvitation(c.var.db, parsed.data.code));
  const [campaign] = await c.var.db.select().from(campaigns).where(eq(campaigns.id, survey.campaignId));
  // sealKey: the survey's tally key, which the device seals the answers to before they leave it
  return c.json({ campaign: campaign!.code, survey: survey.id, publicKey: survey.signPublicKey, sealKey: survey.sealKey, state: invitation.state });
});

const redeemBody = z.object({ code: z.string().min(4).max(40), blindedMsg: z.string().min(16).max(2000) });
surveyRoutes.post('/api/survey/redeem', async (c) => {
  noStore(c);
  const parsed = redeemBody.safeParse(await jsonBody(c));
  if (!parsed.success) throw new AppError(422, 'VALIDATION_FAILED', '请提供邀请码和盲化消息');
  return c.json(await limitedLookup(c, 'invitation', () => redeemInvitation(c.var.db, parsed.data.code, parsed.data.blindedMsg, c.var.atRest)));
});

/**
 * What a device posts: the ciphertext it sealed and the key it sealed to, never the answers.
 * Strict: a body that still carries `answers` (an old page) is refused unread, not stored.
 */
const sealedFields = {
  campaign: z.string().min(1).max(40),
  survey: z.string().min(1).max(64),
  ciphertext: z.string(),
  sealKey: z.string().min(1).max(100),
};
const respondBody = z.object({ ...sealedFields, credential: z.object({ msg: z.string().min(16).max(400), sig: z.string().min(16).max(1000) }) }).strict();
const respondOpenBody = z.object(sealedFields).strict();

function parseSealed<T>(shape: z.ZodType<T>, body: unknown, needs: string): T {
  if (body && typeof body === 'object' && 'answers' in body) {
    throw new AppError(422, 'PLAINTEXT_REFUSED', '服务器不接收未加密的答卷:请刷新页面,答卷会在您的设备上加密后提交');
  }
  const parsed = shape.safeParse(body);
  if (!parsed.success) throw new AppError(422, 'VALIDATION_FAILED', `答卷格式不正确:需要 ${needs}`);
  return parsed.data;
}

surveyRoutes.post('/api/survey/respond', async (c) => {
  noStore(c);
  const body = parseSealed(respondBody, await jsonBody(c), 'campaign、survey、credential、ciphertext 和 sealKey');
  const campaign = await getCampaign(c.var.db, body.campaign);
  const survey = await getSurvey(c.var.db, campaign, body.survey);
  const outcome = await respondWithCredential(c.var.db, campaign, survey, body.credential, body.ciphertext, body.sealKey);
  return c.json(outcome, outcome.status === 'accepted' ? 201 : 200);
});

/** The open questionnaire's page seals on the device and posts here (JSON, no cookies). */
surveyRoutes.post('/api/survey/respond-open', async (c) => {
  noStore(c);
  const body = parseSealed(respondOpenBody, await jsonBody(c), 'campaign、survey、ciphertext 和 sealKey');
  const campaign = await getCampaign(c.var.db, body.campaign);
  const survey = await getSurvey(c.var.db, campaign, body.survey);
  // anyone with the link may report, so reports are limited per address; the counter holds the
  // address (an IPv6 /64) and a count, never meets the sealed response, which stores neither
  await spendBudget(c, `open-survey:${limitAddress(c)}`, OPEN_SURVEY_LIMIT, '提交过于频繁:同一网络每小时最多提交 10 份,请稍后再试');
  const outcome = await respondOpen(c.var.db, campaign, survey, body.ciphertext, body.sealKey);
  return c.json(outcome, outcome.status === 'accepted' ? 201 : 200);
});

surveyRoutes.get('/c/:code/surveys/:id', async (c) => {
  noStore(c);
  const { campaign, survey } = await load(c);
  if (survey.access !== 'open') return c.redirect('/s', 302);
  if (survey.state === 'draft') throw notFound('问卷');
  return page(c, { title: survey.title, campaignCode: campaign.code }, <OpenSurveyPage campaign={campaign} survey={survey} def={parseDefinition(survey)} scriptUrl={staticScript('survey.js')} />);
});

/**
 * The old plain form post carried the answers in the clear: refused without reading the body
 * (the page now seals on the device and posts to /api/survey/respond-open).
 */
surveyRoutes.post('/c/:code/surveys/:id', (c) => {
  noStore(c);
  throw new AppError(410, 'PLAINTEXT_REFUSED', '为保护您的匿名,答卷须在您的设备上加密后提交,服务器不再接收未加密的表单。请启用浏览器的 JavaScript 后重新打开本页,或在会场填写纸质调查表');
});

// ---- 活动纪律情况调查表: the old link leads to the campaign's discipline questionnaire ----

surveyRoutes.get('/discipline', async (c) => {
  const campaign = await defaultCampaign(c.var.db);
  if (!campaign) throw notFound('年度活动');
  return c.redirect(`/c/${campaign.code}/discipline`, 302);
});

surveyRoutes.get('/c/:code/discipline', async (c) => {
  const campaign = await getCampaign(c.var.db, c.req.param('code'));
  const survey = await disciplineSurvey(c.var.db, campaign);
  if (!survey || survey.state === 'draft') throw new AppError(404, 'NOT_OPEN', '本年度的活动纪律情况调查表尚未开放');
  return c.redirect(`/c/${campaign.code}/surveys/${survey.id}`, 302);
});

// ---- results: nothing before unsealing ----

surveyRoutes.get('/c/:code/surveys', async (c) => {
  const campaign = await getCampaign(c.var.db, c.req.param('code'));
  const list = (await listSurveys(c.var.db, campaign.id)).filter((s) => s.kind === 'social' && s.state !== 'draft');
  const unsealed = new Set<string>();
  for (const s of list) if (await isSurveyUnsealed(c.var.db, s.id)) unsealed.add(s.id);
  return page(c, { title: '社情民意调查', campaignCode: campaign.code }, <PublicSurveysPage campaign={campaign} surveys={list} unsealed={unsealed} />);
});

async function unsealed(c: Context<AppEnv>) {
  const { campaign, survey } = await load(c);
  if (survey.kind === 'discipline') {
    // canvassing reports go to the organisers and supervisors, not the public
    const user = c.var.user;
    if (!user || !(RESULT_READERS as readonly string[]).includes(user.role)) throw new AppError(403, 'FORBIDDEN', '活动纪律情况调查结果只向组织者和监督人员公开');
  }
  const result = await loadSurveyResult(c.var.db, survey.id);
  if (!result) throw new AppError(404, 'NOT_UNSEALED', '本问卷尚未开封,结果未公布');
  return { campaign, survey, result };
}

const chartOf = (survey: Survey, tally: Awaited<ReturnType<typeof unsealed>>['result']['tally']) =>
  rateChartSvg(
    tally.questions.filter((q) => q.kind === 'rating').map((q) => ({ name: q.title, satisfactionRate: q.satisfactionRate ?? null, score: null })),
    `${survey.title} 各领域满意率`,
    { score: false },
  );

surveyRoutes.get('/c/:code/surveys/:id/results', async (c) => {
  const { campaign, survey, result } = await unsealed(c);
  return page(
    c,
    { title: `${survey.title} 结果`, campaignCode: campaign.code },
    <SurveyResultPage campaign={campaign} survey={survey} tally={result.tally} chartSvg={chartOf(survey, result.tally)} texts={result.publishedTexts} unsealedAt={result.unsealedAt} />,
  );
});

surveyRoutes.get('/c/:code/surveys/:id/results.csv', async (c) => {
  const { campaign, survey, result } = await unsealed(c);
  return c.body(surveyCsv(survey.title, result.tally), 200, { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="survey-${campaign.code}-${survey.id.slice(0, 8)}.csv"` });
});

surveyRoutes.get('/c/:code/surveys/:id/results/chart.svg', async (c) => {
  const { survey, result } = await unsealed(c);
  return c.body(chartOf(survey, result.tally), 200, { 'content-type': 'image/svg+xml; charset=utf-8' });
});

// ---- free-text review ----

surveyRoutes.get('/staff/c/:code/surveys/:id/review', requireRole('statistician', 'auditor'), async (c) => {
  const { campaign, survey } = await load(c);
  const result = await loadSurveyResult(c.var.db, survey.id);
  if (!result) throw new AppError(404, 'NOT_UNSEALED', '本问卷尚未开封');
  c.header('Cache-Control', 'no-store');
  const titles = new Map(allQuestions(parseDefinition(survey)).map((q) => [q.id, q.title]));
  const texts = result.texts.map((t) => ({
    ...t,
    findings: findPersonalData(t.text).map((f) => ({ label: PERSONAL_DATA_LABELS[f.kind], text: f.text })),
    suggested: maskPersonalData(t.text),
  }));
  return page(c, { title: '审核文字答复', campaignCode: campaign.code }, <ReviewPage campaign={campaign} survey={survey} texts={texts} titles={titles} csrfToken={c.var.csrfToken} published={Boolean(result.publishedTexts)} />);
});

surveyRoutes.post('/staff/c/:code/surveys/:id/review', requireRole('statistician', 'auditor'), async (c) => {
  const { campaign, survey } = await load(c);
  const form = await formFieldsAll(c);
  const result = await loadSurveyResult(c.var.db, survey.id);
  if (!result) throw new AppError(404, 'NOT_UNSEALED', '本问卷尚未开封');
  await publishTexts(c.var.db, actor(c), campaign, survey, result.texts.map((_, i) => (form[`t${i}`] === undefined ? null : str(form[`t${i}`]))));
  return c.redirect(`/c/${campaign.code}/surveys/${survey.id}/results`, 303);
});

