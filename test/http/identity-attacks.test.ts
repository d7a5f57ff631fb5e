import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ballots, checkins, votingSessions } from '../../src/db/schema';
import { blindRequest, blindSign, finalizeCredential, type Credential } from '../../src/hearing/credential.core';
import { venueSigningKey } from '../../src/hearing/hearing.service';
import { b64url, fromB64url } from '../../src/lib/bytes.core';
import { addUser, PASSWORD, testApp } from '../helpers/app';
import { addDelegates, api, cast, credentialFor, prepareHearing, tokenFor } from '../helpers/hearing';
import { openSocialSurvey, respond, responseCredential, socialAnswers } from '../helpers/survey';

/**
 * Attacks on identities that travel as text: every machine identity has one spelling, every
 * typed code maps to one, and a venue key stolen from the database cannot add ballots beyond
 * the signatures the venue issued.
 */

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** Every base64url text that a lax decoder (atob) reads as the same bytes: the last character's unused bits varied. */
function spellings(text: string): string[] {
  const unused = (6 - ((fromB64url(text).length * 8) % 6)) % 6;
  const last = B64.indexOf(text.at(-1)!);
  const out: string[] = [];
  for (let low = 0; low < 1 << unused; low++) out.push(text.slice(0, -1) + B64[(last & ~((1 << unused) - 1)) | low]!);
  return out;
}

/** What `atob` makes of a text: the lax decoding the attack relied on. */
const laxBytes = (text: string) => Uint8Array.from(atob(text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (text.length % 4)) % 4)), (c) => c.charCodeAt(0));

let t: Awaited<ReturnType<typeof testApp>>;
let org: string;
let desk: string;
let campaignId: string;
let people: { id: string; code: string; name: string }[];
const ANSWERS = [1, 2, 3, 4, null, 1, 1, 2, 2, 3, 1, 1];

beforeAll(async () => {
  t = await testApp();
  await addUser(t.db, 'org', 'organiser');
  await addUser(t.db, 'desk', 'venue_staff', { venueName: '市南区' });
  ({ campaignId } = await prepareHearing(t.db));
  people = await addDelegates(t.db, campaignId, '市南区', 1, 12);
  org = await tokenFor(t.app, 'org', PASSWORD);
  desk = await tokenFor(t.app, 'desk', PASSWORD);
  const open = await api(t.app, `/api/campaigns/2018/groups/1/venues/${encodeURIComponent('市南区')}/open`, {}, org);
  expect(open.status, open.text).toBe(201);
});
afterAll(() => t.close());

let next = 0;
async function ticket() {
  const r = await api(t.app, '/api/campaigns/2018/checkins', { delegateCode: people[next++]!.code, group: 1, venue: '市南区' }, desk);
  expect(r.status, r.text).toBe(201);
  return r.json.ticket as string;
}

async function counts() {
  const [session] = await t.db.select().from(votingSessions).where(and(eq(votingSessions.campaignId, campaignId), eq(votingSessions.venueName, '市南区')));
  const [stored] = await t.db.select({ n: sql<number>`count(*)` }).from(ballots).where(eq(ballots.campaignId, campaignId));
  return { cast: session!.cast, voided: session!.voidedSpent, stored: stored!.n };
}

