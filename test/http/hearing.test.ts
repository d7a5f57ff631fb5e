import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, Browser, PASSWORD, testApp, delegateLinkToken } from '../helpers/app';
import { addDelegates, api, cast, castSealed, credentialFor, prepareHearing, sealFor, tokenFor } from '../helpers/hearing';
import { openBallot } from '../../src/tally/seal.core';
import { steppedClock } from '../helpers/clock';

let t: Awaited<ReturnType<typeof testApp>>;
let org: string;
let shinan: string;
let campaignId: string;
let keys: Record<number, Uint8Array>;
let sn: { id: string; code: string; name: string }[];
let ls: { id: string; code: string; name: string }[];
const ANSWERS_12 = [1, 2, 3, 4, null, 1, 1, 2, 2, 3, 1, 1];

beforeAll(async () => {
  t = await testApp();
  await addUser(t.db, 'org', 'organiser');
  await addUser(t.db, 'shinan', 'venue_staff', { venueName: '市南区' });
  await addUser(t.db, 'laoshan', 'venue_staff', { venueName: '崂山区' });
  ({ campaignId, keys } = await prepareHearing(t.db));
  sn = await addDelegates(t.db, campaignId, '市南区', 1, 12);
  ls = await addDelegates(t.db, campaignId, '崂山区', 1, 3);
  org = await tokenFor(t.app, 'org', PASSWORD);
  shinan = await tokenFor(t.app, 'shinan', PASSWORD);
  for (const v of ['市南区', '崂山区']) {
    const r = await api(t.app, `/api/campaigns/2018/groups/1/venues/${encodeURIComponent(v)}/open`, {}, org);
    expect(r.status, r.text).toBe(201);
  }
});
const clock = steppedClock();
afterAll(() => {
  clock.restore();
  return t.close();
});

const checkin = (code: string, venue = '市南区', token = shinan, group = 1) => api(t.app, '/api/campaigns/2018/checkins', { delegateCode: code, group, venue }, token);

describe('check-in', () => {
  it('issues a ticket once per delegate and group, only at their own venue', async () => {
    const ok = await checkin(sn[0]!.code);
    expect(ok.status).toBe(201);
    expect(ok.json.ticket).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);

    const again = await checkin(sn[0]!.code);
    expect(again.status).toBe(409);
    expect(again.json.error.code).toBe('ALREADY_CHECKED_IN');
    expect(again.json.error.message).toContain('不能重复签到');

    // 市南区's staff are refused another venue's delegate without learning where they belong
    const foreign = await checkin(ls[0]!.code);
    expect(foreign.status).toBe(403);
    expect(foreign.json.error.code).toBe('OUT_OF_SCOPE');
    expect(foreign.json.error.message).not.toContain('崂山区');
    // an organiser at the wrong desk is told which venue is the delegate's
    const wrongVenue = await checkin(ls[0]!.code, '市南区', org);
    expect(wrongVenue.status).toBe(409);
    expect(wrongVenue.json.error.code).toBe('WRONG_VENUE');
    expect(wrongVenue.json.error.message).toContain('崂山区');

    const unknown = await checkin('D9999-NOPE');
    expect(unknown.status).toBe(404);
    expect(unknown.json.error.message).toContain('代表证号不存在');
  });

  it('keeps venue staff to their own venue', async () => {
    const r = await checkin(ls[1]!.code, '崂山区', shinan);
    expect(r.status).toBe(403);
  });

  it('checks in from the venue desk page with a typed code and shows the ticket once', async () => {
    const b = new Browser(t.app);
    await b.login('shinan');
    const desk = await b.get(`/staff/c/2018/hearing/1/${encodeURIComponent('市南区')}`);
    expect(desk.status).toBe(200);
    expect(desk.body).toContain('签到台');
    const r = await b.post(`/staff/c/2018/hearing/1/${encodeURIComponent('市南区')}/checkin`, { code: sn[1]!.code.toLowerCase() });
    expect(r.status).toBe(200);
    expect(r.body).toContain(`已签到:${sn[1]!.name}`);
    expect(r.body).toMatch(/class="ticket">[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}</);
    const twice = await b.post(`/staff/c/2018/hearing/1/${encodeURIComponent('市南区')}/checkin`, { code: sn[1]!.code });
    expect(twice.status).toBe(409);
    expect(twice.body).toContain('不能重复签到');
    const otherVenue = await b.get(`/staff/c/2018/hearing/1/${encodeURIComponent('崂山区')}`);
    expect(otherVenue.status).toBe(403);
  });
});

