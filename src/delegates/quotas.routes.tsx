import { Hono } from 'hono';
import { QuotaEditPage, QuotaPage } from '../../views/delegates/quotas';
import { and, eq, sql } from 'drizzle-orm';
import { audited, stillHolds } from '../audit/audit.service';
import { requireRole, staffUser } from '../auth/auth.middleware';
import { assertEditable } from '../campaigns/campaigns.core';
import { campaignStillDraft, getCampaign, loadAgenda, type Campaign } from '../campaigns/campaigns.service';
import { campaigns, quotaBase } from '../db/schema';
import type { AppEnv } from '../env';
import { AppError, editConflict, isEditConflict } from '../lib/errors';
import { submittedVersion } from '../lib/validation';
import { formFields, page } from '../lib/render';
import { loadQuotaTables } from './delegates.service';
import { BASE_SIZE, campaignQuotas } from './quotas.service';

/** Quota tables were published in the plan: the matrix is public; organisers edit the base tables. */
export const quotaRoutes = new Hono<AppEnv>();

quotaRoutes.get('/c/:code/quotas', async (c) => {
  const campaign = await getCampaign(c.var.db, c.req.param('code'));
  const q = await campaignQuotas(c.var.db, campaign);
  return page(
    c,
    { title: '市民代表构成', campaignCode: campaign.code },
    <QuotaPage campaign={campaign} groupNos={q.groupNos} allocation={q.allocation} mainVenues={q.venues.filter((v) => v.kind === 'main').map((v) => v.name)} />,
  );
});

quotaRoutes.get('/api/campaigns/:code/quotas', async (c) => {
  const campaign = await getCampaign(c.var.db, c.req.param('code'));
  const q = await campaignQuotas(c.var.db, campaign);
  return c.json({
    venues: q.allocation.map((a) => ({
      venue: a.venue,
      group: a.group,
      seats: a.seats,
      categories: a.categories.map((x) => ({ category: x.category, seats: x.seats, exact: x.exact })),
    })),
  });
});

/** The version each base table was read at: the form carries it, the save requires and bumps it. */
const tableVersions = (campaign: Campaign) => ({ main: campaign.quotaMainVersion, sub: campaign.quotaSubVersion });
const tableLock = (kind: 'main' | 'sub') =>
  kind === 'main'
    ? { column: campaigns.quotaMainVersion, bump: { quotaMainVersion: sql`${campaigns.quotaMainVersion} + 1` } }
    : { column: campaigns.quotaSubVersion, bump: { quotaSubVersion: sql`${campaigns.quotaSubVersion} + 1` } };

quotaRoutes.get('/staff/c/:code/quotas', requireRole('organiser'), async (c) => {
  const db = c.var.db;
  const campaign = await getCampaign(db, c.req.param('code'));
  const { groups } = await loadAgenda(db, campaign.id);
  const groupNos = groups.map((g) => g.no);
  return page(
    c,
    { title: '代表名额分配', campaignCode: campaign.code },
    <QuotaEditPage
      campaign={campaign}
      groupNos={groupNos}
      tables={await loadQuotaTables(db, campaign.id, groupNos)}
      versions={tableVersions(campaign)}
      csrfToken={c.var.csrfToken}
      flash={c.req.query('done') === 'saved' ? '已保存' : undefined}
    />,
  );
});

quotaRoutes.post('/staff/c/:code/quotas/:kind', requireRole('organiser'), async (c) => {
  const db = c.var.db;
  const campaign = await getCampaign(db, c.req.param('code'));
  assertEditable(campaign);
  const kind = c.req.param('kind');
  if (kind !== 'main' && kind !== 'sub') throw new AppError(404, 'NOT_FOUND', '找不到该构成表');
  const { groups } = await loadAgenda(db, campaign.id);
  const groupNos = groups.map((g) => g.no);
  const tables = await loadQuotaTables(db, campaign.id, groupNos);
  const form = await formFields(c);
  const version = submittedVersion(form);
  const cells: { categoryId: string; groupNo: number; seats: number }[] = [];
  const bad: string[] = [];
  for (const cat of tables[kind].categories) {
    for (const g of groupNos) {
      const raw = (form[`${cat.id}_${g}`] ?? '').trim();
      const n = Number(raw);
      if (raw === '' || !Number.isInteger(n) || n < 0 || n > 1000) bad.push(`${cat.name}(第${g}组)`);
      else cells.push({ categoryId: cat.id, groupNo: g, seats: n });
    }
  }
  // each group's column must add up to the table's base size (100 main, 210 sub), as in the plan
  const wrongSums = groupNos
    .map((g) => ({ g, sum: cells.filter((x) => x.groupNo === g).reduce((a, x) => a + x.seats, 0) }))
    .filter((x) => x.sum !== BASE_SIZE[kind]);
  const message = bad.length
    ? `以下格子须填 0–1000 的整数:${bad.slice(0, 5).join('、')}${bad.length > 5 ? ` 等 ${bad.length} 处` : ''}`
    : wrongSums.length
      ? `每组合计须为 ${BASE_SIZE[kind]} 人:${wrongSums.map((x) => `第 ${x.g} 组现为 ${x.sum} 人`).join(';')}`
      : undefined;
  if (message) {
    // the form comes back with what was typed (valid numbers), not with the stored table
    const submitted = {
      categories: tables[kind].categories.map((cat) => ({
        ...cat,
        seats: groupNos.map((g, i) => cells.find((x) => x.categoryId === cat.id && x.groupNo === g)?.seats ?? cat.seats[i] ?? 0),
      })),
    };
    // ... and with the version it was rendered with, so a later save still answers for that reading
    return page(
      c,
      { title: '代表名额分配', campaignCode: campaign.code, status: 422 },
      <QuotaEditPage campaign={campaign} groupNos={groupNos} tables={{ ...tables, [kind]: submitted }} versions={{ ...tableVersions(campaign), [kind]: version }} csrfToken={c.var.csrfToken} errors={{ [kind]: message }} />,
    );
  }
  const { column, bump } = tableLock(kind);
  try {
    await audited(
      db,
      { id: staffUser(c).id, name: staffUser(c).username },
      'quota.update',
      `quota:${campaign.code}/${kind}`,
      { version, cells },
      [
        // the table is saved whole, on the version its form was read at; of two organisers saving
        // the same table, the second finds the version moved and nothing of theirs lands
        db.update(campaigns).set(bump).where(and(eq(campaigns.id, campaign.id), eq(column, version))),
        ...cells.map((x) => db.insert(quotaBase).values(x).onConflictDoUpdate({ target: [quotaBase.categoryId, quotaBase.groupNo], set: { seats: x.seats } })),
      ],
      [campaignStillDraft(db, campaign), stillHolds(db, campaigns, and(eq(campaigns.id, campaign.id), eq(column, version)), editConflict())],
    );
  } catch (err) {
    if (!isEditConflict(err)) throw err;
    // the form comes back with the newer table and its version, and the reason
    const fresh = await getCampaign(db, campaign.code);
    return page(
      c,
      { title: '代表名额分配', campaignCode: campaign.code, status: 409 },
      <QuotaEditPage campaign={fresh} groupNos={groupNos} tables={await loadQuotaTables(db, campaign.id, groupNos)} versions={tableVersions(fresh)} csrfToken={c.var.csrfToken} errors={{ [kind]: err.message }} />,
    );
  }
  return c.redirect(`/staff/c/${campaign.code}/quotas?done=saved`, 303);
});
