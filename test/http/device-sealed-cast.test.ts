import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, PASSWORD, testApp } from '../helpers/app';
import { addDelegates, api, castSealed, credentialFor, prepareHearing, sealFor, tokenFor, type Sealed } from '../helpers/hearing';
import { b64url, fromB64url, openBallot } from '../../src/tally/seal.core';

/**
 * Attacks on the cast of a ballot sealed on the device: the server cannot read it, so what it
 * can check (spelling, length, key, replay) must be checked inside the statement that spends.
 */
let t: Awaited<ReturnType<typeof testApp>>;
let org: string;
let keys: Record<number, Uint8Array>;
let delegates: { code: string }[];
let next = 0;
const ANSWERS = [1, 2, 3, 4, null, 1, 1, 2, 2, 3, 1, 1];

beforeAll(async () => {
  t = await testApp();
  await addUser(t.db, 'org', 'organiser');
  let campaignId: string;
  ({ campaignId, keys } = await prepareHearing(t.db));
  delegates = await addDelegates(t.db, campaignId, '市南区', 1, 30);
  org = await tokenFor(t.app, 'org', PASSWORD);
  expect((await api(t.app, `/api/campaigns/2018/groups/1/venues/${encodeURIComponent('市南区')}/open`, {}, org)).status).toBe(201);
});
afterAll(() => t.close());

async function freshCredential() {
  const r = await api(t.app, '/api/campaigns/2018/checkins', { delegateCode: delegates[next++]!.code, group: 1, venue: '市南区' }, org);
  expect(r.status, r.text).toBe(201);
  return (await credentialFor(t.app, r.json.ticket)).credential;
}

const counts = async () => {
  const ballots = Number((await t.client.execute('SELECT count(*) AS n FROM ballots')).rows[0]!['n']);
  const [session] = (await t.client.execute("SELECT ballots_cast AS n FROM voting_sessions WHERE group_no = 1 AND venue_name = '市南区'")).rows;
  const uses = Number((await t.client.execute('SELECT count(*) AS n FROM credential_uses')).rows[0]!['n']);
  return { ballots, cast: Number(session!['n']), uses };
};

