import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getCampaign } from '../../src/campaigns/campaigns.service';
import { ballots, tallyKeys } from '../../src/db/schema';
import { combineShares, type ShareFile } from '../../src/tally/ceremony.core';
import { rehearsalCeremony } from '../../src/tally/rehearsal.service';
import { openBallot, publicKeyOf } from '../../src/tally/seal.core';
import { tallyParams } from '../../src/tally/tally.service';
import { addUser, PASSWORD, testApp } from '../helpers/app';
import { addDelegates, api, cast, castSealed, credentialFor, prepareHearing, sealFor, tokenFor } from '../helpers/hearing';

let t: Awaited<ReturnType<typeof testApp>>;
let org: string;
const ANSWERS_12 = [1, 2, 3, 4, null, 1, 1, 2, 2, 3, 1, 1];
const A = '市南区';
const B = '崂山区';

beforeAll(async () => {
  t = await testApp();
  await addUser(t.db, 'org', 'organiser');
  org = await tokenFor(t.app, 'org', PASSWORD);
});
afterAll(() => t.close());

/** The group's private key rebuilt from k of the ceremony's shares, checked against its public key. */
async function privateKeyOf(shares: ShareFile[], threshold: number, publicKey: string) {
  const key = await combineShares(shares.slice(0, threshold).map((s) => s.share));
  expect(await publicKeyOf(key)).toBe(publicKey);
  return key;
}

describe('the cached tally key', () => {
  it('never stores a ballot a device sealed to a key replaced by a second ceremony, and the device reseals to the new one', async () => {
    const { campaignId } = await prepareHearing(t.db, []); // campaign started, no group key yet
    const campaign = await getCampaign(t.db, '2018');
    const { threshold } = await tallyParams(t.db, campaignId);
    const first = await rehearsalCeremony(t.db, campaign, 1);
    for (const v of [A, B]) {
      const r = await api(t.app, `/api/campaigns/2018/groups/1/venues/${encodeURIComponent(v)}/open`, {}, org);
      expect(r.status, r.text).toBe(201);
    }
    const [delegateA] = await addDelegates(t.db, campaignId, A, 1, 1);
    const [delegateB] = await addDelegates(t.db, campaignId, B, 1, 1);
    const ticketAt = async (code: string, venue: string) => {
      const r = await api(t.app, '/api/campaigns/2018/checkins', { delegateCode: code, group: 1, venue }, org);
      expect(r.status, r.text).toBe(201);
      return (await credentialFor(t.app, r.json.ticket)).credential;
    };
    const credA = await ticketAt(delegateA!.code, A);
    const credB = await ticketAt(delegateB!.code, B);

    // venue A closes with its credential unused; casting it reads (and caches) K1 but stores nothing
    const closed = await api(t.app, `/api/campaigns/2018/groups/1/venues/${encodeURIComponent(A)}/close`, { note: '一名代表领取凭证后离场,未投票。' }, org);
    expect(closed.status, closed.text).toBe(200);
    const late = await cast(t.app, 1, credA, ANSWERS_12);
    expect(late.status).toBe(409);
    expect(late.json.error.code).toBe('VOTING_CLOSED');
    expect(await t.db.select().from(ballots).where(eq(ballots.campaignId, campaignId))).toEqual([]);

    // a tablet at venue B sealed to K1 (checked against the list as it then was) …
    const sealedToK1 = await sealFor(t.app, 1, ANSWERS_12);
    expect(sealedToK1.tallyKey).toBe(first.publicKey);

    // no ballot yet: the ceremony may be run again, replacing K1 with K2
    const second = await rehearsalCeremony(t.db, campaign, 1);
    expect(second.publicKey).not.toBe(first.publicKey);
    const [stored] = await t.db.select().from(tallyKeys).where(and(eq(tallyKeys.campaignId, campaignId), eq(tallyKeys.groupNo, 1)));
    expect(stored!.publicKey).toBe(second.publicKey);

    // … and casts after the replacement: refused inside the insert, nothing stored, told the new key
    const stale = await castSealed(t.app, 1, credB, sealedToK1);
    expect(stale.status, stale.text).toBe(409);
    expect(stale.json.error.code).toBe('TALLY_KEY_CHANGED');
    expect(stale.json.error.fields.tallyPublicKey).toBe(second.publicKey);
    expect(await t.db.select().from(ballots).where(eq(ballots.campaignId, campaignId))).toEqual([]);
    // the device re-reads the published list and seals again to K2; the credential was not spent
    const ok = await cast(t.app, 1, credB, ANSWERS_12);
    expect(ok.status, ok.text).toBe(201);
    const rows = await t.db.select().from(ballots).where(eq(ballots.campaignId, campaignId));
    expect(rows.map((r) => r.receipt)).toEqual([ok.json.receipt]);
    const k1 = await privateKeyOf(first.shares, threshold, first.publicKey);
    const k2 = await privateKeyOf(second.shares, threshold, second.publicKey);
    await expect(openBallot(k1, '2018', 1, rows[0]!.ciphertext)).rejects.toThrow();
    expect((await openBallot(k2, '2018', 1, rows[0]!.ciphertext)).answers).toEqual(ANSWERS_12);
  });
});
