import { staticScript } from '../lib/assets';
import { canonicalReceipt } from '../lib/codes.core';
import { HandlingScoresTable } from '../../views/components/handling-scores';
import { departmentHandling } from '../suggestions/handling-score.service';
import { HANDLING_COLUMNS, handlingCells, handlingCsv } from '../suggestions/handling-score.core';
import { Hono, type Context } from 'hono';
import { ReceiptPage, GroupResultPage, ResultsOverviewPage, SealPage, TallyStaffPage, UnsealPage } from '../../views/tally/tally';
import { requireRole, staffUser } from '../auth/auth.middleware';
import { getCampaign, loadAgenda, type Campaign } from '../campaigns/campaigns.service';
import type { AppEnv } from '../env';
import { AppError, notFound, httpError } from '../lib/errors';
import { RESULT_LIMIT, readForm, readJson, uploadedJson } from '../lib/input';
import { page } from '../lib/render';
import { resultChartSvg } from './chart.core';
import { isReceipt } from './ceremony.core';
import {
  approveResult,
  commitGroup,
  commitmentDocument,
  committedBallots,
  findReceipt,
  groupSealState,
  isGroupCommitted,
  joinCeremony,
  loadTally,
  postResult,
  publishedResult,
  resultDraft,
  sealedShareFor,
  seatsDocument,
  setTallyParams,
  uploadCeremony,
} from './tally.service';
import { tallyCsv, type GroupTally } from './tally.core';
import { groupName } from '../../views/components/ui';

/**
 * Sealed aggregation: staff pages for the ceremony, commitment and unsealing; public pages for
 * the seal (key, fingerprints, commitment), results (only once unsealed), receipts; JSON API.
 */
export const tallyRoutes = new Hono<AppEnv>();
export const tallyApi = new Hono<AppEnv>();

const STAFF = ['custodian', 'statistician', 'organiser', 'auditor'] as const;

function groupNo(c: Context<AppEnv>): number {
  const n = Number(c.req.param('group'));
  if (!Number.isInteger(n) || n < 1 || n > 99) throw notFound('评议组');
  return n;
}

async function groupNos(c: Context<AppEnv>, campaign: Campaign): Promise<number[]> {
  return (await loadAgenda(c.var.db, campaign.id)).groups.map((g) => g.no);
}

async function requireGroup(c: Context<AppEnv>, campaign: Campaign): Promise<number> {
  const n = groupNo(c);
  if (!(await groupNos(c, campaign)).includes(n)) throw notFound('评议组');
  return n;
}

const actor = (c: Context<AppEnv>) => ({ id: staffUser(c).id, name: staffUser(c).username });

async function staffPage(c: Context<AppEnv>, campaign: Campaign, extra: { flash?: string; error?: string } = {}, status: 200 | 409 | 410 | 422 = 200) {
  const groups = await Promise.all((await groupNos(c, campaign)).map((n) => groupSealState(c.var.db, campaign, n)));
  return page(c, { title: '开封计票', campaignCode: campaign.code, status }, <TallyStaffPage campaign={campaign} custodianScript={staticScript('custodian.js')} user={staffUser(c)} groups={groups} csrfToken={c.var.csrfToken} {...extra} />);
}

/** Runs a staff action; a refusal (409/410/422) re-renders the page with the reason beside the groups. */
async function act(c: Context<AppEnv>, campaign: Campaign, run: () => Promise<string>) {
  try {
    const done = await run();
    return c.redirect(`/staff/c/${campaign.code}/tally?done=${encodeURIComponent(done)}`, 303);
  } catch (caught) {
    const err = httpError(caught) ?? caught; // a domain error, as HTTP
    if (err instanceof AppError && [409, 410, 422].includes(err.status)) return staffPage(c, campaign, { error: err.message }, err.status as 409 | 410 | 422);
    throw err;
  }
}

const DONE: Record<string, string> = {
  settings: '已保存保管人数和开封门限',
  join: '已登记您的席位公钥。请保管好口令或密钥文件:换设备、重新登录都不影响打开分片',
  ceremony: '仪式文件已核对并保存:服务器只保存公钥、封存分片和指纹',
  commit: '选票集合已承诺并公布,本组不再接收选票',
  posted: '开封结果已核对(票数、根摘要、统计可重算),等待保管人确认',
  approved: '已记录您的确认',
  unsealed: '本组已开封,结果已公布',
};

