import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getCampaign, type Campaign } from '../../src/campaigns/campaigns.service';
import { tallyKeys, tallyResults, tallySeats } from '../../src/db/schema';
import { runCeremonyCore, type CeremonyFile, type SeatsDocument, openSealedShare, type ShareFile } from '../../src/tally/ceremony.core';
import type { GroupCommitment } from '../../src/tally/commitment.core';
import { newSeatKeyFile, seatKeyFromFile } from '../../src/tally/seat-key.core';
import type { GroupTally } from '../../src/tally/tally.core';
import { unsealWithShares } from '../../src/tally/unseal.core';
import { verifyPublishedResult, type PublishedResult } from '../../src/tally/verify.core';
import { addUser, Browser, testApp } from '../helpers/app';
import { castSealed, closeAllVenues, openAllVenues } from '../helpers/tally';

let t: Awaited<ReturnType<typeof testApp>>;
let campaign: Campaign;

beforeAll(async () => {
  t = await testApp();
  campaign = await getCampaign(t.db, '2018');
  for (const u of ['k1', 'k2', 'k3', 'stranger']) await addUser(t.db, u, 'custodian');
  await addUser(t.db, 'stats', 'statistician');
  await addUser(t.db, 'org', 'organiser');
});
afterAll(() => t.close());

