import { Hono, type Context } from 'hono';
import { CodesPage, DelegateCodePage, PreviewPage, SurveyEditPage, SurveysPage } from '../../views/survey/builder';
import { requireRole, staffUser } from '../auth/auth.middleware';
import type { AppEnv } from '../env';
import { AppError, editConflict, httpError, isEditConflict, notFound } from '../lib/errors';
import { RESULT_LIMIT, uploadedJson } from '../lib/input';
import { submittedVersion } from '../lib/validation';
import { formFieldsAll, page } from '../lib/render';
import { allQuestions, type Question, type SurveyDefinition } from './survey.core';
import { definitionShape } from './survey.schemas';
import {
  closeSurvey,
  createDisciplineSurvey,
  createSocialSurvey,
  createSurvey,
  getCampaign,
  getSurvey,
  invitationCounts,
  issueCitizenCodes,
  issueDelegateCode,
  listSurveys,
  loadSurvey,
  openSurvey,
  parseDefinition,
  saveDefinition,
  type Survey,
} from './survey.service';
import { approveSurveyResult, joinSurveyCeremony, postSurveyResult, setSurveyParams, surveySealState, uploadSurveyCeremony } from './survey-seal.service';
import { campaignView, questionKindOptions, questionnaireView, surveyView } from './survey-view.core';

import type { Campaign } from '../campaigns/campaigns.service';

/** The organisers' builder and the survey's life (staff pages): drafts, ceremony, opening, invitations, closing. */
export const surveyBuilderRoutes = new Hono<AppEnv>();

const STAFF = ['organiser', 'statistician', 'custodian', 'auditor', 'venue_staff'] as const;
const actor = (c: Context<AppEnv>) => ({ id: staffUser(c).id, name: staffUser(c).username });
const load = (c: Context<AppEnv>) => loadSurvey(c.var.db, c.req.param('code') ?? '', c.req.param('id') ?? '');

async function editPage(c: Context<AppEnv>, campaign: Campaign, survey: Survey, extra: { flash?: string; error?: string; errors?: Record<string, string>; json?: string } = {}, status: 200 | 404 | 409 | 410 | 422 = 200) {
  const [seal, counts] = await Promise.all([surveySealState(c.var.db, survey), invitationCounts(c.var.db, survey.id)]);
  return page(
    c,
    { title: survey.title, campaignCode: campaign.code, status },
    <SurveyEditPage campaign={campaignView(campaign)} survey={surveyView(survey)} def={questionnaireView(parseDefinition(survey))} kinds={questionKindOptions()} user={{ id: staffUser(c).id, role: staffUser(c).role }} csrfToken={c.var.csrfToken} seal={seal} counts={counts} {...extra} />,
  );
}

