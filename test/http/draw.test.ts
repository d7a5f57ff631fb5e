import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { desc, eq } from 'drizzle-orm';
import { auditLog, delegates } from '../../src/db/schema';
import { effectiveSeed, runDraw, seedCommitment, verifyDraw, type PublishedDraw } from '../../src/delegates/draw.core';
import { addUser, Browser, testApp, delegateLinkToken } from '../helpers/app';
import { drawWithSeed, EXPERTS, PUBLIC_SOURCE, PUBLIC_VALUE, RESIDENTS, seedEligibleCandidates } from '../helpers/delegates';
import { makeId } from '../helpers/ids';

let t: Awaited<ReturnType<typeof testApp>>;
let other: Awaited<ReturnType<typeof testApp>>;
const OTHER_SEED = '5a'.repeat(32);

beforeAll(async () => {
  [t, other] = await Promise.all([testApp(), testApp()]);
  for (const x of [t, other]) {
    await addUser(x.db, 'chief', 'organiser');
    await addUser(x.db, 'shinan', 'venue_staff', { venueName: '市南区' });
    await addUser(x.db, 'police', 'qualifier');
    await seedEligibleCandidates(x.db);
  }
});
afterAll(() => {
  t.close();
  other.close();
});

const lastAudit = async () => (await t.db.select().from(auditLog).orderBy(desc(auditLog.seq)).limit(1))[0]!;
const drawFile = async (app = t.app) => {
  const res = await app.request('/c/2018/draw.json');
  return { res, file: (await res.json()) as PublishedDraw & { campaign: string } };
};
const cellOf = (file: PublishedDraw, venue: string, category: string) => file.result.cells.find((c) => c.venue === venue && c.group === 1 && c.category === category)!;

