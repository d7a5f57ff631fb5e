import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getCampaign, loadAgenda, type Campaign } from '../../src/campaigns/campaigns.repo';
import { SYSTEM_ACTOR } from '../../src/audit/audit.repo';
import { auditLog, ballots, tallyResults, tallySeats, tallyUnsealShares } from '../../src/db/schema';
import type { ShareFile } from '../../src/tally/ceremony.core';
import { rehearsalCeremony, rehearsalUnseal } from '../../src/tally/rehearsal';
import { commitGroup, isGroupCommitted, notCommittedSql, submitShare, unsealGroup } from '../../src/tally/tally.repo';
import { tallyGroup } from '../../src/tally/tally.core';
import { verifyPublishedResult, type PublishedResult } from '../../src/tally/verify.core';
import { addUser, Browser, testApp } from '../helpers/app';
import { castSealed, closeAllVenues, closeVenue, openAllVenues } from '../helpers/tally';

let t: Awaited<ReturnType<typeof testApp>>;
let campaign: Campaign;
let departmentsOf: Map<number, number>;
const custodians = ['c1', 'c2', 'c3', 'c4', 'c5'];

beforeAll(async () => {
  t = await testApp();
  campaign = await getCampaign(t.db, '2018');
  departmentsOf = new Map((await loadAgenda(t.db, campaign.id)).groups.map((g) => [g.no, g.departments.length]));
  for (const u of custodians) await addUser(t.db, u, 'custodian');
  await addUser(t.db, 'stats', 'statistician');
  await addUser(t.db, 'org', 'organiser');
});
afterAll(() => t.close());

/** Deterministic answers: a mix of every option and blanks. */
function answersFor(group: number, count: number): (number | null)[][] {
  const n = departmentsOf.get(group)!;
  return Array.from({ length: count }, (_, b) => Array.from({ length: n }, (_, d) => ((b * 7 + d * 3) % 5 === 4 ? null : ((b + d) % 4) + 1)));
}

const api = (path: string) => t.app.request(`http://localhost${path}`);

async function expectSealed(group: number) {
  const res = await api(`/api/campaigns/2018/groups/${group}/result`);
  expect(res.status).toBe(404);
  const body = await res.text();
  expect(JSON.parse(body).error.code).toBe('NOT_UNSEALED');
  expect(body).not.toMatch(/satisf|counts|tally|ballots/i);
  for (const path of [`/c/2018/results/${group}`, `/c/2018/results/${group}/result.csv`, `/c/2018/results/${group}/chart.svg`]) {
    const page = await api(path);
    expect(page.status, path).toBe(404);
    const text = await page.text();
    expect(text, path).toContain('尚未开封');
    expect(text, path).not.toContain('满意率');
  }
}

