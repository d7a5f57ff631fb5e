import { answerMarks, daysLate, dispatchMarks, suggestionAfterStep } from './suggestions.core';
import { csvCell } from '../lib/csv.core';
import { Hono, type Context } from 'hono';
import { and, count, eq, inArray } from 'drizzle-orm';
import { v7 as uuidv7 } from 'uuid';
import { DetailPage, AnswerTemplatesPage, SuggestionImportPage, PaperEntryPage, QueuePage } from '../../views/suggestions/dispatcher';
import { HandlerItemPage, HandlerListPage } from '../../views/suggestions/handler';
import { ExcellencePage } from '../../views/suggestions/excellence';
import { StatsPage, StatsSummary } from '../../views/suggestions/stats';
import { audited, stillHolds, type Actor } from '../audit/audit.service';
import { requireRole, staffUser } from '../auth/auth.middleware';
import { getCampaign, type Campaign } from '../campaigns/campaigns.service';
import { decodeCsvBytes } from '../delegates/csv.core';
import { canonicalCode } from '../lib/codes.core';
import { ADOPTIONS, campaigns, SUGGESTION_STATUSES, suggestionAssignments, suggestions, suggestionSupporters, type Adoption, type AssignmentStatus, type SuggestionStatus } from '../db/schema';
import type { AppEnv } from '../env';
import { AppError, forbidden, notFound } from '../lib/errors';
import { readUpload } from '../lib/input';
import { formFields, formFieldsAll, page } from '../lib/render';
import { BATCH_COLUMNS, OPTIONAL_COLUMNS, parseBatch } from './import.core';
import { enqueueForAuthor } from '../notifications/outbox.service';
import { closeByOrganiser, ratingsForHandler, ratingsOf } from './followup.service';
import { openContact } from './author-contact.service';
import { requireAtRest } from '../lib/at-rest';
import { deleteTemplate, insertTemplate, listTemplates } from './answer-templates.service';
import { formulaText, parseFormula } from './handling-score.core';
import { HandlingSettingsForm } from '../../views/components/handling-scores';
import { chinaDate } from '../notifications/outbox.core';
import {
  assignmentsOf,
  batchInsertStatements,
  createSuggestion,
  existingFingerprints,
  findByCode,
  handlerItem,
  listExcellence,
  listForDepartment,
  listQueue,
  loadIntakeContext,
  loadStatistics,
  routerFor,
  setAssignment,
  setSuggestion,
  supportersOf,
  upsertScore,
  dispatchStatements,
  reindexPublic,
  PAGE_SIZE,
  type Suggestion,
  handlingUnchanged,
} from './suggestions.service';
import {
  LIMITS,
  STATUS_LABELS,
  answerDeadline,
  WorkflowError,
  assertAssignmentAction,
  assertSuggestionAction,
  deriveStatus,
  dispatchDeadline,
  fingerprint,
  formatDuration,
  median,
  overallAdoption,
  parseScore,
  rankByScores,
  validateSuggestion,
  validateTemplate,
} from './suggestions.core';

/** Dispatchers (organisers), department handlers, reviewers and statistics. */
export const suggestionStaffRoutes = new Hono<AppEnv>();

const actorOf = (c: Context<AppEnv>): Actor => ({ id: staffUser(c).id, name: staffUser(c).username });
const chars = (s: string) => [...s].length;

/** Workflow refusals become 409 with their Chinese message. */
function guard(fn: () => void): void {
  try {
    fn();
  } catch (err) {
    if (err instanceof WorkflowError) throw new AppError(409, err.code, err.message);
    throw err;
  }
}

const organiser = requireRole('organiser');
const P = '/staff/c/:code/suggestions';

async function loadItem(c: Context<AppEnv>): Promise<{ campaign: Campaign; s: Suggestion }> {
  const campaign = await getCampaign(c.var.db, c.req.param('code') ?? '');
  const s = await findByCode(c.var.db, campaign.id, c.req.param('sc') ?? '');
  if (!s) throw notFound('建议');
  return { campaign, s };
}

// ---------------------------------------------------------------- dispatcher queue

suggestionStaffRoutes.get(P, organiser, async (c) => {
  const db = c.var.db;
  const campaign = await getCampaign(db, c.req.param('code'));
  const q = c.req.query();
  const status = q['status'] === 'overdue' || SUGGESTION_STATUSES.includes(q['status'] as SuggestionStatus) ? (q['status'] as SuggestionStatus | 'overdue') : undefined;
  const now = Date.now();
  const [ctx, result] = await Promise.all([loadIntakeContext(db, campaign.id), listQueue(db, campaign.id, { status, area: q['area'] || undefined, page: Number(q['page']) || 1 }, now)]);
  return page(
    c,
    { title: '建议分派', campaignCode: campaign.code },
    <QueuePage campaign={campaign} rows={result.rows.map((r) => ({ ...r, marks: dispatchMarks(r, now), assignments: r.assignments.map((a) => ({ ...a, marks: answerMarks(a, now) })) }))} total={result.total} page={result.page} pageSize={PAGE_SIZE} status={status ?? ''} area={q['area'] ?? ''} areas={ctx.areas} now={now} />,
  );
});

