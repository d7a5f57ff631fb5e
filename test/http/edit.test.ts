import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog, campaigns, departments } from '../../src/db/schema';
import { addUser, Browser, formVersion, testApp } from '../helpers/app';

let t: Awaited<ReturnType<typeof testApp>>;
let org: Browser;
const deptId = async (name: string) => (await t.db.select().from(departments).where(eq(departments.name, name)))[0]!.id; // before the copy, names are unique
const actions = async () => (await t.db.select().from(auditLog)).map((r) => r.action);
const departmentVersion = async (id: string) => formVersion((await org.get(`/staff/c/2018/departments/${id}/edit`)).body, 'department-form');

beforeAll(async () => {
  t = await testApp();
  await addUser(t.db, 'organiser', 'organiser');
  org = new Browser(t.app);
  await org.login('organiser');
});
afterAll(() => t.close());

const departmentForm = (over: Record<string, string> = {}) => ({
  name: '市教育局',
  group: '4',
  duties: '负责全市教育事业发展规划、中小学和幼儿园管理、学位供给。',
  goals: '新建改扩建中小学 30 所\n新增学位 3 万个',
  report: '2018 年全市教育系统……',
  ...over,
});

describe('an organiser editing a draft campaign', () => {
  it('saves a department with htmx and gets the form back saying 已保存', async () => {
    const id = await deptId('市教育局');
    const res = await org.post(`/staff/c/2018/departments/${id}`, departmentForm({ version: await departmentVersion(id) }), { headers: { 'HX-Request': 'true' } });
    expect(res.status).toBe(200);
    expect(res.body).toContain('已保存');
    expect(res.body).not.toContain('<html');
    const pub = await org.get(`/c/2018/departments/${id}`);
    expect(pub.body).toContain('学位供给');
    expect(pub.body).toContain('<li>新增学位 3 万个</li>');
    expect(await actions()).toContain('department.update');
  });

  it('without JavaScript, saves and redirects back (post/redirect/get)', async () => {
    const id = await deptId('市教育局');
    const res = await org.post(`/staff/c/2018/departments/${id}`, departmentForm({ report: '无脚本保存的报告', version: await departmentVersion(id) }));
    expect(res.status).toBe(303);
    expect(res.res.headers.get('location')).toBe(`/staff/c/2018/departments/${id}/edit?done=saved`);
    expect((await org.get(`/c/2018/departments/${id}`)).body).toContain('无脚本保存的报告');
  });

  it('rejects a bad edit at 422 with messages beside the fields, and writes nothing', async () => {
    const id = await deptId('市教育局');
    const before = await actions();
    const res = await org.post(`/staff/c/2018/departments/${id}`, departmentForm({ name: '市', report: 'x'.repeat(20001) }), { headers: { 'HX-Request': 'true' } });
    expect(res.status).toBe(422);
    expect(res.body).toContain('部门名称至少 2 个字');
    expect(res.body).toContain('书面述职报告不能超过 20000 个字');
    expect(res.body).toContain('aria-invalid="true"');
    expect(await actions()).toEqual(before);
    expect((await org.get(`/c/2018/departments/${id}`)).body).toContain('<h1>市教育局</h1>');
  });

  it('refuses renaming a department to an existing name', async () => {
    const id = await deptId('市教育局');
    const res = await org.post(`/staff/c/2018/departments/${id}`, departmentForm({ name: '市民政局', version: await departmentVersion(id) }), { headers: { 'HX-Request': 'true' } });
    expect(res.status).toBe(422);
    expect(res.body).toContain('本年度已有同名部门');
  });

  it('moves a department up in the report order, which changes its time slot', async () => {
    const id = await deptId('市科技局');
    const before = await org.get('/c/2018/agenda');
    expect(before.body).toMatch(/09:20–09:30<\/span><a href="[^"]+">市科技局/);
    await org.get('/staff/c/2018/edit');
    expect((await org.post(`/staff/c/2018/departments/${id}/move`, { direction: 'up' })).status).toBe(303);
    const after = await org.get('/c/2018/agenda');
    expect(after.body).toMatch(/09:10–09:20<\/span><a href="[^"]+">市科技局/);
    expect(after.body).toMatch(/09:20–09:30<\/span><a href="[^"]+">市经济信息化委/);
  });

  it('moves a department to another group, where it reports last', async () => {
    const id = await deptId('市体育局');
    await org.post(`/staff/c/2018/departments/${id}`, departmentForm({ name: '市体育局', group: '3', version: await departmentVersion(id) }));
    const api = (await (await t.app.request('http://localhost/api/campaigns/2018')).json()) as any;
    expect(api.groups[2].departments.at(-1).name).toBe('市体育局');
    expect(api.groups[3].departments.map((d: any) => d.name)).not.toContain('市体育局');
  });

  it('edits a group’s time, and every slot follows', async () => {
    const version = formVersion((await org.get('/staff/c/2018/edit')).body, 'group-2');
    const res = await org.post('/staff/c/2018/groups/2', { title: '第二组', date: '2018-12-13', startTime: '15:00', version }, { headers: { 'HX-Request': 'true' } });
    expect(res.status).toBe(200);
    const api = (await (await t.app.request('http://localhost/api/campaigns/2018')).json()) as any;
    expect(api.groups[1]).toMatchObject({ date: '2018-12-13' });
    expect(api.groups[1].departments[0]).toMatchObject({ start: '15:00', end: '15:10' });
    const bad = await org.post('/staff/c/2018/groups/2', { title: '第二组', date: '2018-13-45', startTime: '25:00' }, { headers: { 'HX-Request': 'true' } });
    expect(bad.status).toBe(422);
    expect(bad.body).toContain('开始时间格式应为');
  });

  it('edits a venue’s seats, and the totals follow; a negative count is refused', async () => {
    const venue = (await t.db.query.venues.findMany()).find((v) => v.name === '青岛高新区')!;
    const version = formVersion((await org.get('/staff/c/2018/edit')).body, `venue-${venue.id}`);
    const ok = await org.post(`/staff/c/2018/venues/${venue.id}`, { name: '青岛高新区', kind: 'sub', seats_1: '70', seats_2: '60', seats_3: '60', seats_4: '60', version }, { headers: { 'HX-Request': 'true' } });
    expect(ok.status).toBe(200);
    expect((await org.get('/c/2018/venues')).body).toMatch(/合计<\/td><td><\/td><td class="num">2510</);
    const bad = await org.post(`/staff/c/2018/venues/${venue.id}`, { name: '青岛高新区', kind: 'sub', seats_1: '-1', seats_2: 'abc', seats_3: '60', seats_4: '60' });
    expect(bad.status).toBe(422);
    expect(bad.body).toContain('名额不能为负数');
    expect((await org.get('/c/2018/venues')).body).toMatch(/合计<\/td><td><\/td><td class="num">2510</);
  });

  it('adds and removes a department’s explanatory board', async () => {
    const id = await deptId('市教育局');
    await org.get(`/staff/c/2018/departments/${id}/edit`);
    const bad = await org.post(`/staff/c/2018/departments/${id}/materials`, { kind: 'board_image', title: '图板', url: 'javascript:alert(1)' });
    expect(bad.status).toBe(422);
    expect(bad.body).toContain('链接须以 http:// 或 https:// 开头');
    await org.post(`/staff/c/2018/departments/${id}/materials`, { kind: 'board_image', title: '教育惠民解读图板', url: 'https://example.org/edu-board.png' });
    const pub = await org.get(`/c/2018/departments/${id}`);
    expect(pub.body).toContain('教育惠民解读图板');
    const edit = await org.get(`/staff/c/2018/departments/${id}/edit`);
    const del = edit.body.match(/action="(\/staff\/c\/2018\/materials\/[^"]+\/delete)"/)![1]!;
    expect((await org.post(del, {})).status).toBe(303);
    expect((await org.get(`/c/2018/departments/${id}`)).body).not.toContain('教育惠民解读图板');
  });

  it('adds a new department at the end of its group', async () => {
    await org.get('/staff/c/2018/edit');
    const res = await org.post('/staff/c/2018/departments', { name: '市大数据局', group: '1' });
    expect(res.status).toBe(303);
    const api = (await (await t.app.request('http://localhost/api/campaigns/2018')).json()) as any;
    expect(api.groups[0].departments.at(-1).name).toBe('市大数据局');
    const dup = await org.post('/staff/c/2018/departments', { name: '市大数据局', group: '1' });
    expect(dup.status).toBe(422);
    expect(dup.body).toContain('本年度已有同名部门');
  });
});

