import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { addUser, PASSWORD, testApp } from '../helpers/app';
import { addDelegates, api, cast, castSealed, credentialFor, prepareHearing, sealFor, tokenFor, type Sealed } from '../helpers/hearing';
import type { Credential } from '../../src/hearing/credential.core';
import { loadTurnout } from '../../src/hearing/hearing.service';
import { getCampaign } from '../../src/campaigns/campaigns.service';
import { mulberry32 } from '../../src/lib/prng.core';

// the figures as the database has them at this moment (the turnout API shares them for 0.5 s)
const turnoutNow = async () => loadTurnout(t.db, await getCampaign(t.db, '2018'));

let t: Awaited<ReturnType<typeof testApp>>;
let org: string;
let staff: string;
let campaignId: string;

beforeAll(async () => {
  t = await testApp();
  await addUser(t.db, 'org', 'organiser');
  await addUser(t.db, 'desk', 'venue_staff', { venueName: '市北区' });
  ({ campaignId } = await prepareHearing(t.db));
  org = await tokenFor(t.app, 'org', PASSWORD);
  staff = await tokenFor(t.app, 'desk', PASSWORD);
  expect((await api(t.app, `/api/campaigns/2018/groups/1/venues/${encodeURIComponent('市北区')}/open`, {}, org)).status).toBe(201);
});
afterAll(() => t.close());