/** A JSON call riding on a logged-in browser's session, with its CSRF token in the header. */
async function call(b: Browser, path: string, body?: unknown) {
  const res = await t.app.request(`http://localhost${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'content-type': 'application/json', 'x-csrf-token': b.csrf, cookie: [...b.cookies].map(([k, v]) => `${k}=${v}`).join('; ') },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, json: (await res.json()) as any };
}

const G = '/api/campaigns/2018/groups/2/tally';
let stats: Browser;
const ks: Browser[] = [];
const keyFiles: string[] = [];
let seats: SeatsDocument;

/** Flips one character of a base64url text to another valid one (same length, same spelling rules). */
const altered = (text: string, at = 50) => text.slice(0, at) + (text[at] === 'A' ? 'B' : 'A') + text.slice(at + 1);

describe('the tally JSON API: the key stays with the custodians', () => {
  it('a 3-custodian, threshold-2 setting; custodians join with seat keys they derived; re-spelled or reused keys are refused', async () => {
    const o = new Browser(t.app);
    await o.login('org');
    await o.get('/staff/c/2018/tally');
    expect((await o.post('/staff/c/2018/tally/settings', { shareCount: '3', threshold: '1' })).status).toBe(422);
    expect((await o.post('/staff/c/2018/tally/settings', { shareCount: '3', threshold: '2' })).status).toBe(303);
    stats = new Browser(t.app);
    await stats.login('stats');
    await stats.get('/staff/c/2018/tally');
    expect((await t.app.request(`http://localhost${G}/commit`, { method: 'POST' })).status).toBe(401);

    for (const [i, u] of ['k1', 'k2', 'k3'].entries()) {
      const b = new Browser(t.app);
      await b.login(u);
      await b.get('/staff/c/2018/tally');
      ks.push(b);
      const f = await newSeatKeyFile('2018', 2, i + 1);
      keyFiles.push(JSON.stringify(f));
      if (i === 0) {
        // the same key in another spelling (base64url padding, standard alphabet), a seat out of range
        for (const bad of [`${f.publicKey}=`, f.publicKey.replace(/-/g, '+').replace(/_/g, '/') + (f.publicKey.includes('-') || f.publicKey.includes('_') ? '' : '=')]) {
          const r = await call(b, `${G}/join`, { seat: 1, seatKey: bad });
          expect(r.status).toBe(422);
          expect(r.json.error.code).toBe('INVALID_SEAT_KEY');
        }
        expect((await call(b, `${G}/join`, { seat: 4, seatKey: f.publicKey })).json.error.code).toBe('INVALID_SEAT');
      }
      expect((await call(b, `${G}/join`, { seat: i + 1, seatKey: f.publicKey })).json.seat).toBe(i + 1);
    }
    const other = new Browser(t.app);
    await other.login('stranger');
    await other.get('/staff/c/2018/tally');
    expect((await call(other, `${G}/join`, { seat: 2, seatKey: (await newSeatKeyFile('2018', 2, 2)).publicKey })).json.error.code).toBe('SEAT_TAKEN');
    seats = (await call(stats, `${G}/seats`)).json as SeatsDocument;
    expect(seats.seats.map((s) => s.seatKey)).toEqual(keyFiles.map((f) => JSON.parse(f).publicKey));
  });

  it('a ceremony file with a sealed share altered, re-spelled, or sealed to another seat key is refused at upload, and nothing is stored', async () => {
    const good = await runCeremonyCore(seats);
    const cases: [string, (f: CeremonyFile) => void][] = [
      ['CEREMONY_ALTERED', (f) => (f.seats[1]!.sealedShare = altered(f.seats[1]!.sealedShare))],
      ['SEALED_SHARE_MALFORMED', (f) => (f.seats[0]!.sealedShare = `${f.seats[0]!.sealedShare}=`)],
      ['SEALED_SHARE_MALFORMED', (f) => (f.seats[0]!.sealedShare = f.seats[0]!.sealedShare.slice(0, -1))],
      ['CEREMONY_SEATS', (f) => ([f.seats[0]!.seatKey, f.seats[1]!.seatKey] = [f.seats[1]!.seatKey, f.seats[0]!.seatKey])],
      ['CEREMONY_ALTERED', (f) => (f.seats[2]!.fingerprint = f.seats[1]!.fingerprint)],
      ['CEREMONY_ALTERED', (f) => (f.publicKey = seats.seats[0]!.seatKey)],
      ['CEREMONY_PARAMS', (f) => (f.threshold = 3)],
      ['CEREMONY_OTHER_GROUP', (f) => (f.group = 3)],
    ];
    for (const [code, spoil] of cases) {
      const bad = structuredClone(good);
      spoil(bad);
      const r = await call(stats, `${G}/ceremony`, bad);
      expect(r.status, code).toBeGreaterThanOrEqual(409);
      expect(r.json.error.code, code).toBe(code);
      expect(r.json.error.message).toMatch(/[\u4e00-\u9fff]/);
    }
    expect(await t.db.select().from(tallyKeys).where(eq(tallyKeys.groupNo, 2))).toEqual([]);
    expect((await t.db.select().from(tallySeats).where(eq(tallySeats.groupNo, 2))).every((s) => s.sealedShare === null)).toBe(true);
  });

  it('two ceremony uploads racing store one: one key, and every seat holds the sealed share of that ceremony', async () => {
    const [a, b] = await Promise.all([runCeremonyCore(seats), runCeremonyCore(seats)]);
    const [ra, rb] = await Promise.all([call(stats, `${G}/ceremony`, a), call(stats, `${G}/ceremony`, b)]);
    expect([ra.status, rb.status].sort()).toEqual([200, 409]);
    const won = ra.status === 200 ? a : b;
    const keys = await t.db.select().from(tallyKeys).where(eq(tallyKeys.groupNo, 2));
    expect(keys.map((k) => k.publicKey)).toEqual([won.publicKey]);
    const stored = await t.db.select().from(tallySeats).where(eq(tallySeats.groupNo, 2));
    expect(stored.map((s) => s.sealedShare).sort()).toEqual(won.seats.map((s) => s.sealedShare).sort());
    // a stale file (made before the first landed) is refused too: it names no key to replace
    expect((await call(stats, `${G}/ceremony`, won)).json.error.code).toBe('CEREMONY_STALE');
  });

  let shares: ShareFile[] = [];
  let commitment: GroupCommitment;
  let goodResult: PublishedResult;
  it('each custodian opens the sealed share on their side; after ballots no second ceremony; the commit serves the ballots file', async () => {
    for (const [i, b] of ks.entries()) {
      const sealed = (await call(b, `${G}/share`)).json;
      shares.push(await openSealedShare(sealed, (await seatKeyFromFile(keyFiles[i]!, '2018', 2, i + 1)).privateKey));
    }
    expect(shares.every((s) => s.threshold === 2 && s.shareCount === 3)).toBe(true);
    const publicKey = shares[0]!.publicKey;
    await openAllVenues(t.db, campaign, 2);
    await castSealed(t.db, campaign, 2, publicKey, [[1, 2, 3, 4, 1, 2, 3, 4, 1, 2, 3], [4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4], [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]]);
    const seatsNow = (await call(stats, `${G}/seats`)).json as SeatsDocument;
    const second = await call(stats, `${G}/ceremony`, await runCeremonyCore(seatsNow));
    expect(second.status).toBe(409);
    expect(second.json.error.code).toBe('CEREMONY_LOCKED');
    expect((await call(stats, `${G}/ballots`)).json.error.code).toBe('NOT_COMMITTED');
    expect((await call(stats, `${G}/commit`, {})).json.error.code).toBe('GROUP_NOT_CLOSED');
    await closeAllVenues(t.db, campaign, 2);
    expect((await call(stats, `${G}/commit`, {})).json.ballotCount).toBe(3);
    commitment = (await (await t.app.request('http://localhost/api/campaigns/2018/groups/2/commitment')).json()) as GroupCommitment;
    const ballots = (await call(stats, `${G}/ballots`)).json;
    // k−1 shares open nothing, on the custodians' side either
    await expect(unsealWithShares(commitment, ballots, [JSON.stringify(shares[0])])).rejects.toMatchObject({ code: 'NOT_ENOUGH_SHARES' });
    goodResult = (await unsealWithShares(commitment, ballots, [JSON.stringify(shares[0]), JSON.stringify(shares[2])])).result;
  });

  it('the unsealing page in the browser (/staff/c/{code}/tally/{n}/unseal) carries the commitment and the published fingerprints, no figure and no share', async () => {
    const page = await ks[0]!.get('/staff/c/2018/tally/2/unseal');
    expect(page.status).toBe(200);
    expect(page.body).toContain(commitment.root);
    for (const s of shares) expect(page.body).toContain(s.fingerprint);
    expect(page.body).not.toContain(shares[0]!.share); // the server has no opened share to leak, and shows none
    expect(page.body).toContain('data-result="/api/campaigns/2018/groups/2/tally/result"');
    expect(page.body).toMatch(/src="\/static\/custodian\.js\?v=[0-9a-f]+"/);
    expect(page.body).not.toContain('满意率'); // the preview is built in the page from the decrypted ballots
    const script = await ks[0]!.get('/static/custodian.js');
    expect(script.status).toBe(200);
    expect(script.body).not.toMatch(/localStorage|sessionStorage|indexedDB/);
  });

  it('a posted result whose tally, root, count or ballots do not recompute is refused, and one with the key is refused', async () => {
    const retally = (r: PublishedResult, tally: GroupTally) => ({ ...r, tally });
    const cases: [string, PublishedResult][] = [];
    const t1 = structuredClone(goodResult);
    t1.tally.departments[0]!.counts[0]! += 1;
    cases.push(['TALLY_MISMATCH', t1]);
    const t2 = structuredClone(goodResult);
    t2.decrypted[0] = t2.decrypted[1]!; // a changed ballot, tally left as it was
    cases.push(['TALLY_MISMATCH', t2]);
    const t3 = structuredClone(goodResult);
    t3.commitment.root = 'a'.repeat(64);
    cases.push(['ROOT_MISMATCH', t3]);
    const t4 = structuredClone(goodResult);
    t4.ballots = t4.ballots.slice(1);
    cases.push(['ROOT_MISMATCH', t4]);
    const t5 = structuredClone(goodResult);
    t5.decrypted = t5.decrypted.slice(1);
    cases.push(['COUNT_MISMATCH', retally(t5, { ...t5.tally })]);
    const t6 = structuredClone(goodResult);
    t6.decrypted[0] = [9, 9, 9] as never;
    cases.push(['RESULT_MALFORMED', t6]);
    cases.push(['RESULT_WITH_KEY', { ...goodResult, privateKey: 'x' }]);
    for (const [code, body] of cases) {
      const r = await call(ks[0]!, `${G}/result`, body);
      expect(r.status, code).toBe(422);
      expect(r.json.error.code, code).toBe(code);
    }
    expect((await call(ks[0]!, `${G}/draft`)).json.error.code).toBe('NO_DRAFT');
  });

  it('an accepted result is published only on the k-th approval by a seated custodian, of exactly the previewed digest', async () => {
    const posted = await call(stats, `${G}/result`, goodResult);
    expect(posted.status).toBe(200);
    expect((await call(stats, `${G}/approve`, { digest: posted.json.digest })).status).toBe(403); // not a custodian
    const other = new Browser(t.app);
    await other.login('stranger');
    await other.get('/staff/c/2018/tally');
    expect((await call(other, `${G}/approve`, { digest: posted.json.digest })).json.error.code).toBe('NO_SEAT');
    expect((await call(other, `${G}/draft`)).json.error.code).toBe('NO_SEAT');
    expect((await call(ks[1]!, `${G}/approve`, { digest: 'b'.repeat(64) })).json.error.code).toBe('DRAFT_CHANGED');
    const preview = (await call(ks[1]!, `${G}/draft`)).json;
    expect(preview.tally).toEqual(goodResult.tally);
    const first = await call(ks[1]!, `${G}/approve`, { digest: preview.digest });
    expect(first.json).toMatchObject({ approvals: 1, threshold: 2, published: false });
    expect((await call(ks[1]!, `${G}/approve`, { digest: preview.digest })).json).toMatchObject({ approvals: 1, published: false }); // the same seat twice counts once
    expect((await t.app.request('http://localhost/api/campaigns/2018/groups/2/result')).status).toBe(404);
    const second = await call(ks[2]!, `${G}/approve`, { digest: preview.digest });
    expect(second.json).toMatchObject({ approvals: 2, published: true });
    const result = (await (await t.app.request('http://localhost/api/campaigns/2018/groups/2/result')).json()) as PublishedResult;
    expect(await verifyPublishedResult(result)).toMatchObject({ ok: true, ballots: 3 });
    expect(result.tally.departments[0]!.counts).toEqual([2, 0, 0, 1]);
    expect(result.decrypted).toEqual(goodResult.decrypted);
    expect((await t.db.select().from(tallyResults).where(eq(tallyResults.groupNo, 2)))[0]!.privateKey).toBe('');
    expect((await call(ks[0]!, `${G}/result`, goodResult)).json.error.code).toBe('ALREADY_UNSEALED');
  });
});