describe('copying and freezing', () => {
  it('copies 2018 into 2019, then freezes 2018 once started while 2019 stays editable', async () => {
    await org.get('/staff/campaigns');
    const bad = await org.post('/staff/campaigns/copy', { from: '2018', code: '2018', name: '重复的年度活动', year: '2019' });
    expect(bad.status).toBe(422);
    expect(bad.body).toContain('该活动代码已被使用');
    const copied = await org.post('/staff/campaigns/copy', { from: '2018', code: '2019', name: '2019年市政府部门向市民报告听市民意见请市民评议活动', year: '2019' });
    expect(copied.status).toBe(303);
    const y2019 = (await (await t.app.request('http://localhost/api/campaigns/2019')).json()) as any;
    expect(y2019.groups.map((g: any) => g.departments.length)).toEqual([13, 11, 13, 9]);
    expect(y2019.groups[0].date).toBe('2019-12-11');
    expect(y2019.venues).toHaveLength(12);
    // a draft copy does not take over: the campaign in force stays 2018 (issue 13 item 22)
    expect((await t.app.request('http://localhost/')).headers.get('location')).toBe('/c/2018');

    await org.get('/staff/c/2018/edit');
    const noConfirm = await org.post('/staff/c/2018/start', {});
    expect(noConfirm.status).toBe(422);
    expect((await org.post('/staff/c/2018/start', { confirm: 'yes' })).status).toBe(303);
    const byYear = async (code: string) => {
      const [c] = await t.db.select().from(campaigns).where(eq(campaigns.code, code));
      return (await t.db.select().from(departments).where(and(eq(departments.name, '市民政局'), eq(departments.campaignId, c!.id))))[0]!;
    };
    const in2018 = await byYear('2018');
    const frozen = await org.post(`/staff/c/2018/departments/${in2018.id}`, departmentForm({ name: '市民政局', duties: '冻结后修改' }));
    expect(frozen.status).toBe(409);
    expect(frozen.body).toContain('已冻结');
    const api = await t.app.request('http://localhost/api/campaigns/2018');
    expect(JSON.stringify(await api.json())).not.toContain('冻结后修改');
    const edit2018 = await org.get('/staff/c/2018/edit');
    expect(edit2018.body).toContain('已冻结');
    expect(edit2018.body).not.toContain('保存分组');

    const d2019 = await byYear('2019');
    const ok = await org.post(`/staff/c/2019/departments/${d2019.id}`, departmentForm({ name: '市民政局', group: '4', duties: '2019 年的新职责', version: String(d2019.version) }));
    expect(ok.status).toBe(303);
  });

  it('logged every change in the audit chain', async () => {
    const a = await actions();
    for (const action of ['campaign.seed', 'department.update', 'department.move', 'group.update', 'venue.update', 'material.add', 'material.delete', 'department.create', 'campaign.copy', 'campaign.start']) {
      expect(a, action).toContain(action);
    }
  });
});