describe('the verifiable draw over HTTP', () => {
  let organiser: Browser;
  let seed = '';

  it('needs the campaign started before a commitment', async () => {
    organiser = new Browser(t.app);
    await organiser.login('chief');
    const page = await organiser.get('/staff/c/2018/draw');
    expect(page.body).toContain('请先在“编辑年度活动”中开始活动');
    const r = await organiser.post('/staff/c/2018/draw/commit', { mode: 'generate' });
    expect(r.status).toBe(409);
    expect(r.body).toContain('请先开始活动');
    await organiser.get('/staff/c/2018/edit');
    expect((await organiser.post('/staff/c/2018/start', { confirm: 'yes' })).status).toBe(303);
  });

  it('only organisers run the draw', async () => {
    const shinan = new Browser(t.app);
    await shinan.login('shinan');
    expect((await shinan.get('/staff/c/2018/draw')).status).toBe(403);
    expect((await shinan.post('/staff/c/2018/draw/commit', { mode: 'generate' })).status).toBe(403);
  });

  it('a bad external commitment is refused at 422 and nothing is committed', async () => {
    await organiser.get('/staff/c/2018/draw');
    const r = await organiser.post('/staff/c/2018/draw/commit', { mode: 'external', commitment: 'not-a-hash' });
    expect(r.status).toBe(422);
    expect(r.body).toContain('承诺值须为 64 位十六进制字符串');
    expect(await (await t.app.request('/c/2018/draw')).text()).toContain('抽签尚未开始');
  });

  it('a commitment without a named public random source is refused at 422, the message beside the field', async () => {
    const forms: Record<string, string>[] = [{ mode: 'generate' }, { mode: 'generate', publicSource: '  ' }, { mode: 'external', commitment: seedCommitment(OTHER_SEED) }];
    for (const form of forms) {
      await organiser.get('/staff/c/2018/draw');
      const r = await organiser.post('/staff/c/2018/draw/commit', form);
      expect(r.status).toBe(422);
      const field = r.body.match(new RegExp(`<input[^>]*id="publicSource-${form.mode}"[^>]*>\\s*<div class="field-error" id="publicSource-${form.mode}-error">([^<]*)</div>`));
      expect(field, form.mode).not.toBeNull();
      expect(field![0]).toContain('aria-invalid="true"');
      expect(field![1]).toContain('请写明公共随机源');
    }
    expect(await t.client.execute('SELECT * FROM draws')).toMatchObject({ rows: [] });
    expect(await (await t.app.request('/c/2018/draw')).text()).toContain('抽签尚未开始');
  });

  it('commit: the system shows a fresh seed once and publishes only its hash, the list digest and the named source', async () => {
    await organiser.get('/staff/c/2018/draw');
    const r = await organiser.post('/staff/c/2018/draw/commit', { mode: 'generate', publicSource: PUBLIC_SOURCE });
    expect(r.status).toBe(200);
    const m = r.body.match(/请立即抄录并妥善保管随机种子[\s\S]*?<code[^>]*>([0-9a-f]{64})<\/code>/);
    expect(m).not.toBeNull();
    seed = m![1]!;
    const publicPage = await (await t.app.request('/c/2018/draw')).text();
    expect(publicPage).toContain(seedCommitment(seed));
    expect(publicPage).toContain('共 47 名合格候选人'); // the rejected one is not in the pool
    expect(publicPage).not.toContain(seed);
    expect(publicPage).toContain(PUBLIC_SOURCE);
    expect(JSON.stringify((await t.client.execute('SELECT * FROM draws')).rows)).not.toContain(seed);
    expect(await lastAudit()).toMatchObject({ action: 'draw.commit', target: 'draw:2018' });
    expect((await t.app.request('/c/2018/draw.json')).status).toBe(404);
  });

  it('after the commitment the list is sealed: no sign-up, import or review changes it', async () => {
    const v = new Browser(t.app);
    expect((await v.get('/c/2018/signup')).body).toContain('本年度报名已截止');
    await v.get('/login'); // a page with a form, for the CSRF token a stale sign-up form would carry
    const signup = await v.post('/c/2018/signup', { name: '迟到者', idNumber: makeId('1980-02-02', 99), mobile: '13800009999', district: '市南区', venueName: '市南区', occupation: '职员', declaredCategory: '社区或村居民代表', groups: '1', resident: 'yes', consent: 'yes' });
    expect(signup.status).toBe(409);
    expect(signup.body).toContain('报名已截止');
    const imp = await organiser.get('/staff/c/2018/candidates/import');
    expect(imp.body).toContain('候选名单已随抽签承诺封存');
    const police = new Browser(t.app);
    await police.login('police');
    await police.get('/staff/c/2018/candidates');
    const [x] = (await t.client.execute("SELECT id FROM candidates WHERE code = 'X01'")).rows;
    expect((await police.post(`/staff/c/2018/candidates/${x!['id']}/qualification`, { decision: 'passed' })).status).toBe(409);
  });

  it('run: a seed that does not match the commitment is refused; the revealed one draws once', async () => {
    await organiser.get('/staff/c/2018/draw');
    const wrong = await organiser.post('/staff/c/2018/draw/run', { seed: OTHER_SEED, publicValue: PUBLIC_VALUE });
    expect(wrong.status).toBe(422);
    expect(wrong.body).toContain('该种子与公布的承诺不符');
    // the public value is required, and must be numbers in sets
    for (const publicValue of ['', '红球 3 7 12 19 25 31 蓝球 9']) {
      const bad = await organiser.post('/staff/c/2018/draw/run', { seed, publicValue });
      expect(bad.status).toBe(422);
      expect(bad.body).toMatch(/<div class="field-error" id="publicValue-error">(请输入公共随机源公布的号码|公共随机值只能包含数字和分隔符)/);
    }
    expect(await t.db.select().from(delegates)).toHaveLength(0);
    const r = await organiser.post('/staff/c/2018/draw/run', { seed: seed.toUpperCase(), publicValue: PUBLIC_VALUE });
    expect(r.status).toBe(303);
    expect(await lastAudit()).toMatchObject({ action: 'draw.run', target: 'draw:2018' });
    await organiser.get('/staff/c/2018/draw');
    const again = await organiser.post('/staff/c/2018/draw/run', { seed, publicValue: PUBLIC_VALUE });
    expect(again.status).toBe(409);
    expect(again.body).toContain('结果不能重抽');
  });

  it('the public page reveals the seed and the shortfalls, never a name', async () => {
    const html = await (await t.app.request('/c/2018/draw')).text();
    expect(html).toContain(seed);
    // and the named source, its canonical value and the seed derived from both
    expect(html).toContain(PUBLIC_SOURCE);
    expect(html).toContain('3.7.12.19.25.31./9./');
    expect(html).toContain(effectiveSeed(seed, PUBLIC_SOURCE, '3.7.12.19.25.31./9./'));
    expect(html).toContain('候选人不足的名额(不从其他类别补足)');
    expect(html).toContain(EXPERTS);
    for (const name of ['南居民1号', '南专家甲', '崂居民1号', '南落选者']) expect(html).not.toContain(name);
  });

  it('draw.json verifies, fills each cell only from its own category and reports shortfalls', async () => {
    const { res, file } = await drawFile();
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toContain('draw-2018.json');
    expect(verifyDraw(file)).toMatchObject({ ok: true, publicValue: '3.7.12.19.25.31./9./' });
    expect(file.seed).toBe(seed);
    expect(file).toMatchObject({ version: 2, publicSource: PUBLIC_SOURCE, publicValue: '3.7.12.19.25.31./9./', effectiveSeed: effectiveSeed(seed, PUBLIC_SOURCE, '3.7.12.19.25.31./9./') });
    expect((file as unknown as { derivation: string }).derivation).toContain('HMAC-SHA256');
    expect(file.candidates).toHaveLength(47);
    expect(file.candidates.map((c) => c.code)).not.toContain('X01');
    const text = JSON.stringify(file);
    for (const name of ['南居民', '南专家', '崂居民', '1390']) expect(text).not.toContain(name);

    const residents = cellOf(file, '市南区', RESIDENTS);
    expect(residents).toMatchObject({ seats: 30, shortfall: 0 });
    expect(residents.selected).toHaveLength(30);
    expect(residents.reserve).toHaveLength(6);
    const experts = cellOf(file, '市南区', EXPERTS);
    // 4 seats, 2 experts: both drawn, 2 seats short, and none of the 4 leftover residents fill them
    expect(experts).toMatchObject({ seats: 4, shortfall: 2, reserve: [] });
    expect([...experts.selected].sort()).toEqual(['E1', 'E2']);
    expect(cellOf(file, '崂山区', RESIDENTS)).toMatchObject({ seats: 30, shortfall: 25 });
    expect(file.result.totals.selected).toBe(30 + 2 + 5);
    expect(await t.db.select().from(delegates)).toHaveLength(30 + 6 + 2 + 5);
  });

  it('a tampered file no longer verifies', async () => {
    const { file } = await drawFile();
    const cell = cellOf(file, '市南区', RESIDENTS);
    const swapped = structuredClone(file);
    const c = cellOf(swapped, '市南区', RESIDENTS);
    [c.selected[0], c.reserve[0]] = [cell.reserve[0]!, cell.selected[0]!];
    expect(verifyDraw(swapped)).toEqual({ ok: false, reason: expect.stringContaining('入选名单第 1 位应为') });
    expect(verifyDraw({ ...file, seed: OTHER_SEED })).toEqual({ ok: false, reason: '随机种子与公布的承诺值不符' });
  });

  it('a draw with a changed public value gives a different outcome, which verify refuses', async () => {
    const { file } = await drawFile();
    const changedValue = '3.7.12.19.25.32./9./';
    // the outcome really depends on the public value
    const changedSeed = effectiveSeed(file.seed, PUBLIC_SOURCE, changedValue);
    const other = runDraw({ seed: changedSeed, cells: file.cells, candidates: file.candidates });
    const cellIn = (r: { cells: PublishedDraw['result']['cells'] }) => r.cells.find((c) => c.venue === '市南区' && c.group === 1 && c.category === RESIDENTS)!;
    expect(cellIn(other).selected).not.toEqual(cellIn(file.result).selected);
    // the file claiming another public value is refused, whether or not its effective seed is recomputed
    expect(verifyDraw({ ...file, publicValue: changedValue })).toEqual({ ok: false, reason: expect.stringContaining('有效种子与(随机种子, 公共随机源, 公共随机值)推导的结果不符') });
    // (the seed is random, so which cell and position differ first varies)
    expect(verifyDraw({ ...file, publicValue: changedValue, effectiveSeed: changedSeed })).toEqual({ ok: false, reason: expect.stringMatching(/(入选|候补)名单第 \d+ 位应为/) });
    // a value not in canonical form, or another named source, is refused too
    expect(verifyDraw({ ...file, publicValue: '03 07 12 19 25 31 + 09' })).toEqual({ ok: false, reason: '公共随机值不是规范形式:应写作 3.7.12.19.25.31./9./' });
    expect(verifyDraw({ ...file, publicSource: '中国体育彩票超级大乐透 第 18141 期' })).toMatchObject({ ok: false });
  });

  it('the same list drawn with another seed gives another outcome, which verifies too', async () => {
    await drawWithSeed(other, 'chief', OTHER_SEED);
    const a = (await drawFile()).file;
    const b = (await drawFile(other.app)).file;
    expect(b.candidatesDigest).toBe(a.candidatesDigest);
    expect(verifyDraw(b)).toMatchObject({ ok: true });
    expect(cellOf(b, '市南区', RESIDENTS).selected).not.toEqual(cellOf(a, '市南区', RESIDENTS).selected);
  });
});

