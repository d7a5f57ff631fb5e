import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPrivateKey } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { SYSTEM_ACTOR } from '../../src/audit/audit.service';
import { getCampaign, loadAgenda, type Campaign } from '../../src/campaigns/campaigns.service';
import { checkpointWal, openLibsql } from '../../src/db/libsql';
import { delegates, surveys, surveySeats, tallyResults, tallySeats, votingSessions } from '../../src/db/schema';
import { surveyCommitment, surveyResponsesFile } from '../../src/survey/survey-seal.service';
import { unsealSurveyWithShares } from '../../src/survey/survey-unseal.core';
import { fromB64url, fromHex, toHex } from '../../src/lib/bytes.core';
import { blindRequest, generateVenueKey } from '../../src/hearing/credential.core';
import { venueSigningKey } from '../../src/hearing/hearing.service';
import { AT_REST_PREFIX, openText, secretRows } from '../../src/lib/at-rest';
import { nodeApp, prepareDatabase, scrubWalWhenIdle } from '../../src/node/boot';
import { nodeRawSign } from '../../src/node/native-rsa';
import { closeSurvey, createSocialSurvey, getSurvey, openSurvey } from '../../src/survey/survey.service';
import { combineShares, type ShareFile } from '../../src/tally/ceremony.core';
import { rehearsalCeremony, unsealAsCustodians } from '../../src/tally/rehearsal.service';
import { publicKeyOf } from '../../src/tally/seal.core';
import { commitGroup } from '../../src/tally/tally.service';
import { addUser, Browser, delegateLinkToken, linksOf, PASSWORD, testApp } from '../helpers/app';
import { addDelegates, api, credentialFor, prepareHearing, tokenFor } from '../helpers/hearing';
import { openSocialSurvey, surveyCeremony } from '../helpers/survey';
import { castSealed, closeAllVenues } from '../helpers/tally';

let t: Awaited<ReturnType<typeof testApp>>;
let campaign: Campaign;
let org: string;
let shinan: string;
let custodian: string;
let campaignId: string;
let sn: { id: string; code: string }[];
const dirs: string[] = [];