tallyRoutes.get('/staff/c/:code/tally', requireRole(...STAFF), async (c) => {
  const campaign = await getCampaign(c.var.db, c.req.param('code'));
  const done = c.req.query('done');
  return staffPage(c, campaign, done && DONE[done] ? { flash: DONE[done] } : {});
});

tallyRoutes.post('/staff/c/:code/tally/settings', requireRole('organiser'), async (c) => {
  const campaign = await getCampaign(c.var.db, c.req.param('code'));
  const form = await readForm(c);
  return act(c, campaign, async () => {
    await setTallyParams(c.var.db, actor(c), campaign, Number(form['shareCount']), Number(form['threshold']));
    return 'settings';
  });
});

tallyRoutes.post('/staff/c/:code/tally/:group/join', requireRole('custodian'), async (c) => {
  const campaign = await getCampaign(c.var.db, c.req.param('code'));
  const n = await requireGroup(c, campaign);
  const form = await readForm(c);
  return act(c, campaign, async () => {
    const seat = /^\d{1,2}$/.test(form['seat'] ?? '') ? Number(form['seat']) : NaN;
    await joinCeremony(c.var.db, actor(c), campaign, n, seat, (form['seatKey'] ?? '').trim(), staffUser(c).displayName);
    return 'join';
  });
});


tallyRoutes.post('/staff/c/:code/tally/:group/ceremony', requireRole('statistician', 'organiser'), async (c) => {
  const campaign = await getCampaign(c.var.db, c.req.param('code'));
  const n = await requireGroup(c, campaign);
  return act(c, campaign, async () => {
    await uploadCeremony(c.var.db, actor(c), campaign, n, await uploadedJson(c, 'ceremonyFile', 200_000));
    return 'ceremony';
  });
});

/** The custodian's share, sealed to their seat key: any number of downloads, from any device. */
tallyRoutes.get('/staff/c/:code/tally/:group/share.json', requireRole('custodian'), async (c) => {
  const campaign = await getCampaign(c.var.db, c.req.param('code'));
  const n = await requireGroup(c, campaign);
  const file = await sealedShareFor(c.var.db, actor(c), campaign, n);
  return c.json(file, 200, { 'content-disposition': `attachment; filename="sealed-share-${campaign.code}-group${n}-seat${file.seat}.json"`, 'cache-control': 'no-store' });
});

tallyRoutes.get('/staff/c/:code/tally/:group/ballots.json', requireRole(...STAFF), async (c) => {
  const campaign = await getCampaign(c.var.db, c.req.param('code'));
  const n = await requireGroup(c, campaign);
  return c.json(await committedBallots(c.var.db, campaign, n), 200, { 'content-disposition': `attachment; filename="ballots-${campaign.code}-group${n}.json"` });
});

tallyRoutes.post('/staff/c/:code/tally/:group/commit', requireRole('statistician', 'organiser'), async (c) => {
  const campaign = await getCampaign(c.var.db, c.req.param('code'));
  const n = await requireGroup(c, campaign);
  return act(c, campaign, async () => {
    await commitGroup(c.var.db, actor(c), campaign, n);
    return 'commit';
  });
});

tallyRoutes.post('/staff/c/:code/tally/:group/result', requireRole('custodian', 'statistician', 'organiser'), async (c) => {
  const campaign = await getCampaign(c.var.db, c.req.param('code'));
  const n = await requireGroup(c, campaign);
  return act(c, campaign, async () => {
    await postResult(c.var.db, actor(c), campaign, n, await uploadedJson(c, 'resultFile', RESULT_LIMIT));
    return 'posted';
  });
});

/** The unsealing table in the browser (custodian.js): shares open and the key is rebuilt on this page, never on the server. */
tallyRoutes.get('/staff/c/:code/tally/:group/unseal', requireRole('custodian', 'statistician', 'organiser'), async (c) => {
  const campaign = await getCampaign(c.var.db, c.req.param('code'));
  const n = await requireGroup(c, campaign);
  const state = await groupSealState(c.var.db, campaign, n);
  return page(c, { title: `${groupName(n)}开封计票`, campaignCode: campaign.code }, <UnsealPage campaign={campaign} custodianScript={staticScript('custodian.js')} state={state} csrfToken={c.var.csrfToken} />);
});

/** The preview a custodian checks before approving: only the group's own custodians see figures before publication. */
tallyRoutes.get('/staff/c/:code/tally/:group/draft.json', requireRole('custodian'), async (c) => {
  const campaign = await getCampaign(c.var.db, c.req.param('code'));
  const n = await requireGroup(c, campaign);
  return c.json(await draftForCustodian(c, campaign, n), 200, { 'cache-control': 'no-store' });
});