describe('a ballot sealed on the device', () => {
  it('a ciphertext replayed under another credential is refused and counted nowhere; the second credential stays usable', async () => {
    const a = await freshCredential();
    const b = await freshCredential();
    const sealed = await sealFor(t.app, 1, ANSWERS);
    expect((await castSealed(t.app, 1, a, sealed)).status).toBe(201);
    const before = await counts();
    const replay = await castSealed(t.app, 1, b, sealed);
    expect(replay.status).toBe(409);
    expect(replay.json.error.code).toBe('CIPHERTEXT_REPLAYED');
    expect(await counts()).toEqual(before);
    const own = await castSealed(t.app, 1, b, await sealFor(t.app, 1, ANSWERS));
    expect(own.status, own.text).toBe(201);
  });

  it('the same ciphertext raced under two credentials stores one ballot and spends one credential', async () => {
    const creds = await Promise.all([freshCredential(), freshCredential()]);
    const sealed = await sealFor(t.app, 1, ANSWERS);
    const before = await counts();
    const results = await Promise.all(creds.map((c) => castSealed(t.app, 1, c, sealed)));
    expect(results.map((r) => r.status).sort()).toEqual([201, 409]);
    expect(results.find((r) => r.status === 409)!.json.error.code).toBe('CIPHERTEXT_REPLAYED');
    expect(await counts()).toEqual({ ballots: before.ballots + 1, cast: before.cast + 1, uses: before.uses + 1 });
  });

  it('re-spelled ciphertexts are refused without spending the credential: padding, +/ alphabet, spare bits, spaces, full-width, case', async () => {
    const cred = await freshCredential();
    const sealed = await sealFor(t.app, 1, ANSWERS);
    const bytes = fromB64url(sealed.ciphertext);
    const text = sealed.ciphertext;
    // the encoded length is 3 mod 4 here (560 bytes), so the last character carries two spare bits
    const lastIndex = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'.indexOf(text.at(-1)!);
    const spareBits = text.slice(0, -1) + 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'[lastIndex | 1];
    const spellings = [
      `${text}=`,
      text.replace(/-/g, '+').replace(/_/g, '/') + (text.includes('-') || text.includes('_') ? '' : '+'),
      spareBits,
      ` ${text}`,
      `${text}\n`,
      text.slice(0, 10) + '\u200b' + text.slice(10),
      text.replace(/[A-Za-z0-9]/, (ch) => String.fromCharCode(ch.charCodeAt(0) + 0xfee0)),
      btoa(String.fromCharCode(...bytes)),
    ].filter((s) => s !== text);
    expect(spellings.length).toBeGreaterThanOrEqual(7);
    const before = await counts();
    for (const ciphertext of spellings) {
      const r = await castSealed(t.app, 1, cred, { ciphertext, tallyKey: sealed.tallyKey });
      expect([422, 400], ciphertext.slice(-8)).toContain(r.status);
      expect(['INVALID_CIPHERTEXT', 'VALIDATION_FAILED', 'BAD_INPUT']).toContain(r.json?.error?.code);
    }
    expect(await counts()).toEqual(before);
    expect((await castSealed(t.app, 1, cred, sealed)).status).toBe(201);
  });

  it('a ciphertext of any length but a padded ballot\'s is refused: truncated, one byte more, no blocks, five blocks', async () => {
    const cred = await freshCredential();
    const sealed = await sealFor(t.app, 1, ANSWERS);
    const bytes = fromB64url(sealed.ciphertext);
    const variants = [bytes.slice(0, -1), new Uint8Array([...bytes, 0]), bytes.slice(0, 48), new Uint8Array(32 + 512 * 5 + 16)];
    for (const v of variants) {
      const r = await castSealed(t.app, 1, cred, { ciphertext: b64url(v), tallyKey: sealed.tallyKey });
      expect(r.status, String(v.length)).toBe(422);
    }
    expect((await castSealed(t.app, 1, cred, sealed)).status).toBe(201);
  });

  it('a ballot sealed to a key that is not the group\'s (another group\'s, a re-spelled one) is refused and spends nothing', async () => {
    const cred = await freshCredential();
    const keysJson = (await api(t.app, '/c/2018/keys.json')).json;
    const otherKey = keysJson.tally.find((k: { group: number }) => k.group === 2).publicKey as string;
    const toOther: Sealed = await sealFor(t.app, 2, ANSWERS).then((s) => ({ ...s }));
    const before = await counts();
    const wrong = await castSealed(t.app, 1, cred, { ciphertext: toOther.ciphertext, tallyKey: otherKey });
    expect(wrong.status).toBe(409);
    expect(wrong.json.error.code).toBe('TALLY_KEY_CHANGED');
    // claiming the group's key while having sealed to another is the device's own loss: it opens to nothing, counted invalid
    const sealed = await sealFor(t.app, 1, ANSWERS);
    const respelled = await castSealed(t.app, 1, cred, { ciphertext: sealed.ciphertext, tallyKey: `${sealed.tallyKey}=` });
    expect(respelled.status).toBe(422);
    expect(await counts()).toEqual(before);
    const ok = await castSealed(t.app, 1, cred, sealed);
    expect(ok.status).toBe(201);
    const [row] = (await t.client.execute({ sql: 'SELECT ciphertext FROM ballots WHERE receipt = ?', args: [ok.json.receipt] })).rows;
    expect((await openBallot(keys[1]!, '2018', 1, row!['ciphertext'] as string)).answers).toEqual(ANSWERS);
  });

  it('a body carrying plaintext answers instead of a ciphertext is refused: the server takes no choices', async () => {
    const cred = await freshCredential();
    const r = await api(t.app, '/api/ballot/cast', { campaign: '2018', group: 1, credential: cred, answers: ANSWERS });
    expect(r.status).toBe(422);
    expect(r.json.error.code).toBe('VALIDATION_FAILED');
    expect(r.json.error.message).toContain('ciphertext');
  });
});
