import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { addUser, Browser, testApp } from '../helpers/app';
import { addDelegates, prepareHearing } from '../helpers/hearing';
import { openDisciplineSurvey, openSocialSurvey, respond, respondOpen, responseCredential, socialAnswers } from '../helpers/survey';
import type { Credential } from '../../src/hearing/credential.core';

let t: Awaited<ReturnType<typeof testApp>>;

beforeAll(async () => {
  t = await testApp();
  await addUser(t.db, 'org', 'organiser');
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
const RESPONSE_SIDE = ['survey_responses', 'survey_credential_uses'];

describe('P1 for survey responses: nobody with the whole database and the logs can tell who answered what', () => {
  it('keeps responses and spent credentials free of invitations, delegates, times and row order', async () => {
    const { campaignId } = await prepareHearing(t.db, []);
    const people = await addDelegates(t.db, campaignId, '市北区', 1, 6);
    const { survey, codes } = await openSocialSurvey(t.db, 4);
    const org = new Browser(t.app);
    await org.login('org');
    // delegates get their invitation codes at the desk; citizens from a printed batch
    const delegateCodes: string[] = [];
    for (const d of people) {
      await org.get(`/staff/c/2018/surveys/${survey.id}`);
      const r = await org.post(`/staff/c/2018/surveys/${survey.id}/invitations/delegate`, { delegateCode: d.code });
      expect(r.status).toBe(200);
      delegateCodes.push(/<p class="ticket">([0-9A-Z-]+)<\/p>/.exec(r.body)![1]!);
    }
    await org.get(`/staff/c/2018/surveys/${survey.id}`);
    expect((await org.post(`/staff/c/2018/surveys/${survey.id}/invitations/delegate`, { delegateCode: people[0]!.code })).body).toContain('不能重复领取');

    const logs = vi.spyOn(console, 'log');
    const errors = vi.spyOn(console, 'error');
    const warns = vi.spyOn(console, 'warn');
    const answered: { code: string; credential: Credential; blindedMsg: string; receipt: string }[] = [];
    for (const [i, code] of [...delegateCodes, ...codes].entries()) {
      const { credential, blindedMsg } = await responseCredential(t.app, code);
      const r = await respond(t.app, survey, credential, socialAnswers(Array.from({ length: 13 }, (_, k) => ((i + k) % 4) + 1), { q17: `第${i}条建议:多建公园` }));
      expect(r.status).toBe(201);
      answered.push({ code, credential, blindedMsg, receipt: r.json.receipt });
    }
    expect([...logs.mock.calls, ...errors.mock.calls, ...warns.mock.calls]).toEqual([]);
    logs.mockRestore();
    errors.mockRestore();
    warns.mockRestore();

    const db = await dump();
    const columns = async (table: string) => (await t.client.execute(`PRAGMA table_info(${table})`)).rows.map((r) => r['name']).sort();
    expect(await columns('survey_responses')).toEqual(['ciphertext', 'receipt', 'survey_id']);
    expect(await columns('survey_credential_uses')).toEqual(['credential_hash', 'receipt', 'survey_id', 'tag']);
    for (const table of RESPONSE_SIDE) {
      expect(db.tables[table]).toMatch(/WITHOUT ROWID/);
      await expect(t.client.execute(`SELECT rowid FROM ${table}`)).rejects.toThrow();
    }
    const natural = (await t.client.execute('SELECT receipt FROM survey_responses')).rows.map((r) => r['receipt'] as string);
    expect(natural).toEqual([...natural].sort());
    const spent = (await t.client.execute('SELECT credential_hash FROM survey_credential_uses')).rows.map((r) => r['credential_hash'] as string);
    expect(spent).toEqual([...spent].sort());

    // no value of the response side appears anywhere else, and the other way round
    const responseSide = new Set(RESPONSE_SIDE.flatMap((n) => cellText(db.rows[n]!)).filter((v) => v.length >= 16 && v !== survey.id));
    for (const name of Object.keys(db.rows).filter((n) => !RESPONSE_SIDE.includes(n))) {
      for (const v of cellText(db.rows[name]!)) expect(responseSide.has(v), `${name} holds a response-side value`).toBe(false);
    }
    const everything = JSON.stringify(db.rows);
    const responseText = cellText(RESPONSE_SIDE.flatMap((n) => db.rows[n]!));
    for (const x of answered) {
      for (const secret of [x.credential.msg, x.credential.sig, x.blindedMsg, x.code]) expect(everything.includes(secret)).toBe(false);
    }
    for (const inv of db.rows['survey_invitations']!) {
      for (const v of [inv['id'], inv['delegate_id'], inv['ticket_hash'], inv['blind_hash']].filter(Boolean)) {
        expect(responseText.some((c) => c.includes(String(v)))).toBe(false);
      }
    }
    // no time on the response side, and the plaintext is nowhere
    for (const v of responseText) expect(/^1\d{9,12}$/.test(v)).toBe(false);
    expect(everything.includes('多建公园')).toBe(false);
    // the invitations say only that a code was redeemed, never for which response
    expect(db.rows['survey_invitations']!.every((r) => r['state'] === 'redeemed')).toBe(true);
    expect(Object.keys(db.rows['survey_invitations']![0]!).sort()).toEqual(['batch', 'blind_hash', 'channel', 'delegate_id', 'id', 'state', 'survey_id', 'ticket_hash']);
  });

  it('keeps the open discipline form just as anonymous: no reporter, no time, no order, no plaintext', async () => {
    const { survey } = await openDisciplineSurvey(t.db);
    for (let i = 0; i < 4; i++) {
      expect((await respondOpen(t.app, survey, { q1: 2, q2: [1], q4: `第${i}次:有人在会场外请代表给某部门打满意` }, { ip: `192.0.2.${60 + i}` })).status).toBe(201);
    }
    const db = await dump();
    const rows = db.rows['survey_responses']!.filter((r) => r['survey_id'] === survey.id);
    expect(rows).toHaveLength(4);
    expect(JSON.stringify(db.rows).includes('会场外请代表')).toBe(false);
    for (const v of cellText(rows)) expect(/^1\d{9,12}$/.test(v)).toBe(false);
    // nothing else was written per report (only the survey's counter moved)
    const audit = await t.client.execute("SELECT count(*) AS n FROM audit_log WHERE action LIKE 'survey.respon%'");
    expect(audit.rows[0]!['n']).toBe(0);
  });
});