tallyRoutes.post('/staff/c/:code/tally/:group/approve', requireRole('custodian'), async (c) => {
  const campaign = await getCampaign(c.var.db, c.req.param('code'));
  const n = await requireGroup(c, campaign);
  const form = await readForm(c);
  return act(c, campaign, async () => {
    const r = await approveResult(c.var.db, actor(c), campaign, n, form['digest']);
    return r.published ? 'unsealed' : 'approved';
  });
});

async function draftForCustodian(c: Context<AppEnv>, campaign: Campaign, n: number) {
  const state = await groupSealState(c.var.db, campaign, n);
  if (!state.seats.some((s) => s.custodianId === staffUser(c).id)) throw new AppError(403, 'NO_SEAT', '只有本组的保管人可以预览待确认的结果');
  const draft = await resultDraft(c.var.db, campaign, n);
  if (!draft) throw new AppError(404, 'NO_DRAFT', '还没有待确认的结果');
  return { ...draft, threshold: state.params.threshold, root: state.commitment?.root ?? null };
}

// ---- public ----

async function unsealedTally(c: Context<AppEnv>, campaign: Campaign, n: number): Promise<GroupTally> {
  const tally = await loadTally(c.var.db, campaign.id, n);
  if (!tally) throw new AppError(404, 'NOT_UNSEALED', `${groupName(n)}尚未开封,结果未公布`);
  return tally;
}

tallyRoutes.get('/c/:code/results', async (c) => {
  const db = c.var.db;
  const campaign = await getCampaign(db, c.req.param('code'));
  const groups = await Promise.all(
    (await groupNos(c, campaign)).map(async (no) => ({ no, tally: await loadTally(db, campaign.id, no), committed: await isGroupCommitted(db, campaign.id, no) })),
  );
  return page(c, { title: '评议结果', campaignCode: campaign.code }, <ResultsOverviewPage campaign={campaign} groups={groups} />);
});

tallyRoutes.get('/c/:code/results.csv', async (c) => {
  const campaign = await getCampaign(c.var.db, c.req.param('code'));
  const tallies = (await Promise.all((await groupNos(c, campaign)).map((no) => loadTally(c.var.db, campaign.id, no)))).filter((t): t is GroupTally => Boolean(t));
  if (!tallies.length) throw new AppError(404, 'NOT_UNSEALED', '还没有开封的组,结果未公布');
  // each department's handling of suggestions beside its ballot result (the group files keep the tally's own format)
  const handling = await departmentHandling(c.var.db, campaign, tallies.flatMap((t) => t.departments.map((d) => d.name)));
  const byName = new Map(handling.scores.map((s) => [s.department, handlingCells(s)]));
  const csv = tallyCsv(tallies, { header: HANDLING_COLUMNS, cells: (name) => byName.get(name) ?? HANDLING_COLUMNS.map(() => '—') });
  return c.body(csv, 200, { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="results-${campaign.code}.csv"` });
});

tallyRoutes.get('/c/:code/results/:group', async (c) => {
  const db = c.var.db;
  const campaign = await getCampaign(db, c.req.param('code'));
  const n = await requireGroup(c, campaign);
  const tally = await unsealedTally(c, campaign, n);
  const state = await groupSealState(db, campaign, n);
  const title = `${campaign.name} ${groupName(n)}各部门满意率与加权得分`;
  // beside the ballot result, published with it: each department's handling of suggestions
  const handling = await departmentHandling(db, campaign, tally.departments.map((d) => d.name));
  return page(
    c,
    { title: `${groupName(n)}评议结果`, campaignCode: campaign.code },
    <>
      <GroupResultPage campaign={campaign} tally={tally} root={state.commitment!.root} unsealedAt={state.unsealedAt!} chartSvg={resultChartSvg(tally, title)} />
      <HandlingScoresTable scores={handling.scores} formula={handling.formula} csvHref={`/c/${campaign.code}/results/${n}/handling.csv`} heading={`${groupName(n)}各部门市民建议办理情况`} />
    </>,
  );
});

tallyRoutes.get('/c/:code/results/:group/result.csv', async (c) => {
  const campaign = await getCampaign(c.var.db, c.req.param('code'));
  const n = await requireGroup(c, campaign);
  const tally = await unsealedTally(c, campaign, n);
  return c.body(tallyCsv([tally]), 200, { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="results-${campaign.code}-group${n}.csv"` });
});

