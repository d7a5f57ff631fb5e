import { Hono, type Context } from 'hono';
import { ExcellentList, FeedbackColumn, FeedbackPage, SuggestDone, SuggestPage, TrackPage, type PublicItem } from '../../views/suggestions/public';
import { AppError } from '../lib/errors';
import { feedbackToken } from '../notifications/links.service';
import { isFeedbackToken, rateAnswer, ratingsOf } from './followup.service';
import { canRate, validateRating } from './suggestions.core';
import { limitedLookup } from '../lib/rate-limit.service';
import { getCampaign, type Campaign } from '../campaigns/campaigns.service';
import { randomCode } from '../delegates/delegates.core';
import { canonicalCode } from '../lib/codes.core';
import type { AppEnv } from '../env';
import { formFields, page } from '../lib/render';
import { intakeClosed, publicIntake } from './intake.service';
import { maskForOthers, maskName, publicView } from './suggestions.core';
import { assignmentsOf, findByCode, loadIntakeContext, publishedExcellent, searchPublic, supporterCounts, type PublicStatusFilter, type Suggestion } from './suggestions.service';

/** Citizens: send a suggestion, follow it by tracking code, read the public feedback column. */
export const suggestionPublicRoutes = new Hono<AppEnv>();

async function formOptions(c: Context<AppEnv>, campaign: Campaign) {
  const ctx = await loadIntakeContext(c.var.db, campaign.id);
  return { themes: ctx.themes, areas: ctx.areas, departments: ctx.departments };
}

suggestionPublicRoutes.get('/c/:code/suggestions/new', async (c) => {
  const campaign = await getCampaign(c.var.db, c.req.param('code'));
  return page(
    c,
    { title: '我有建议', campaignCode: campaign.code },
    <SuggestPage campaign={campaign} options={await formOptions(c, campaign)} csrfToken={c.var.csrfToken} closed={intakeClosed(campaign)} />,
  );
});

suggestionPublicRoutes.post('/c/:code/suggestions', async (c) => {
  const campaign = await getCampaign(c.var.db, c.req.param('code'));
  const form = await formFields(c);
  const result = await publicIntake(c, campaign, form);
  if (result.kind === 'honeypot') return page(c, { title: '建议提交成功', campaignCode: campaign.code, status: 201 }, <SuggestDone campaign={campaign} code={randomCode('JY')} />);
  if (result.kind === 'invalid') {
    const { _csrf: _x, website: _y, ...values } = form;
    return page(
      c,
      { title: '我有建议', campaignCode: campaign.code, status: 422 },
      <SuggestPage campaign={campaign} options={await formOptions(c, campaign)} csrfToken={c.var.csrfToken} values={values} errors={result.errors} />,
    );
  }
  // the author's private 回访 link (only for their own new item: a supporter does not rate)
  const feedbackUrl = result.kind === 'created' && c.var.atRest ? `/c/${campaign.code}/suggestions/${result.code}/feedback?t=${await feedbackToken(c.var.atRest, result.code)}` : undefined;
  return page(
    c,
    { title: '建议提交成功', campaignCode: campaign.code, status: result.kind === 'created' ? 201 : 200 },
    <SuggestDone campaign={campaign} code={result.code} duplicate={result.kind === 'created' ? undefined : result.kind} feedbackUrl={feedbackUrl} />,
  );
});

/** A suggestion as the public may see it: author as 张*, personal data masked, no mobile or e-mail. */
export async function publicItem(c: Context<AppEnv>, s: Suggestion): Promise<PublicItem> {
  const [assigns, supporters] = await Promise.all([assignmentsOf(c.var.db, s.seq), supporterCounts(c.var.db, [s.seq])]);
  return {
    ...publicView(s),
    departments: [...new Set(assigns.filter((a) => a.status !== 'returned').map((a) => a.departmentName))],
    supporters: supporters.get(s.seq) ?? 0,
  };
}

suggestionPublicRoutes.get('/c/:code/suggestions/track', async (c) => {
  const campaign = await getCampaign(c.var.db, c.req.param('code'));
  const typed = (c.req.query('code') ?? '').trim().slice(0, 60);
  const code = canonicalCode('tracking', typed) ?? typed;
  if (!code) return page(c, { title: '查询办理进度', campaignCode: campaign.code }, <TrackPage campaign={campaign} code="" />);
  const s = await limitedLookup(c, 'suggestion', () => findByCode(c.var.db, campaign.id, code));
  if (!s) return page(c, { title: '查询办理进度', campaignCode: campaign.code, status: 404 }, <TrackPage campaign={campaign} code={code} notFound />);
  return page(c, { title: '查询办理进度', campaignCode: campaign.code }, <TrackPage campaign={campaign} code={code} item={await publicItem(c, s)} />);
});