describe('casting', () => {
  it('accepts a ballot sealed on the device, with the receipt the device computed; a retry of the same ciphertext counts once', async () => {
    const { json } = await checkin(sn[2]!.code);
    const { credential } = await credentialFor(t.app, json.ticket);
    const sealed = await sealFor(t.app, 1, ANSWERS_12);
    const first = await castSealed(t.app, 1, credential, sealed);
    expect(first.status).toBe(201);
    expect(first.json.receipt).toBe(sealed.receipt);
    const retry = await castSealed(t.app, 1, credential, sealed);
    expect(retry.status).toBe(200);
    expect(retry.json).toEqual({ status: 'duplicate', receipt: sealed.receipt });
    // the same choices sealed again are another ballot: the credential is spent
    const resealed = await cast(t.app, 1, credential, ANSWERS_12);
    expect(resealed.status).toBe(409);
    expect(resealed.json.error.code).toBe('CREDENTIAL_SPENT');
    const other = await cast(t.app, 1, credential, ANSWERS_12.map(() => 1));
    expect(other.status).toBe(409);
    expect(other.json.error.code).toBe('CREDENTIAL_SPENT');
    const rows = await t.client.execute({ sql: 'SELECT ciphertext FROM ballots WHERE receipt = ?', args: [first.json.receipt] });
    expect(rows.rows).toHaveLength(1);
    const opened = await openBallot(keys[1]!, '2018', 1, rows.rows[0]!['ciphertext'] as string);
    expect(opened.answers).toEqual(ANSWERS_12);
  });

  it('counts 50 concurrent submissions of one credential once, all answered with the same receipt', async () => {
    const { json } = await checkin(sn[3]!.code);
    const { credential } = await credentialFor(t.app, json.ticket);
    const before = Number((await t.client.execute('SELECT count(*) AS n FROM ballots')).rows[0]!['n']);
    const sealed = await sealFor(t.app, 1, ANSWERS_12);
    const results = await Promise.all(Array.from({ length: 50 }, () => castSealed(t.app, 1, credential, sealed)));
    expect(results.map((r) => r.status).sort()).toEqual([...Array(49).fill(200), 201]);
    expect(new Set(results.map((r) => r.json.receipt)).size).toBe(1);
    const after = Number((await t.client.execute('SELECT count(*) AS n FROM ballots')).rows[0]!['n']);
    expect(after - before).toBe(1);
    clock.advance(600); // past the 0.5 s turnout cache, without sleeping
    const turnout = await api(t.app, '/api/campaigns/2018/turnout', undefined, org);
    const row = turnout.json.venues.find((v: any) => v.venue === '市南区' && v.group === 1);
    expect(row.cast).toBe(after);
  });

  it('refuses a forged credential and a ticket exchanged twice', async () => {
    const { json } = await checkin(sn[4]!.code);
    const { credential } = await credentialFor(t.app, json.ticket);
    const forged = await cast(t.app, 1, { msg: credential.msg, sig: credential.sig.replace(/^.{4}/, 'AAAA') }, ANSWERS_12);
    expect(forged.status).toBe(403);
    expect(forged.json.error.code).toBe('INVALID_CREDENTIAL');
    await expect(credentialFor(t.app, json.ticket)).rejects.toThrow(/409/);
  });

  it('cannot refuse a malformed ballot it cannot read: a device that seals nonsense spends its credential on an invalid ballot', async () => {
    const { json } = await checkin(sn[7]!.code);
    const { credential } = await credentialFor(t.app, json.ticket);
    const short = await cast(t.app, 1, credential, [1, 2]);
    expect(short.status, short.text).toBe(201);
    const [row] = (await t.client.execute({ sql: 'SELECT ciphertext FROM ballots WHERE receipt = ?', args: [short.json.receipt] })).rows;
    // it opens, but to a shape the tally counts as invalid (test/http/tally.test.ts counts it)
    expect((await openBallot(keys[1]!, '2018', 1, row!['ciphertext'] as string)).answers).toEqual([1, 2]);
  });
});

