import { applyD1Migrations } from 'cloudflare:test';
import { env, exports } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { drizzle } from 'drizzle-orm/d1';
import { eq } from 'drizzle-orm';
import { schema } from '../../src/db/client';
import { hashPassword } from '../../src/lib/password';
import { blindRequest, finalizeCredential } from '../../src/hearing/credential.core';
import { generateTallyKeyPair, openBallot } from '../../src/tally/seal.core';
import { sealOnDevice } from '../../src/tally/device-seal.core';
import { delegateLinksFor } from '../../src/delegates/link.core';

const e = env as unknown as { DB: D1Database; SECRET_KEY: string; TEST_MIGRATIONS: Parameters<typeof applyD1Migrations>[1] };
const worker = (exports as unknown as { default: { fetch(req: Request): Promise<Response> } }).default;

beforeAll(async () => {
  await applyD1Migrations(e.DB, e.TEST_MIGRATIONS);
});

async function call(path: string, body?: unknown, token?: string) {
  const res = await worker.fetch(
    new Request(`http://sanmin.test${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    }),
  );
  return { status: res.status, json: (await res.json().catch(() => ({}))) as any };
}

describe('hearing day in workerd over D1', () => {
  it('checks in, blind-signs with RSA-RAW, takes a ballot sealed on the device and counts a retried ballot once', async () => {
    await worker.fetch(new Request('http://sanmin.test/c/2018')); // seeds 2018
    const db = drizzle(e.DB, { schema });
    const [campaign] = await db.select().from(schema.campaigns).where(eq(schema.campaigns.code, '2018'));
    await db.update(schema.campaigns).set({ status: 'started' }).where(eq(schema.campaigns.id, campaign!.id));
    const tally = await generateTallyKeyPair();
    await db.insert(schema.tallyKeys).values({ campaignId: campaign!.id, groupNo: 1, publicKey: tally.publicKey, createdAt: Date.now() });
    await db.insert(schema.users).values({ id: 'u-org', username: 'org', displayName: '组织者', role: 'organiser', passwordHash: await hashPassword('worker organiser password') });
    await db.insert(schema.candidates).values({ id: 'cand-1', campaignId: campaign!.id, code: 'C1', source: 'volunteer', name: '代表甲', idHash: 'h1', idLast4: '1234', mobile: '13800000000', venueName: '市南区', category: '自愿报名', groups: '1', createdAt: Date.now() });
    await db.insert(schema.delegates).values({ id: 'del-1', campaignId: campaign!.id, candidateId: 'cand-1', venueName: '市南区', groupNo: 1, category: '自愿报名', state: 'confirmed', drawnAs: 'selected', drawRank: 1, delegateCode: 'DTEST-0001', linkHash: delegateLinksFor(e.SECRET_KEY).storedFor('del-1') });

    const { json: login } = await call('/api/login', { username: 'org', password: 'worker organiser password' });
    expect((await call(`/api/campaigns/2018/groups/1/venues/${encodeURIComponent('市南区')}/open`, {}, login.token)).status).toBe(201);
    // the venue key is in D1 only sealed under SECRET_KEY (AES-256-GCM through workerd's WebCrypto)
    const stored = await e.DB.prepare('SELECT private_key FROM voting_sessions').first<{ private_key: string }>();
    expect(stored!.private_key.startsWith('sm-aes1.')).toBe(true);
    expect(stored!.private_key).not.toContain('MIIE');
    const checkin = await call('/api/campaigns/2018/checkins', { delegateCode: 'DTEST-0001', group: 1, venue: '市南区' }, login.token);
    expect(checkin.status).toBe(201);
    const info = await call('/api/ballot/ticket', { ticket: checkin.json.ticket });
    const req = await blindRequest(info.json.publicKey);
    const redeemed = await call('/api/ballot/redeem', { ticket: checkin.json.ticket, blindedMsg: req.blindedMsg });
    expect(redeemed.status).toBe(200);
    const credential = await finalizeCredential(info.json.publicKey, req, redeemed.json.blindSig);
    const answers = [1, 2, 3, 4, null, 1, 2, 3, 4, 1, 2, 3];
    // sealed here, as the tablet seals it: the Worker receives only the ciphertext
    const sealed = await sealOnDevice(tally.publicKey, { v: 1, campaign: '2018', group: 1, answers });
    const body = { campaign: '2018', group: 1, credential, ciphertext: sealed.ciphertext, tallyKey: tally.publicKey };
    const first = await call('/api/ballot/cast', body);
    expect(first.status).toBe(201);
    expect(first.json.receipt).toBe(sealed.receipt);
    const retry = await call('/api/ballot/cast', body);
    expect(retry.json).toEqual({ status: 'duplicate', receipt: first.json.receipt });
    const rows = await e.DB.prepare('SELECT receipt, ciphertext FROM ballots').all<{ receipt: string; ciphertext: string }>();
    expect(rows.results).toHaveLength(1);
    expect((await openBallot(tally.privateKey, '2018', 1, rows.results[0]!.ciphertext)).answers).toEqual(answers);
    const turnout = await call('/api/campaigns/2018/turnout', undefined, login.token);
    expect(turnout.json.venues.find((v: any) => v.venue === '市南区' && v.group === 1)).toMatchObject({ issued: 1, cast: 1, unused: 0, balanced: true });
  });
});