// ---------------------------------------------------------------- paper forms

suggestionStaffRoutes.get(`${P}/new`, organiser, async (c) => {
  const campaign = await getCampaign(c.var.db, c.req.param('code'));
  const ctx = await loadIntakeContext(c.var.db, campaign.id);
  const done = c.req.query('done');
  return page(
    c,
    { title: '录入纸质建议', campaignCode: campaign.code },
    <PaperEntryPage campaign={campaign} options={ctx} csrfToken={c.var.csrfToken} flash={done ? `已录入,跟踪码 ${done}` : undefined} />,
  );
});

suggestionStaffRoutes.post(`${P}/new`, organiser, async (c) => {
  const db = c.var.db;
  const campaign = await getCampaign(db, c.req.param('code'));
  const ctx = await loadIntakeContext(db, campaign.id);
  const form = await formFields(c);
  const checked = validateSuggestion(form, ctx);
  if (!checked.ok) {
    const { _csrf: _x, ...values } = form;
    return page(c, { title: '录入纸质建议', campaignCode: campaign.code, status: 422 }, <PaperEntryPage campaign={campaign} options={ctx} csrfToken={c.var.csrfToken} values={values} errors={checked.errors} />);
  }
  const result = await createSuggestion(db, { campaignId: campaign.id, source: 'paper', input: checked.value, atRest: requireAtRest(c.var.atRest) }, (statements) =>
    audited(db, actorOf(c), 'suggestion.paper_entry', `suggestions:${campaign.code}`, { title: checked.value.title }, statements),
  );
  const note = result.kind === 'created' ? result.code : `${result.code}(与已有建议重复,已关联,未重复登记)`;
  return c.redirect(`/staff/c/${campaign.code}/suggestions/new?done=${encodeURIComponent(note)}`, 303);
});

// ---------------------------------------------------------------- CSV batches

const COLUMNS_TEXT = [...Object.values(BATCH_COLUMNS), ...Object.values(OPTIONAL_COLUMNS)].join(',');
const MAX_IMPORT_BYTES = 2 * 1024 * 1024;
const MAX_IMPORT_ROWS = 2000;

suggestionStaffRoutes.get(`${P}/import`, organiser, async (c) => {
  const campaign = await getCampaign(c.var.db, c.req.param('code'));
  return page(c, { title: '批量导入建议', campaignCode: campaign.code }, <SuggestionImportPage campaign={campaign} csrfToken={c.var.csrfToken} columns={COLUMNS_TEXT} />);
});

suggestionStaffRoutes.post(`${P}/import`, organiser, async (c) => {
  const db = c.var.db;
  const campaign = await getCampaign(db, c.req.param('code'));
  const { fields, files } = await readUpload(c);
  const organisation = (fields['organisation'] ?? '').trim();
  const file = files['file'];
  const fail = (error: string) =>
    page(c, { title: '批量导入建议', campaignCode: campaign.code, status: 422 }, <SuggestionImportPage campaign={campaign} csrfToken={c.var.csrfToken} columns={COLUMNS_TEXT} organisation={organisation} error={error} />);
  if (!(file instanceof File) || file.size === 0) return fail('请选择要导入的 CSV 文件');
  if (file.size > MAX_IMPORT_BYTES) return fail('文件超过 2 MB,请拆分后分批导入');
  if (chars(organisation) > LIMITS.organisation) return fail(`报送单位名称不能超过 ${LIMITS.organisation} 个字`);
  let text: string;
  try {
    text = decodeCsvBytes(new Uint8Array(await file.arrayBuffer()));
  } catch (err) {
    return fail((err as Error).message);
  }
  const ctx = await loadIntakeContext(db, campaign.id);
  const parsed = parseBatch(text, ctx, organisation);
  if (parsed.good.length + parsed.bad.length > MAX_IMPORT_ROWS) return fail(`一次最多导入 ${MAX_IMPORT_ROWS} 行,请拆分文件`);
  // rows the campaign already holds are linked, not stored twice: report them instead
  const known = await existingFingerprints(db, campaign.id, parsed.good.map((g) => fingerprint(g.title, g.body)));
  const good = parsed.good.filter((g) => !known.has(fingerprint(g.title, g.body)));
  const bad = [
    ...parsed.bad,
    ...parsed.good.filter((g) => known.has(fingerprint(g.title, g.body))).map((g) => ({ line: g.line, reason: `与已收到的建议 ${known.get(fingerprint(g.title, g.body))} 内容相同,未重复导入` })),
  ].sort((a, b) => a.line - b.line);
  let imported: string[] = [];
  if (good.length) {
    const { codes, statements } = await batchInsertStatements(db, campaign.id, good, requireAtRest(c.var.atRest));
    // all good rows land together with their audit entry, or none does
    await audited(db, actorOf(c), 'suggestion.import', `suggestions:${campaign.code}`, { organisation, rows: good.length, codes }, statements);
    imported = codes;
  }
  return page(
    c,
    { title: '批量导入建议', campaignCode: campaign.code, status: good.length ? 200 : 422 },
    <SuggestionImportPage campaign={campaign} csrfToken={c.var.csrfToken} columns={COLUMNS_TEXT} organisation={organisation} result={{ imported, bad }} />,
  );
});