describe('credential malleability', () => {
  it('a credential message has 16 spellings that a lax decoder reads as the same bytes', async () => {
    const { credential } = await credentialFor(t.app, await ticket());
    const all = spellings(credential.msg);
    expect(all).toHaveLength(16);
    for (const s of all) expect(laxBytes(s)).toEqual(laxBytes(credential.msg));
    // the strict decoder accepts exactly one of them: the one the encoder makes
    expect(all.filter((s) => { try { fromB64url(s); return true; } catch { return false; } })).toEqual([credential.msg]);
  });

  it('one credential spelled 16 ways casts one ballot', async () => {
    const { credential } = await credentialFor(t.app, await ticket());
    const before = await counts();
    const results = [];
    for (const msg of spellings(credential.msg)) results.push(await cast(t.app, 1, { msg, sig: credential.sig }, ANSWERS));
    for (const sig of spellings(credential.sig).filter((s) => s !== credential.sig)) results.push(await cast(t.app, 1, { msg: credential.msg, sig }, ANSWERS));
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    for (const r of results.filter((r) => r.status !== 201)) {
      expect(r.status).toBe(403);
      expect(r.json.error.code).toBe('INVALID_CREDENTIAL');
      expect(r.json.error.message).toContain('选票凭证无效');
    }
    const after = await counts();
    expect(after.cast - before.cast).toBe(1);
    expect(after.stored - before.stored).toBe(1);
  });

  it('a credential voided on the device cannot be cast under another spelling', async () => {
    const { credential } = await credentialFor(t.app, await ticket());
    const v = await api(t.app, '/api/ballot/void', { campaign: '2018', group: 1, credential, reason: '平板故障' });
    expect(v.status, v.text).toBe(200);
    const before = await counts();
    for (const msg of spellings(credential.msg)) {
      const r = await cast(t.app, 1, { msg, sig: credential.sig }, ANSWERS);
      expect(r.status).not.toBe(201);
      expect([403, 409]).toContain(r.status);
    }
    expect((await counts()).stored).toBe(before.stored);
  });

  it('a blinded message re-spelled is refused, so a ticket never buys a second signature', async () => {
    const code = await ticket();
    const info = await api(t.app, '/api/ballot/ticket', { ticket: code });
    const req = await blindRequest(info.json.publicKey);
    const first = await api(t.app, '/api/ballot/redeem', { ticket: code, blindedMsg: req.blindedMsg });
    expect(first.status).toBe(200);
    for (const other of spellings(req.blindedMsg).filter((s) => s !== req.blindedMsg)) {
      const r = await api(t.app, '/api/ballot/redeem', { ticket: code, blindedMsg: other });
      expect(r.status).toBe(422);
      expect(r.json.error.message).toContain('盲化消息');
    }
    // the canonical spelling again is the lost-response retry: the same signature
    const again = await api(t.app, '/api/ballot/redeem', { ticket: code, blindedMsg: req.blindedMsg });
    expect(again.json.blindSig).toBe(first.json.blindSig);
  });
});

describe('codes people type', () => {
  it('a ticket typed in lower case, without hyphens, with spaces or in full-width characters is the same ticket', async () => {
    const code = await ticket();
    const bare = code.replace(/-/g, '');
    const fullWidth = [...code].map((ch) => (ch === '-' ? '－' : String.fromCharCode(ch.charCodeAt(0) + 0xfee0))).join('');
    for (const typed of [code, code.toLowerCase(), bare, ` ${bare.slice(0, 4)} ${bare.slice(4, 8)} ${bare.slice(8)} `, fullWidth, code.replace(/-/g, '—')]) {
      const r = await api(t.app, '/api/ballot/ticket', { ticket: typed });
      expect(r.status, typed).toBe(200);
    }
    // and it is still one ticket: a second blinded message under another spelling is refused
    const a = await blindRequest((await api(t.app, '/api/ballot/ticket', { ticket: code })).json.publicKey);
    expect((await api(t.app, '/api/ballot/redeem', { ticket: code.toLowerCase(), blindedMsg: a.blindedMsg })).status).toBe(200);
    const b = await blindRequest((await api(t.app, '/api/ballot/ticket', { ticket: code })).json.publicKey);
    const second = await api(t.app, '/api/ballot/redeem', { ticket: fullWidth, blindedMsg: b.blindedMsg });
    expect(second.status).toBe(409);
    expect(second.json.error.code).toBe('TICKET_USED');
  });

  it('a delegate code typed without its hyphen, in lower case or full width checks in the same delegate once', async () => {
    const code = people[next++]!.code;
    const fullWidth = [...code.toLowerCase()].map((ch) => (ch === '-' ? '' : String.fromCharCode(ch.charCodeAt(0) + 0xfee0))).join('');
    const first = await api(t.app, '/api/campaigns/2018/checkins', { delegateCode: fullWidth, group: 1, venue: '市南区' }, desk);
    expect(first.status, first.text).toBe(201);
    const again = await api(t.app, '/api/campaigns/2018/checkins', { delegateCode: code.replace('-', ' ').toLowerCase(), group: 1, venue: '市南区' }, desk);
    expect(again.status).toBe(409);
    expect(again.json.error.code).toBe('ALREADY_CHECKED_IN');
  });
});