/** Beside result.csv (whose format is the tally's): the group's departments' handling scores, once the group is unsealed. */
tallyRoutes.get('/c/:code/results/:group/handling.csv', async (c) => {
  const campaign = await getCampaign(c.var.db, c.req.param('code'));
  const n = await requireGroup(c, campaign);
  const tally = await unsealedTally(c, campaign, n);
  const handling = await departmentHandling(c.var.db, campaign, tally.departments.map((d) => d.name));
  return c.body(handlingCsv(handling.scores), 200, { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="handling-${campaign.code}-group${n}.csv"` });
});

tallyRoutes.get('/c/:code/results/:group/chart.svg', async (c) => {
  const campaign = await getCampaign(c.var.db, c.req.param('code'));
  const n = await requireGroup(c, campaign);
  const tally = await unsealedTally(c, campaign, n);
  return c.body(resultChartSvg(tally, `${campaign.name} ${groupName(n)}各部门满意率与加权得分`), 200, { 'content-type': 'image/svg+xml; charset=utf-8' });
});

/**
 * The commitment file, public from the moment the group is committed (before unsealing): the
 * exact text stored by the commit, so every download of it is the same file.
 */
async function commitmentFile(c: Context<AppEnv>) {
  const campaign = await getCampaign(c.var.db, c.req.param('code')!);
  const n = await requireGroup(c, campaign);
  const document = await commitmentDocument(c.var.db, campaign.id, n);
  if (document === undefined) throw new AppError(404, 'NOT_COMMITTED', `${groupName(n)}尚未承诺选票集合`);
  if (document === null) throw new AppError(404, 'NO_COMMITMENT_FILE', `${groupName(n)}在承诺文件启用之前承诺,只有封存公示页上的根摘要可供核对`);
  return c.body(document, 200, {
    'content-type': 'application/json; charset=utf-8',
    'content-disposition': `inline; filename="commitment-${campaign.code}-group${n}.json"`,
    'cache-control': 'public, max-age=3600',
  });
}

tallyRoutes.get('/c/:code/results/:group/commitment.json', commitmentFile);

tallyRoutes.get('/c/:code/seal/:group', async (c) => {
  const campaign = await getCampaign(c.var.db, c.req.param('code'));
  const n = await requireGroup(c, campaign);
  return page(c, { title: `${groupName(n)}封存公示`, campaignCode: campaign.code }, <SealPage campaign={campaign} state={await groupSealState(c.var.db, campaign, n)} />);
});

tallyRoutes.get('/c/:code/receipt', async (c) => {
  const campaign = await getCampaign(c.var.db, c.req.param('code'));
  const typed = (c.req.query('r') ?? '').trim().slice(0, 400);
  const query = canonicalReceipt(typed) ?? typed;
  if (!query) return page(c, { title: '查找回执', campaignCode: campaign.code }, <ReceiptPage campaign={campaign} query="" found={null} />);
  if (!isReceipt(query)) {
    return page(c, { title: '查找回执', campaignCode: campaign.code, status: 422 }, <ReceiptPage campaign={campaign} query={query} found={null} error="回执码应为 64 位十六进制字符(0-9、a-f)" />);
  }
  const found = await findReceipt(c.var.db, campaign, query);
  return page(c, { title: '查找回执', campaignCode: campaign.code, status: found ? 200 : 404 }, <ReceiptPage campaign={campaign} query={query} found={found} />);
});

// ---- JSON API (mounted under /api) ----

/** The published result: 404 with no figures until the group is unsealed; the file `npm run verify` checks after. */
tallyApi.get('/campaigns/:code/groups/:group/result', async (c) => {
  const campaign = await getCampaign(c.var.db, c.req.param('code'));
  const n = await requireGroup(c, campaign);
  const result = await publishedResult(c.var.db, campaign, n);
  if (!result) throw new AppError(404, 'NOT_UNSEALED', `${groupName(n)}尚未开封,结果未公布`);
  return c.json(result, 200, { 'content-disposition': `inline; filename="result-${campaign.code}-group${n}.json"` });
});

/** The same commitment file as /c/{code}/results/{n}/commitment.json. */
tallyApi.get('/campaigns/:code/groups/:group/commitment', commitmentFile);

tallyApi.get('/campaigns/:code/groups/:group/seal', async (c) => {
  const campaign = await getCampaign(c.var.db, c.req.param('code'));
  const n = await requireGroup(c, campaign);
  const s = await groupSealState(c.var.db, campaign, n);
  return c.json({
    campaign: campaign.code,
    group: n,
    publicKey: s.key?.publicKey ?? null,
    shareCount: s.params.shareCount,
    threshold: s.params.threshold,
    seats: s.seats.map((x) => ({ seat: x.seatNo, custodian: x.custodianName, fingerprint: x.fingerprint })),
    committed: Boolean(s.commitment),
    root: s.commitment?.root ?? null,
    unsealed: Boolean(s.unsealedAt),
  });
});

// ---- JSON API for staff actions (a rehearsal or script drives a hearing without a browser) ----
// Same functions and roles as the pages; cookie sessions must send X-CSRF-Token. Errors are
// {"error": {code, message}} with the status of the refusal.

/** The ceremony's input: seats, names, seat public keys, k, n, and the key a new ceremony would replace. */
tallyApi.get('/campaigns/:code/groups/:group/tally/seats', requireRole(...STAFF), async (c) => {
  const campaign = await getCampaign(c.var.db, c.req.param('code'));
  const n = await requireGroup(c, campaign);
  return c.json(await seatsDocument(c.var.db, campaign, n), 200, { 'content-disposition': `inline; filename="seats-${campaign.code}-group${n}.json"` });
});

/** body {"seat": n, "seatKey": "<43-character base64url X25519 public key>"} */
tallyApi.post('/campaigns/:code/groups/:group/tally/join', requireRole('custodian'), async (c) => {
  const campaign = await getCampaign(c.var.db, c.req.param('code'));
  const n = await requireGroup(c, campaign);
  const body = await readJson(c);
  return c.json({ seat: await joinCeremony(c.var.db, actor(c), campaign, n, body['seat'], body['seatKey'], staffUser(c).displayName) });
});

/** body: the ceremony file written by `npm run ceremony` on the offline machine. */
tallyApi.post('/campaigns/:code/groups/:group/tally/ceremony', requireRole('statistician', 'organiser'), async (c) => {
  const campaign = await getCampaign(c.var.db, c.req.param('code'));
  const n = await requireGroup(c, campaign);
  return c.json(await uploadCeremony(c.var.db, actor(c), campaign, n, await readJson(c)));
});

tallyApi.get('/campaigns/:code/groups/:group/tally/share', requireRole('custodian'), async (c) => {
  const campaign = await getCampaign(c.var.db, c.req.param('code'));
  const n = await requireGroup(c, campaign);
  return c.json(await sealedShareFor(c.var.db, actor(c), campaign, n), 200, { 'cache-control': 'no-store' });
});

tallyApi.post('/campaigns/:code/groups/:group/tally/commit', requireRole('statistician', 'organiser'), async (c) => {
  const campaign = await getCampaign(c.var.db, c.req.param('code'));
  const n = await requireGroup(c, campaign);
  return c.json(await commitGroup(c.var.db, actor(c), campaign, n));
});

/** The committed ballots (ciphertexts and receipts) for `npm run unseal`, once the group is committed. */
tallyApi.get('/campaigns/:code/groups/:group/tally/ballots', requireRole(...STAFF), async (c) => {
  const campaign = await getCampaign(c.var.db, c.req.param('code'));
  const n = await requireGroup(c, campaign);
  return c.json(await committedBallots(c.var.db, campaign, n));
});

/** body: the public edition written by `npm run unseal` (no private key). */
tallyApi.post('/campaigns/:code/groups/:group/tally/result', requireRole('custodian', 'statistician', 'organiser'), async (c) => {
  const campaign = await getCampaign(c.var.db, c.req.param('code'));
  const n = await requireGroup(c, campaign);
  const r = await postResult(c.var.db, actor(c), campaign, n, await readJson(c));
  return c.json({ digest: r.digest, threshold: r.threshold });
});

tallyApi.get('/campaigns/:code/groups/:group/tally/draft', requireRole('custodian'), async (c) => {
  const campaign = await getCampaign(c.var.db, c.req.param('code'));
  const n = await requireGroup(c, campaign);
  return c.json(await draftForCustodian(c, campaign, n), 200, { 'cache-control': 'no-store' });
});

/** body {"digest": "<the draft's digest as previewed>"}; the k-th approval publishes. */
tallyApi.post('/campaigns/:code/groups/:group/tally/approve', requireRole('custodian'), async (c) => {
  const campaign = await getCampaign(c.var.db, c.req.param('code'));
  const n = await requireGroup(c, campaign);
  const body = await readJson(c);
  const r = await approveResult(c.var.db, actor(c), campaign, n, body['digest']);
  return c.json({ ...r, result: r.published ? `/api/campaigns/${campaign.code}/groups/${n}/result` : null });
});