describe('voiding', () => {
  it('lets staff void an unused ticket with a reason; it can never cast', async () => {
    const { json } = await checkin(sn[5]!.code);
    const noReason = await api(t.app, `/api/campaigns/2018/checkins/${json.checkinId}/void`, {}, shinan);
    expect(noReason.status).toBe(422);
    const v = await api(t.app, `/api/campaigns/2018/checkins/${json.checkinId}/void`, { reason: '代表临时离场' }, shinan);
    expect(v.status).toBe(200);
    const info = await api(t.app, '/api/ballot/ticket', { ticket: json.ticket });
    expect(info.status).toBe(409);
    expect(info.json.error.code).toBe('TICKET_VOIDED');
  });

  it('lets a device void the credential it holds; it then cannot cast', async () => {
    const { json } = await checkin(sn[6]!.code);
    const { credential } = await credentialFor(t.app, json.ticket);
    const staffVoid = await api(t.app, `/api/campaigns/2018/checkins/${json.checkinId}/void`, { reason: '设备故障' }, shinan);
    expect(staffVoid.status).toBe(409);
    expect(staffVoid.json.error.code).toBe('CREDENTIAL_ON_DEVICE');
    const v = await api(t.app, '/api/ballot/void', { campaign: '2018', group: 1, credential, reason: '设备故障' });
    expect(v.status).toBe(200);
    const c = await cast(t.app, 1, credential, ANSWERS_12);
    expect(c.status).toBe(409);
    expect(c.json.error.code).toBe('CREDENTIAL_VOIDED');
  });
});

