import { readFileSync } from 'node:fs';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { suggestionAssignments, suggestions, suggestionSupporters } from '../../src/db/schema';
import { addUser, Browser, testApp } from '../helpers/app';
import { suggestionFlows } from '../helpers/suggestions';
import { getCampaign } from '../../src/campaigns/campaigns.service';
import { createOne } from '../../src/suggestions/suggestions.service';
import { fingerprint } from '../../src/suggestions/suggestions.core';

let t: Awaited<ReturnType<typeof testApp>>;
let organiser: Browser;
let edu: Browser;
let traffic: Browser;

beforeAll(async () => {
  t = await testApp();
  await addUser(t.db, 'org', 'organiser');
  await addUser(t.db, 'edu', 'dept_handler', { departmentName: '市教育局' });
  await addUser(t.db, 'traffic', 'dept_handler', { departmentName: '市交通运输委' });
  await addUser(t.db, 'police', 'dept_handler', { departmentName: '市公安局' });
  organiser = new Browser(t.app);
  await organiser.login('org');
  edu = new Browser(t.app);
  await edu.login('edu');
  traffic = new Browser(t.app);
  await traffic.login('traffic');
});
afterAll(() => t.close());

const { nextMobile, form, submit, dispatch, answer, publish } = suggestionFlows(() => t.app, () => organiser);

const api = (path: string, init: { method?: string; json?: unknown; ip?: string } = {}) =>
  t.app.request(
    `http://localhost${path}`,
    { method: init.method ?? (init.json === undefined ? 'GET' : 'POST'), headers: { 'content-type': 'application/json' }, ...(init.json === undefined ? {} : { body: JSON.stringify(init.json) }) },
    { incoming: { socket: { remoteAddress: init.ip ?? '192.0.2.1' } } },
  );

const countRows = async () => (await t.db.select().from(suggestions)).length;