async function dump() {
  const tables = (await t.client.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '%fts%'")).rows;
  const out: Record<string, Record<string, unknown>[]> = {};
  for (const tb of tables) {
    const name = tb['name'] as string;
    out[name] = (await t.client.execute(`SELECT * FROM "${name}"`)).rows.map((r) => ({ ...r }));
  }
  return { tables: Object.fromEntries(tables.map((x) => [x['name'] as string, x['sql'] as string])), rows: out };
}

const cellText = (rows: Record<string, unknown>[]) => rows.flatMap((r) => Object.values(r).map((v) => String(v)));

describe('P1: nobody with the whole database and the logs can tell who cast which ballot', () => {
  it('keeps ballots and spent credentials free of delegates, venues, times and row order', async () => {
    const people = await addDelegates(t.db, campaignId, '市北区', 1, 12);
    const logs = vi.spyOn(console, 'log');
    const errors = vi.spyOn(console, 'error');
    const warns = vi.spyOn(console, 'warn');
    const cast_: { delegate: (typeof people)[number]; checkinId: string; blindedMsg: string; credential: Credential; receipt: string; answers: number[] }[] = [];
    for (const [i, d] of people.entries()) {
      const c = await api(t.app, '/api/campaigns/2018/checkins', { delegateCode: d.code, group: 1, venue: '市北区' }, staff);
      const cred = await credentialFor(t.app, c.json.ticket);
      const answers = Array.from({ length: 12 }, (_, k) => ((i + k) % 4) + 1);
      const r = await cast(t.app, 1, cred.credential, answers);
      expect(r.status).toBe(201);
      cast_.push({ delegate: d, checkinId: c.json.checkinId, blindedMsg: cred.blindedMsg, credential: cred.credential, receipt: r.json.receipt, answers });
    }
    // nothing about a ballot was written to the logs
    expect([...logs.mock.calls, ...errors.mock.calls, ...warns.mock.calls]).toEqual([]);
    logs.mockRestore();
    errors.mockRestore();
    warns.mockRestore();

    const db = await dump();
    // what a ballot and a spent credential are made of: no venue, delegate, time or sequence
    const columns = async (table: string) => (await t.client.execute(`PRAGMA table_info(${table})`)).rows.map((r) => r['name']).sort();
    expect(await columns('ballots')).toEqual(['campaign_id', 'ciphertext', 'group_no', 'receipt']);
    expect(await columns('credential_uses')).toEqual(['campaign_id', 'credential_hash', 'group_no', 'kind', 'receipt', 'tag']);
    // no rowid to betray insertion order
    expect(db.tables['ballots']).toMatch(/WITHOUT ROWID/);
    expect(db.tables['credential_uses']).toMatch(/WITHOUT ROWID/);
    await expect(t.client.execute('SELECT rowid FROM ballots')).rejects.toThrow();
    await expect(t.client.execute('SELECT rowid FROM credential_uses')).rejects.toThrow();
    // the stored order is the order of random receipts, not the order of casting
    const natural = (await t.client.execute('SELECT receipt FROM ballots')).rows.map((r) => r['receipt'] as string);
    expect(natural).toEqual([...natural].sort());
    const spentNatural = (await t.client.execute('SELECT credential_hash FROM credential_uses')).rows.map((r) => r['credential_hash'] as string);
    expect(spentNatural).toEqual([...spentNatural].sort());

    // no value of the ballot side appears anywhere on the delegate side, and the other way round
    const ballotSide = new Set([...cellText(db.rows['ballots']!), ...cellText(db.rows['credential_uses']!)].filter((v) => v.length >= 16 && v !== campaignId));
    const delegateSideTables = Object.keys(db.rows).filter((n) => n !== 'ballots' && n !== 'credential_uses');
    for (const name of delegateSideTables) {
      for (const v of cellText(db.rows[name]!)) expect(ballotSide.has(v), `${name} holds a ballot-side value`).toBe(false);
    }
    const everything = JSON.stringify(db.rows);
    for (const x of cast_) {
      for (const secret of [x.credential.msg, x.credential.sig, x.blindedMsg]) expect(everything.includes(secret)).toBe(false);
      for (const v of [x.delegate.id, x.delegate.code, x.checkinId]) expect(cellText([...db.rows['ballots']!, ...db.rows['credential_uses']!]).some((c) => c.includes(v))).toBe(false);
    }
    // no time on the ballot side: no value there looks like a timestamp
    for (const v of cellText([...db.rows['ballots']!, ...db.rows['credential_uses']!])) expect(/^1\d{9,12}$/.test(v)).toBe(false);
    // the venue is a counter, never a ballot attribute
    const session = db.rows['voting_sessions']!.find((s) => s['venue_name'] === '市北区')!;
    expect(session['ballots_cast']).toBe(12);
  });
});

// mulberry32 (src/lib/prng.core): a seeded generator, so the random sequence is the same on every run
const rng = mulberry32;

describe('P3: issued = cast + voided + unused at every moment', () => {
  it('holds after a random sequence of check-ins, credentials, casts, voids and retries', async () => {
    const venue = '市北区';
    const people = await addDelegates(t.db, campaignId, venue, 1, 30);
    const base = (await turnoutNow()).rows.find((v) => v.venue === venue && v.group === 1)!;
    const model = { issued: base.issued, cast: base.cast, voided: base.voided, unused: base.unused };
    const random = rng(20181211);
    const pick = <T,>(xs: T[]) => xs.splice(Math.floor(random() * xs.length), 1)[0]!;
    const waiting = [...people];
    const tickets: { ticket: string; checkinId: string }[] = [];
    const held: Credential[] = [];
    const spent: { credential: Credential; answers: number[]; sealed: Sealed }[] = [];
    const answersFor = () => Array.from({ length: 12 }, () => 1 + Math.floor(random() * 4));

    for (let step = 0; step < 80; step++) {
      const r = random();
      if (r < 0.3 && waiting.length) {
        const d = pick(waiting);
        const res = await api(t.app, '/api/campaigns/2018/checkins', { delegateCode: d.code, group: 1, venue }, staff);
        expect(res.status).toBe(201);
        tickets.push({ ticket: res.json.ticket, checkinId: res.json.checkinId });
        model.issued++;
        model.unused++;
      } else if (r < 0.5 && tickets.length) {
        held.push((await credentialFor(t.app, pick(tickets).ticket)).credential);
      } else if (r < 0.7 && held.length) {
        const credential = pick(held);
        const answers = answersFor();
        const sealed = await sealFor(t.app, 1, answers);
        const res = await castSealed(t.app, 1, credential, sealed);
        expect(res.status).toBe(201);
        spent.push({ credential, answers, sealed });
        model.cast++;
        model.unused--;
      } else if (r < 0.78 && tickets.length) {
        const tk = pick(tickets);
        expect((await api(t.app, `/api/campaigns/2018/checkins/${tk.checkinId}/void`, { reason: '代表离场' }, staff)).status).toBe(200);
        model.voided++;
        model.unused--;
      } else if (r < 0.84 && held.length) {
        expect((await api(t.app, '/api/ballot/void', { campaign: '2018', group: 1, credential: pick(held), reason: '设备故障' })).status).toBe(200);
        model.voided++;
        model.unused--;
      } else if (spent.length) {
        // a retry after a lost answer, and a second different ballot: neither changes a count
        const s = spent[Math.floor(random() * spent.length)]!;
        expect((await castSealed(t.app, 1, s.credential, s.sealed)).status).toBe(200);
        expect((await cast(t.app, 1, s.credential, s.answers.map((a) => (a % 4) + 1))).status).toBe(409);
      }
      const now = (await turnoutNow()).rows.find((v) => v.venue === venue && v.group === 1)!;
      expect({ issued: now.issued, cast: now.cast, voided: now.voided, unused: now.unused }, `step ${step}`).toEqual(model);
      expect(now.issued).toBe(now.cast + now.voided + now.unused);
      expect(now.balanced).toBe(true);
      expect(now.alarms).toEqual([]);
    }
    expect(model.cast).toBeGreaterThan(3);
    expect(model.voided).toBeGreaterThan(1);
    const stored = Number((await t.client.execute("SELECT count(*) AS n FROM ballots WHERE group_no = 1")).rows[0]!['n']);
    expect(stored).toBe(model.cast);
  });

  it('raises an alarm when the box holds a ballot no venue counted', async () => {
    await t.client.execute({ sql: "INSERT INTO ballots (receipt, campaign_id, group_no, ciphertext) VALUES ('forged', ?, 1, 'x')", args: [campaignId] });
    const r = await turnoutNow();
    expect(r.groupChecks.find((g) => g.group === 1)!.alarms[0]).toContain('票箱中实有');
    await t.client.execute("DELETE FROM ballots WHERE receipt = 'forged'");
  });
});