// ---------------------------------------------------------------- statistics

suggestionStaffRoutes.get(`${P}/stats`, requireRole('organiser', 'statistician'), async (c) => {
  const db = c.var.db;
  const campaign = await getCampaign(db, c.req.param('code'));
  const now = Date.now();
  const [st, ctx] = await Promise.all([loadStatistics(db, campaign.id, now), loadIntakeContext(db, campaign.id)]);
  const ordered = (names: readonly string[], rows: { key: string; n: number }[]) => names.map((label) => ({ label, value: rows.find((r) => r.key === label)?.n ?? 0 }));
  const byStatus = SUGGESTION_STATUSES.map((s) => ({ label: STATUS_LABELS[s], value: st.byStatus.find((r) => r.key === s)?.n ?? 0 }));
  const total = st.byStatus.reduce((s, r) => s + r.n, 0);
  if (c.req.query('part') === 'summary') {
    c.header('Vary', 'HX-Request');
    return c.html(
      <StatsSummary campaignCode={campaign.code} total={total} overdue={st.overdueDispatch.length + st.overdueAnswers.length} medianHandling={formatDuration(median(st.handlingTimes))} byStatus={byStatus} />,
    );
  }
  return page(
    c,
    { title: '建议统计', campaignCode: campaign.code },
    <>
    <StatsPage
      campaign={campaign}
      total={total}
      byStatus={byStatus}
      byArea={ordered(ctx.areas, st.byArea)}
      byTheme={ordered(ctx.themes, st.byTheme)}
      byDept={st.byDept.map((r) => ({ label: r.key, value: r.n })).sort((a, b) => b.value - a.value)}
      medianHandling={formatDuration(median(st.handlingTimes))}
      answered={st.handlingTimes.length}
      overdueDispatch={st.overdueDispatch.map((o) => ({ ...o, lateDays: daysLate(o.deadline, Date.now()) }))}
      overdueAnswers={st.overdueAnswers.map((o) => ({ ...o, lateDays: daysLate(o.deadline, Date.now()) }))}
      now={now}
    />
    {staffUser(c).role === 'organiser' && <HandlingSettingsForm {...handlingSettingsProps(c, campaign, c.req.query('done') === 'handling' ? '已保存' : undefined)} />}
    </>,
  );
});

const chinaDay = chinaDate;

function handlingSettingsProps(c: Context<AppEnv>, campaign: Campaign, flash?: string, values?: Record<string, string>, errors?: Record<string, string>) {
  const { formula } = parseFormula(campaign.handlingFormula);
  return {
    action: `/staff/c/${campaign.code}/suggestions/handling-settings`,
    csrfToken: c.var.csrfToken,
    values: {
      closesOn: values?.['closesOn'] ?? (campaign.handlingClosesAt ? chinaDay(campaign.handlingClosesAt) : ''),
      onTime: values?.['onTime'] ?? String(formula.onTime),
      satisfaction: values?.['satisfaction'] ?? String(formula.satisfaction),
      notReopened: values?.['notReopened'] ?? String(formula.notReopened),
    },
    formula: formulaText(formula),
    errors,
    flash,
  };
}

suggestionStaffRoutes.post(`${P}/handling-settings`, organiser, async (c) => {
  const db = c.var.db;
  const campaign = await getCampaign(db, c.req.param('code'));
  const form = await formFields(c);
  const errors: Record<string, string> = {};
  const closesOn = (form['closesOn'] ?? '').trim();
  // the end of that day in Beijing time
  const closesAt = closesOn ? Date.parse(`${closesOn}T23:59:59+08:00`) : null;
  if (closesOn && (!/^\d{4}-\d{2}-\d{2}$/.test(closesOn) || Number.isNaN(closesAt))) errors['closesOn'] = '日期格式应为 YYYY-MM-DD';
  const weights = (['onTime', 'satisfaction', 'notReopened'] as const).map((k) => [k, Number((form[k] ?? '').trim())] as const);
  for (const [k, w] of weights) if (!Number.isInteger(w) || w < 0 || w > 100) errors[k] = '权重须为 0–100 的整数';
  if (!Object.keys(errors).length && weights.reduce((s, [, w]) => s + w, 0) !== 100) errors['notReopened'] = `三项权重之和须为 100(现在是 ${weights.reduce((s, [, w]) => s + w, 0)})`;
  if (Object.keys(errors).length) {
    return page(c, { title: '办理得分设置', campaignCode: campaign.code, status: 422 }, <HandlingSettingsForm {...handlingSettingsProps(c, campaign, undefined, form, errors)} />);
  }
  const handlingFormula = JSON.stringify(Object.fromEntries(weights));
  await audited(db, actorOf(c), 'campaign.handling_settings', `campaign:${campaign.code}`, { closesOn, handlingFormula }, [
    db.update(campaigns).set({ handlingClosesAt: closesAt, handlingFormula }).where(eq(campaigns.id, campaign.id)),
  ]);
  return c.redirect(`/staff/c/${campaign.code}/suggestions/stats?done=handling`, 303);
});

// ---------------------------------------------------------------- excellent suggestions