describe('intake', () => {
  it('when a citizen submits the form, the suggestion is stored and a tracking code is shown', async () => {
    const r = await submit();
    expect(r.status).toBe(201);
    expect(r.body).toContain('建议提交成功');
    expect(r.code).toMatch(/^JY[0-9A-Z]{4}-[0-9A-Z]{4}$/);
    const [row] = await t.db.select().from(suggestions).where(eq(suggestions.code, r.code));
    expect(row).toMatchObject({ authorName: '张三', status: 'received', source: 'online', theme: '共享', area: '民生保障' });
  });

  it('when fields are wrong, the form comes back at 422 with Chinese messages beside the fields and nothing is stored', async () => {
    const before = await countRows();
    const r = await submit({ mobile: '12345', title: '公交', body: '太短了', theme: '' });
    expect(r.status).toBe(422);
    expect(r.body).toContain('id="sg-mobile-error">手机号码应为 11 位');
    expect(r.body).toContain('id="sg-title-error">标题太短,至少 4 个字');
    expect(r.body).toContain('id="sg-body-error">建议内容太短,至少 10 个字');
    expect(r.body).toContain('id="sg-theme-error">请选择建议主题');
    expect(r.body).toContain('aria-describedby="sg-mobile-error sg-mobile-hint"');
    expect(r.body).toContain('value="公交"'); // what was typed is kept
    expect(await countRows()).toBe(before);
  });

  it('the JSON API answers 201 with a code, and 422 {error:{code,message,fields}} for bad input', async () => {
    const ok = await api('/api/suggestions', { json: form({ title: '延长图书馆开放时间', body: '图书馆晚上和节假日开放时间太短,建议延长公共图书馆开放时间。' }), ip: '192.0.2.10' });
    expect(ok.status).toBe(201);
    const okBody = (await ok.json()) as { code: string; status: string };
    expect(okBody.code).toMatch(/^JY/);
    expect(okBody.status).toBe('received');
    const before = await countRows();
    const bad = await api('/api/suggestions', { json: { ...form(), body: '多'.repeat(2001) }, ip: '192.0.2.10' });
    expect(bad.status).toBe(422);
    const err = (await bad.json()) as { error: { code: string; message: string; fields: Record<string, string> } };
    expect(err.error.code).toBe('VALIDATION_FAILED');
    expect(err.error.fields['body']).toBe('建议内容不能超过 2000 个字(现在 2001 个字),请精简或分条提交');
    expect(await countRows()).toBe(before);
    const notJson = await t.app.request('http://localhost/api/suggestions', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{' });
    expect(notJson.status).toBe(400);
    expect(((await notJson.json()) as { error: { code: string } }).error.code).toBe('BAD_JSON');
  });

  it('concurrent submissions are written together (group commit) and each gets its own code', async () => {
    const before = await countRows();
    const topics = ['公交', '学位', '停车', '养老', '供暖', '垃圾', '绿地', '路灯', '医保', '图书馆', '菜场', '电梯', '噪音', '污水', '公厕', '充电桩', '夜市', '地铁', '学校', '社区'];
    const results = await Promise.all(
      topics.map(async (topic, i) => {
        const r = await api('/api/suggestions', { json: form({ title: `关于${topic}的建议第${i}条`, body: `${topic}问题很突出,影响居民生活${'。'.repeat(i + 1)}建议有关部门研究${topic}的解决办法,编号${i * 104729}。` }), ip: `192.0.2.${100 + i}` });
        return { status: r.status, body: (await r.json()) as { code: string } };
      }),
    );
    expect(results.map((r) => r.status)).toEqual(topics.map(() => 201));
    expect(new Set(results.map((r) => r.body.code)).size).toBe(topics.length);
    expect(await countRows()).toBe(before + topics.length);
  });

  it('the same form sent five times in the same instant (a double click, a retried send) is stored once', async () => {
    const before = await countRows();
    const mobile = nextMobile();
    const same = form({ mobile, title: '增设学校门口护学岗', body: '上下学时段学校门口车多人多,建议增设护学岗并划定临时停车区域。' });
    const results = await Promise.all(
      [1, 2, 3, 4, 5].map(async () => {
        const r = await api('/api/suggestions', { json: same, ip: '192.0.2.77' });
        return { status: r.status, body: (await r.json()) as { code: string } };
      }),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 201]);
    expect(new Set(results.map((r) => r.body.code)).size).toBe(1);
    expect(await countRows()).toBe(before + 1);
  });

  it('a filled honeypot looks accepted but stores nothing', async () => {
    const before = await countRows();
    const r = await submit({ website: 'http://spam.example', title: '机器人提交的标题', body: '机器人提交的内容机器人提交的内容。' });
    expect(r.status).toBe(201);
    expect(await countRows()).toBe(before);
  });

  it('the same author sending the same suggestion again gets the first code; nothing is stored twice', async () => {
    const mobile = nextMobile();
    const first = await submit({ mobile, title: '老旧小区加装电梯', body: '我们小区都是六层老楼,老人上下楼困难,建议加快老旧小区加装电梯。' });
    const before = await countRows();
    const again = await submit({ mobile, title: '老旧小区加装电梯', body: '我们小区都是六层老楼,老人上下楼困难,建议加快老旧小区加装电梯!谢谢' });
    expect(again.status).toBe(200);
    expect(again.code).toBe(first.code);
    expect(again.body).toContain('系统没有重复登记');
    expect(await countRows()).toBe(before);
  });

  it('another citizen’s near-identical text is linked to the original as a supporter (附议)', async () => {
    const first = await submit({ title: '整治海边烧烤油烟', body: '夏天海边夜市露天烧烤油烟很大,影响附近居民开窗通风,建议加强整治。' });
    const before = await countRows();
    const copy = await submit({ authorName: '李四', title: '整治海边烧烤油烟', body: '夏天海边夜市露天烧烤油烟很大,影响附近居民开窗通风,建议加强整治!!' });
    expect(copy.code).toBe(first.code);
    expect(copy.body).toContain('作为附议合并');
    expect(await countRows()).toBe(before);
    const [orig] = await t.db.select().from(suggestions).where(eq(suggestions.code, first.code));
    const supporters = await t.db.select().from(suggestionSupporters).where(eq(suggestionSupporters.suggestionSeq, orig!.seq));
    expect(supporters.map((s) => s.authorName)).toEqual(['李四']);
  });

  it('finds a near-identical copy with other words in it through the MinHash bands, among many texts sharing common bands', async () => {
    const body = '我们小区北门外的人行道常年被电动车和共享单车占满,老人推着轮椅和家长带着婴儿车只能走到机动车道上,早晚高峰十分危险。希望城管和街道联合清理,并在附近空地划出集中停放区,安排专人定时巡查,避免反弹。';
    // texts that share phrases (so common bands) but are not copies: the band scan must not be crowded out by them
    for (let i = 0; i < 6; i++) await submit({ title: `人行道停车问题${i}`, body: `${body.slice(0, 40)}另外第${i}号楼前的绿地也被占用,建议一并处理。` });
    const first = await submit({ title: '北门人行道被电动车占满', body });
    const copy = await submit({ authorName: '王五', title: '北门人行道被电动车占满', body: body.replace('十分危险', '非常危险') });
    expect(copy.code).toBe(first.code); // a different fingerprint: only the bands can have found it
    expect(copy.body).toContain('作为附议合并');
  });

  it('stores one copy when two processes take the same text at the same instant (the database decides, not the process)', async () => {
    const campaign = await getCampaign(t.db, '2018');
    const text = { title: '两个进程同时收到的同一条建议', body: '这条建议在同一时刻被两个服务进程同时收到,两边在写入前都没有看到对方,数据库只能保存一份。' };
    const input = (authorName: string) => ({ ...form(text), authorName, email: null, organisation: null, targetDepartment: null }) as never;
    // createOne is what each process or isolate runs: both read before either writes
    const [a, b] = await Promise.all([
      createOne(t.db, { campaignId: campaign.id, source: 'online', input: input('赵六'), atRest: t.atRest }),
      createOne(t.db, { campaignId: campaign.id, source: 'online', input: input('钱七'), atRest: t.atRest }),
    ]);
    const rows = await t.db.select().from(suggestions).where(eq(suggestions.fingerprint, fingerprint(text.title, text.body)));
    expect(rows).toHaveLength(1);
    expect([a.kind, b.kind].sort()).toEqual(['created', 'near_identical']);
    expect(a.code).toBe(b.code);
    const supporters = await t.db.select().from(suggestionSupporters).where(eq(suggestionSupporters.suggestionSeq, rows[0]!.seq));
    expect(supporters).toHaveLength(1);
  });

  it('limits submissions per mobile number (10 a day) and per address (30 an hour)', async () => {
    const mobile = nextMobile();
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) {
      const r = await api('/api/suggestions', { json: form({ mobile, title: `第${i}条不同的建议标题`, body: `这是第${i}条内容完全不同的建议,编号${i * 7919}。${'城乡交通教育医疗'.slice(i % 4)}` }), ip: `198.51.100.${i}` });
      statuses.push(r.status);
    }
    expect(statuses.slice(0, 10).every((s) => s === 201 || s === 200)).toBe(true);
    expect(statuses[10]).toBe(429);
    const ipStatuses: number[] = [];
    for (let i = 0; i < 31; i++) ipStatuses.push((await api('/api/suggestions', { json: { ...form(), mobile: '1', title: '' }, ip: '203.0.113.9' })).status);
    expect(ipStatuses[29]).toBe(422);
    const limited = await api('/api/suggestions', { json: form(), ip: '203.0.113.9' });
    expect(limited.status).toBe(429);
    expect(((await limited.json()) as { error: { message: string } }).error.message).toContain('提交过于频繁');
  });

  it('staff enter a paper form; it is audited and stored as a paper suggestion', async () => {
    await organiser.get('/staff/c/2018/suggestions/new');
    const r = await organiser.post('/staff/c/2018/suggestions/new', form({ title: '纸质表:增加公共厕所', body: '景区和老城区公共厕所太少,建议增加公厕建设并加强保洁管理。', organisation: '市南区' }));
    expect(r.status).toBe(303);
    const code = decodeURIComponent(r.res.headers.get('location')!).match(/JY[0-9A-Z-]+/)![0];
    const [row] = await t.db.select().from(suggestions).where(eq(suggestions.code, code));
    expect(row).toMatchObject({ source: 'paper', organisation: '市南区' });
    const audit = await t.client.execute("SELECT action FROM audit_log WHERE action = 'suggestion.paper_entry'");
    expect(audit.rows.length).toBe(1);
  });

  it('imports an organisation’s GBK CSV: good rows in one batch, bad rows named by line; a second import stores nothing twice', async () => {
    const upload = async () => {
      await organiser.get('/staff/c/2018/suggestions/import');
      const fd = new FormData();
      fd.set('_csrf', organiser.csrf);
      fd.set('organisation', '市北区政协');
      fd.set('file', new File([readFileSync('test/fixtures/suggestions-batch-gbk.csv')], 'batch.csv', { type: 'text/csv' }));
      const res = await t.app.request('http://localhost/staff/c/2018/suggestions/import', {
        method: 'POST',
        headers: { cookie: [...organiser.cookies].map(([k, v]) => `${k}=${v}`).join('; ') },
        body: fd,
      });
      return { status: res.status, body: await res.text() };
    };
    const first = await upload();
    expect(first.status).toBe(200);
    expect(first.body).toContain('已导入 2 条,1 行有问题未导入');
    expect(first.body).toMatch(/第 3 行<\/td><td>手机号:手机号码应为 11 位/);
    const rows = await t.db.select().from(suggestions).where(eq(suggestions.organisation, '市北区政协'));
    expect(rows.map((r) => r.authorName).sort()).toEqual(['刘德华', '王芳']);
    expect(rows.every((r) => r.source === 'batch')).toBe(true);
    const second = await upload();
    expect(second.status).toBe(422);
    expect(second.body).toContain('已导入 0 条');
    expect(second.body).toContain('内容相同,未重复导入');
    expect((await t.db.select().from(suggestions).where(eq(suggestions.organisation, '市北区政协'))).length).toBe(2);
  });
});