const STATUS_FILTERS = new Set(['published', 'handling', 'all']);

suggestionPublicRoutes.get('/c/:code/suggestions', async (c) => {
  const db = c.var.db;
  const campaign = await getCampaign(db, c.req.param('code'));
  const q = c.req.query();
  const filters = { q: (q['q'] ?? '').trim().slice(0, 60), area: q['area'] ?? '', department: q['department'] ?? '', status: STATUS_FILTERS.has(q['status'] ?? '') ? q['status']! : 'published' };
  const [options, result] = await Promise.all([
    formOptions(c, campaign),
    searchPublic(db, campaign.id, { ...filters, status: filters.status as PublicStatusFilter, page: Number(q['page']) || 1 }),
  ]);
  const counts = await supporterCounts(db, result.rows.map((r) => r.seq));
  return page(
    c,
    { title: '建议办理公开栏', campaignCode: campaign.code },
    <FeedbackColumn
      campaign={campaign}
      options={options}
      filters={filters}
      rows={result.rows.map((r) => ({ ...publicView(r), departments: r.departments, supporters: counts.get(r.seq) ?? 0 }))}
      total={result.total}
      totalCapped={result.totalCapped}
      page={result.page}
      pageSize={result.pageSize}
    />,
  );
});

suggestionPublicRoutes.get('/c/:code/suggestions/excellent', async (c) => {
  const campaign = await getCampaign(c.var.db, c.req.param('code'));
  return page(c, { title: '优秀建议', campaignCode: campaign.code }, <ExcellentList
      campaign={campaign}
      rows={(await publishedExcellent(c.var.db, campaign.id)).map((r) => ({ code: r.code, author: maskName(r.authorName), title: maskForOthers(r.title, r), area: r.area, theme: r.theme, adoption: r.adoption }))}
    />);
});

// ---------------------------------------------------------------- 回访 (the author's private link)

const badLink = () => new AppError(403, 'FEEDBACK_LINK_INVALID', '评价链接无效:请使用短信、邮件或提交成功页面中的完整链接');

async function feedbackItem(c: Context<AppEnv>, token: string) {
  const campaign = await getCampaign(c.var.db, c.req.param('code') ?? '');
  const s = await findByCode(c.var.db, campaign.id, c.req.param('sc') ?? '');
  // a wrong token and an unknown code look the same
  if (!s || !(await isFeedbackToken(c.var.atRest, s.code, token))) throw badLink();
  return { campaign, s };
}

const DONE_TEXT: Record<string, string> = {
  close: '感谢您的评价,本建议办理结束。',
  reopen: '感谢您的评价。您的意见已转交承办部门重新办理,重新答复后我们会再次请您评价。',
  organiser: '感谢您的评价。本建议已经两次重新办理,您的意见已提交组委会研究处理。',
};

async function feedbackView(c: Context<AppEnv>, token: string, extra: { done?: string | undefined; values?: Record<string, string>; errors?: Record<string, string> } = {}, status: 200 | 422 = 200) {
  const { campaign, s } = await feedbackItem(c, token);
  const ratings = await ratingsOf(c.var.db, s.seq);
  return page(
    c,
    { title: '办理结果评价', campaignCode: campaign.code, status },
    <FeedbackPage campaign={campaign} item={await publicItem(c, s)} token={token} csrfToken={c.var.csrfToken} canRate={canRate(s) && !extra.done} ratings={ratings} {...extra} />,
  );
}

suggestionPublicRoutes.get('/c/:code/suggestions/:sc/feedback', async (c) => {
  const token = c.req.query('t') ?? '';
  return feedbackView(c, token, { done: DONE_TEXT[c.req.query('done') ?? ''] });
});

suggestionPublicRoutes.post('/c/:code/suggestions/:sc/feedback', async (c) => {
  const form = await formFields(c);
  const token = form['t'] ?? '';
  const { campaign, s } = await feedbackItem(c, token);
  const checked = validateRating(form);
  if (!checked.ok) return feedbackView(c, token, { values: form, errors: checked.errors }, 422);
  const decision = await rateAnswer(c.var.db, s, checked.value);
  return c.redirect(`/c/${campaign.code}/suggestions/${s.code}/feedback?t=${encodeURIComponent(token)}&done=${decision.kind}`, 303);
});
