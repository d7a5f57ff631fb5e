import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getCampaign, type Campaign } from '../../src/campaigns/campaigns.repo';
import { verifyPublishedResult, type PublishedResult } from '../../src/tally/verify.core';
import { addUser, Browser, testApp } from '../helpers/app';
import { castSealed, closeAllVenues, openAllVenues } from '../helpers/tally';

let t: Awaited<ReturnType<typeof testApp>>;
let campaign: Campaign;

beforeAll(async () => {
  t = await testApp();
  campaign = await getCampaign(t.db, '2018');
  for (const u of ['k1', 'k2', 'k3']) await addUser(t.db, u, 'custodian');
  await addUser(t.db, 'stats', 'statistician');
});
afterAll(() => t.close());

/** A JSON call riding on a logged-in browser's session, with its CSRF token in the header. */
async function call(b: Browser, path: string, body: unknown = {}) {
  const res = await t.app.request(`http://localhost${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-csrf-token': b.csrf, cookie: [...b.cookies].map(([k, v]) => `${k}=${v}`).join('; ') },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as any };
}

describe('the tally JSON API, as a rehearsal drives it', () => {
  it('runs ceremony → commit → unseal with three custodians (2 of 3), refusing what is out of turn', async () => {
    const org = new Browser(t.app);
    await org.login('stats');
    // a 3-custodian, threshold-2 campaign setting, through the page an organiser uses
    await addUser(t.db, 'org', 'organiser');
    const o = new Browser(t.app);
    await o.login('org');
    await o.get('/staff/c/2018/tally');
    expect((await o.post('/staff/c/2018/tally/settings', { shareCount: '3', threshold: '1' })).status).toBe(422);
    expect((await o.post('/staff/c/2018/tally/settings', { shareCount: '3', threshold: '2' })).status).toBe(303);

    const anonymous = await t.app.request('http://localhost/api/campaigns/2018/groups/2/tally/commit', { method: 'POST' });
    expect(anonymous.status).toBe(401);

    const ks: Browser[] = [];
    for (const u of ['k1', 'k2', 'k3']) {
      const b = new Browser(t.app);
      await b.login(u);
      ks.push(b);
      expect((await call(b, '/api/campaigns/2018/groups/2/tally/join')).json.seat).toBeGreaterThan(0);
    }
    const ceremony = await call(org, '/api/campaigns/2018/groups/2/tally/ceremony');
    expect(ceremony.status).toBe(200);
    expect(ceremony.json.fingerprints).toHaveLength(3);
    const shares = [];
    for (const b of ks) shares.push((await call(b, '/api/campaigns/2018/groups/2/tally/share')).json);
    expect((await call(ks[0]!, '/api/campaigns/2018/groups/2/tally/share')).status).toBe(410);
    expect(shares.every((s) => s.threshold === 2 && s.shareCount === 3)).toBe(true);

    await openAllVenues(t.db, campaign, 2);
    await castSealed(t.db, campaign, 2, ceremony.json.publicKey, [[1, 2, 3, 4, 1, 2, 3, 4, 1, 2, 3], [4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4]]);
    const early = await call(org, '/api/campaigns/2018/groups/2/tally/commit');
    expect(early.status).toBe(409);
    expect(early.json.error.code).toBe('GROUP_NOT_CLOSED');
    expect((await call(ks[0]!, '/api/campaigns/2018/groups/2/tally/shares', { share: shares[0] })).json.error.code).toBe('NOT_COMMITTED');
    await closeAllVenues(t.db, campaign, 2);
    expect((await call(org, '/api/campaigns/2018/groups/2/tally/commit')).json.ballotCount).toBe(2);

    const first = await call(ks[0]!, '/api/campaigns/2018/groups/2/tally/shares', { share: shares[0] });
    expect(first.json).toMatchObject({ submitted: 1, threshold: 2, unsealed: false });
    const refused = await call(org, '/api/campaigns/2018/groups/2/tally/unseal');
    expect(refused.status).toBe(409);
    expect(refused.json.error.code).toBe('NOT_ENOUGH_SHARES');
    expect((await t.app.request('http://localhost/api/campaigns/2018/groups/2/result')).status).toBe(404);
    const second = await call(ks[2]!, '/api/campaigns/2018/groups/2/tally/shares', { share: shares[2].code });
    expect(second.json).toMatchObject({ submitted: 2, unsealed: true });

    const result = (await (await t.app.request('http://localhost/api/campaigns/2018/groups/2/result')).json()) as PublishedResult;
    expect(await verifyPublishedResult(result)).toMatchObject({ ok: true, ballots: 2 });
    expect(result.tally.departments[0]!.counts).toEqual([1, 0, 0, 1]);
  });
});
