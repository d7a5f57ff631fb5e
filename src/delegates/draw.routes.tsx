import { Hono, type Context } from 'hono';
import { and, eq } from 'drizzle-orm';
import { v4 as uuidv4 } from 'uuid';
import { PublicDrawPage, StaffDrawPage, type CellSummary } from '../../views/delegates/draw';
import { audited, stillHolds } from '../audit/audit.service';
import { requireRole, staffUser } from '../auth/auth.middleware';
import { getCampaign, type Campaign } from '../campaigns/campaigns.service';
import { delegates, draws } from '../db/schema';
import type { AppEnv } from '../env';
import { canonicalJson, sha256Hex } from '../lib/crypto';
import { AppError } from '../lib/errors';
import { formFields, page } from '../lib/render';
import { parseGroups, randomCode } from './delegates.core';
import { requireLinks } from './links.service';
import { countPendingReviews, insertRowsAsJson, listDrawOutcome, listDrawPool, loadDraw, noDrawYet, poolStillHas } from './delegates.service';
import { canonicalPublicValue, DERIVATION, effectiveSeed, newSeed, publicSourceProblem, runDraw, seedCommitment, verifyDraw, type DrawInput } from './draw.core';
import { campaignQuotas, drawCells } from './quotas.service';

/** The verifiable stratified draw: commit (seed hash + list digest), reveal and draw, publish. */
export const drawRoutes = new Hono<AppEnv>();

const HEX64 = /^[0-9a-f]{64}$/;

/** The pseudonymised list that enters the draw: codes, venue, category and groups, no names. */
async function drawInput(c: Context<AppEnv>, campaign: Campaign) {
  const db = c.var.db;
  const [pool, quotas] = await Promise.all([listDrawPool(db, campaign.id), campaignQuotas(db, campaign)]);
  const candidates = pool
    .map((x) => ({ code: x.code, venue: x.venueName, groups: parseGroups(x.groups), category: x.category }))
    .sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
  return {
    pool,
    candidates,
    cells: drawCells(quotas),
    digest: sha256Hex(canonicalJson(candidates)),
  };
}

function summarise(cells: DrawInput['cells'], rows: Awaited<ReturnType<typeof listDrawOutcome>>): CellSummary[] {
  const key = (v: string, g: number, cat: string) => `${g}|${v}|${cat}`;
  const counts = new Map<string, { selected: number; reserve: number }>();
  for (const d of rows) {
    const k = key(d.venueName, d.groupNo, d.category);
    const n = counts.get(k) ?? { selected: 0, reserve: 0 };
    if (d.drawnAs === 'selected') n.selected++;
    else n.reserve++;
    counts.set(k, n);
  }
  return cells.map((cell) => {
    const n = counts.get(key(cell.venue, cell.group, cell.category)) ?? { selected: 0, reserve: 0 };
    return { ...cell, selected: n.selected, reserve: n.reserve, shortfall: Math.max(0, cell.seats - n.selected) };
  });
}

type StaffExtra = { revealedSeed?: string; error?: string; errors?: Record<string, string>; values?: Record<string, string> };

async function staffPage(c: Context<AppEnv>, campaign: Campaign, extra: StaffExtra = {}, status: 200 | 409 | 422 = 200) {
  const db = c.var.db;
  const [input, draw, rows, pending] = await Promise.all([drawInput(c, campaign), loadDraw(db, campaign.id), listDrawOutcome(db, campaign.id), countPendingReviews(db, campaign.id)]);
  return page(
    c,
    { title: '分层随机抽取', campaignCode: campaign.code, status },
    <StaffDrawPage
      campaign={campaign}
      draw={draw}
      eligible={input.pool.length}
      pending={pending}
      seatCount={input.cells.reduce((a, x) => a + x.seats, 0)}
      cells={summarise(input.cells, rows)}
      csrfToken={c.var.csrfToken}
      {...extra}
    />,
  );
}

drawRoutes.get('/staff/c/:code/draw', requireRole('organiser'), async (c) => staffPage(c, await getCampaign(c.var.db, c.req.param('code'))));

