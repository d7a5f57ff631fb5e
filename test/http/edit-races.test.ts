import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog, campaigns, departments, groups, quotaBase, quotaCategories, venues } from '../../src/db/schema';
import { addUser, Browser, formVersion, testApp } from '../helpers/app';

/**
 * Every check-then-write re-checks its state inside the write's own batch, and edits of one
 * record carry the version they were read at. Each test here is an attack that landed before.
 */
let t: Awaited<ReturnType<typeof testApp>>;
let org: Browser;
let other: Browser;
const actions = async () => (await t.db.select().from(auditLog)).map((r) => r.action);
const deptByName = async (name: string) => (await t.db.select().from(departments).where(eq(departments.name, name)))[0]!;
const HX = { 'HX-Request': 'true' };

beforeAll(async () => {
  t = await testApp();
  await addUser(t.db, 'organiser', 'organiser');
  await addUser(t.db, 'organiser2', 'organiser');
  org = new Browser(t.app);
  other = new Browser(t.app);
  await org.login('organiser');
  await other.login('organiser2');
});
afterAll(() => t.close());

/** The fields of one base-table form of the quota editor as the page rendered them (cells and version). */
function quotaTableForm(body: string, kind: 'main' | 'sub'): Record<string, string> {
  const at = body.indexOf(`id="quota-${kind}"`);
  const form = body.slice(at, body.indexOf('</form>', at));
  return Object.fromEntries([...form.matchAll(/name="([^"]+)"[^>]*?value="([^"]*)"/g)].filter((m) => m[1] !== '_csrf').map((m) => [m[1]!, m[2]!]));
}
/** Moves `n` seats of group `g` from the table's first category to its second (the column still adds up). */
function moveSeats(form: Record<string, string>, g: number, n: number): Record<string, string> {
  const cells = Object.keys(form).filter((k) => k.endsWith(`_${g}`));
  const [from, to] = cells.filter((k) => Number(form[k]) >= n);
  return { ...form, [from!]: String(Number(form[from!]) - n), [to!]: String(Number(form[to!]) + n) };
}
const quotaCells = async (kind: 'main' | 'sub') => {
  const [c] = await t.db.select().from(campaigns).where(eq(campaigns.code, '2018'));
  const cats = (await t.db.select().from(quotaCategories).where(eq(quotaCategories.campaignId, c!.id))).filter((x) => x.venueKind === kind);
  const base = await t.db.select().from(quotaBase);
  return Object.fromEntries(base.filter((b) => cats.some((x) => x.id === b.categoryId)).map((b) => [`${b.categoryId}_${b.groupNo}`, String(b.seats)]));
};
const withoutVersion = ({ version: _v, ...cells }: Record<string, string>) => cells;

const departmentForm = (d: { name: string; duties: string; goals: string; report: string }, over: Record<string, string>) => ({
  name: d.name,
  group: '4',
  duties: d.duties,
  goals: d.goals,
  report: d.report,
  ...over,
});

