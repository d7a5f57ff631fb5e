import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, PASSWORD, testApp } from '../helpers/app';
import { api, prepareHearing, tokenFor } from '../helpers/hearing';
import { sha256Hex } from '../../src/lib/crypto';
import { servedAt } from '../../src/lib/assets';
import { keysOnList, publishedKeys } from '../../src/hearing/keys.core';

let t: Awaited<ReturnType<typeof testApp>>;
beforeAll(async () => {
  t = await testApp();
  await addUser(t.db, 'org', 'organiser');
  await prepareHearing(t.db, [1, 2]);
  const org = await tokenFor(t.app, 'org', PASSWORD);
  expect((await api(t.app, `/api/campaigns/2018/groups/1/venues/${encodeURIComponent('市南区')}/open`, {}, org)).status).toBe(201);
});
afterAll(() => t.close());

describe('the published key list (/c/{code}/keys)', () => {
  it('lists every group tally key and every opened venue key with fingerprints, and the hashes of the bundles actually served', async () => {
    const r = await api(t.app, '/c/2018/keys.json');
    expect(r.status).toBe(200);
    expect(r.json.tally.map((k: { group: number }) => k.group)).toEqual([1, 2]);
    expect(r.json.venues).toEqual([expect.objectContaining({ group: 1, venue: '市南区', state: 'open', fingerprint: expect.stringMatching(/^[0-9A-F]{4}( [0-9A-F]{4}){3}$/) })]);
    expect(r.json.bundles.map((b: { name: string }) => b.name)).toEqual(['ballot.js', 'ceremony.html', 'check.html', 'custodian.js', 'survey.js']);
    for (const b of r.json.bundles as { name: string; sha256: string }[]) {
      const served = await (await t.app.request(`http://localhost${servedAt(b.name)}`)).text();
      expect(sha256Hex(served)).toBe(b.sha256);
    }
    const page = await t.app.request(`http://localhost/c/2018/keys?venue=${encodeURIComponent('市南区')}`);
    const html = await page.text();
    expect(page.status).toBe(200);
    expect(html).toContain(r.json.venues[0].fingerprint);
    expect(html).toContain(r.json.listFingerprint);
  });

  it("a key of the server's own making for one delegate is not on the list: the device check refuses it", async () => {
    const r = await api(t.app, '/c/2018/keys.json');
    const venueKey = r.json.venues[0].publicKey as string;
    const tallyKey = r.json.tally[0].publicKey as string;
    expect(keysOnList(r.json, 1, venueKey, tallyKey)).toEqual({ ok: true });
    expect(keysOnList(r.json, 2, venueKey, tallyKey).ok).toBe(false); // right key, wrong group
    expect(keysOnList(r.json, 1, venueKey, r.json.tally[1].publicKey).ok).toBe(false); // another group's tally key
    expect(keysOnList(r.json, 1, venueKey.slice(0, -2) + 'AA', tallyKey).ok).toBe(false);
  });

  it("the list's fingerprint changes with any key and not with a venue's open/closed state", () => {
    const base = { campaign: '2018', tally: [{ group: 1, publicKey: 'A'.repeat(43) }], venues: [{ group: 1, venue: '市南区', publicKey: 'B'.repeat(42) + 'A', state: 'open' }], bundles: [] };
    const fp = publishedKeys(base).listFingerprint;
    expect(publishedKeys({ ...base, venues: [{ ...base.venues[0]!, state: 'closed' }] }).listFingerprint).toBe(fp);
    expect(publishedKeys({ ...base, tally: [{ group: 1, publicKey: 'C'.repeat(42) + 'A' }] }).listFingerprint).not.toBe(fp);
  });
});
