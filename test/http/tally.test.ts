import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getCampaign, loadAgenda, type Campaign } from '../../src/campaigns/campaigns.service';
import { SYSTEM_ACTOR } from '../../src/audit/audit.service';
import { auditLog, ballots, tallyKeys, tallyResults } from '../../src/db/schema';
import { openSealedShare, runCeremonyCore, type CeremonyFile, type SealedShareFile, type SeatsDocument, type ShareFile } from '../../src/tally/ceremony.core';
import type { GroupCommitment } from '../../src/tally/commitment.core';
import { newSeatKeyFile, seatKeyFromFile, seatKeyFromPassphrase } from '../../src/tally/seat-key.core';
import { unsealWithShares, type BallotsFile } from '../../src/tally/unseal.core';
import { rehearsalCeremony, rehearsalUnseal } from '../../src/tally/rehearsal.service';
import { commitGroup, isGroupCommitted, notCommittedSql } from '../../src/tally/tally.service';
import { unsealAsCustodians } from '../../src/tally/rehearsal.service';
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

/** Posts a file field as the staff page's file input does (multipart, with the page's CSRF token). */
async function upload(b: Browser, path: string, field: string, data: unknown) {
  await b.get('/staff/c/2018/tally');
  const form = new FormData();
  form.set('_csrf', b.csrf);
  form.set(field, new File([JSON.stringify(data)], 'file.json', { type: 'application/json' }));
  const res = await t.app.request(`http://localhost${path}`, { method: 'POST', body: form, headers: { cookie: [...b.cookies].map(([k, v]) => `${k}=${v}`).join('; ') } });
  return { status: res.status, location: res.headers.get('location'), body: await res.text() };
}

// c1 and c2 keep a passphrase; the others a key file
const passphrases: Record<string, string> = { c1: '春江潮水连海平 seat-one 2018', c2: 'correct horse battery staple 42' };