drawRoutes.post('/staff/c/:code/draw/commit', requireRole('organiser'), async (c) => {
  const db = c.var.db;
  const campaign = await getCampaign(db, c.req.param('code'));
  if (campaign.status === 'draft') throw new AppError(409, 'CAMPAIGN_NOT_STARTED', '请先开始活动(冻结会场与名额),再进行抽签承诺');
  if (await loadDraw(db, campaign.id)) throw new AppError(409, 'DRAW_COMMITTED', '本年度已公布抽签承诺,不能重复承诺');
  const form = await formFields(c);
  const mode = form['mode'] === 'external' ? 'external' : 'generate';
  const values = { mode, publicSource: form['publicSource'] ?? '', commitment: form['commitment'] ?? '' };
  const errors: Record<string, string> = {};
  // RFC 3797: the public random source is named now, while its value is still unknown
  const publicSource = (form['publicSource'] ?? '').normalize('NFC').trim();
  const sourceProblem = publicSourceProblem(publicSource);
  if (sourceProblem) errors['publicSource'] = sourceProblem;
  let seed: string | undefined;
  let commitment = '';
  if (mode === 'external') {
    commitment = (form['commitment'] ?? '').trim().toLowerCase();
    if (!HEX64.test(commitment)) errors['commitment'] = '承诺值须为 64 位十六进制字符串';
  }
  if (Object.keys(errors).length) return staffPage(c, campaign, { error: Object.values(errors).join(';'), errors, values }, 422);
  if (mode === 'generate') {
    seed = newSeed();
    commitment = seedCommitment(seed);
  }
  const input = await drawInput(c, campaign);
  if (input.candidates.length === 0) return staffPage(c, campaign, { error: '还没有通过审核的候选人,不能抽签' }, 422);
  const row = {
    campaignId: campaign.id,
    state: 'committed' as const,
    seedCommitment: commitment,
    candidatesDigest: input.digest,
    candidateCount: input.candidates.length,
    committedAt: Date.now(),
    beaconSource: publicSource,
  };
  await audited(db, { id: staffUser(c).id, name: staffUser(c).username }, 'draw.commit', `draw:${campaign.code}`, row, [db.insert(draws).values(row)], [
    noDrawYet(db, campaign.id, new AppError(409, 'DRAW_COMMITTED', '本年度已公布抽签承诺,不能重复承诺')),
    // the digest is of the pool as read: a review that passed someone meanwhile refuses the commitment
    poolStillHas(db, campaign.id, input.candidates.length, new AppError(409, 'CANDIDATES_CHANGED', '承诺过程中候选名单发生了变化,请刷新页面后重新承诺')),
  ]);
  // the seed is shown once and never stored until it is revealed at the draw
  return staffPage(c, campaign, seed ? { revealedSeed: seed } : {});
});

drawRoutes.post('/staff/c/:code/draw/run', requireRole('organiser'), async (c) => {
  const db = c.var.db;
  const campaign = await getCampaign(db, c.req.param('code'));
  const draw = await loadDraw(db, campaign.id);
  if (!draw) throw new AppError(409, 'DRAW_NOT_COMMITTED', '请先公布随机种子的承诺');
  if (draw.state === 'drawn') throw new AppError(409, 'DRAW_DONE', '本年度已经抽签,结果不能重抽');
  const form = await formFields(c);
  const seed = (form['seed'] ?? '').trim().toLowerCase();
  const values = { seed: form['seed'] ?? '', publicValue: form['publicValue'] ?? '' };
  const errors: Record<string, string> = {};
  if (!HEX64.test(seed)) errors['seed'] = '随机种子须为 64 位十六进制字符串';
  else if (seedCommitment(seed) !== draw.seedCommitment) errors['seed'] = '该种子与公布的承诺不符,不能用于抽签';
  // a draw committed before public sources existed (no source named) draws with the seed alone
  const canonical = draw.beaconSource ? canonicalPublicValue(form['publicValue'] ?? '') : null;
  if (canonical && 'error' in canonical) errors['publicValue'] = canonical.error;
  if (Object.keys(errors).length) return staffPage(c, campaign, { error: Object.values(errors).join(';'), errors, values }, 422);
  const publicValue = canonical && 'value' in canonical ? canonical.value : null;
  const drawSeed = publicValue !== null ? effectiveSeed(seed, draw.beaconSource!, publicValue) : seed;
  const input = await drawInput(c, campaign);
  if (input.digest !== draw.candidatesDigest) throw new AppError(409, 'CANDIDATES_CHANGED', '候选名单与承诺时公布的摘要不一致,不能抽签;请联系监督人员');
  const result = runDraw({ seed: drawSeed, cells: input.cells, candidates: input.candidates });
  const idByCode = new Map(input.pool.map((x) => [x.code, x.id]));
  const links = requireLinks(c.var.delegateLinks);
  const rows = result.cells.flatMap((cell) => [
    ...cell.selected.map((code) => ({ code, drawnAs: 'selected' as const, reserveRank: null as number | null })),
    ...cell.reserve.map((code, i) => ({ code, drawnAs: 'reserve' as const, reserveRank: i + 1 })),
  ].map((x, i) => {
    const id = uuidv4();
    return {
      drawRank: i + 1,
      id,
      campaignId: campaign.id,
      candidateId: idByCode.get(x.code)!,
      venueName: cell.venue,
      groupNo: cell.group,
      category: cell.category,
      state: x.drawnAs,
      drawnAs: x.drawnAs,
      reserveRank: x.reserveRank,
      delegateCode: randomCode('D'),
      // only the keyed hash of the personal link's token: the token itself is derived when printed
      linkHash: links.storedFor(id),
    };
  }));
  await audited(
    db,
    { id: staffUser(c).id, name: staffUser(c).username },
    'draw.run',
    `draw:${campaign.code}`,
    { seed, publicSource: draw.beaconSource, publicValue, effectiveSeed: drawSeed, selected: result.totals.selected, shortfall: result.totals.shortfall },
    [
      db.update(draws).set({ state: 'drawn', seed, beaconValue: publicValue, drawnAt: Date.now() }).where(and(eq(draws.campaignId, campaign.id), eq(draws.state, 'committed'))),
      ...insertRowsAsJson(db, delegates, rows),
    ],
    // two draws run at once insert one outcome
    [stillHolds(db, draws, and(eq(draws.campaignId, campaign.id), eq(draws.state, 'committed')), new AppError(409, 'DRAW_DONE', '本年度已经抽签,结果不能重抽'))],
  );
  return c.redirect(`/staff/c/${campaign.code}/draw`, 303);
});