describe('the whole flow of a group, from ceremony to a verified published result', () => {
  const files: ShareFile[] = [];
  const browsers = new Map<string, Browser>();
  let receipts: string[] = [];
  let cast: (number | null)[][] = [];

  it('seats five custodians, generates the key, and lets each download their share exactly once', async () => {
    for (const u of custodians) {
      const b = new Browser(t.app);
      await b.login(u);
      browsers.set(u, b);
      const joined = await b.post('/staff/c/2018/tally/1/join', {});
      expect(joined.status).toBe(303);
    }
    const stats = new Browser(t.app);
    await stats.login('stats');
    const ceremony = await stats.post('/staff/c/2018/tally/1/ceremony', {});
    expect(ceremony.status).toBe(303);
    expect((await stats.get('/staff/c/2018/tally?done=ceremony')).body).toContain('服务器不保存私钥');

    for (const u of custodians) {
      const b = browsers.get(u)!;
      await b.get('/staff/c/2018/tally');
      const page = await b.post('/staff/c/2018/tally/1/share', {});
      expect(page.status).toBe(200);
      expect(page.body).toContain('服务器已删除这份分片');
      const code = page.body.match(/1-\d:[0-9a-f-]+/)![0];
      const file = JSON.parse(Buffer.from(page.body.match(/data:application\/json;base64,([A-Za-z0-9+/=]+)/)![1]!, 'base64').toString()) as ShareFile;
      expect(code.replace(/^1-\d:/, '').replace(/-/g, '')).toBe(file.share);
      files.push(file);
      const again = await b.post('/staff/c/2018/tally/1/share', {}, { headers: { accept: 'application/json' } });
      expect(again.status).toBe(410);
      expect(again.body).toContain('已经下载过');
    }
    expect(files.map((f) => f.seat).sort()).toEqual([1, 2, 3, 4, 5]);
  });

  it('publishes a fingerprint per share, and the database holds neither the private key nor any share', async () => {
    const seal = (await (await api('/api/campaigns/2018/groups/1/seal')).json()) as { publicKey: string; seats: { seat: number; fingerprint: string }[] };
    for (const f of files) {
      expect(f.publicKey).toBe(seal.publicKey);
      expect(seal.seats.find((s) => s.seat === f.seat)!.fingerprint).toBe(f.fingerprint);
    }
    const seats = await t.db.select().from(tallySeats).where(eq(tallySeats.groupNo, 1));
    expect(seats.every((s) => s.sealedShare === null && s.downloadedAt !== null)).toBe(true);
    const dump = JSON.stringify(await t.client.execute("SELECT group_concat(sql) FROM sqlite_master")) +
      JSON.stringify((await t.client.execute('SELECT * FROM tally_seats')).rows) +
      JSON.stringify((await t.client.execute('SELECT * FROM tally_keys')).rows) +
      JSON.stringify((await t.client.execute('SELECT * FROM audit_log')).rows);
    for (const f of files) expect(dump).not.toContain(f.share);
    const page = await api('/c/2018/seal/1');
    expect(await page.text()).toContain(files[0]!.fingerprint);
  });

  it('refuses a second ceremony once the group holds a ballot', async () => {
    await openAllVenues(t.db, campaign, 1);
    cast = answersFor(1, 40);
    receipts = await castSealed(t.db, campaign, 1, files[0]!.publicKey, cast);
    const stats = new Browser(t.app);
    await stats.login('stats');
    const again = await stats.post('/staff/c/2018/tally/1/ceremony', {});
    expect(again.status).toBe(409);
    expect(again.body).toContain('已有选票');
  });

  it('cannot commit while one venue is still open, and names it', async () => {
    const venues = await openAllVenues(t.db, campaign, 1);
    for (const v of venues.slice(0, -1)) await closeVenue(t.db, campaign, 1, v);
    const stats = new Browser(t.app);
    await stats.login('stats');
    const res = await stats.post('/staff/c/2018/tally/1/commit', {});
    expect(res.status).toBe(409);
    expect(res.body).toContain(venues.at(-1)!);
    expect(await isGroupCommitted(t.db, campaign.id, 1)).toBe(false);
    await closeVenue(t.db, campaign, 1, venues.at(-1)!);
    expect((await stats.post('/staff/c/2018/tally/1/commit', {})).status).toBe(303);
    expect(await isGroupCommitted(t.db, campaign.id, 1)).toBe(true);
    // what the cast path puts in its INSERT: nothing lands in a committed group
    const [sample] = await t.db.select().from(ballots).where(eq(ballots.groupNo, 1)).limit(1);
    await t.db.run(sql`INSERT INTO ballots (receipt, campaign_id, group_no, ciphertext)
      SELECT ${'f'.repeat(64)}, ${campaign.id}, 1, ${sample!.ciphertext} WHERE ${notCommittedSql(campaign.id, 1)}`);
    expect(await t.db.select().from(ballots).where(eq(ballots.receipt, 'f'.repeat(64)))).toEqual([]);
    const commitment = (await (await api('/api/campaigns/2018/groups/1/commitment')).json()) as { receipts: string[]; ballotCount: number };
    expect(commitment.receipts).toEqual([...receipts].sort());
    expect(commitment.ballotCount).toBe(40);
  });

  it('shows no result, count by option or export before unsealing', async () => {
    await expectSealed(1);
    const overview = await (await api('/c/2018/results')).text();
    expect(overview).toContain('已封存承诺,尚未开封');
    expect(overview).not.toContain('满意率');
    expect((await api('/c/2018/results.csv')).status).toBe(404);
    const stats = new Browser(t.app);
    await stats.login('stats');
    expect((await stats.get('/staff/c/2018/tally/1/result-audit.json')).status).toBe(404);
  });

  it('refuses to unseal with two shares of three, then unseals with the third', async () => {
    const c1 = browsers.get('c1')!;
    await c1.get('/staff/c/2018/tally');
    const bad = await c1.post('/staff/c/2018/tally/1/submit', { share: '1-1:abcdef' });
    expect(bad.status).toBe(422);
    expect(bad.body).toContain('无法识别');
    const wrong = await c1.post('/staff/c/2018/tally/1/submit', { share: 'ab'.repeat(33) });
    expect(wrong.status).toBe(422);
    expect(wrong.body).toContain('指纹都不符');
    const byCode = files.find((f) => f.seat === 1)!;
    expect((await c1.post('/staff/c/2018/tally/1/submit', { share: `1-1:${byCode.share.match(/.{1,6}/g)!.join('-')}` })).status).toBe(303);
    const c2 = browsers.get('c2')!;
    await c2.get('/staff/c/2018/tally');
    expect((await c2.post('/staff/c/2018/tally/1/submit', { share: JSON.stringify(files.find((f) => f.seat === 2)) })).status).toBe(303);

    const stats = new Browser(t.app);
    await stats.login('stats');
    const early = await stats.post('/staff/c/2018/tally/1/unseal', {});
    expect(early.status).toBe(409);
    expect(early.body).toContain('需要至少 3 位保管人');
    await expectSealed(1);

    const c3 = browsers.get('c3')!;
    await c3.get('/staff/c/2018/tally');
    // the third custodian uploads the share file (multipart, as the form's file field does)
    const form = new FormData();
    form.set('_csrf', c3.csrf);
    form.set('share', '');
    form.set('shareFile', new File([JSON.stringify(files.find((f) => f.seat === 3))], 'share.json', { type: 'application/json' }));
    const last = await t.app.request('http://localhost/staff/c/2018/tally/1/submit', {
      method: 'POST',
      body: form,
      headers: { cookie: [...c3.cookies].map(([k, v]) => `${k}=${v}`).join('; ') },
    });
    expect(last.status).toBe(303);
    expect(last.headers.get('location')).toContain('done=unsealed');
    expect(await t.db.select().from(tallyUnsealShares)).toEqual([]);
    const actions = (await t.db.select().from(auditLog)).map((r) => r.action);
    expect(actions.filter((a) => a === 'tally.share.submit')).toHaveLength(3);
    expect(actions).toContain('tally.unseal');
  });

  it('publishes a result that verifies, with the ballots in it and the tally of exactly what was cast', async () => {
    const res = await api('/api/campaigns/2018/groups/1/result');
    expect(res.status).toBe(200);
    const result = (await res.json()) as PublishedResult;
    expect(result.privateKey).toBeUndefined();
    expect(await verifyPublishedResult(result)).toEqual({ ok: true, ballots: 40, decryptionChecked: false });
    expect(result.decrypted.map((d) => JSON.stringify(d)).sort()).toEqual(cast.map((d) => JSON.stringify(d)).sort());
    const expected = tallyGroup({ campaign: '2018', group: 1, departments: result.departments, scale: result.scale, ballots: cast });
    expect(result.tally).toEqual(expected);
    expect(JSON.stringify(result)).not.toMatch(/venue|市南区|崂山区/);

    const stats = new Browser(t.app);
    await stats.login('stats');
    const audit = JSON.parse((await stats.get('/staff/c/2018/tally/1/result-audit.json')).body) as PublishedResult;
    expect(typeof audit.privateKey).toBe('string');
    expect(await verifyPublishedResult(audit)).toEqual({ ok: true, ballots: 40, decryptionChecked: true });

    // the command line, given the root published at closing
    const path = join(t.dir, 'audit.json');
    writeFileSync(path, JSON.stringify(audit));
    const commitmentText = await (await api('/c/2018/results/1/commitment.json')).text();
    const commitmentPath = join(t.dir, 'commitment.json');
    writeFileSync(commitmentPath, commitmentText);
    const committed = JSON.parse(commitmentText) as { root: string };
    const { stdout } = await promisify(execFile)('npx', ['tsx', 'src/cli/verify.ts', path, '--commitment', commitmentPath, '--root', committed.root]);
    expect(stdout).toContain('result verified: campaign 2018 group 1, 40 ballots');
    expect(stdout).toContain('every ciphertext re-decrypted');
  });

  it('serves the printable page with its chart, the CSV, the combined table, and finds a receipt', async () => {
    const page = await (await api('/c/2018/results/1')).text();
    expect(page).toContain('满意率');
    expect(page).toContain('<svg');
    expect(page).toContain('role="img"');
    const csv = await (await api('/c/2018/results/1/result.csv')).text();
    expect(csv.split('\r\n')[0]).toContain('组别,报告顺序,部门,满意,比较满意,不满意,不了解');
    expect(csv.trim().split('\r\n')).toHaveLength(1 + departmentsOf.get(1)!);
    expect((await api('/c/2018/results/1/chart.svg')).headers.get('content-type')).toContain('image/svg+xml');
    expect(await (await api('/c/2018/results')).text()).toContain('各组结果汇总');
    const found = await api(`/c/2018/receipt?r=${receipts[5]}`);
    expect(found.status).toBe(200);
    expect(await found.text()).toContain('已计入统计');
    expect((await api(`/c/2018/receipt?r=${'0'.repeat(64)}`)).status).toBe(404);
    expect((await api('/c/2018/receipt?r=xyz')).status).toBe(422);
  });

  it('fails verification, naming the ballot, when a stored ciphertext is altered after closing', async () => {
    const victim = [...receipts].sort()[7]!;
    const [row] = await t.db.select().from(ballots).where(eq(ballots.receipt, victim));
    const altered = row!.ciphertext.slice(0, 50) + (row!.ciphertext[50] === 'A' ? 'B' : 'A') + row!.ciphertext.slice(51);
    await t.db.update(ballots).set({ ciphertext: altered }).where(eq(ballots.receipt, victim));
    const result = (await (await api('/api/campaigns/2018/groups/1/result')).json()) as PublishedResult;
    const verdict = await verifyPublishedResult(result);
    expect(verdict.ok).toBe(false);
    expect(!verdict.ok && verdict.reason).toContain(victim);

    // and the command line says so too, with a non-zero exit
    const path = join(t.dir, 'tampered.json');
    writeFileSync(path, JSON.stringify(result));
    const run = await promisify(execFile)('npx', ['tsx', 'src/cli/verify.ts', path]).then(
      () => ({ code: 0, stderr: '' }),
      (err: { code: number; stderr: string }) => ({ code: err.code, stderr: err.stderr }),
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(victim);
  });
});

describe('unsealing, refused', () => {
  let shares: ShareFile[] = [];
  it('refuses to unseal with k−1 shares and publishes nothing', async () => {
    const ceremony = await rehearsalCeremony(t.db, campaign, 2);
    shares = ceremony.shares;
    const publicKey = ceremony.publicKey;
    await castSealed(t.db, campaign, 2, publicKey, answersFor(2, 10));
    await closeAllVenues(t.db, campaign, 2);
    await commitGroup(t.db, SYSTEM_ACTOR, campaign, 2);
    await expect(unsealGroup(t.db, SYSTEM_ACTOR, campaign, 2, shares.slice(0, 2).map((s) => JSON.stringify(s)))).rejects.toMatchObject({ code: 'NOT_ENOUGH_SHARES' });
    expect(await t.db.select().from(tallyResults).where(and(eq(tallyResults.campaignId, campaign.id), eq(tallyResults.groupNo, 2)))).toEqual([]);
    await expectSealed(2);
  });

  it('refuses to unseal when a stored ballot was altered after the commitment, naming it', async () => {
    const [row] = await t.db.select().from(ballots).where(eq(ballots.groupNo, 2)).limit(1);
    await t.db.update(ballots).set({ ciphertext: row!.ciphertext.slice(0, -2) + 'AA' }).where(eq(ballots.receipt, row!.receipt));
    await expect(unsealGroup(t.db, SYSTEM_ACTOR, campaign, 2, shares.slice(1, 4).map((s) => JSON.stringify(s)))).rejects.toMatchObject({
      code: 'COMMITMENT_MISMATCH',
      message: expect.stringContaining(row!.receipt),
    });
    await expectSealed(2);
    // handed in one by one: two are kept, the third is refused and not kept (never k at rest)
    await submitShare(t.db, SYSTEM_ACTOR, campaign, 2, shares[0]!.share, t.atRest);
    await submitShare(t.db, SYSTEM_ACTOR, campaign, 2, JSON.stringify(shares[1]), t.atRest);
    await expect(submitShare(t.db, SYSTEM_ACTOR, campaign, 2, JSON.stringify(shares[2]), t.atRest)).rejects.toMatchObject({ code: 'COMMITMENT_MISMATCH' });
    expect(await t.db.select().from(tallyUnsealShares).where(eq(tallyUnsealShares.groupNo, 2))).toHaveLength(2);
    await expectSealed(2);
  });

  it('refuses to commit a group that a venue never opened', async () => {
    await rehearsalCeremony(t.db, campaign, 3);
    const venues = await openAllVenues(t.db, campaign, 3);
    for (const v of venues) await closeVenue(t.db, campaign, 3, v);
    await t.client.execute({ sql: 'DELETE FROM voting_sessions WHERE campaign_id = ? AND group_no = 3 AND venue_name = ?', args: [campaign.id, venues[0]!] });
    await expect(commitGroup(t.db, SYSTEM_ACTOR, campaign, 3)).rejects.toMatchObject({ code: 'GROUP_NOT_CLOSED' });
  });
});

describe('an empty group', () => {
  it('commits, unseals and verifies with zero ballots', async () => {
    const { shares } = await rehearsalCeremony(t.db, campaign, 4);
    await closeAllVenues(t.db, campaign, 4);
    const { result, verdict } = await rehearsalUnseal(t.db, campaign, 4, shares.slice(2));
    expect(verdict).toMatchObject({ ok: true, ballots: 0, decryptionChecked: true });
    expect(result.tally.ballots.total).toBe(0);
    expect(result.tally.departments.every((d) => d.rank === null)).toBe(true);
  });
});