describe('a venue key stolen from the database', () => {
  it('casts beyond the signatures the venue issued are refused in the cast statement itself', async () => {
    const [session] = await t.db.select().from(votingSessions).where(and(eq(votingSessions.campaignId, campaignId), eq(votingSessions.venueName, '市南区')));
    const stolenKey = await stolenSigningKey(session!);
    // one honest delegate holds a signature they have not used yet
    const honest = await credentialFor(t.app, await ticket());
    const before = await counts();
    const unusedSignatures = (await signaturesIssued()) - before.cast - before.voided;
    expect(unusedSignatures).toBeGreaterThan(0);
    // the thief signs five credentials offline and casts them
    const forged: Credential[] = [];
    for (let i = 0; i < 5; i++) {
      const req = await blindRequest(session!.publicKey);
      forged.push(await finalizeCredential(session!.publicKey, req, b64url(await blindSign(stolenKey, fromB64url(req.blindedMsg)))));
    }
    const results = [];
    for (const f of forged) results.push(await cast(t.app, 1, f, ANSWERS));
    const accepted = results.filter((r) => r.status === 201).length;
    expect(accepted).toBe(unusedSignatures);
    for (const r of results.filter((r) => r.status !== 201)) {
      expect(r.status).toBe(409);
      expect(r.json.error.code).toBe('SIGNATURES_EXHAUSTED');
      expect(r.json.error.message).toContain('签发数');
    }
    // so the forged casts can only have used up signatures honest delegates left unused — the honest one is now refused, visibly
    const late = await cast(t.app, 1, honest.credential, ANSWERS);
    expect(late.status).toBe(409);
    expect(late.json.error.code).toBe('SIGNATURES_EXHAUSTED');
    // a forged credential voided on a device cannot make room either
    const req = await blindRequest(session!.publicKey);
    const extra = await finalizeCredential(session!.publicKey, req, b64url(await blindSign(stolenKey, fromB64url(req.blindedMsg))));
    expect((await api(t.app, '/api/ballot/void', { campaign: '2018', group: 1, credential: extra, reason: '伪造' })).json.error.code).toBe('SIGNATURES_EXHAUSTED');
    const after = await counts();
    expect(after.cast + after.voided).toBe(await signaturesIssued());
    expect(after.stored - before.stored).toBe(accepted);
  });
});

describe('survey credentials', () => {
  it('one survey credential spelled 16 ways answers once', async () => {
    const { survey, codes } = await openSocialSurvey(t.db, 1);
    const { credential } = await responseCredential(t.app, codes[0]!);
    const results = [];
    for (const msg of spellings(credential.msg)) results.push(await respond(t.app, survey, { msg, sig: credential.sig }, socialAnswers(Array(13).fill(1))));
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    for (const r of results.filter((r) => r.status !== 201)) expect(r.json.error.code).toBe('INVALID_CREDENTIAL');
  });
});

async function signaturesIssued() {
  const [row] = await t.db.select({ n: sql<number>`count(*)` }).from(checkins).where(and(eq(checkins.campaignId, campaignId), eq(checkins.venueName, '市南区'), eq(checkins.state, 'redeemed')));
  return row!.n;
}

/**
 * The thief's copy of the venue's signing key. It is stored sealed under the data-encryption key
 * (test/http/secrets-at-rest.test.ts shows a database copy alone signs nothing), so this thief
 * holds the key file as well: the server's operator, or whoever took the whole machine.
 */
async function stolenSigningKey(session: typeof votingSessions.$inferSelect): Promise<string> {
  return venueSigningKey(t.atRest, session);
}