/** The published file: seed, commitment, cells and the pseudonymised list with the outcome. */
async function publishedFile(c: Context<AppEnv>, campaign: Campaign) {
  const db = c.var.db;
  const draw = await loadDraw(db, campaign.id);
  if (draw?.state !== 'drawn' || !draw.seed) throw new AppError(404, 'DRAW_NOT_PUBLISHED', '抽签尚未进行,暂无公示文件');
  const [input, stored] = await Promise.all([drawInput(c, campaign), listDrawOutcome(db, campaign.id)]);
  // the outcome as stored, not recomputed: verifying it against a fresh draw then means something
  const byCell = new Map<string, { selected: string[]; reserve: string[] }>();
  for (const d of [...stored].sort((a, b) => a.drawRank - b.drawRank)) {
    const k = `${d.groupNo}|${d.venueName}|${d.category}`;
    const cell = byCell.get(k) ?? { selected: [], reserve: [] };
    (d.drawnAs === 'selected' ? cell.selected : cell.reserve).push(d.code);
    byCell.set(k, cell);
  }
  const cells = input.cells.map((cell) => {
    const got = byCell.get(`${cell.group}|${cell.venue}|${cell.category}`) ?? { selected: [], reserve: [] };
    return { venue: cell.venue, group: cell.group, category: cell.category, seats: cell.seats, selected: got.selected, reserve: got.reserve, shortfall: Math.max(0, cell.seats - got.selected.length) };
  });
  const result = {
    cells,
    totals: { seats: cells.reduce((a, x) => a + x.seats, 0), selected: cells.reduce((a, x) => a + x.selected.length, 0), shortfall: cells.reduce((a, x) => a + x.shortfall, 0) },
  };
  const common = { campaign: campaign.code, seedCommitment: draw.seedCommitment, seed: draw.seed, candidatesDigest: draw.candidatesDigest, cells: input.cells, candidates: input.candidates, result };
  if (!draw.beaconSource || draw.beaconValue === null) return { version: 1 as const, ...common };
  return {
    version: 2 as const,
    ...common,
    publicSource: draw.beaconSource,
    publicValue: draw.beaconValue,
    derivation: DERIVATION,
    effectiveSeed: effectiveSeed(draw.seed, draw.beaconSource, draw.beaconValue),
  };
}

drawRoutes.get('/c/:code/draw', async (c) => {
  const db = c.var.db;
  const campaign = await getCampaign(db, c.req.param('code'));
  const draw = await loadDraw(db, campaign.id);
  const cells = draw?.state === 'drawn' ? summarise(drawCells(await campaignQuotas(db, campaign)), await listDrawOutcome(db, campaign.id)) : [];
  const derived = draw?.state === 'drawn' && draw.seed && draw.beaconSource && draw.beaconValue !== null ? effectiveSeed(draw.seed, draw.beaconSource, draw.beaconValue) : undefined;
  return page(c, { title: '抽签公示', campaignCode: campaign.code }, <PublicDrawPage campaign={campaign} draw={draw} cells={cells} effectiveSeed={derived} />);
});

drawRoutes.get('/c/:code/draw.json', async (c) => {
  const campaign = await getCampaign(c.var.db, c.req.param('code'));
  const file = await publishedFile(c, campaign);
  // the server checks its own publication before serving it
  const check = verifyDraw(file);
  if (!check.ok) throw new AppError(500, 'DRAW_INCONSISTENT', '公示文件自检未通过,请联系监督人员');
  // fixed once drawn (the list is sealed and the outcome stored), so caches may keep it
  return c.json(file, 200, { 'content-disposition': `attachment; filename="draw-${campaign.code}.json"`, 'cache-control': 'public, max-age=3600' });
});
