import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp } from '../helpers/app';

let t: Awaited<ReturnType<typeof testApp>>;
beforeAll(async () => {
  t = await testApp();
});
afterAll(() => t.close());

const get = (path: string) => t.app.request(`http://localhost${path}`);

describe('public pages', () => {
  it('sends visitors from / to the campaign in force', async () => {
    const res = await get('/');
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/c/2018');
  });

  it('shows the campaign home in Chinese with its figures', async () => {
    const res = await get('/c/2018');
    const html = await res.text();
    expect(res.status).toBe(200);
    expect(html).toContain('<html lang="zh-CN">');
    expect(html).toContain('2018年市政府部门向市民报告听市民意见请市民评议活动');
    expect(html).toMatch(/公开述职部门<\/div><div class="stat">45/);
    expect(html).toContain('评议票(每组 2500 张)</div><div class="stat">10000');
  });

  it('lists the agenda by group with each department’s 10-minute slot', async () => {
    const html = await (await get('/c/2018/agenda')).text();
    expect(html).toContain('第一组(12 个部门)');
    expect(html).toContain('第四组(10 个部门)');
    expect(html).toMatch(/09:00–09:10<\/span><a href="\/c\/2018\/departments\/[^"]+">市发展改革委/);
    expect(html).toMatch(/10:50–11:00<\/span><a href="[^"]+">市金融工作办/);
    expect(html).toContain('内部述职部门');
    expect(html).toContain('市人防办');
  });

  it('shows a department with its published duties, goals and report', async () => {
    const agenda = await (await get('/c/2018/agenda')).text();
    const href = agenda.match(/href="(\/c\/2018\/departments\/[^"]+)">市教育局/)![1]!;
    const res = await get(href);
    const html = await res.text();
    expect(res.status).toBe(200);
    expect(html).toContain('<h1>市教育局</h1>');
    expect(html).toContain('第四组');
    expect(html).toContain('工作职责');
    expect(html).toContain('年度目标');
    expect(html).toContain('书面述职报告');
    expect(html).not.toContain('尚未公开');
  });

  it('shows venues with seat counts and 2,500 per group in total', async () => {
    const html = await (await get('/c/2018/venues')).text();
    expect(html).toMatch(/青岛西海岸新区<\/th><td>分会场<\/td><td class="num">380/);
    expect(html).toMatch(/合计<\/td><td><\/td><td class="num">2500<\/td><td class="num">2500<\/td><td class="num">2500<\/td><td class="num">2500/);
  });

  it('answers an unknown campaign or department with a Chinese 404 page', async () => {
    for (const path of ['/c/1999', '/c/2018/departments/nope', '/nowhere']) {
      const res = await get(path);
      expect(res.status, path).toBe(404);
      expect(await res.text(), path).toContain('找不到');
    }
  });

  it('is readable on a phone: viewport meta and a stylesheet that serves', async () => {
    const html = await (await get('/c/2018')).text();
    expect(html).toContain('name="viewport" content="width=device-width, initial-scale=1"');
    const css = await get('/static/app.css');
    expect(css.status).toBe(200);
    expect(css.headers.get('content-type')).toContain('text/css');
    const js = await get('/static/htmx.min.js');
    expect(js.status).toBe(200);
    expect(await js.text()).toContain('htmx');
  });
});

describe('public JSON API', () => {
  it('describes the campaign: groups with slots, venues, scale, themes and areas', async () => {
    const res = await get('/api/campaigns/2018');
    expect(res.status).toBe(200);
    const body = (await res.json()) as any;
    expect(body.groups.map((g: any) => g.departments.length)).toEqual([12, 11, 12, 10]);
    expect(body.groups[1].departments[0]).toMatchObject({ name: '市公安局', start: '14:30', end: '14:40' });
    expect(body.internalOnlyDepartments.map((d: any) => d.name).sort()).toEqual(['市人防办', '市政府研究室']);
    expect(body.venues).toHaveLength(12);
    expect(body.scale[3]).toEqual({ label: '不了解', weight: null, valid: false, satisfied: false });
    expect(body.suggestionAreas).toHaveLength(7);
    expect(body.suggestionThemes).toEqual(['创新', '协调', '绿色', '开放', '共享']);
  });

  it('answers errors as {error: {code, message}} with the right status', async () => {
    const res = await get('/api/campaigns/1999');
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: { code: 'NOT_FOUND', message: '找不到该年度活动' } });
    const missing = await get('/api/nothing-here');
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as any).error.code).toBe('NOT_FOUND');
  });

  it('never lists staff or delegates', async () => {
    const body = await (await get('/api/campaigns/2018')).text();
    expect(body).not.toMatch(/password|username|delegate/i);
  });
});