async function excellenceView(c: Context<AppEnv>, campaign: Campaign, extra: { flash?: string; errors?: Record<string, string> } = {}, status: 200 | 422 = 200) {
  const { rows, scores } = await listExcellence(c.var.db, campaign.id);
  const ranking = new Map(rankByScores(scores).map((r) => [r.suggestionSeq, r]));
  const me = staffUser(c).id;
  const view = rows
    .map((r) => ({
      seq: r.seq,
      code: r.code,
      title: r.title,
      authorName: r.authorName,
      area: r.area,
      excellence: r.excellence,
      published: r.excellentPublishedAt !== null,
      mean: ranking.get(r.seq)?.mean ?? null,
      reviewers: ranking.get(r.seq)?.reviewers ?? 0,
      myScore: scores.find((s) => s.suggestionSeq === r.seq && s.reviewerId === me)?.score ?? null,
    }))
    .sort((a, b) => (b.mean ?? -1) - (a.mean ?? -1) || a.seq - b.seq);
  return page(c, { title: '优秀建议评选', campaignCode: campaign.code, status }, <ExcellencePage campaign={campaign} rows={view} csrfToken={c.var.csrfToken} {...extra} />);
}

suggestionStaffRoutes.get(`${P}/excellent`, organiser, async (c) => {
  const campaign = await getCampaign(c.var.db, c.req.param('code'));
  return excellenceView(c, campaign, c.req.query('done') ? { flash: c.req.query('done') === 'published' ? '优秀建议名单已公布' : '评分已保存' } : {});
});

suggestionStaffRoutes.post(`${P}/excellent/publish`, organiser, async (c) => {
  const db = c.var.db;
  const campaign = await getCampaign(db, c.req.param('code'));
  const form = await formFieldsAll(c);
  const chosen = new Set((Array.isArray(form['selected']) ? form['selected'] : form['selected'] ? [form['selected']] : []).map((typed) => canonicalCode('tracking', typed) ?? typed));
  const { rows } = await listExcellence(db, campaign.id);
  if (!chosen.size) return excellenceView(c, campaign, { errors: { selected: '请至少勾选一条入选建议', _form: '请至少勾选一条入选建议' } }, 422);
  const unknown = [...chosen].filter((code) => !rows.some((r) => r.code === code));
  if (unknown.length) return excellenceView(c, campaign, { errors: { selected: `以下建议不在候选名单中:${unknown.join('、')}`, _form: '入选建议须先列入候选' } }, 422);
  const now = Date.now();
  const picked = rows.filter((r) => chosen.has(r.code)).map((r) => r.seq);
  const dropped = rows.filter((r) => !chosen.has(r.code)).map((r) => r.seq);
  await audited(db, actorOf(c), 'suggestion.excellent_publish', `suggestions:${campaign.code}`, { selected: [...chosen].sort() }, [
    db.update(suggestions).set({ excellence: 'selected', excellentPublishedAt: now }).where(and(inArray(suggestions.seq, picked), eq(suggestions.excellence, 'shortlisted'))),
    db.update(suggestions).set({ excellence: 'shortlisted', excellentPublishedAt: null }).where(inArray(suggestions.seq, dropped.length ? dropped : [-1])),
  ]);
  return c.redirect(`/staff/c/${campaign.code}/suggestions/excellent?done=published`, 303);
});

/** Authors of the published excellent suggestions, in the columns of the delegates' recommendation import. */
export const EXCELLENT_CATEGORY = '往年获评优秀建议市民代表';

suggestionStaffRoutes.get(`${P}/excellent/candidates.csv`, organiser, async (c) => {
  const db = c.var.db;
  const campaign = await getCampaign(db, c.req.param('code'));
  const { rows } = await listExcellence(db, campaign.id);
  const selected = rows.filter((r) => r.excellence === 'selected' && r.excellentPublishedAt !== null);
  await audited(db, actorOf(c), 'suggestion.excellent_export', `suggestions:${campaign.code}`, { rows: selected.length });
  const header = ['姓名', '身份证号', '手机号', '会场', '分组', '类别', '推荐单位', '优秀建议', '跟踪码'];
  // the organisers' own export: the sealed contact is opened for it
  const mobiles = await Promise.all(selected.map(async (r) => (await openContact(c.var.atRest, r.code, r.contactSealed))?.mobile ?? ''));
  const lines = selected.map((r, i) => [r.authorName, '', mobiles[i]!, '', '', EXCELLENT_CATEGORY, `${campaign.year}年度优秀建议`, r.title, r.code].map(csvCell).join(','));
  return c.body(`\ufeff${[header.join(','), ...lines].join('\r\n')}\r\n`, 200, {
    'content-type': 'text/csv; charset=utf-8',
    'content-disposition': `attachment; filename="excellent-${campaign.code}.csv"`,
  });
});

// ---------------------------------------------------------------- one suggestion (dispatcher)