describe('turnout', () => {
  it('answers organisers with counts per venue and group and city totals, never ballot content', async () => {
    clock.advance(600); // one computation is shared by all viewers for 0.5 s
    const r = await api(t.app, '/api/campaigns/2018/turnout', undefined, org);
    expect(r.status).toBe(200);
    const row = r.json.venues.find((v: any) => v.venue === '市南区' && v.group === 1);
    expect(row).toMatchObject({ state: 'open', checkedIn: 8, issued: 8, voided: 2, balanced: true });
    expect(row.issued).toBe(row.cast + row.voided + row.unused);
    expect(Object.keys(r.json.totals).sort()).toEqual(['cast', 'checkedIn', 'issued', 'seats', 'unused', 'voided']);
    expect(r.json.totals.seats).toBe(10_000);
    expect(r.text).not.toMatch(/满意|ciphertext|answers/);
  });

  it('is refused to venue staff and anonymous callers', async () => {
    expect((await api(t.app, '/api/campaigns/2018/turnout', undefined, shinan)).status).toBe(403);
    expect((await api(t.app, '/api/campaigns/2018/turnout')).status).toBe(401);
  });

  it('renders the live page streaming for organisers, with a reload fallback without JavaScript', async () => {
    const b = new Browser(t.app);
    await b.login('org');
    const p = await b.get('/staff/c/2018/turnout');
    expect(p.status).toBe(200);
    expect(p.body).toContain('data-stream="/staff/c/2018/turnout/stream"');
    // the stream's script is a static file of this origin (the CSP allows no inline script)
    const src = /<script src="(\/static\/turnout\.js\?v=[0-9a-f]+)"/.exec(p.body)![1]!;
    expect(await (await t.app.request(`http://localhost${src}`)).text()).toContain('new EventSource');
    expect(p.body).toMatch(/<noscript>.*http-equiv="refresh"/s);
    expect(/<head>[\s\S]*?<\/head>/.exec(p.body)![0]).not.toContain('refresh'); // with JavaScript it never reloads
    expect(p.body).toContain('全市合计');
  });

  it('pushes a new table to open streams when a ballot is cast, and only organisers and auditors may stream', async () => {
    const b = new Browser(t.app);
    await b.login('org');
    const res = await t.app.request('http://localhost/staff/c/2018/turnout/stream', { headers: { cookie: [...b.cookies].map(([k, v]) => `${k}=${v}`).join('; ') } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    /** The city's cast total of the next `turnout` event on the stream. */
    const nextCast = async (): Promise<number> => {
      for (;;) {
        const end = buffer.indexOf('\n\n');
        if (end >= 0) {
          const event = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          expect(event).toMatch(/^event: turnout$/m);
          expect(event).not.toMatch(/满意|ciphertext|answers/);
          const foot = /<tfoot>([\s\S]*?)<\/tfoot>/.exec(event)![1]!;
          return Number([...foot.matchAll(/<td class="num">(\d+)<\/td>/g)][3]![1]);
        }
        const { value, done } = await reader.read();
        if (done) throw new Error('stream ended');
        buffer += decoder.decode(value, { stream: true });
      }
    };
    const before = await nextCast();
    const { json } = await checkin(sn[11]!.code);
    const held = await credentialFor(t.app, json.ticket);
    expect((await cast(t.app, 1, held.credential, ANSWERS_12)).status).toBe(201);
    // pushed without asking; the check-in may have been pushed first (its own change of the table)
    let after = await nextCast();
    if (after === before) after = await nextCast();
    expect(after).toBe(before + 1);
    await reader.cancel();

    const staff = new Browser(t.app);
    await staff.login('shinan');
    expect((await staff.get('/staff/c/2018/turnout/stream')).status).toBe(403);
    const anonymous = await t.app.request('http://localhost/staff/c/2018/turnout/stream');
    expect([302, 303, 401]).toContain(anonymous.status);
  });
});

describe('closing', () => {
  it('refuses to close a venue with unused credentials without a signed note, then closes with one', async () => {
    const venue = encodeURIComponent('崂山区');
    const laoshan = await tokenFor(t.app, 'laoshan', PASSWORD);
    const { json } = await checkin(ls[0]!.code, '崂山区', laoshan);
    const held = await credentialFor(t.app, json.ticket);
    const refused = await api(t.app, `/api/campaigns/2018/groups/1/venues/${venue}/close`, {}, org);
    expect(refused.status).toBe(409);
    expect(refused.json.error.code).toBe('RECONCILIATION_GAP');
    expect(refused.json.error.message).toContain('未使用凭证');
    const closed = await api(t.app, `/api/campaigns/2018/groups/1/venues/${venue}/close`, { note: '一名代表领取凭证后因身体不适离场,未投票。' }, org);
    expect(closed.status).toBe(200);
    const late = await cast(t.app, 1, held.credential, ANSWERS_12);
    expect(late.status).toBe(409);
    expect(late.json.error.code).toBe('VOTING_CLOSED');
    const sheet = new Browser(t.app);
    await sheet.login('org');
    const s = await sheet.get(`/staff/c/2018/hearing/1/${venue}/sheet`);
    expect(s.body).toContain('身体不适离场');
    expect(s.body).toContain('A = B + C + D');
    // the sheet signed at closing carries the same fingerprints as the public list and the venue poster
    const list = (await api(t.app, '/c/2018/keys.json')).json;
    const venueFp = list.venues.find((v: { venue: string; group: number }) => v.venue === decodeURIComponent(venue) && v.group === 1).fingerprint;
    const tallyFp = list.tally.find((k: { group: number }) => k.group === 1).fingerprint;
    const poster = await api(t.app, `/c/2018/keys?venue=${venue}`);
    for (const fp of [venueFp, tallyFp, list.listFingerprint, ...list.bundles.map((b: { sha256: string }) => b.sha256)]) {
      expect(s.body).toContain(fp);
      expect(poster.text).toContain(fp);
    }
  });

  it('cannot open voting without the group tally key or before the campaign starts', async () => {
    await t.client.execute({ sql: 'DELETE FROM tally_keys WHERE group_no = 2', args: [] });
    const r = await api(t.app, `/api/campaigns/2018/groups/2/venues/${encodeURIComponent('市南区')}/open`, {}, org);
    expect(r.status).toBe(409);
    expect(r.json.error.code).toBe('NO_TALLY_KEY');
  });
});

// The discipline form (活动纪律情况调查表) is now a questionnaire of the campaign: see test/http/survey.test.ts
// ("the 活动纪律情况调查表 on the builder") and test/http/survey-properties.test.ts for its anonymity.

describe('online voting with the personal link', () => {
  it('checks the delegate in online at their own venue and hands the device a ticket in the URL fragment', async () => {
    const [d] = await addDelegates(t.db, campaignId, '市南区', 1, 1);
    const token = delegateLinkToken(t.db, d!.id);
    const b = new Browser(t.app);
    const personal = await b.get(`/d/${token}`);
    expect(personal.body).toContain('在线签到并投票');
    const r = await b.post(`/d/${token}/vote`, {});
    expect(r.status).toBe(303);
    const ticket = /\/vote#t=([0-9A-Z-]+)$/.exec(r.res.headers.get('location') ?? '')?.[1];
    expect(ticket).toBeTruthy();
    const { credential } = await credentialFor(t.app, ticket!);
    expect((await cast(t.app, 1, credential, ANSWERS_12)).status).toBe(201);
    const again = await b.post(`/d/${token}/vote`, {});
    expect(again.status).toBe(409);
    expect(again.body).toContain('不能重复签到');
    const row = (await t.client.execute({ sql: 'SELECT channel FROM checkins WHERE delegate_id = ?', args: [d!.id] })).rows[0]!;
    expect(row['channel']).toBe('online');
  });
});
