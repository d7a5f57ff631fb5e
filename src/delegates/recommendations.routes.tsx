import { Hono, type Context } from 'hono';
import { v4 as uuidv4 } from 'uuid';
import { RecommendationImportPage, type ImportReport } from '../../views/delegates/delegates';
import { audited } from '../audit/audit.service';
import { requireRole, staffUser } from '../auth/auth.middleware';
import { getCampaign, loadAgenda, type Campaign } from '../campaigns/campaigns.service';
import { candidates } from '../db/schema';
import type { AppEnv } from '../env';
import { hmacHex } from '../lib/crypto';
import { AppError } from '../lib/errors';
import { readUpload } from '../lib/input';
import { page } from '../lib/render';
import { isUniqueViolation } from '../lib/validation';
import { decodeCsvBytes, parseRecommendations } from './csv.core';
import { randomCode, recommendationCategories } from './delegates.core';
import { existingIdHashes, insertRowsAsJson, loadDraw } from './delegates.service';
import { campaignQuotas } from './quotas.service';

/**
 * Organisational recommendations (组织推荐): organisers, and venue (district) staff for their own
 * venue, upload a CSV list. Bad rows are reported by line and reason; the good rows go in with
 * their audit record in one batch, so a list is never half-imported.
 */
export const recommendationRoutes = new Hono<AppEnv>();

/** An Excel export of a few thousand rows is far below this. */
export const MAX_CSV_BYTES = 2 * 1024 * 1024;

function render(c: Context<AppEnv>, campaign: Campaign, extra: { report?: ImportReport; error?: string } = {}, status: 200 | 409 | 422 = 200) {
  const user = staffUser(c);
  return page(
    c,
    { title: '导入推荐名单', campaignCode: campaign.code, status },
    <RecommendationImportPage campaign={campaign} venue={user.role === 'venue_staff' ? (user.venueName ?? '') : undefined} csrfToken={c.var.csrfToken} {...extra} />,
  );
}

const frozen = () => new AppError(409, 'CANDIDATES_FROZEN', '候选名单已随抽签承诺封存,不能再导入推荐名单');

recommendationRoutes.get('/staff/c/:code/candidates/import', requireRole('organiser', 'venue_staff'), async (c) => {
  const campaign = await getCampaign(c.var.db, c.req.param('code'));
  return render(c, campaign, (await loadDraw(c.var.db, campaign.id)) ? { error: frozen().message } : {});
});

recommendationRoutes.post('/staff/c/:code/candidates/import', requireRole('organiser', 'venue_staff'), async (c) => {
  const db = c.var.db;
  const user = staffUser(c);
  const campaign = await getCampaign(db, c.req.param('code'));
  if (await loadDraw(db, campaign.id)) throw frozen();
  if (!c.var.idHashKey) throw new AppError(503, 'ID_KEY_MISSING', '身份证号码密钥未配置,暂不能导入');

  const { files } = await readUpload(c);
  const file = files['file'];
  if (!(file instanceof File) || file.size === 0) return render(c, campaign, { error: '请选择要上传的 CSV 文件(第一行为表头)' }, 422);
  if (file.size > MAX_CSV_BYTES) return render(c, campaign, { error: `文件过大(上限 ${MAX_CSV_BYTES / 1024 / 1024} MB),请分批上传` }, 422);
  let text: string;
  try {
    text = decodeCsvBytes(new Uint8Array(await file.arrayBuffer()));
  } catch (err) {
    return render(c, campaign, { error: (err as Error).message }, 422);
  }

  const q = await campaignQuotas(db, campaign);
  const { groups } = await loadAgenda(db, campaign.id);
  const aliases = { main: recommendationCategories(q.tables.main.categories.map((x) => x.name)), sub: recommendationCategories(q.tables.sub.categories.map((x) => x.name)) };
  const kindOf = new Map(q.venues.map((v) => [v.name, v.kind]));
  const parsed = parseRecommendations(text, {
    venues: q.venues.map((v) => v.name),
    groups: q.groupNos,
    categoriesForVenue: (venue) => [...aliases[kindOf.get(venue) ?? 'sub'].keys()],
    groupDates: new Map(groups.map((g) => [g.no, g.date])),
  });

  // rules that need the campaign's data or the database: scope, seats in that group, earlier sign-ups
  const seatsOf = new Map(q.allocation.flatMap((a) => a.categories.map((x) => [`${a.venue}|${a.group}|${x.category}`, x.seats] as const)));
  const bad = [...parsed.bad];
  const rows = parsed.good.map((g) => ({ ...g, category: aliases[kindOf.get(g.venue)!].get(g.category)!, idHash: hmacHex(c.var.idHashKey!, g.idNumber) }));
  const taken = await existingIdHashes(db, campaign.id, rows.map((r) => r.idHash));
  const good = rows.filter((r) => {
    const reason =
      user.role === 'venue_staff' && r.venue !== user.venueName
        ? `您只能导入本会场(${user.venueName})的推荐名单,不能导入“${r.venue}”`
        : !seatsOf.get(`${r.venue}|${r.group}|${r.category}`)
          ? `${r.venue}第 ${r.group} 组没有“${r.category}”名额`
          : taken.has(r.idHash)
            ? '该身份证号码已报名或已被推荐参加本年度活动'
            : undefined;
    if (reason) bad.push({ line: r.line, reason });
    return !reason;
  });
  bad.sort((a, b) => a.line - b.line);

  if (good.length === 0) {
    return render(c, campaign, { report: { fileName: file.name, imported: 0, bad } }, 422);
  }
  const now = Date.now();
  const values = good.map((r) => ({
    id: uuidv4(),
    campaignId: campaign.id,
    code: randomCode('K'),
    source: 'recommended' as const,
    name: r.name,
    idHash: r.idHash,
    idLast4: r.idLast4,
    mobile: r.mobile,
    venueName: r.venue,
    category: r.category,
    groups: String(r.group),
    organisation: r.organisation,
    createdAt: now,
  }));
  try {
    await audited(
      db,
      { id: user.id, name: user.username },
      'candidates.import',
      `candidates:${campaign.code}/${user.role === 'venue_staff' ? user.venueName : '全部'}`,
      // codes and line numbers only: no names or ID numbers in the log's digest input
      { file: file.name, imported: values.map((v) => v.code), badLines: bad.map((b) => b.line) },
      insertRowsAsJson(db, candidates, values),
    );
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
    return render(c, campaign, { error: '名单中有人刚刚通过其他途径报名或被推荐,本次没有导入任何记录;请重新上传' }, 409);
  }
  return render(c, campaign, { report: { fileName: file.name, imported: good.length, bad } });
});
