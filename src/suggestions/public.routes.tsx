import { Hono, type Context } from 'hono';
import { ExcellentList, FeedbackColumn, SuggestDone, SuggestPage, TrackPage, type PublicItem } from '../../views/pages/suggestions';
import { limitedLookup } from '../auth/rate-limit';
import { getCampaign, type Campaign } from '../campaigns/campaigns.repo';
import { randomCode } from '../delegates/delegates.core';
import { canonicalCode } from '../lib/codes.core';
import type { AppEnv } from '../env';
import { formFields, page } from '../lib/render';
import { intakeClosed, publicIntake } from './intake';
import { maskForOthers, maskName, publicView } from './suggestions.core';
import { assignmentsOf, findByCode, loadIntakeContext, publishedExcellent, searchPublic, supporterCounts, type PublicStatusFilter, type Suggestion } from './suggestions.repo';

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
  return page(
    c,
    { title: '建议提交成功', campaignCode: campaign.code, status: result.kind === 'created' ? 201 : 200 },
    <SuggestDone campaign={campaign} code={result.code} duplicate={result.kind === 'created' ? undefined : result.kind} />,
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