async function detailView(c: Context<AppEnv>, campaign: Campaign, s: Suggestion, extra: { errors?: Record<string, string>; flash?: string | undefined } = {}, status: 200 | 422 = 200) {
  const db = c.var.db;
  const [assignments, supporters, router, ctx, ratings, contact] = await Promise.all([
    assignmentsOf(db, s.seq),
    supportersOf(db, s.seq),
    routerFor(db, campaign.id),
    loadIntakeContext(db, campaign.id),
    ratingsOf(db, s.seq),
    // organisers must be able to reach the author: their page opens the sealed contact
    openContact(c.var.atRest, s.code, s.contactSealed),
  ]);
  return page(
    c,
    { title: s.title, campaignCode: campaign.code, status },
    <DetailPage
      campaign={campaign}
      s={{ ...s, marks: dispatchMarks(s, Date.now()) }}
      contact={contact}
      assignments={assignments.map((a) => ({ ...a, marks: answerMarks(a, Date.now()) }))}
      supporters={supporters}
      candidates={router.explain(s.title, s.body, 10)}
      departments={ctx.departments}
      csrfToken={c.var.csrfToken}
      now={Date.now()}
      ratings={ratings}
      {...extra}
    />,
  );
}

const DONE: Record<string, string> = {
  dispatched: '已分派',
  merged: '已合并为重复建议',
  rejected: '已登记为不予受理',
  published: '答复已公开',
  shortlisted: '已列入优秀建议候选',
  closed: '已办结',
};

// ---------------------------------------------------------------- answer templates

async function templatesView(c: Context<AppEnv>, campaign: Campaign, extra: { values?: Record<string, string>; errors?: Record<string, string>; flash?: string | undefined } = {}, status: 200 | 422 = 200) {
  const [ctx, templates] = await Promise.all([loadIntakeContext(c.var.db, campaign.id), listTemplates(c.var.db, campaign.id)]);
  return page(c, { title: '答复模板', campaignCode: campaign.code, status }, <AnswerTemplatesPage campaign={campaign} themes={ctx.themes} templates={templates} csrfToken={c.var.csrfToken} {...extra} />);
}

suggestionStaffRoutes.get(`${P}/templates`, organiser, async (c) => {
  const campaign = await getCampaign(c.var.db, c.req.param('code'));
  return templatesView(c, campaign, { flash: c.req.query('done') === 'saved' ? '模板已保存' : c.req.query('done') === 'deleted' ? '模板已删除' : undefined });
});

suggestionStaffRoutes.post(`${P}/templates`, organiser, async (c) => {
  const db = c.var.db;
  const campaign = await getCampaign(db, c.req.param('code'));
  const form = await formFields(c);
  const checked = validateTemplate(form, (await loadIntakeContext(db, campaign.id)).themes);
  if (!checked.ok) return templatesView(c, campaign, { values: form, errors: checked.errors }, 422);
  await audited(db, actorOf(c), 'suggestion.template_add', `suggestions:${campaign.code}`, { theme: checked.value.theme, title: checked.value.title }, [insertTemplate(db, campaign.id, checked.value)]);
  return c.redirect(`/staff/c/${campaign.code}/suggestions/templates?done=saved`, 303);
});

suggestionStaffRoutes.post(`${P}/templates/:id/delete`, organiser, async (c) => {
  const db = c.var.db;
  const campaign = await getCampaign(db, c.req.param('code'));
  await audited(db, actorOf(c), 'suggestion.template_delete', `suggestions:${campaign.code}`, { id: c.req.param('id') }, [deleteTemplate(db, campaign.id, c.req.param('id'))]);
  return c.redirect(`/staff/c/${campaign.code}/suggestions/templates?done=deleted`, 303);
});

suggestionStaffRoutes.get(`${P}/:sc`, organiser, async (c) => {
  const { campaign, s } = await loadItem(c);
  return detailView(c, campaign, s, { flash: DONE[c.req.query('done') ?? ''] });
});

suggestionStaffRoutes.post(`${P}/:sc/dispatch`, organiser, async (c) => {
  const db = c.var.db;
  const { campaign, s } = await loadItem(c);
  guard(() => assertSuggestionAction(s.status, 'dispatch'));
  const form = await formFieldsAll(c);
  const names = [...new Set(Array.isArray(form['departments']) ? form['departments'] : form['departments'] ? [form['departments']] : [])];
  if (!names.length) return detailView(c, campaign, s, { errors: { departments: '请至少选择一个承办部门' } }, 422);
  const ctx = await loadIntakeContext(db, campaign.id);
  const unknown = names.filter((n) => !ctx.departments.includes(n));
  if (unknown.length) return detailView(c, campaign, s, { errors: { departments: `没有这些部门:${unknown.join('、')}` } }, 422);
  const scores = new Map((await routerFor(db, campaign.id)).rank(s.title, s.body).map((r) => [r.department, r.score]));
  const current = await assignmentsOf(db, s.seq);
  const chosen = names.map((n) => ({ id: ctx.departmentList.find((d) => d.name === n)!.id, name: n, score: scores.get(n) ?? null }));
  const after = [
    ...current.filter((a) => a.status !== 'returned' && (names.includes(a.departmentName) || a.status === 'answered')),
    ...names.filter((n) => !current.some((a) => a.status !== 'returned' && a.status !== 'reopened' && a.departmentName === n)).map(() => ({ status: 'dispatched' as const })),
  ];
  const now = Date.now();
  // 已分派: told once, at the first dispatch (a reassignment before any answer is not news to the author)
  const notice = s.dispatchedAt === null ? [enqueueForAuthor(db, { seq: s.seq }, 'dispatched', { code: s.code, departments: names.join('、'), deadline: chinaDate(answerDeadline(now)) }, `r${s.reopenRound}`, now)] : [];
  await audited(db, actorOf(c), 'suggestion.dispatch', `suggestion:${s.code}`, { departments: names }, [...dispatchStatements(db, s, current, chosen, now, deriveStatus(after)), ...notice], handlingUnchanged(db, s.seq, s.status, current, handlingChanged()));
  return c.redirect(`/staff/c/${campaign.code}/suggestions/${s.code}?done=dispatched`, 303);
});