describe('the whole flow of a group, from ceremony to a verified published result', () => {
  const files: ShareFile[] = [];
  const browsers = new Map<string, Browser>();
  const keyFiles = new Map<string, string>();
  let receipts: string[] = [];
  let cast: (number | null)[][] = [];
  let ceremony: CeremonyFile;

  it('seats five custodians with seat keys they keep, runs the ceremony offline, and stores only what the upload checks', async () => {
    for (const [i, u] of custodians.entries()) {
      const b = new Browser(t.app);
      await b.login(u);
      browsers.set(u, b);
      const seat = i + 1;
      let seatKey: string;
      if (passphrases[u]) seatKey = (await seatKeyFromPassphrase(passphrases[u]!, '2018', 1, seat)).publicKey;
      else {
        const f = await newSeatKeyFile('2018', 1, seat);
        keyFiles.set(u, JSON.stringify(f));
        seatKey = f.publicKey;
      }
      await b.get('/staff/c/2018/tally');
      const joined = await b.post('/staff/c/2018/tally/1/join', { seat: String(seat), seatKey });
      expect(joined.status, joined.body).toBe(303);
    }
    const stats = new Browser(t.app);
    await stats.login('stats');
    const seats = JSON.parse((await stats.get('/api/campaigns/2018/groups/1/tally/seats')).body) as SeatsDocument;
    expect(seats).toMatchObject({ kind: 'sanmin-tally-seats', shareCount: 5, threshold: 3, replaces: null });
    expect(seats.seats.map((s) => s.seat)).toEqual([1, 2, 3, 4, 5]);
    ceremony = await runCeremonyCore(seats);
    expect(ceremony.record).toContain('签字');
    expect(ceremony.record).toContain(ceremony.seats[0]!.custodian);
    const up = await upload(stats, '/staff/c/2018/tally/1/ceremony', 'ceremonyFile', ceremony);
    expect(up.status, up.body).toBe(303);
    expect((await stats.get('/staff/c/2018/tally?done=ceremony')).body).toContain(ceremony.digest);
  });

  it('a custodian who logs out and logs in on a fresh client opens the share with the passphrase; any download is the same sealed share', async () => {
    for (const [i, u] of custodians.entries()) {
      const fresh = new Browser(t.app); // another device, another session
      await fresh.login(u);
      const res = await fresh.get('/staff/c/2018/tally/1/share.json');
      expect(res.status).toBe(200);
      const sealed = JSON.parse(res.body) as SealedShareFile;
      expect(sealed).toMatchObject({ kind: 'sanmin-tally-sealed-share', seat: i + 1, fingerprint: ceremony.seats[i]!.fingerprint });
      expect(JSON.parse((await fresh.get('/staff/c/2018/tally/1/share.json')).body)).toEqual(sealed);
      const key = passphrases[u] ? await seatKeyFromPassphrase(passphrases[u]!, '2018', 1, i + 1) : await seatKeyFromFile(keyFiles.get(u)!, '2018', 1, i + 1);
      const share = await openSealedShare(sealed, key.privateKey);
      expect(share.publicKey).toBe(ceremony.publicKey);
      files.push(share);
    }
    // a wrong passphrase, or another seat's key, opens nothing
    const sealed2 = JSON.parse((await browsers.get('c2')!.get('/staff/c/2018/tally/1/share.json')).body) as SealedShareFile;
    await expect(openSealedShare(sealed2, (await seatKeyFromPassphrase(passphrases.c1!, '2018', 1, 2)).privateKey)).rejects.toMatchObject({ code: 'WRONG_SEAT_KEY' });
    expect(files.map((f) => f.seat)).toEqual([1, 2, 3, 4, 5]);
  });

  it('publishes a fingerprint per share, and the database holds neither the private key nor any share in the clear', async () => {
    const seal = (await (await api('/api/campaigns/2018/groups/1/seal')).json()) as { publicKey: string; seats: { seat: number; fingerprint: string }[] };
    for (const f of files) {
      expect(f.publicKey).toBe(seal.publicKey);
      expect(seal.seats.find((s) => s.seat === f.seat)!.fingerprint).toBe(f.fingerprint);
    }
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
    const seats = JSON.parse((await stats.get('/api/campaigns/2018/groups/1/tally/seats')).body) as SeatsDocument;
    const again = await upload(stats, '/staff/c/2018/tally/1/ceremony', 'ceremonyFile', await runCeremonyCore(seats));
    expect(again.status).toBe(409);
    expect(again.body).toContain('已有选票');
    const [key] = await t.db.select().from(tallyKeys).where(eq(tallyKeys.groupNo, 1));
    expect(key!.publicKey).toBe(ceremony.publicKey);
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
  });

  let audit: PublishedResult;
  it('three custodians unseal offline, post the public edition; it is published only after three of them approve', async () => {
    const stats = new Browser(t.app);
    await stats.login('stats');
    const commitment = JSON.parse(await (await api('/c/2018/results/1/commitment.json')).text()) as GroupCommitment;
    const ballotsFile = JSON.parse((await stats.get('/staff/c/2018/tally/1/ballots.json')).body) as BallotsFile;
    expect(ballotsFile.ballots).toHaveLength(40);
    const unsealed = await unsealWithShares(commitment, ballotsFile, [files[0]!, files[1]!, files[2]!].map((f) => JSON.stringify(f)));
    audit = unsealed.auditEdition;
    const posted = await upload(browsers.get('c1')!, '/staff/c/2018/tally/1/result', 'resultFile', unsealed.result);
    expect(posted.status, posted.body).toBe(303);
    await expectSealed(1);
    const draft = JSON.parse((await browsers.get('c1')!.get('/staff/c/2018/tally/1/draft.json')).body) as { digest: string; tally: unknown };
    expect(draft.tally).toEqual(unsealed.result.tally);
    // the statistician cannot preview figures before publication
    expect((await stats.get('/staff/c/2018/tally/1/draft.json')).status).toBe(403);
    for (const [i, u] of ['c1', 'c4', 'c5'].entries()) {
      const b = browsers.get(u)!;
      await b.get('/staff/c/2018/tally');
      const res = await b.post('/staff/c/2018/tally/1/approve', { digest: draft.digest });
      expect(res.status).toBe(303);
      if (i < 2) await expectSealed(1);
      else expect(res.res.headers.get('location')).toContain('done=unsealed');
    }
    const actions = (await t.db.select().from(auditLog)).map((r) => r.action);
    expect(actions.filter((a) => a === 'tally.result.approve')).toHaveLength(3);
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

    // the audit edition stays with the custodians: it verifies with the key, which the server never had
    expect(typeof audit.privateKey).toBe('string');
    expect(await verifyPublishedResult(audit)).toEqual({ ok: true, ballots: 40, decryptionChecked: true });
    const dump = JSON.stringify((await t.client.execute('SELECT * FROM tally_results')).rows) + JSON.stringify((await t.client.execute('SELECT * FROM audit_log')).rows);
    expect(dump).not.toContain(audit.privateKey);


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
    await expect(unsealAsCustodians(t.db, campaign, 2, shares.slice(0, 2))).rejects.toMatchObject({ code: 'NOT_ENOUGH_SHARES' });
    expect(await t.db.select().from(tallyResults).where(and(eq(tallyResults.campaignId, campaign.id), eq(tallyResults.groupNo, 2)))).toEqual([]);
    await expectSealed(2);
  });

  it('refuses to unseal when a stored ballot was altered after the commitment, naming it', async () => {
    const [row] = await t.db.select().from(ballots).where(eq(ballots.groupNo, 2)).limit(1);
    await t.db.update(ballots).set({ ciphertext: row!.ciphertext.slice(0, -2) + 'AA' }).where(eq(ballots.receipt, row!.receipt));
    await expect(unsealAsCustodians(t.db, campaign, 2, shares.slice(1, 4))).rejects.toMatchObject({
      code: 'COMMITMENT_MISMATCH',
      message: expect.stringContaining(row!.receipt),
    });
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