beforeAll(async () => {
  t = await testApp();
  await addUser(t.db, 'org', 'organiser');
  await addUser(t.db, 'shinan', 'venue_staff', { venueName: '市南区' });
  await addUser(t.db, 'keeper', 'custodian');
  ({ campaignId } = await prepareHearing(t.db, [1]));
  campaign = await getCampaign(t.db, '2018');
  sn = await addDelegates(t.db, campaignId, '市南区', 1, 6);
  org = await tokenFor(t.app, 'org', PASSWORD);
  shinan = await tokenFor(t.app, 'shinan', PASSWORD);
  custodian = await tokenFor(t.app, 'keeper', PASSWORD);
  for (const v of ['市南区', '崂山区']) {
    const r = await api(t.app, `/api/campaigns/2018/groups/1/venues/${encodeURIComponent(v)}/open`, {}, org);
    expect(r.status, r.text).toBe(201);
  }
});
afterAll(() => {
  t.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const dbPath = () => t.url.slice('file:'.length);
/** What someone who copies the database files gets: the main file and the WAL, as bytes. */
function onDisk(path = dbPath()): Buffer {
  return Buffer.concat([path, `${path}-wal`].filter((p) => existsSync(p)).map((p) => readFileSync(p)));
}
const checkin = (code: string, app = t.app) => api(app, '/api/campaigns/2018/checkins', { delegateCode: code, group: 1, venue: '市南区' }, shinan);

// PKCS#8 of an RSA key: version 0, then the rsaEncryption AlgorithmIdentifier, then the OCTET STRING
// holding the key (an SPKI public key has the same identifier followed by a BIT STRING instead)
const PKCS8_RSA_DER = Buffer.from('020100300d06092a864886f70d01010105000482', 'hex');
const PKCS8_RSA_B64 = 'IBADANBgkqhkiG9w0BAQEFAASC';

const sessionRow = async (venueName: string) =>
  (await t.db.select().from(votingSessions).where(and(eq(votingSessions.campaignId, campaignId), eq(votingSessions.groupNo, 1), eq(votingSessions.venueName, venueName))))[0]!;

/** Whether this text, read from a database, works as an RSA private key that signs a blinded message. */
async function signsWith(stored: string, blinded: Uint8Array): Promise<boolean> {
  try {
    createPrivateKey({ key: Buffer.from(stored, 'base64url'), format: 'der', type: 'pkcs8' });
  } catch {
    return false;
  }
  try {
    return Boolean(await nodeRawSign(stored, blinded));
  } catch {
    return false;
  }
}

describe('venue signing keys at rest', () => {
  it('a database copy holds no venue private key: no PKCS#8 bytes or base64url text in the main file or the WAL after opening and redeeming', async () => {
    const { json } = await checkin(sn[0]!.code);
    await credentialFor(t.app, json.ticket); // the venue key signed a blinded message
    const disk = onDisk();
    for (const venue of ['市南区', '崂山区']) {
      const row = await sessionRow(venue);
      expect(row.privateKey.startsWith(AT_REST_PREFIX)).toBe(true);
      const key = await venueSigningKey(t.atRest, row); // what the server signs with, in memory only
      const der = Buffer.from(key, 'base64url');
      expect(der.subarray(4, 4 + PKCS8_RSA_DER.length).equals(PKCS8_RSA_DER)).toBe(true); // it is a PKCS#8 RSA key
      expect(disk.includes(Buffer.from(key))).toBe(false);
      expect(disk.includes(Buffer.from(key.slice(400, 460)))).toBe(false);
      expect(disk.includes(der.subarray(200, 264))).toBe(false);
    }
    expect(disk.includes(PKCS8_RSA_DER)).toBe(false);
    expect(disk.includes(Buffer.from(PKCS8_RSA_B64))).toBe(false);
  });

  it('a database copy without the key file cannot sign a blinded message, offline or through a server started on the copy', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sanmin-copy-'));
    dirs.push(dir);
    const copy = join(dir, 'sanmin.db');
    copyFileSync(dbPath(), copy);
    if (existsSync(`${dbPath()}-wal`)) copyFileSync(`${dbPath()}-wal`, `${copy}-wal`);
    const { publicKey } = await sessionRow('市南区');
    const { blindedMsg } = await blindRequest(publicKey);
    const blinded = Uint8Array.from(Buffer.from(blindedMsg, 'base64url'));

    // offline: every venue's stored key, as a PKCS#8 key, signs nothing
    const stolen = await openLibsql(`file:${copy}`);
    const rows = await stolen.db.select().from(votingSessions);
    expect(rows.length).toBe(2);
    for (const r of rows) {
      expect(await signsWith(r.privateKey, blinded)).toBe(false);
      expect(await signsWith(r.privateKey.slice(AT_REST_PREFIX.length), blinded)).toBe(false);
    }
    stolen.client.close();

    // a server on the copy (it makes itself a new key file beside it): a ticket it issues buys no signature
    const handle = await prepareDatabase(`file:${copy}`);
    try {
      const app = nodeApp(handle);
      const { json, status } = await checkin(sn[1]!.code, app);
      expect(status).toBe(201);
      const r = await api(app, '/api/ballot/redeem', { ticket: json.ticket, blindedMsg });
      expect(r.status).toBe(503);
      expect(r.json.error.code).toBe('SECRET_KEY_MISMATCH');
      expect(r.json.error.message).toContain('数据加密密钥');
      expect(r.text).not.toContain('blindSig');
    } finally {
      handle.client.close();
    }
  });

  it('a venue key moved into another venue’s row does not open there', async () => {
    const shinanKey = (await sessionRow('市南区')).privateKey;
    const laoshanKey = (await sessionRow('崂山区')).privateKey;
    await expect(openText(t.atRest, secretRows.venueKey(campaignId, 1, '崂山区'), shinanKey)).rejects.toMatchObject({ status: 503, code: 'SECRET_KEY_MISMATCH' });
    await expect(openText(t.atRest, secretRows.venueKey(campaignId, 2, '市南区'), shinanKey)).rejects.toMatchObject({ code: 'SECRET_KEY_MISMATCH' });
    expect(await openText(t.atRest, secretRows.venueKey(campaignId, 1, '崂山区'), laoshanKey)).toMatch(/^MIIE/);
  });

  it('without the data-encryption key, opening voting answers 503 in Chinese and stores nothing', async () => {
    const app = nodeApp({ url: t.url, client: t.client, db: t.db }, undefined, undefined, undefined, '');
    const token = await tokenFor(app, 'org', PASSWORD);
    const r = await api(app, `/api/campaigns/2018/groups/1/venues/${encodeURIComponent('市北区')}/open`, {}, token);
    expect(r.status).toBe(503);
    expect(r.json.error.code).toBe('SECRET_KEY_MISSING');
    expect(r.json.error.message).toContain('未配置数据加密密钥');
    expect(await t.db.select().from(votingSessions).where(eq(votingSessions.venueName, '市北区'))).toEqual([]);
    const { json } = await checkin(sn[2]!.code);
    const redeem = await api(app, '/api/ballot/redeem', { ticket: json.ticket, blindedMsg: (await blindRequest((await sessionRow('市南区')).publicKey)).blindedMsg });
    expect(redeem.status).toBe(503);
    expect(redeem.json.error.code).toBe('SECRET_KEY_MISSING');
    const { campaign: c, survey } = await openSocialSurvey(t.db);
    await closeSurvey(t.db, SYSTEM_ACTOR, c, survey);
    const draft = await createSocialSurvey(t.db, SYSTEM_ACTOR, c);
    await surveyCeremony(t.db, c, draft);
    await expect(openSurvey(t.db, SYSTEM_ACTOR, c, await getSurvey(t.db, c, draft), undefined)).rejects.toMatchObject({ status: 503, code: 'SECRET_KEY_MISSING' });
    expect((await getSurvey(t.db, c, draft)).state).toBe('draft');
  });

  it('a venue key left in the clear by an older version is refused, then sealed at the next start and signs again', async () => {
    const vk = await generateVenueKey();
    await t.db.insert(votingSessions).values({ campaignId, groupNo: 1, venueName: '黄岛区', state: 'open', publicKey: vk.publicKey, privateKey: vk.privateKey, openedAt: Date.now() });
    await expect(venueSigningKey(t.atRest, await sessionRow('黄岛区'))).rejects.toMatchObject({ status: 503, code: 'SECRET_NOT_ENCRYPTED' });
    const restarted = await prepareDatabase(t.url); // the server starting again on the same file
    restarted.client.close();
    const row = await sessionRow('黄岛区');
    expect(row.privateKey.startsWith(AT_REST_PREFIX)).toBe(true);
    expect(await venueSigningKey(t.atRest, row)).toBe(vk.privateKey);
    expect(onDisk().includes(Buffer.from(vk.privateKey.slice(300, 360)))).toBe(false);
  });
});

describe('custodians’ shares: never on the server', () => {
  let shares: ShareFile[];
  let publicKey: string;
  let privateKey: string;

  beforeAll(async () => {
    ({ shares, publicKey } = await rehearsalCeremony(t.db, campaign, 2));
    await closeAllVenues(t.db, campaign, 2);
    const departments = (await loadAgenda(t.db, campaign.id)).groups.find((g) => g.no === 2)!.departments.length;
    await castSealed(t.db, campaign, 2, publicKey, [Array(departments).fill(1), Array(departments).fill(2)]);
    await commitGroup(t.db, SYSTEM_ACTOR, campaign, 2);
    privateKey = (await unsealAsCustodians(t.db, campaign, 2, shares.slice(0, shares[0]!.threshold))).auditEdition.privateKey!;
  });

  it('a stolen database with k−1 shares opens nothing: no share and no key on disk, and what the rows hold rebuilds no key', async () => {
    const threshold = shares[0]!.threshold;
    expect(await t.db.select().from(tallyResults).where(eq(tallyResults.groupNo, 2))).toHaveLength(1);
    const disk = onDisk();
    for (const s of shares) {
      expect(disk.includes(Buffer.from(s.share))).toBe(false);
      expect(disk.includes(Buffer.from(s.share.toUpperCase()))).toBe(false);
      expect(disk.includes(Buffer.from(s.share, 'hex'))).toBe(false);
    }
    expect(disk.includes(Buffer.from(privateKey))).toBe(false);
    expect(disk.includes(Buffer.from(fromB64url(privateKey)))).toBe(false);
    // offline: every sealed share, seat key and fingerprint the rows hold, taken as shares, with k−1 real ones
    const seats = await t.db.select().from(tallySeats).where(eq(tallySeats.groupNo, 2));
    const stolen = seats.flatMap((r) => [r.sealedShare!, r.seatKey, r.fingerprint!]);
    for (const candidate of stolen) {
      let rebuilt: string | undefined;
      try {
        const bytes = /^[0-9a-f]+$/.test(candidate) ? fromHex(candidate) : fromB64url(candidate);
        rebuilt = await publicKeyOf(await combineShares([...shares.slice(0, threshold - 1).map((s) => s.share), toHex(bytes.slice(0, 33))]));
      } catch {
        rebuilt = undefined;
      }
      expect(rebuilt).not.toBe(publicKey);
    }
    expect(await publicKeyOf(await combineShares(shares.slice(0, threshold).map((s) => s.share)))).toBe(publicKey); // the real shares do
  });

  it('a survey: a stolen database with k−1 survey shares opens nothing, and a survey signing key is never stored in the clear', async () => {
    const { campaign: c, survey, shares: surveyShares } = await openSocialSurvey(t.db);
    const [row] = await t.db.select().from(surveys).where(eq(surveys.id, survey.id));
    expect(row!.signPrivateKey!.startsWith(AT_REST_PREFIX)).toBe(true);
    expect(onDisk().includes(Buffer.from(PKCS8_RSA_B64))).toBe(false);
    await closeSurvey(t.db, SYSTEM_ACTOR, c, survey);
    const closed = await getSurvey(t.db, c, survey.id);
    const threshold = closed.threshold;
    const disk = onDisk();
    for (const s of surveyShares) {
      expect(disk.includes(Buffer.from(s.share))).toBe(false);
      expect(disk.includes(Buffer.from(s.share, 'hex'))).toBe(false);
    }
    // offline: every sealed share, seat key and fingerprint the survey's rows hold, with k−1 real shares
    const seats = await t.db.select().from(surveySeats).where(eq(surveySeats.surveyId, survey.id));
    for (const candidate of seats.flatMap((r) => [r.sealedShare!, r.seatKey, r.fingerprint!])) {
      let rebuilt: string | undefined;
      try {
        const bytes = /^[0-9a-f]+$/.test(candidate) ? fromHex(candidate) : fromB64url(candidate);
        rebuilt = await publicKeyOf(await combineShares([...surveyShares.slice(0, threshold - 1).map((s) => s.share), toHex(bytes.slice(0, 33))]));
      } catch {
        rebuilt = undefined;
      }
      expect(rebuilt).not.toBe(closed.sealKey);
    }
    const commitment = await surveyCommitment(t.db, c, closed);
    const file = await surveyResponsesFile(t.db, c, closed);
    await expect(unsealSurveyWithShares(commitment, file, surveyShares.slice(0, threshold - 1).map((s) => JSON.stringify(s)))).rejects.toMatchObject({ code: 'NOT_ENOUGH_SHARES' });
    expect(await publicKeyOf(await combineShares(surveyShares.slice(0, threshold).map((s) => s.share)))).toBe(closed.sealKey); // the real shares do
  });
});

describe('delegates’ personal links at rest', () => {
  // what a token looks like (24 Crockford base32 characters) and what a lookup hash looks like
  const TOKEN_LIKE = /[0-9A-HJKMNP-TV-Z]{24}/g;
  const HEX_LIKE = /[0-9a-f]{64}/g;
  const open = (app: typeof t.app, token: string) => new Browser(app).get(`/d/${encodeURIComponent(token)}`);

  it('a database copy cannot open a delegate’s personal link: no stored value, and nothing in the file’s bytes, opens a page', async () => {
    await checkpointWal(t.client);
    const dir = mkdtempSync(join(tmpdir(), 'sanmin-copy-'));
    dirs.push(dir);
    const copy = join(dir, 'sanmin.db');
    copyFileSync(dbPath(), copy);
    if (existsSync(`${dbPath()}-wal`)) copyFileSync(`${dbPath()}-wal`, `${copy}-wal`);

    // the real links open the page: the attack below is not refused for want of a delegate
    for (const d of sn.slice(0, 2)) expect((await open(t.app, delegateLinkToken(t.db, d.id))).status).toBe(200);

    // every text value of every delegate row, as the copy holds it
    const stolen = await openLibsql(`file:${copy}`);
    const rows = (await stolen.client.execute('SELECT * FROM delegates')).rows;
    stolen.client.close();
    expect(rows.length).toBeGreaterThanOrEqual(sn.length);
    const tries = new Set<string>();
    for (const r of rows) for (const v of Object.values(r)) if (typeof v === 'string') tries.add(v);
    // and every token-like or hash-like run anywhere in the main file and the WAL
    const bytes = onDisk(copy).toString('latin1');
    for (const m of bytes.matchAll(TOKEN_LIKE)) tries.add(m[0]);
    for (const m of bytes.matchAll(HEX_LIKE)) tries.add(m[0]);
    for (const r of rows) expect(String(r['access_token'])).toMatch(/^[0-9a-f]{64}$/);
    for (const d of sn) expect(bytes.includes(delegateLinkToken(t.db, d.id))).toBe(false);
    expect(tries.size).toBeGreaterThan(rows.length);
    for (const token of tries) expect((await open(t.app, token)).status, token).toBe(404);

    // a server started on the copy makes itself a new key: the real links open nothing there either
    const handle = await prepareDatabase(`file:${copy}`);
    try {
      const app = nodeApp(handle);
      for (const d of sn.slice(0, 2)) expect((await open(app, delegateLinkToken(t.db, d.id))).status).toBe(404);
    } finally {
      handle.client.close();
    }
  });

  it('a re-spelled token does not open the page: lower case, hyphens, spaces, look-alike letters, full-width, padding', async () => {
    const token = delegateLinkToken(t.db, sn[3]!.id);
    expect((await open(t.app, token)).status).toBe(200);
    const fullWidth = [...token].map((ch) => String.fromCharCode(ch.charCodeAt(0) + 0xfee0)).join('');
    const lookAlike = token.replace(/0/g, 'O').replace(/1/g, 'I') === token ? `${token.slice(0, 23)}O` : token.replace(/0/g, 'O').replace(/1/g, 'I');
    const spellings = [
      token.toLowerCase(),
      token.replace(/(.{4})(?!$)/g, '$1-'),
      ` ${token}`,
      `${token} `,
      lookAlike,
      fullWidth,
      `${token}=`,
      `${token}\u200b`,
      token.slice(0, 23),
      `${token}0`,
    ];
    for (const s of spellings) {
      expect(s).not.toBe(token);
      const r = await open(t.app, s);
      expect(r.status, s).toBe(404);
      expect(r.body).toContain('找不到该通知');
      expect(r.body).not.toContain(sn[3]!.code);
    }
    // its forms too: a re-spelled link neither answers nor votes
    const b = new Browser(t.app);
    await b.get(`/d/${token}`);
    expect((await b.post(`/d/${token.toLowerCase()}`, { answer: 'decline' })).status).toBe(404);
    expect((await b.post(`/d/${token.toLowerCase()}/vote`, {})).status).toBe(404);
  });

  it('without the data-encryption key a personal link answers 503 in Chinese, never another delegate', async () => {
    const app = nodeApp({ url: t.url, client: t.client, db: t.db }, undefined, undefined, undefined, '');
    const r = await new Browser(app).get(`/d/${delegateLinkToken(t.db, sn[0]!.id)}`, { accept: 'application/json' });
    expect(r.status).toBe(503);
    expect(r.body).toContain('SECRET_KEY_MISSING');
    expect(r.body).toContain('未配置数据加密密钥');
  });

  it('a link stored in the clear by an older version is re-issued at the next start: the old link opens nothing, the derived one opens the page', async () => {
    const [old] = await addDelegates(t.db, campaignId, '市南区', 1, 1);
    const clearToken = 'K7F3X9QXAB2C4D6E8G0H1J3M';
    await t.db.update(delegates).set({ linkHash: clearToken }).where(eq(delegates.id, old!.id));
    await checkpointWal(t.client);
    expect(onDisk().includes(Buffer.from(clearToken))).toBe(true);
    const restarted = await prepareDatabase(t.url); // the server starting again on the same file
    restarted.client.close();
    const [row] = await t.db.select().from(delegates).where(eq(delegates.id, old!.id));
    expect(row!.linkHash).toBe(linksOf(t.db).storedFor(old!.id));
    expect(onDisk().includes(Buffer.from(clearToken))).toBe(false);
    expect((await open(t.app, clearToken)).status).toBe(404);
    const page = await open(t.app, delegateLinkToken(t.db, old!.id));
    expect(page.status).toBe(200);
    expect(page.body).toContain(old!.code);
  });
});

describe('deleted rows on the embedded file', () => {
  it('a deleted row’s distinctive text does not survive in the main file or the WAL (secure_delete on every connection)', async () => {
    const marker = 'SANMIN-DELETED-MARKER-7f3a9c';
    await t.client.execute({ sql: 'INSERT INTO rate_limits (key, window_start, count) VALUES (?, 0, 1)', args: [marker] });
    await checkpointWal(t.client); // the row now sits in a page of the main file
    expect(onDisk().includes(Buffer.from(marker))).toBe(true);
    await t.client.execute({ sql: 'DELETE FROM rate_limits WHERE key = ?', args: [marker] });
    await checkpointWal(t.client);
    expect(onDisk().includes(Buffer.from(marker))).toBe(false);
    const r = await t.client.execute('PRAGMA secure_delete');
    expect(Number(r.rows[0]![0])).toBe(1);
  });
});

describe('the embedded file’s connections and key file', () => {
  it('every new connection to the file has secure_delete on, not only the one that ran the pragmas', async () => {
    const Database = createRequire(createRequire(import.meta.url).resolve('@libsql/client'))('libsql') as new (path: string) => { prepare(sql: string): { all(): Record<string, unknown>[] }; close(): void };
    const conn = new Database(dbPath());
    try {
      expect(conn.prepare('PRAGMA secure_delete').all()[0]).toEqual({ secure_delete: 1 });
      expect(conn.prepare('PRAGMA busy_timeout').all()[0]).toEqual({ timeout: 5000 });
    } finally {
      conn.close();
    }
  });

  it('keeps the data-encryption key in a file beside the database, readable by its owner only', () => {
    const file = join(dbPath(), '..', 'sanmin-secret.key');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8').trim()).toMatch(/^[0-9a-f]{64}$/);
    expect(onDisk().includes(Buffer.from(readFileSync(file, 'utf8').trim()))).toBe(false);
  });

  it('truncates the WAL of an idle server on its timer, and leaves a WAL still being written alone', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const stop = scrubWalWhenIdle({ url: t.url, client: t.client }, 60_000);
    try {
      await t.client.execute({ sql: 'INSERT INTO rate_limits (key, window_start, count) VALUES (?, 0, 1)', args: ['idle-1'] });
      const wal = () => statSync(`${dbPath()}-wal`).size;
      expect(wal()).toBeGreaterThan(0);
      vi.advanceTimersByTime(60_000); // first look: remembers the WAL
      await t.client.execute({ sql: 'INSERT INTO rate_limits (key, window_start, count) VALUES (?, 0, 1)', args: ['idle-2'] });
      vi.advanceTimersByTime(60_000); // written since: not idle, left alone
      await vi.waitFor(() => expect(wal()).toBeGreaterThan(0));
      vi.advanceTimersByTime(60_000); // unchanged for a whole interval: idle, checkpointed and truncated
      await vi.waitFor(() => expect(wal()).toBe(0));
    } finally {
      stop();
      vi.useRealTimers();
    }
  });
});