/** Runs a staff action; a refusal re-renders the survey page with the reason (409 for a frozen survey). */
async function act(c: Context<AppEnv>, run: (campaign: Campaign, survey: Survey) => Promise<string>, extra: { json?: string } = {}) {
  const { campaign, survey } = await load(c);
  try {
    const done = await run(campaign, survey);
    return c.redirect(`/staff/c/${campaign.code}/surveys/${survey.id}?done=${encodeURIComponent(done)}`, 303);
  } catch (caught) {
    const err = httpError(caught);
    if (err && [404, 409, 410, 422].includes(err.status)) {
      const fresh = await getSurvey(c.var.db, campaign, survey.id);
      // after a concurrent edit the page shows the newer definition, not the text that lost
      const keep = isEditConflict(err) ? {} : extra;
      return editPage(c, campaign, fresh, { error: err.message, errors: err.fields, ...keep }, err.status as 404 | 409 | 410 | 422);
    }
    throw caught;
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

surveyBuilderRoutes.get('/staff/c/:code/surveys', requireRole(...STAFF), async (c) => {
  const campaign = await getCampaign(c.var.db, c.req.param('code'));
  return page(c, { title: '问卷调查', campaignCode: campaign.code }, <SurveysPage campaign={campaignView(campaign)} surveys={(await listSurveys(c.var.db, campaign.id)).map(surveyView)} csrfToken={c.var.csrfToken} user={{ id: staffUser(c).id, role: staffUser(c).role }} />);
});

async function created(c: Context<AppEnv>, campaign: Campaign, make: () => Promise<string>) {
  try {
    const id = await make();
    return c.redirect(`/staff/c/${campaign.code}/surveys/${id}`, 303);
  } catch (caught) {
    const err = httpError(caught);
    if (err?.status === 422) {
      return page(c, { title: '问卷调查', campaignCode: campaign.code, status: 422 }, <SurveysPage campaign={campaignView(campaign)} surveys={(await listSurveys(c.var.db, campaign.id)).map(surveyView)} csrfToken={c.var.csrfToken} user={{ id: staffUser(c).id, role: staffUser(c).role }} error={err.message} />);
    }
    throw caught;
  }
}

surveyBuilderRoutes.post('/staff/c/:code/surveys', requireRole('organiser'), async (c) => {
  const campaign = await getCampaign(c.var.db, c.req.param('code'));
  const form = await formFieldsAll(c);
  return created(c, campaign, () => createSurvey(c.var.db, actor(c), campaign, { title: String(form['title'] ?? ''), kind: 'social' }));
});

surveyBuilderRoutes.post('/staff/c/:code/surveys/templates/:template', requireRole('organiser'), async (c) => {
  const campaign = await getCampaign(c.var.db, c.req.param('code'));
  const t = c.req.param('template');
  if (t !== 'social' && t !== 'discipline') throw notFound('模板');
  return created(c, campaign, () => (t === 'social' ? createSocialSurvey(c.var.db, actor(c), campaign) : createDisciplineSurvey(c.var.db, actor(c), campaign)));
});

surveyBuilderRoutes.get('/staff/c/:code/surveys/:id', requireRole(...STAFF), async (c) => {
  const { campaign, survey } = await load(c);
  const done = c.req.query('done');
  return editPage(c, campaign, survey, done && DONE[done] ? { flash: DONE[done] } : {});
});

surveyBuilderRoutes.get('/staff/c/:code/surveys/:id/preview', requireRole(...STAFF), async (c) => {
  const { campaign, survey } = await load(c);
  return page(c, { title: `预览:${survey.title}`, campaignCode: campaign.code }, <PreviewPage campaign={campaignView(campaign)} survey={surveyView(survey)} def={questionnaireView(parseDefinition(survey))} />);
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

surveyBuilderRoutes.post('/staff/c/:code/surveys/:id/questions', requireRole('organiser'), async (c) => {
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
    } catch (err) {
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

surveyBuilderRoutes.post('/staff/c/:code/surveys/:id/questions/:qid/delete', requireRole('organiser'), (c) =>
  withQuestion(c, (def, si, qi) => {
    def.sections[si]!.questions.splice(qi, 1);
    return 'deleted';
  })(),
);

surveyBuilderRoutes.post('/staff/c/:code/surveys/:id/questions/:qid/move', requireRole('organiser'), (c) =>
  withQuestion(c, (def, si, qi) => {
    const qs = def.sections[si]!.questions;
    if (qi > 0) [qs[qi - 1], qs[qi]] = [qs[qi]!, qs[qi - 1]!];
    return 'moved';
  })(),
);

surveyBuilderRoutes.post('/staff/c/:code/surveys/:id/definition', requireRole('organiser'), async (c) => {
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

surveyBuilderRoutes.post('/staff/c/:code/surveys/:id/tally/settings', requireRole('organiser'), async (c) => {
  const form = await formFieldsAll(c);
  return act(c, async (campaign, survey) => {
    await setSurveyParams(c.var.db, actor(c), campaign, survey, Number(str(form['shareCount'])), Number(str(form['threshold'])));
    return 'settings';
  });
});


/** body seat, seatKey: the public seat key the custodian derived on their side (npm run seat-key, group 0, the survey's scope). */
surveyBuilderRoutes.post('/staff/c/:code/surveys/:id/tally/join', requireRole('custodian'), async (c) => {
  const form = await formFieldsAll(c);
  return act(c, async (campaign, survey) => {
    await joinSurveyCeremony(c.var.db, actor(c), campaign, survey, Number(str(form['seat'])), str(form['seatKey']).trim(), staffUser(c).displayName);
    return 'join';
  });
});

surveyBuilderRoutes.post('/staff/c/:code/surveys/:id/tally/ceremony', requireRole('organiser', 'statistician'), (c) =>
  act(c, async (campaign, survey) => {
    await uploadSurveyCeremony(c.var.db, actor(c), campaign, survey, await uploadedJson(c, 'ceremonyFile', 200_000));
    return 'ceremony';
  }),
);

surveyBuilderRoutes.post('/staff/c/:code/surveys/:id/tally/result', requireRole('custodian', 'statistician', 'organiser'), (c) =>
  act(c, async (campaign, survey) => {
    await postSurveyResult(c.var.db, actor(c), campaign, survey, await uploadedJson(c, 'resultFile', RESULT_LIMIT));
    return 'posted';
  }),
);

surveyBuilderRoutes.post('/staff/c/:code/surveys/:id/tally/approve', requireRole('custodian'), async (c) => {
  const form = await formFieldsAll(c);
  return act(c, async (campaign, survey) => {
    const r = await approveSurveyResult(c.var.db, actor(c), campaign, survey, str(form['digest']));
    return r.published ? 'unsealed' : 'approved';
  });
});


surveyBuilderRoutes.post('/staff/c/:code/surveys/:id/open', requireRole('organiser'), (c) =>
  act(c, async (campaign, survey) => {
    await openSurvey(c.var.db, actor(c), campaign, survey, c.var.atRest);
    return 'opened';
  }),
);

surveyBuilderRoutes.post('/staff/c/:code/surveys/:id/close', requireRole('organiser'), (c) =>
  act(c, async (campaign, survey) => {
    await closeSurvey(c.var.db, actor(c), campaign, survey);
    return 'closed';
  }),
);

// ---- invitations ----

surveyBuilderRoutes.post('/staff/c/:code/surveys/:id/invitations/citizens', requireRole('organiser'), async (c) => {
  const { campaign, survey } = await load(c);
  const form = await formFieldsAll(c);
  try {
    const { batch, codes } = await issueCitizenCodes(c.var.db, actor(c), campaign, survey, Number(str(form['count'])));
    c.header('Cache-Control', 'no-store');
    return page(c, { title: '邀请码', campaignCode: campaign.code }, <CodesPage survey={surveyView(survey)} batch={batch} codes={codes} note="邀请码只显示这一次(服务器只保存其摘要),请立即打印后分发给受邀市民。每个码可提交一份匿名答卷。" />);
  } catch (caught) {
    const err = httpError(caught);
    if (err && [409, 422].includes(err.status)) return editPage(c, campaign, survey, { error: err.message, errors: err.fields }, err.status as 409 | 422);
    throw caught;
  }
});

surveyBuilderRoutes.post('/staff/c/:code/surveys/:id/invitations/delegate', requireRole('organiser', 'venue_staff'), async (c) => {
  const { campaign, survey } = await load(c);
  const form = await formFieldsAll(c);
  try {
    const r = await issueDelegateCode(c.var.db, actor(c), staffUser(c), campaign, survey, str(form['delegateCode']));
    c.header('Cache-Control', 'no-store');
    return page(c, { title: '邀请码', campaignCode: campaign.code }, <DelegateCodePage survey={surveyView(survey)} code={r.code} name={r.name} />);
  } catch (caught) {
    const err = httpError(caught);
    if (err && [404, 409].includes(err.status)) return editPage(c, campaign, survey, { error: err.message }, err.status as 404 | 409);
    throw caught;
  }
});

