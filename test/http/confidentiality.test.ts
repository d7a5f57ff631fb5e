import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { desc } from 'drizzle-orm';
import { auditLog, delegates } from '../../src/db/schema';
import { addUser, Browser, testApp, delegateLinkToken } from '../helpers/app';
import { drawWithSeed, seedEligibleCandidates } from '../helpers/delegates';

let t: Awaited<ReturnType<typeof testApp>>;
beforeAll(async () => {
  t = await testApp();
  await addUser(t.db, 'chief', 'organiser');
  await addUser(t.db, 'shinan', 'venue_staff', { venueName: '市南区' });
  await addUser(t.db, 'laoshan', 'venue_staff', { venueName: '崂山区' });
  await addUser(t.db, 'police', 'qualifier');
  await addUser(t.db, 'auditor', 'auditor');
  await addUser(t.db, 'edu', 'dept_handler', { departmentName: '市教育局' });
  await seedEligibleCandidates(t.db);
  await drawWithSeed(t, 'chief', '0f'.repeat(32));
});
afterAll(() => t.close());

const audits = () => t.db.select().from(auditLog).orderBy(desc(auditLog.seq));
async function as(username: string) {
  const b = new Browser(t.app);
  await b.login(username);
  return b;
}

describe('before the hearing, delegate lists stay with organisers and the delegate’s own venue', () => {
  it('市南区 staff read their own list, without 崂山区’s names', async () => {
    const b = await as('shinan');
    const page = await b.get('/staff/c/2018/delegates');
    expect(page.status).toBe(200);
    expect(page.body).toContain('市民代表名单 · 市南区');
    expect(page.body).toContain('南居民');
    expect(page.body).not.toContain('崂居民');
  });

  it('市南区 staff get 403 for 崂山区’s list, CSV and printable notices, and nothing is logged as exported', async () => {
    const b = await as('shinan');
    const before = (await audits())[0]!.seq;
    for (const path of ['/staff/c/2018/delegates?venue=崂山区', '/staff/c/2018/delegates.csv?venue=崂山区', '/staff/c/2018/delegates/print?venue=崂山区']) {
      const r = await b.get(path);
      expect(r.status, path).toBe(403);
      expect(r.body, path).toContain('您只能查看和办理本会场(市南区)的事项');
      expect(r.body, path).not.toContain('崂居民');
    }
    // nor can they answer for a 崂山区 delegate
    const [laoshanDelegate] = (await t.db.select().from(delegates)).filter((d) => d.venueName === '崂山区');
    await b.get('/staff/c/2018/delegates');
    expect((await b.post(`/staff/c/2018/delegates/${laoshanDelegate!.id}/respond`, { answer: 'decline' })).status).toBe(403);
    expect((await audits())[0]!.seq).toBe(before);
  });

  it('other staff roles and visitors cannot read any list', async () => {
    for (const who of ['police', 'auditor', 'edu']) {
      const b = await as(who);
      expect((await b.get('/staff/c/2018/delegates')).status, who).toBe(403);
      expect((await b.get('/staff/c/2018/delegates.csv')).status, who).toBe(403);
    }
    const visitor = await new Browser(t.app).get('/staff/c/2018/delegates.csv');
    expect(visitor.status).toBe(302);
    expect(visitor.res.headers.get('location')).toContain('/login');
  });

  it('no public page or API lists a delegate', async () => {
    for (const path of ['/c/2018', '/c/2018/draw', '/c/2018/draw.json', '/c/2018/quotas', '/c/2018/venues', '/api/campaigns/2018', '/api/campaigns/2018/quotas', '/api/campaigns/2018/delegates', '/c/2018/delegates']) {
      const res = await t.app.request(path);
      const body = await res.text();
      for (const name of ['南居民', '崂居民', '南专家']) expect(body, `${path} ${name}`).not.toContain(name);
      const [one] = await t.db.select().from(delegates);
      expect(body, path).not.toContain(one!.delegateCode);
      expect(body, path).not.toContain(delegateLinkToken(t.db, one!.id));
    }
  });
});