suggestionStaffRoutes.post(`${P}/:sc/merge`, organiser, async (c) => {
  const db = c.var.db;
  const { campaign, s } = await loadItem(c);
  guard(() => assertSuggestionAction(s.status, 'merge'));
  const typedInto = ((await formFields(c))['into'] ?? '').trim();
  const into = typedInto && (canonicalCode('tracking', typedInto) ?? typedInto);
  const target = into ? await findByCode(db, campaign.id, into) : undefined;
  if (!target) return detailView(c, campaign, s, { errors: { into: into ? `没有跟踪码为 ${into} 的建议` : '请填写原建议的跟踪码' } }, 422);
  if (target.seq === s.seq) return detailView(c, campaign, s, { errors: { into: '不能合并到自身' } }, 422);
  if (target.status === 'merged' || target.status === 'not_accepted') return detailView(c, campaign, s, { errors: { into: `原建议状态为“${STATUS_LABELS[target.status]}”,不能合并到它` } }, 422);
  const current = await assignmentsOf(db, s.seq);
  await audited(db, actorOf(c), 'suggestion.merge', `suggestion:${s.code}`, { into: target.code }, [
    setSuggestion(db, s.seq, { status: 'merged', duplicateOf: target.seq }),
    ...current.filter((a) => a.status === 'dispatched' || a.status === 'in_progress').map((a) => setAssignment(db, a.id, { status: 'returned', returnReason: '合并为重复建议' })),
    // the author of the duplicate follows the original as a supporter
    db
      .insert(suggestionSupporters)
      .values({ id: uuidv7(), suggestionSeq: target.seq, authorName: s.authorName, mobileKey: s.mobileKey, similarity: 0, createdAt: Date.now() })
      .onConflictDoNothing(),
  ], handlingUnchanged(db, s.seq, s.status, current, handlingChanged()));
  return c.redirect(`/staff/c/${campaign.code}/suggestions/${s.code}?done=merged`, 303);
});

suggestionStaffRoutes.post(`${P}/:sc/reject`, organiser, async (c) => {
  const { campaign, s } = await loadItem(c);
  guard(() => assertSuggestionAction(s.status, 'reject'));
  const reason = ((await formFields(c))['reason'] ?? '').trim();
  if (chars(reason) < LIMITS.reason.min || chars(reason) > LIMITS.reason.max) {
    return detailView(c, campaign, s, { errors: { reason: `请填写不予受理的原因(${LIMITS.reason.min}–${LIMITS.reason.max} 个字)` } }, 422);
  }
  await audited(c.var.db, actorOf(c), 'suggestion.reject', `suggestion:${s.code}`, { reason }, [setSuggestion(c.var.db, s.seq, { status: 'not_accepted', rejectReason: reason })], [
    stillHolds(c.var.db, suggestions, and(eq(suggestions.seq, s.seq), eq(suggestions.status, s.status)), handlingChanged()),
  ]);
  return c.redirect(`/staff/c/${campaign.code}/suggestions/${s.code}?done=rejected`, 303);
});

suggestionStaffRoutes.post(`${P}/:sc/publish`, organiser, async (c) => {
  const db = c.var.db;
  const { campaign, s } = await loadItem(c);
  guard(() => assertSuggestionAction(s.status, 'publish'));
  const all = await assignmentsOf(db, s.seq);
  const answered = all.filter((a) => a.status === 'answered');
  // after a reopened round the earlier answers stay on record, marked as such
  const earlier = all.filter((a) => a.status === 'reopened');
  const publicAnswer = [
    ...answered.map((a) => `【${a.departmentName}】${a.round > 0 ? `(第 ${a.round + 1} 次办理)` : ''}${a.answer ?? ''}`),
    ...earlier.map((a) => `【${a.departmentName}】(第 ${a.round + 1} 次办理,市民不满意后重新交办)${a.answer ?? ''}`),
  ].join('\n\n');
  const now = Date.now();
  await audited(db, actorOf(c), 'suggestion.publish', `suggestion:${s.code}`, { departments: answered.map((a) => a.departmentName) }, [
    setSuggestion(db, s.seq, { status: 'published', publicAnswer, adoption: overallAdoption(answered.map((a) => a.adoption)), publishedAt: now }),
    ...reindexPublic(db, s, publicAnswer),
    // the author's 回访 link goes out with the publication
    enqueueForAuthor(db, { seq: s.seq }, 'published', { code: s.code }, `r${s.reopenRound}`, now),
    // one answer for the merged duplicates: shown on their tracking pages, their authors told (they do not rate)
    db.update(suggestions).set({ publicAnswer, publishedAt: now }).where(and(eq(suggestions.duplicateOf, s.seq), eq(suggestions.status, 'merged'))),
    enqueueForAuthor(db, { duplicatesOf: s.seq }, 'merged_published', { original: s.code }, `r${s.reopenRound}`, now),
  ], handlingUnchanged(db, s.seq, s.status, all, handlingChanged()));
  return c.redirect(`/staff/c/${campaign.code}/suggestions/${s.code}?done=published`, 303);
});