describe('routing preview', () => {
  it('POST /api/routing/preview answers {candidates:[{department, score}]} best first for the campaign in force', async () => {
    const res = await api('/api/routing/preview', { json: { title: '路口红绿灯时间太长', body: '香港中路与南京路路口早晚高峰排队严重,建议优化交通信号灯配时。' } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { candidates: { department: string; score: number }[] };
    expect(Object.keys(body)).toEqual(['candidates']);
    expect(body.candidates.length).toBeGreaterThan(1);
    for (const c of body.candidates) {
      expect(Object.keys(c).sort()).toEqual(['department', 'score']);
      expect(typeof c.department).toBe('string');
      expect(typeof c.score).toBe('number');
    }
    expect(body.candidates[0]!.department).toBe('市公安局');
    const scores = body.candidates.map((c) => c.score);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
  });

  it('refuses a body without title or body with a JSON error', async () => {
    const res = await api('/api/routing/preview', { json: { title: 1 } });
    expect(res.status).toBe(422);
    const err = (await res.json()) as { error: { code: string; message: string } };
    expect(err.error.code).toBe('VALIDATION_FAILED');
    expect(err.error.message).toMatch(/[\u4e00-\u9fff]/);
    expect((await api('/api/routing/preview', { json: { title: 'x', body: 'y', campaign: '1999' } })).status).toBe(404);
  });
});

describe('handling', () => {
  let trafficCode: string;
  let eduCode: string;

  beforeAll(async () => {
    trafficCode = (await submit({ authorName: '赵一鸣', mobile: '13611112222', title: '优化公交线路方便换乘', body: '我是赵一鸣,电话13611112222。我们社区公交线路绕远,建议优化公交线路。' })).code;
    eduCode = (await submit({ authorName: '钱多多', mobile: '13633334444', title: '增加普惠性幼儿园学位', body: '我是钱多多,手机 136-3333-4444。小区附近没有公办幼儿园,建议增加普惠性学前教育学位。' })).code;
    await dispatch(trafficCode, ['市交通运输委']);
    await dispatch(eduCode, ['市教育局']);
  });

  it('a 市教育局 handler gets 403 on another department’s item, in pages and JSON', async () => {
    const page = await edu.get(`/staff/c/2018/handling/${trafficCode}`);
    expect(page.status).toBe(403);
    expect(page.body).toContain('该建议未分派给本部门');
    expect(page.body).not.toContain('优化公交线路方便换乘');
    expect((await edu.get(`/staff/c/2018/suggestions/${trafficCode}`)).status).toBe(403);
    expect((await edu.get('/staff/c/2018/suggestions')).status).toBe(403);
    await edu.get(`/staff/c/2018/handling/${eduCode}`);
    expect((await edu.post(`/staff/c/2018/handling/${trafficCode}/answer`, { answer: '越权答复越权答复越权答复', adoption: 'none' })).status).toBe(403);
    const list = await edu.get('/staff/c/2018/handling');
    expect(list.body).toContain(eduCode);
    expect(list.body).not.toContain(trafficCode);
  });

  it('a handler never sees the citizen’s name or phone, in any page or JSON', async () => {
    const pages = [await edu.get('/staff/c/2018/handling'), await edu.get(`/staff/c/2018/handling/${eduCode}`), await edu.get('/api/handling/2018'), await edu.get('/staff')];
    for (const p of pages) {
      expect(p.status).toBe(200);
      expect(p.body).not.toContain('钱多多');
      expect(p.body).not.toMatch(/13633334444|136-3333-4444/);
      expect(p.body).not.toContain('赵一鸣');
    }
    expect(pages[1]!.body).toContain('增加普惠性幼儿园学位');
    expect(pages[1]!.body).toContain('我是钱某');
    const json = JSON.parse(pages[2]!.body) as { department: string; items: Record<string, unknown>[] };
    expect(json.department).toBe('市教育局');
    expect(json.items.map((i) => i['code'])).toEqual([eduCode]);
    expect(Object.keys(json.items[0]!)).not.toContain('authorName');
    expect(Object.keys(json.items[0]!)).not.toContain('mobile');
  });

  it('a department sends a misrouted item back with a reason; without one it is refused', async () => {
    const code = (await submit({ title: '路口红绿灯配时不合理', body: '南京路路口红绿灯时间太长,早晚高峰排队严重,建议优化信号灯配时。' })).code;
    await dispatch(code, ['市交通运输委']);
    await traffic.get(`/staff/c/2018/handling/${code}`);
    const empty = await traffic.post(`/staff/c/2018/handling/${code}/return`, { reason: '' });
    expect(empty.status).toBe(422);
    expect(empty.body).toContain('请说明退回原因');
    const ok = await traffic.post(`/staff/c/2018/handling/${code}/return`, { reason: '信号灯配时属于公安交警职责' });
    expect(ok.status).toBe(303);
    const [row] = await t.db.select().from(suggestions).where(eq(suggestions.code, code));
    expect(row!.status).toBe('received');
    const detail = await organiser.get(`/staff/c/2018/suggestions/${code}`);
    expect(detail.body).toContain('退回:信号灯配时属于公安交警职责');
    // the dispatcher reassigns in one action
    await dispatch(code, ['市公安局']);
    const assigns = await t.db.select().from(suggestionAssignments).where(eq(suggestionAssignments.suggestionSeq, row!.seq));
    expect(assigns.map((a) => `${a.departmentName}:${a.status}`).sort()).toEqual(['市交通运输委:returned', '市公安局:dispatched']);
  });

  it('a split item is answered when every department has answered; answers record adoption; publishing shows them', async () => {
    const code = (await submit({ title: '学校周边交通拥堵', body: '上学放学时段学校门口接送车辆拥堵,建议教育和交通部门共同研究错峰和公交专线。' })).code;
    await dispatch(code, ['市教育局', '市交通运输委']);
    await answer(edu, code, '已指导学校实行错峰放学并设置家长接送区,纳入明年工作计划。', 'next_year_plan');
    let [row] = await t.db.select().from(suggestions).where(eq(suggestions.code, code));
    expect(row!.status).toBe('in_progress');
    await answer(traffic, code, '已开通两条学生公交专线,早晚高峰加密班次,后续纳入政府工作报告。', 'work_report');
    [row] = await t.db.select().from(suggestions).where(eq(suggestions.code, code));
    expect(row!.status).toBe('answered');
    await publish(code);
    [row] = await t.db.select().from(suggestions).where(eq(suggestions.code, code));
    expect(row).toMatchObject({ status: 'published', adoption: 'work_report' });
    const track = await new Browser(t.app).get(`/c/2018/suggestions/track?code=${code.toLowerCase()}`);
    expect(track.status).toBe(200);
    expect(track.body).toContain('已公开答复');
    expect(track.body).toContain('【市教育局】已指导学校实行错峰放学');
    expect(track.body).toContain('采纳:纳入政府工作报告');
  });

  it('refuses publishing an item that has not been answered (409, Chinese reason)', async () => {
    await organiser.get(`/staff/c/2018/suggestions/${eduCode}`);
    const r = await organiser.post(`/staff/c/2018/suggestions/${eduCode}/publish`, {});
    expect(r.status).toBe(409);
    expect(r.body).toContain('不能公开');
  });

  it('flags overdue items on the statistics page, with SVG charts', async () => {
    await t.db.update(suggestionAssignments).set({ deadlineAt: Date.now() - 3 * 86_400_000 }).where(eq(suggestionAssignments.departmentName, '市教育局'));
    const stats = await organiser.get('/staff/c/2018/suggestions/stats');
    expect(stats.status).toBe(200);
    expect(stats.body).toContain('<svg');
    expect(stats.body).toContain('按领域');
    expect(stats.body).toContain('办理时长中位数');
    expect(stats.body).toMatch(new RegExp(`${eduCode}[\\s\\S]*?市教育局 答复`));
    const handler = await edu.get('/staff/c/2018/handling');
    expect(handler.body).toContain('逾期');
    const summary = await organiser.get('/staff/c/2018/suggestions/stats?part=summary');
    expect(summary.body).toContain('<svg');
    expect((await edu.get('/staff/c/2018/suggestions/stats')).status).toBe(403);
  });
});

describe('public feedback column', () => {
  const published: Record<string, string> = {};

  beforeAll(async () => {
    const items = [
      { key: 'signal', authorName: '孙悟空', mobile: '13755556666', area: '城市治理', dept: '市公安局', handler: 'police', title: '延长行人过街信号灯时间', body: '老年人过马路时间不够,建议延长行人过街信号灯绿灯时间。', answer: '已对全市120个路口的行人信号灯配时进行评估,延长绿灯时间。' },
      { key: 'bus', authorName: '猪八戒', mobile: '13755557777', area: '民生保障', dept: '市交通运输委', handler: 'traffic', title: '夜间公交线路太少', body: '晚上十点后公交停运,夜班工人回家难,建议开通夜间公交。', answer: '已开通6条夜间公交线路,运营至次日凌晨一点。' },
    ];
    for (const i of items) {
      const code = (await submit({ authorName: i.authorName, mobile: i.mobile, area: i.area, title: i.title, body: i.body })).code;
      await dispatch(code, [i.dept]);
      const h = new Browser(t.app);
      await h.login(i.handler);
      await answer(h, code, i.answer);
      await publish(code);
      published[i.key] = code;
    }
  });

  it('finds published answers by a Chinese phrase of 3+ characters (FTS5 trigram) in the text or the answer', async () => {
    const r = await new Browser(t.app).get(`/c/2018/suggestions?q=${encodeURIComponent('信号灯时间')}`);
    expect(r.status).toBe(200);
    expect(r.body).toContain('延长行人过街信号灯时间');
    expect(r.body).not.toContain('夜间公交线路太少');
    const byAnswer = await new Browser(t.app).get(`/c/2018/suggestions?q=${encodeURIComponent('次日凌晨')}`);
    expect(byAnswer.body).toContain('夜间公交线路太少');
    expect(byAnswer.body).toContain('共 1 条');
  });

  it('finds two-character words too (LIKE), and combines keyword, area, department and status filters', async () => {
    const two = await new Browser(t.app).get(`/c/2018/suggestions?q=${encodeURIComponent('夜班')}`);
    expect(two.body).toContain('夜间公交线路太少');
    // a two-character word found only in the published answer (the bigram index is refreshed on publishing)
    const inAnswer = await new Browser(t.app).get(`/c/2018/suggestions?q=${encodeURIComponent('凌晨')}`);
    expect(inAnswer.body).toContain('夜间公交线路太少');
    expect(inAnswer.body).toContain('共 1 条');
    // one character falls back to LIKE
    expect((await new Browser(t.app).get(`/c/2018/suggestions?q=${encodeURIComponent('灯')}`)).body).toContain('延长行人过街信号灯时间');
    const area = await new Browser(t.app).get(`/c/2018/suggestions?area=${encodeURIComponent('城市治理')}`);
    expect(area.body).toContain('延长行人过街信号灯时间');
    expect(area.body).not.toContain('夜间公交线路太少');
    const dept = await new Browser(t.app).get(`/c/2018/suggestions?department=${encodeURIComponent('市交通运输委')}&q=${encodeURIComponent('公交')}`);
    expect(dept.body).toContain('夜间公交线路太少');
    expect(dept.body).not.toContain('延长行人过街信号灯时间');
    const none = await new Browser(t.app).get(`/c/2018/suggestions?q=${encodeURIComponent('不存在的关键词组合')}`);
    expect(none.body).toContain('共 0 条');
    // items still being handled are not in the default (published) view
    const handling = await new Browser(t.app).get('/c/2018/suggestions?status=handling');
    expect(handling.body).toContain('增加普惠性幼儿园学位');
    expect((await new Browser(t.app).get('/c/2018/suggestions')).body).not.toContain('增加普惠性幼儿园学位');
  });

  it('masks names (孙*) and never shows phones, in pages and JSON', async () => {
    const html = (await new Browser(t.app).get('/c/2018/suggestions')).body;
    expect(html).toContain('孙**');
    expect(html).not.toContain('孙悟空');
    expect(html).not.toContain('13755556666');
    const res = await api(`/api/suggestions?q=${encodeURIComponent('公交')}&status=published`);
    const json = (await res.json()) as { total: number; items: { code: string; author: string; answer: string }[] };
    expect(json.items.map((i) => i.code)).toContain(published['bus']);
    const text = JSON.stringify(json);
    expect(text).not.toContain('猪八戒');
    expect(text).not.toContain('13755557777');
    expect(json.items.find((i) => i.code === published['bus'])!.author).toBe('猪**');
    const one = (await (await api(`/api/suggestions/${published['signal']}`)).json()) as { author: string; answer: string; status: string };
    expect(one).toMatchObject({ author: '孙**', status: 'published' });
    expect(one.answer).toContain('【市公安局】');
    expect((await api('/api/suggestions/JY0000-0000')).status).toBe(404);
    expect((await api('/api/suggestions?status=secret')).status).toBe(422);
  });

  it('a citizen looks an item up by tracking code; an unknown code says so', async () => {
    const r = await new Browser(t.app).get(`/c/2018/suggestions/track?code=${published['bus']}`);
    expect(r.body).toContain('夜间公交线路太少');
    expect(r.body).toContain('已开通6条夜间公交线路');
    const unknown = await new Browser(t.app).get('/c/2018/suggestions/track?code=JY0000-0000');
    expect(unknown.status).toBe(404);
    expect(unknown.body).toContain('没有找到跟踪码为“JY0000-0000”的建议');
  });
});

describe('excellent suggestions', () => {
  it('reviewers shortlist and score; the published list is public; authors export as next year’s candidates', async () => {
    const code = (await submit({ authorName: '周星星', mobile: '13788889999', title: '建设口袋公园', body: '老城区缺少绿地,建议利用边角地建设口袋公园,方便居民休闲。' })).code;
    await dispatch(code, ['市城市管理局']);
    const h = new Browser(t.app);
    await addUser(t.db, 'city', 'dept_handler', { departmentName: '市城市管理局' });
    await h.login('city');
    await answer(h, code, '已建成口袋公园30处,明年再建50处,纳入明年计划。', 'next_year_plan');
    await publish(code);
    await organiser.get(`/staff/c/2018/suggestions/${code}`);
    expect((await organiser.post(`/staff/c/2018/suggestions/${code}/shortlist`, {})).status).toBe(303);
    await organiser.get('/staff/c/2018/suggestions/excellent');
    const bad = await organiser.post(`/staff/c/2018/suggestions/${code}/score`, { score: '101' });
    expect(bad.status).toBe(422);
    expect(bad.body).toContain('评分须为 1–100 的整数');
    expect((await organiser.post(`/staff/c/2018/suggestions/${code}/score`, { score: '92' })).status).toBe(303);
    const list = await organiser.get('/staff/c/2018/suggestions/excellent');
    expect(list.body).toContain('92(1)');
    expect((await new Browser(t.app).get('/c/2018/suggestions/excellent')).body).toContain('评选结果尚未公布');
    expect((await organiser.post('/staff/c/2018/suggestions/excellent/publish', { selected: code })).status).toBe(303);
    const pub = await new Browser(t.app).get('/c/2018/suggestions/excellent');
    expect(pub.body).toContain('建设口袋公园');
    expect(pub.body).toContain('周**');
    const csv = await organiser.get('/staff/c/2018/suggestions/excellent/candidates.csv');
    expect(csv.res.headers.get('content-type')).toContain('text/csv');
    expect(csv.body).toContain('姓名,身份证号,手机号,会场,分组,类别,推荐单位');
    expect(csv.body).toContain('周星星,,13788889999,,,往年获评优秀建议市民代表');
  });
});

describe('search indexes', () => {
  it('stay internally consistent through every status change (FTS5 integrity-check; only public rows are indexed, so the content comparison does not apply)', async () => {
    // merge one dispatched item, so a row leaves the public statuses
    const a = (await submit({ title: '整治小区门口占道经营', body: '小区门口早市占道经营,垃圾满地,建议加强城市管理综合执法。' })).code;
    const b = (await submit({ title: '早市占道经营影响通行', body: '每天早上小区门口早市摆摊占满马路,车辆行人无法通行,建议整治。' })).code;
    await dispatch(b, ['市城市管理局']);
    await organiser.get(`/staff/c/2018/suggestions/${b}`);
    expect((await organiser.post(`/staff/c/2018/suggestions/${b}/merge`, { into: a })).status).toBe(303);
    await t.client.execute("INSERT INTO suggestions_fts(suggestions_fts, rank) VALUES ('integrity-check', 0)");
    const hits = await api(`/api/suggestions?status=all&q=${encodeURIComponent('早市摆摊')}`);
    expect(((await hits.json()) as { total: number }).total).toBe(0);
  });
});

describe('not accepted', () => {
  it('needs a reason the citizen will read; the tracking page then shows it', async () => {
    const code = (await submit({ title: '请帮我追讨个人借款', body: '朋友借了我五万元一直不还,请政府帮我要回来。' })).code;
    await organiser.get(`/staff/c/2018/suggestions/${code}`);
    const empty = await organiser.post(`/staff/c/2018/suggestions/${code}/reject`, { reason: '' });
    expect(empty.status).toBe(422);
    expect(empty.body).toContain('请填写不予受理的原因');
    const ok = await organiser.post(`/staff/c/2018/suggestions/${code}/reject`, { reason: '属于个人民事纠纷,建议通过人民调解或诉讼解决' });
    expect(ok.status).toBe(303);
    const [row] = await t.db.select().from(suggestions).where(eq(suggestions.code, code));
    expect(row).toMatchObject({ status: 'not_accepted', rejectReason: '属于个人民事纠纷,建议通过人民调解或诉讼解决' });
    const track = await new Browser(t.app).get(`/c/2018/suggestions/track?code=${code}`);
    expect(track.body).toContain('不予受理的原因:属于个人民事纠纷');
    const again = await organiser.post(`/staff/c/2018/suggestions/${code}/dispatch`, { departments: '市司法局' });
    expect(again.status).toBe(409);
    expect(again.body).toContain('不能分派');
  });
});