describe('every export is audit-logged', () => {
  it('CSV: the venue’s own list, with a BOM for Excel, logged with who and which venue', async () => {
    const b = await as('shinan');
    const r = await b.get('/staff/c/2018/delegates.csv');
    expect(r.status).toBe(200);
    expect(r.res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(r.res.headers.get('cache-control')).toBe('no-store');
    // the body starts with a UTF-8 BOM so Excel on Windows reads the Chinese (text() strips it)
    const raw = await t.app.request('http://localhost/staff/c/2018/delegates.csv', { headers: { cookie: [...b.cookies].map(([k, v]) => `${k}=${v}`).join('; ') } });
    expect([...new Uint8Array(await raw.arrayBuffer()).slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = r.body.trim().split('\r\n');
    expect(lines[0]).toBe('会场,分组,类别,姓名,身份证后四位,手机,代表码,状态,候补顺位,个人通知链接');
    expect(lines).toHaveLength(1 + 30 + 6 + 2);
    expect(r.body).not.toContain('崂居民');
    expect((await audits())[0]).toMatchObject({ actorName: 'shinan', action: 'delegates.export', target: 'delegates:2018/市南区' });
  });

  it('the link printed in the CSV export and on each notice opens that delegate’s own page; the draw stored only its keyed hash', async () => {
    const b = await as('shinan');
    const lines = (await b.get('/staff/c/2018/delegates.csv')).body.trim().split('\r\n').slice(1);
    const notices = (await b.get('/staff/c/2018/delegates/print')).body;
    const rows = (await t.db.select().from(delegates)).filter((d) => d.venueName === '市南区');
    expect(lines).toHaveLength(rows.length);
    for (const line of lines) {
      const cells = line.split(',');
      const code = cells[6]!;
      const link = new URL(cells[9]!);
      expect(link.pathname).toMatch(/^\/d\/[0-9A-HJKMNP-TV-Z]{24}$/);
      const token = link.pathname.slice(3);
      const row = rows.find((d) => d.delegateCode === code)!;
      // what the draw stored is a hash, not the printed token
      expect(row.linkHash).toMatch(/^[0-9a-f]{64}$/);
      expect(row.linkHash).not.toContain(token);
      if (row.state === 'selected') expect(notices).toContain(`/d/${token}`);
      const page = await new Browser(t.app).get(link.pathname);
      expect(page.status, code).toBe(200);
      // that delegate's own page: their name, and their code unless a reserve not yet promoted
      expect(page.body).toContain(`${cells[3]}:您已被`);
      if (row.state !== 'reserve') expect(page.body).toContain(code);
    }
    expect(notices.match(/\/d\/[0-9A-HJKMNP-TV-Z]{24}/g)).toHaveLength(32);
  });

  it('printable notices: one venue at a time, each seated delegate with code and QR, logged', async () => {
    const b = await as('shinan');
    const r = await b.get('/staff/c/2018/delegates/print');
    expect(r.status).toBe(200);
    expect(r.body).toContain('个人通知(32 份)');
    const seated = (await t.db.select().from(delegates)).filter((d) => d.venueName === '市南区' && d.state === 'selected');
    for (const d of seated) expect(r.body).toContain(d.delegateCode);
    expect(r.body.match(/<svg/g)!.length).toBe(32);
    expect((await audits())[0]).toMatchObject({ actorName: 'shinan', action: 'delegates.export', target: 'delegates:2018/市南区' });

    const chief = await as('chief');
    const all = await chief.get('/staff/c/2018/delegates/print');
    expect(all.status).toBe(422);
    expect(all.body).toContain('请先选择一个会场');
    const laoshan = await chief.get('/staff/c/2018/delegates/print?venue=崂山区');
    expect(laoshan.status).toBe(200);
    expect(laoshan.body).toContain('崂居民');
    expect((await audits())[0]).toMatchObject({ actorName: 'chief', action: 'delegates.export', target: 'delegates:2018/崂山区' });
    const csv = await chief.get('/staff/c/2018/delegates.csv');
    expect(csv.body).toContain('南居民');
    expect(csv.body).toContain('崂居民');
    expect((await audits())[0]).toMatchObject({ actorName: 'chief', action: 'delegates.export', target: 'delegates:2018/全部' });
  });
});