suggestionStaffRoutes.post(`${P}/:sc/close`, organiser, async (c) => {
  const { campaign, s } = await loadItem(c);
  const note = ((await formFields(c))['note'] ?? '').trim();
  if (chars(note) < LIMITS.reason.min || chars(note) > LIMITS.reason.max) {
    return detailView(c, campaign, s, { errors: { note: `请填写办结说明(${LIMITS.reason.min}–${LIMITS.reason.max} 个字)` } }, 422);
  }
  await closeByOrganiser(c.var.db, actorOf(c), s, note);
  return c.redirect(`/staff/c/${campaign.code}/suggestions/${s.code}?done=closed`, 303);
});

suggestionStaffRoutes.post(`${P}/:sc/shortlist`, organiser, async (c) => {
  const { campaign, s } = await loadItem(c);
  if (s.status !== 'answered' && s.status !== 'published') throw new AppError(409, 'NOT_ANSWERED', '只有已答复的建议才能列入优秀建议候选');
  if (s.excellence === 'none') {
    // re-checked in the batch: a double tap, or two organisers at once, shortlist (and log) once
    await audited(c.var.db, actorOf(c), 'suggestion.shortlist', `suggestion:${s.code}`, {}, [setSuggestion(c.var.db, s.seq, { excellence: 'shortlisted' })], [
      stillHolds(
        c.var.db,
        suggestions,
        and(eq(suggestions.seq, s.seq), eq(suggestions.excellence, 'none'), inArray(suggestions.status, ['answered', 'published'])),
        new AppError(409, 'ALREADY_SHORTLISTED', '该建议刚刚已被列入优秀建议候选,无需重复操作'),
      ),
    ]);
  }
  return c.redirect(`/staff/c/${campaign.code}/suggestions/${s.code}?done=shortlisted`, 303);
});

suggestionStaffRoutes.post(`${P}/:sc/score`, organiser, async (c) => {
  const { campaign, s } = await loadItem(c);
  if (s.excellence === 'none') throw new AppError(409, 'NOT_SHORTLISTED', '该建议不在优秀建议候选名单中');
  const form = await formFields(c);
  const score = parseScore(form['score'] ?? '');
  if (score === undefined) return excellenceView(c, campaign, { errors: { _form: '评分须为 1–100 的整数' } }, 422);
  const user = staffUser(c);
  await audited(c.var.db, actorOf(c), 'suggestion.score', `suggestion:${s.code}`, { score }, [
    upsertScore(c.var.db, { suggestionSeq: s.seq, reviewerId: user.id, reviewerName: user.username, score, comment: (form['comment'] ?? '').slice(0, 200), at: Date.now() }),
  ]);
  return c.redirect(`/staff/c/${campaign.code}/suggestions/excellent?done=scored`, 303);
});

// ---------------------------------------------------------------- department handlers

const handler = requireRole('dept_handler');

const handlingChanged = () => new AppError(409, 'HANDLING_CHANGED', '该建议的办理情况刚刚被他人更新,请刷新页面查看最新状态后再操作');
const H = '/staff/c/:code/handling';

function myDepartment(c: Context<AppEnv>): string {
  const d = staffUser(c).departmentName;
  if (!d) throw forbidden('您的账号没有绑定部门,请联系组织者');
  return d;
}

suggestionStaffRoutes.get(H, handler, async (c) => {
  const campaign = await getCampaign(c.var.db, c.req.param('code'));
  const department = myDepartment(c);
  const rows = await listForDepartment(c.var.db, campaign.id, department);
  const done = c.req.query('done');
  const flash = done === 'answered' ? '答复已提交,待组委会公开' : done === 'returned' ? '已退回组委会重新分派' : undefined;
  return page(c, { title: '待办建议', campaignCode: campaign.code }, <HandlerListPage campaign={campaign} department={department} rows={rows.map((r) => ({ ...r, marks: answerMarks(r, Date.now()) }))} now={Date.now()} flash={flash} />);
});

/** The handler's share of an item: 404 when no such item, 403 when it was not routed to their department. */
async function myItem(c: Context<AppEnv>) {
  const campaign = await getCampaign(c.var.db, c.req.param('code') ?? '');
  const department = myDepartment(c);
  const code = canonicalCode('tracking', c.req.param('sc') ?? '') ?? '';
  const item = await handlerItem(c.var.db, campaign.id, code, department);
  if (!item) {
    if (await findByCode(c.var.db, campaign.id, code)) throw forbidden('该建议未分派给本部门,无权查看');
    throw notFound('建议');
  }
  return { campaign, department, item };
}