describe('two organisers editing the same record', () => {
  it('two organisers editing the same department: the second is told and shown the newer values', async () => {
    const d = await deptByName('市教育局');
    const first = await org.get(`/staff/c/2018/departments/${d.id}/edit`);
    const second = await other.get(`/staff/c/2018/departments/${d.id}/edit`);
    const v1 = formVersion(first.body, 'department-form');
    expect(formVersion(second.body, 'department-form')).toBe(v1);

    const a = await org.post(`/staff/c/2018/departments/${d.id}`, departmentForm(d, { duties: '甲填写的职责:学位供给', version: v1 }), { headers: HX });
    expect(a.status).toBe(200);
    const auditBefore = await actions();
    const b = await other.post(`/staff/c/2018/departments/${d.id}`, departmentForm(d, { duties: '乙填写的职责', version: v1 }), { headers: HX });
    expect(b.status).toBe(409);
    expect(b.body).toContain('该内容已被他人修改,下方显示的是最新内容,请核对后重新提交');
    expect(b.body).toContain('甲填写的职责:学位供给'); // the newer values, not the loser's
    expect(b.body).not.toContain('<html'); // an htmx fragment
    const v2 = formVersion(b.body, 'department-form');
    expect(Number(v2)).toBe(Number(v1) + 1);
    expect((await deptByName('市教育局')).duties).toBe('甲填写的职责:学位供给');
    expect(await actions()).toEqual(auditBefore);

    // having seen the newer values, the second organiser can save on top of them
    const again = await other.post(`/staff/c/2018/departments/${d.id}`, departmentForm(d, { duties: '乙核对后的职责', version: v2 }), { headers: HX });
    expect(again.status).toBe(200);
    expect((await deptByName('市教育局')).duties).toBe('乙核对后的职责');
  });

  it('without JavaScript, the losing edit gets a whole page with the newer values at 409', async () => {
    const d = await deptByName('市民政局');
    const v = formVersion((await org.get(`/staff/c/2018/departments/${d.id}/edit`)).body, 'department-form');
    expect((await org.post(`/staff/c/2018/departments/${d.id}`, departmentForm(d, { report: '先保存的报告', version: v }))).status).toBe(303);
    const late = await other.post(`/staff/c/2018/departments/${d.id}`, departmentForm(d, { report: '后保存的报告', version: v }));
    expect(late.status).toBe(409);
    expect(late.body).toContain('<html');
    expect(late.body).toContain('该内容已被他人修改');
    expect(late.body).toContain('先保存的报告');
    expect((await deptByName('市民政局')).report).toBe('先保存的报告');
  });

  it('a form posted without its version (a stale or forged form) is refused, not silently applied', async () => {
    const d = await deptByName('市民政局');
    const res = await org.post(`/staff/c/2018/departments/${d.id}`, departmentForm(d, { report: '没有版本号的修改' }), { headers: HX });
    expect(res.status).toBe(409);
    expect((await deptByName('市民政局')).report).toBe('先保存的报告');
  });

  it('two organisers saving the same group at the same instant: exactly one wins, the other sees its values', async () => {
    const v = formVersion((await org.get('/staff/c/2018/edit')).body, 'group-3');
    await other.get('/staff/c/2018/edit');
    const [a, b] = await Promise.all([
      org.post('/staff/c/2018/groups/3', { title: '第三组', date: '2018-12-14', startTime: '08:30', version: v }, { headers: HX }),
      other.post('/staff/c/2018/groups/3', { title: '第三组', date: '2018-12-14', startTime: '14:30', version: v }, { headers: HX }),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    const loser = a.status === 409 ? a : b;
    const [g] = await t.db.select().from(groups).where(eq(groups.no, 3));
    expect(g!.version).toBe(Number(v) + 1);
    expect(loser.body).toContain('该内容已被他人修改');
    expect(loser.body).toContain(`value="${g!.startTime}"`);
    expect((await actions()).filter((x) => x === 'group.update')).toHaveLength(1);
  });

  it('two organisers saving the same venue’s seats at the same instant: one wins, the seats are not mixed', async () => {
    const venue = (await t.db.select().from(venues).where(eq(venues.name, '青岛高新区')))[0]!;
    const v = formVersion((await org.get('/staff/c/2018/edit')).body, `venue-${venue.id}`);
    const seats = (n: string) => ({ name: '青岛高新区', kind: 'sub', seats_1: n, seats_2: n, seats_3: n, seats_4: n, version: v });
    const [a, b] = await Promise.all([
      org.post(`/staff/c/2018/venues/${venue.id}`, seats('61'), { headers: HX }),
      other.post(`/staff/c/2018/venues/${venue.id}`, seats('62'), { headers: HX }),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    const winner = a.status === 200 ? '61' : '62';
    const stored = await t.db.query.venueSeats.findMany({ where: (s, { eq }) => eq(s.venueId, venue.id) });
    expect(stored.map((s) => String(s.seats))).toEqual([winner, winner, winner, winner]);
    expect((a.status === 409 ? a : b).body).toContain(`value="${winner}"`);
  });
});

describe('two organisers editing one quota table', () => {
  it('two organisers edit one quota table: the second is told and shown the newer values', async () => {
    const first = quotaTableForm((await org.get('/staff/c/2018/quotas')).body, 'sub');
    const second = quotaTableForm((await other.get('/staff/c/2018/quotas')).body, 'sub');
    expect(second).toEqual(first);
    const mine = moveSeats(first, 2, 3);
    expect((await org.post('/staff/c/2018/quotas/sub', mine)).status).toBe(303);
    const auditBefore = await actions();
    const theirs = moveSeats(second, 3, 2);
    const late = await other.post('/staff/c/2018/quotas/sub', theirs);
    expect(late.status).toBe(409);
    expect(late.body).toContain('该内容已被他人修改,下方显示的是最新内容,请核对后重新提交');
    // the form it came back with shows the first organiser's table and its newer version
    const shown = quotaTableForm(late.body, 'sub');
    expect(withoutVersion(shown)).toEqual(withoutVersion(mine));
    expect(Number(shown['version'])).toBe(Number(first['version']) + 1);
    expect(await quotaCells('sub')).toEqual(withoutVersion(mine));
    expect(await actions()).toEqual(auditBefore);

    // having seen the newer table, the second organiser saves on top of it
    const again = moveSeats(shown, 3, 2);
    expect((await other.post('/staff/c/2018/quotas/sub', again)).status).toBe(303);
    expect(await quotaCells('sub')).toEqual(withoutVersion(again));
  });

  it('two organisers saving one quota table at the same instant: one whole table lands, never a mix of both', async () => {
    const form = quotaTableForm((await org.get('/staff/c/2018/quotas')).body, 'main');
    await other.get('/staff/c/2018/quotas');
    const a = moveSeats(form, 1, 1);
    const b = moveSeats(form, 4, 2);
    const [ra, rb] = await Promise.all([org.post('/staff/c/2018/quotas/main', a), other.post('/staff/c/2018/quotas/main', b)]);
    expect([ra.status, rb.status].sort()).toEqual([303, 409]);
    const winner = ra.status === 303 ? a : b;
    expect(await quotaCells('main')).toEqual(withoutVersion(winner));
    expect(quotaTableForm((ra.status === 409 ? ra : rb).body, 'main')).toMatchObject(withoutVersion(winner));
    // the winner's save moved the version once
    const [c] = await t.db.select().from(campaigns).where(eq(campaigns.code, '2018'));
    expect(c!.quotaMainVersion).toBe(Number(form['version']) + 1);
  });

  it('a quota table posted without its version, or with an old one, is refused and changes nothing', async () => {
    const form = quotaTableForm((await org.get('/staff/c/2018/quotas')).body, 'sub');
    const before = await quotaCells('sub');
    const auditBefore = await actions();
    expect((await org.post('/staff/c/2018/quotas/sub', withoutVersion(moveSeats(form, 1, 1)))).status).toBe(409);
    expect((await org.post('/staff/c/2018/quotas/sub', { ...moveSeats(form, 1, 1), version: String(Number(form['version']) - 1) })).status).toBe(409);
    expect(await quotaCells('sub')).toEqual(before);
    expect(await actions()).toEqual(auditBefore);
  });

  it('a table that does not add up comes back at 422 with the version it was read at, so its next save still answers for that reading', async () => {
    const form = quotaTableForm((await org.get('/staff/c/2018/quotas')).body, 'sub');
    const cell = Object.keys(form).find((k) => k.endsWith('_1'))!;
    const bad = await org.post('/staff/c/2018/quotas/sub', { ...form, [cell]: String(Number(form[cell]) + 1) });
    expect(bad.status).toBe(422);
    expect(quotaTableForm(bad.body, 'sub')['version']).toBe(form['version']);
    // someone saves meanwhile; the corrected form from the 422 page is then refused
    expect((await other.post('/staff/c/2018/quotas/sub', moveSeats(quotaTableForm((await other.get('/staff/c/2018/quotas')).body, 'sub'), 2, 1))).status).toBe(303);
    const corrected = { ...quotaTableForm(bad.body, 'sub'), [cell]: form[cell]! };
    const late = await org.post('/staff/c/2018/quotas/sub', corrected);
    expect(late.status).toBe(409);
    expect(late.body).toContain('该内容已被他人修改');
  });
});

describe('an edit racing the start of the campaign', () => {
  it('an edit whose body arrives after the campaign starts is refused and leaves no audit entry', async () => {
    const edit = await org.get('/staff/c/2018/edit');
    const v = formVersion(edit.body, 'group-1');
    const held = org.postHeld('/staff/c/2018/groups/1', { title: '第一组', date: '2018-12-12', startTime: '13:00', version: v }, HX);
    await held.reading; // the draft check has passed; the route now waits for the body
    const started = await other.post('/staff/c/2018/start', { confirm: 'yes' });
    expect(started.status).toBe(303);
    const auditBefore = await actions();
    held.release();
    const res = await held.done;
    expect(res.status).toBe(409);
    expect(res.body).toContain('已冻结');
    const [g] = await t.db.select().from(groups).where(eq(groups.no, 1));
    expect(g!.startTime).not.toBe('13:00');
    expect(await actions()).toEqual(auditBefore);
    expect(auditBefore.at(-1)).toBe('campaign.start');
  });

  it('department, new-department, material, venue and quota edits whose bodies arrive after the start are all refused, with no audit entry', async () => {
    await org.get('/staff/campaigns');
    expect((await org.post('/staff/campaigns/copy', { from: '2018', code: '2020', name: '2020年市政府部门向市民报告听市民意见请市民评议活动', year: '2020' })).status).toBe(303);
    const [c2020] = await t.db.query.campaigns.findMany({ where: (c, { eq }) => eq(c.code, '2020') });
    const d = (await t.db.query.departments.findMany({ where: (x, { and, eq }) => and(eq(x.campaignId, c2020!.id), eq(x.name, '市科技局')) }))[0]!;
    const venue = (await t.db.query.venues.findMany({ where: (x, { and, eq }) => and(eq(x.campaignId, c2020!.id), eq(x.name, '青岛高新区')) }))[0]!;
    const page = await org.get(`/staff/c/2020/departments/${d.id}/edit`);
    await org.get('/staff/c/2020/quotas');
    const quotaPage = (await org.get('/staff/c/2020/quotas')).body;
    const quotaForm = quotaTableForm(quotaPage, 'main');
    expect(quotaForm['version']).toBeDefined();
    const held = [
      org.postHeld(`/staff/c/2020/departments/${d.id}`, departmentForm(d, { duties: '开始后才到的职责', version: formVersion(page.body, 'department-form') })),
      org.postHeld('/staff/c/2020/departments', { name: '市大数据局', group: '1' }),
      org.postHeld(`/staff/c/2020/departments/${d.id}/materials`, { kind: 'link', title: '开始后才到的附件', url: 'https://example.org/a.pdf' }),
      org.postHeld(`/staff/c/2020/venues/${venue.id}`, { name: '青岛高新区', kind: 'sub', seats_1: '1', seats_2: '1', seats_3: '1', seats_4: '1', version: String(venue.version) }),
      org.postHeld(`/staff/c/2020/departments/${d.id}/move`, { direction: 'up' }),
      org.postHeld('/staff/c/2020/quotas/main', quotaForm),
    ];
    await Promise.all(held.map((h) => h.reading));
    expect((await other.post('/staff/c/2020/start', { confirm: 'yes' })).status).toBe(303);
    const before = await actions();
    held.forEach((h) => h.release());
    const answers = await Promise.all(held.map((h) => h.done));
    expect(answers.map((a) => a.status)).toEqual([409, 409, 409, 409, 409, 409]);
    for (const a of answers) expect(a.body).toContain('已冻结');
    expect(await actions()).toEqual(before);
    const after = (await t.db.query.departments.findMany({ where: (x, { eq }) => eq(x.id, d.id) }))[0]!;
    expect(after).toEqual(d);
  });

  it('starting the campaign twice at once records one start', async () => {
    // a fresh draft: the 2019 copy
    await org.get('/staff/campaigns');
    expect((await org.post('/staff/campaigns/copy', { from: '2018', code: '2019', name: '2019年市政府部门向市民报告听市民意见请市民评议活动', year: '2019' })).status).toBe(303);
    await org.get('/staff/c/2019/edit');
    await other.get('/staff/c/2019/edit');
    const both = await Promise.all([org.post('/staff/c/2019/start', { confirm: 'yes' }), other.post('/staff/c/2019/start', { confirm: 'yes' })]);
    expect(both.map((r) => r.status).sort()).toEqual([303, 409]);
    expect((await t.db.select().from(auditLog).where(eq(auditLog.target, 'campaign:2019'))).map((r) => r.action).filter((a) => a === 'campaign.start')).toEqual(['campaign.start']);
  });
});

describe('account state', () => {
  it('two organisers disabling the same account at once record one change', async () => {
    const id = await addUser(t.db, 'leaver', 'auditor');
    await org.get('/staff/users');
    await other.get('/staff/users');
    const both = await Promise.all([org.post(`/staff/users/${id}/active`, { active: 'no' }), other.post(`/staff/users/${id}/active`, { active: 'no' })]);
    expect(both.map((r) => r.status).sort()).toEqual([303, 409]);
    expect(both.find((r) => r.status === 409)!.body).toContain('该账号已经停用');
    expect((await t.db.select().from(auditLog).where(eq(auditLog.target, 'user:leaver'))).map((e) => e.action)).toEqual(['user.disable']);
  });
});
