import { and, eq } from 'drizzle-orm';
import { v4 as uuidv4 } from 'uuid';
import { campaigns, candidates, delegates, tallyKeys } from '../../src/db/schema';
import type { Db } from '../../src/db/client';
import { blindRequest, finalizeCredential, type Credential } from '../../src/hearing/credential.core';
import { sealOnDevice } from '../../src/tally/device-seal.core';
import { generateTallyKeyPair } from '../../src/tally/seal.core';
import { apiClient } from '../../src/cli/api-client';
import { linksOf } from './app';

type Fetchable = { request: (path: string, init?: RequestInit) => Response | Promise<Response> };

/** Starts the 2018 campaign and gives each group a tally key (the ceremony is the tally module's; tests keep the private key). */
export async function prepareHearing(db: Db, groups = [1, 2, 3, 4]) {
  const [c] = await db.select().from(campaigns).where(eq(campaigns.code, '2018'));
  await db.update(campaigns).set({ status: 'started' }).where(eq(campaigns.id, c!.id));
  const keys: Record<number, Uint8Array> = {};
  for (const g of groups) {
    const kp = await generateTallyKeyPair();
    keys[g] = kp.privateKey;
    await db.insert(tallyKeys).values({ campaignId: c!.id, groupNo: g, publicKey: kp.publicKey, createdAt: Date.now() }).onConflictDoNothing();
  }
  return { campaignId: c!.id, keys };
}

let seq = 0;
/** Confirmed delegates for one venue × group, inserted directly (the draw has its own tests). */
export async function addDelegates(db: Db, campaignId: string, venueName: string, groupNo: number, n: number) {
  const out: { id: string; code: string; name: string }[] = [];
  for (let i = 0; i < n; i++) {
    const k = ++seq;
    const candidateId = uuidv4();
    const name = `代表${k}`;
    const code = `D${String(k).padStart(4, '0')}-TEST`;
    await db.insert(candidates).values({
      id: candidateId, campaignId, code: `C${k}`, source: 'volunteer', name, idHash: `h${k}-${uuidv4()}`, idLast4: '1234', mobile: '13800000000',
      venueName, category: '自愿报名', groups: String(groupNo), qualification: 'passed', districtReview: 'passed', createdAt: Date.now(),
    });
    const id = uuidv4();
    await db.insert(delegates).values({
      id, campaignId, candidateId, venueName, groupNo, category: '自愿报名', state: 'confirmed', drawnAs: 'selected', drawRank: k, delegateCode: code, linkHash: linksOf(db).storedFor(id),
    });
    out.push({ id, code, name });
  }
  return out;
}

/** The shared API client over app.request(), as a device or script would call the server. */
const clientOf = (app: Fetchable) => apiClient('http://localhost', (url, init) => app.request(url, init));

export async function tokenFor(app: Fetchable, username: string, password: string) {
  const r = await clientOf(app)('/api/login', { body: { username, password } });
  if (r.status !== 200) throw new Error(`login ${username}: ${r.status}`);
  return (r.json as { token: string }).token;
}

export const api = (app: Fetchable, path: string, body?: unknown, token?: string) => clientOf(app)(path, { body, token });

/** What a voting device does with a ticket: fetch the venue key, blind, redeem, unblind. */
export async function credentialFor(app: Fetchable, ticket: string): Promise<{ credential: Credential; group: number; campaign: string; blindedMsg: string; keyId: string }> {
  const info = await api(app, '/api/ballot/ticket', { ticket });
  if (info.status !== 200) throw new Error(`ticket: ${info.status} ${info.text}`);
  const req = await blindRequest(info.json.publicKey);
  const r = await api(app, '/api/ballot/redeem', { ticket, blindedMsg: req.blindedMsg });
  if (r.status !== 200) throw new Error(`redeem: ${r.status} ${r.text}`);
  return { credential: await finalizeCredential(info.json.publicKey, req, r.json.blindSig), group: info.json.group, campaign: info.json.campaign, blindedMsg: req.blindedMsg, keyId: info.json.keyId as string };
}

export interface Sealed {
  ciphertext: string;
  tallyKey: string;
  receipt: string;
}

/** What a voting device does once the delegate has chosen: take the group's key from the published list and seal. */
export async function sealFor(app: Fetchable, group: number, answers: unknown, campaign = '2018'): Promise<Sealed> {
  const keys = await api(app, `/c/${campaign}/keys.json`);
  const tallyKey = (keys.json?.tally as { group: number; publicKey: string }[] | undefined)?.find((t) => t.group === group)?.publicKey;
  if (!tallyKey) throw new Error(`no published tally key for group ${group}: ${keys.status}`);
  const { ciphertext, receipt } = await sealOnDevice(tallyKey, { v: 1, campaign, group, answers: answers as (number | null)[] });
  return { ciphertext, tallyKey, receipt };
}

/** Sends a ballot sealed on the device; a retry sends the same `sealed` again. */
export const castSealed = (app: Fetchable, group: number, credential: Credential, sealed: Pick<Sealed, 'ciphertext' | 'tallyKey'>, campaign = '2018') =>
  api(app, '/api/ballot/cast', { campaign, group, credential, ciphertext: sealed.ciphertext, tallyKey: sealed.tallyKey });

/** Seals `answers` afresh and casts them: each call is a new ciphertext. */
export const cast = async (app: Fetchable, group: number, credential: Credential, answers: unknown) => castSealed(app, group, credential, await sealFor(app, group, answers));

export async function groupSize(db: Db, campaignId: string, groupNo: number) {
  const rows = await db.query.groups.findFirst({ where: (g) => and(eq(g.campaignId, campaignId), eq(g.no, groupNo)) });
  return rows;
}