suggestionStaffRoutes.get(`${H}/:sc`, handler, async (c) => {
  const { campaign, item } = await myItem(c);
  const db = c.var.db;
  const [ratings, templates, [dups]] = await Promise.all([
    ratingsForHandler(db, item.seq),
    listTemplates(db, campaign.id, item.theme),
    db.select({ n: count() }).from(suggestions).where(and(eq(suggestions.duplicateOf, item.seq), eq(suggestions.status, 'merged'))),
  ]);
  // ?template= starts the answer from one of the theme's templates (works without JavaScript)
  const chosen = templates.find((t) => t.id === c.req.query('template'));
  return page(
    c,
    { title: item.title, campaignCode: campaign.code },
    <HandlerItemPage campaign={campaign} item={{ ...item, marks: answerMarks(item, Date.now()) }} csrfToken={c.var.csrfToken} now={Date.now()} ratings={ratings} templates={templates} duplicates={dups?.n ?? 0} values={chosen ? { answer: chosen.body } : undefined} />,
  );
});

/** Writes an assignment change and the suggestion status that follows from all its departments. */
async function settle(c: Context<AppEnv>, seq: number, assignmentId: string, from: AssignmentStatus, set: Parameters<typeof setAssignment>[2], action: string, change: unknown, code: string) {
  const db = c.var.db;
  const all = await assignmentsOf(db, seq);
  const after = all.map((a) => (a.id === assignmentId ? { ...a, ...set } : a)) as { status: typeof all[number]['status'] }[];
  const suggestionSet: Parameters<typeof setSuggestion>[2] = suggestionAfterStep(after, Date.now());
  const [current] = await db.select({ status: suggestions.status }).from(suggestions).where(eq(suggestions.seq, seq));
  await audited(db, actorOf(c), action, `suggestion:${code}`, change, [setAssignment(db, assignmentId, set), setSuggestion(db, seq, suggestionSet)], [
    // the assignment is still in the state the action was allowed from (checked before the body was read)
    stillHolds(db, suggestionAssignments, and(eq(suggestionAssignments.id, assignmentId), eq(suggestionAssignments.status, from)), handlingChanged()),
    ...handlingUnchanged(db, seq, current!.status, all, handlingChanged()),
  ]);
}

suggestionStaffRoutes.post(`${H}/:sc/accept`, handler, async (c) => {
  const { campaign, item } = await myItem(c);
  guard(() => assertAssignmentAction(item.status, 'accept'));
  await settle(c, item.seq, item.assignmentId, item.status, { status: 'in_progress' }, 'suggestion.accept', {}, item.code);
  return c.redirect(`/staff/c/${campaign.code}/handling/${item.code}`, 303);
});

suggestionStaffRoutes.post(`${H}/:sc/answer`, handler, async (c) => {
  const { campaign, item } = await myItem(c);
  guard(() => assertAssignmentAction(item.status, 'answer'));
  const form = await formFields(c);
  const answer = (form['answer'] ?? '').trim();
  const adoption = (form['adoption'] ?? 'none') as Adoption;
  const errors: Record<string, string> = {};
  if (chars(answer) < LIMITS.answer.min || chars(answer) > LIMITS.answer.max) errors['answer'] = `答复须为 ${LIMITS.answer.min}–${LIMITS.answer.max} 个字,请写明办理意见`;
  if (!ADOPTIONS.includes(adoption)) errors['adoption'] = '请选择采纳情况';
  if (Object.keys(errors).length) {
    return page(c, { title: item.title, campaignCode: campaign.code, status: 422 }, <HandlerItemPage campaign={campaign} item={{ ...item, marks: answerMarks(item, Date.now()) }} csrfToken={c.var.csrfToken} now={Date.now()} values={form} errors={errors} />);
  }
  await settle(c, item.seq, item.assignmentId, item.status, { status: 'answered', answer, adoption, answeredAt: Date.now() }, 'suggestion.answer', { adoption }, item.code);
  return c.redirect(`/staff/c/${campaign.code}/handling?done=answered`, 303);
});

suggestionStaffRoutes.post(`${H}/:sc/return`, handler, async (c) => {
  const { campaign, item } = await myItem(c);
  guard(() => assertAssignmentAction(item.status, 'return'));
  const form = await formFields(c);
  const reason = (form['reason'] ?? '').trim();
  if (chars(reason) < LIMITS.reason.min || chars(reason) > LIMITS.reason.max) {
    return page(
      c,
      { title: item.title, campaignCode: campaign.code, status: 422 },
      <HandlerItemPage campaign={campaign} item={{ ...item, marks: answerMarks(item, Date.now()) }} csrfToken={c.var.csrfToken} now={Date.now()} values={form} errors={{ reason: `请说明退回原因(${LIMITS.reason.min}–${LIMITS.reason.max} 个字),如应由哪个部门办理` }} />,
    );
  }
  await settle(c, item.seq, item.assignmentId, item.status, { status: 'returned', returnReason: reason }, 'suggestion.return', { reason }, item.code);
  return c.redirect(`/staff/c/${campaign.code}/handling?done=returned`, 303);
});