describe('confirmation, decline and the next reserve', () => {
  const cell = async (venue: string, category: string) =>
    (await t.db.select().from(delegates).where(eq(delegates.venueName, venue))).filter((d) => d.category === category).sort((x, y) => x.drawRank - y.drawRank);

  it('the personal page shows the delegate code and its QR, with confirm and decline', async () => {
    const [first] = await cell('市南区', RESIDENTS);
    const page = await new Browser(t.app).get(`/d/${delegateLinkToken(t.db, first!.id)}`);
    expect(page.status).toBe(200);
    expect(page.res.headers.get('cache-control')).toBe('no-store');
    expect(page.body).toContain(first!.delegateCode);
    expect(page.body).toMatch(/<svg[^>]*viewBox/);
    expect(page.body).toContain(`代表码 ${first!.delegateCode} 的二维码`);
    expect(page.body).toContain('确认参加');
    expect(page.body).toContain('不能参加(婉拒)');
    expect((await new Browser(t.app).get('/d/NOSUCHTOKEN')).status).toBe(404);
  });

  it('a delegate confirms; a nonsense answer is refused', async () => {
    const [, second] = await cell('市南区', RESIDENTS);
    const b = new Browser(t.app);
    await b.get(`/d/${delegateLinkToken(t.db, second!.id)}`);
    expect((await b.post(`/d/${delegateLinkToken(t.db, second!.id)}`, { answer: 'maybe' })).status).toBe(422);
    const r = await b.post(`/d/${delegateLinkToken(t.db, second!.id)}`, { answer: 'confirm' });
    expect(r.status).toBe(303);
    expect((await b.get(r.res.headers.get('location')!)).body).toContain('已确认参加,感谢您');
    expect((await cell('市南区', RESIDENTS))[1]!.state).toBe('confirmed');
    const again = await b.post(`/d/${delegateLinkToken(t.db, second!.id)}`, { answer: 'confirm' });
    expect(again.status).toBe(409);
    expect(again.body).toContain('无需重复确认');
  });

  it('a decline frees the seat for reserve no. 1, who can then see their code; a second decline changes nothing', async () => {
    const before = await cell('市南区', RESIDENTS);
    const first = before[0]!;
    const reserve1 = before.find((d) => d.reserveRank === 1)!;
    expect(reserve1.state).toBe('reserve');
    const reservePage = await new Browser(t.app).get(`/d/${delegateLinkToken(t.db, reserve1.id)}`);
    expect(reservePage.body).toContain('您目前是候补代表');
    expect(reservePage.body).not.toContain(reserve1.delegateCode);

    const b = new Browser(t.app);
    await b.get(`/d/${delegateLinkToken(t.db, first.id)}`);
    expect((await b.post(`/d/${delegateLinkToken(t.db, first.id)}`, { answer: 'decline' })).status).toBe(303);
    const after = await cell('市南区', RESIDENTS);
    expect(after.find((d) => d.id === first.id)!.state).toBe('declined');
    expect(after.find((d) => d.id === reserve1.id)!.state).toBe('selected');
    expect(after.filter((d) => d.state === 'reserve')).toHaveLength(5);
    expect(after.filter((d) => d.state === 'selected' || d.state === 'confirmed')).toHaveLength(30);
    expect(await lastAudit()).toMatchObject({ action: 'delegate.decline', target: `delegate:${first.delegateCode}` });

    const promoted = await new Browser(t.app).get(`/d/${delegateLinkToken(t.db, reserve1.id)}`);
    expect(promoted.body).toContain('递补');
    expect(promoted.body).toContain(reserve1.delegateCode);
    expect(promoted.body).toMatch(/<svg/);

    const again = await b.post(`/d/${delegateLinkToken(t.db, first.id)}`, { answer: 'decline' });
    expect(again.status).toBe(409);
    expect((await cell('市南区', RESIDENTS)).filter((d) => d.state === 'reserve')).toHaveLength(5);
  });

  it('venue staff record an answer given by phone; the next reserve moves up', async () => {
    const shinan = new Browser(t.app);
    await shinan.login('shinan');
    await shinan.get('/staff/c/2018/delegates');
    const seated = (await cell('市南区', RESIDENTS)).find((d) => d.state === 'selected')!;
    const reserve2 = (await cell('市南区', RESIDENTS)).find((d) => d.reserveRank === 2)!;
    const r = await shinan.post(`/staff/c/2018/delegates/${seated.id}/respond`, { answer: 'decline' });
    expect(r.status).toBe(303);
    const after = await cell('市南区', RESIDENTS);
    expect(after.find((d) => d.id === seated.id)!.state).toBe('declined');
    expect(after.find((d) => d.id === reserve2.id)!.state).toBe('selected');
    expect(await lastAudit()).toMatchObject({ actorName: 'shinan', action: 'delegate.decline' });
  });

  it('a decline in a cell without reserves leaves the seat empty rather than borrowing from elsewhere', async () => {
    const [l1] = await cell('崂山区', RESIDENTS);
    const b = new Browser(t.app);
    await b.get(`/d/${delegateLinkToken(t.db, l1!.id)}`);
    expect((await b.post(`/d/${delegateLinkToken(t.db, l1!.id)}`, { answer: 'decline' })).status).toBe(303);
    const all = await t.db.select().from(delegates);
    expect(all.filter((d) => d.venueName === '崂山区' && d.state === 'selected')).toHaveLength(4);
    expect(all.filter((d) => d.venueName === '市南区' && d.state === 'reserve')).toHaveLength(4);
  });
});
