import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { desc, eq } from 'drizzle-orm';
import { auditLog, campaigns, quotaCategories, venues } from '../../src/db/schema';
import { addUser, Browser, formVersion, testApp } from '../helpers/app';

let t: Awaited<ReturnType<typeof testApp>>;
beforeAll(async () => {
  t = await testApp();
  await addUser(t.db, 'chief', 'organiser');
  await addUser(t.db, 'shinan', 'venue_staff', { venueName: '市南区' });
});
afterAll(() => t.close());

interface QuotaJson {
  venues: { venue: string; group: number; seats: number; categories: { category: string; seats: number; exact: number }[] }[];
}

const quotas = async () => (await (await t.app.request('/api/campaigns/2018/quotas')).json()) as QuotaJson;
const lastAudit = async () => (await t.db.select().from(auditLog).orderBy(desc(auditLog.seq)).limit(1))[0]!;

/** The form the quota editor posts: every category × group of one table, from the current API numbers of a 100/210 venue. */
async function tableForm(kind: 'main' | 'sub', change: (name: string, group: number, seats: number) => number = (_n, _g, s) => s) {
  const cats = (await t.db.select().from(quotaCategories)).filter((c) => c.venueKind === kind);
  const q = await quotas();
  const reference = kind === 'main' ? '市级主会场' : '市南区'; // the reference sizes, 100 and 210
  // the version the editor shows the table at (the form's hidden field)
  const [c] = await t.db.select().from(campaigns).where(eq(campaigns.code, '2018'));
  const form: Record<string, string> = { version: String(kind === 'main' ? c!.quotaMainVersion : c!.quotaSubVersion) };
  for (const cat of cats) {
    for (const g of [1, 2, 3, 4]) {
      const seats = q.venues.find((v) => v.venue === reference && v.group === g)!.categories.find((x) => x.category === cat.name)!.seats;
      form[`${cat.id}_${g}`] = String(change(cat.name, g, seats));
    }
  }
  return form;
}

describe('the published quota tables', () => {
  it('GET /api/campaigns/2018/quotas lists every venue × group with categories that sum exactly to its seats', async () => {
    const res = await t.app.request('/api/campaigns/2018/quotas');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/json');
    const q = (await res.json()) as QuotaJson;
    expect(q.venues).toHaveLength(12 * 4);
    for (const v of q.venues) {
      expect(Object.keys(v).sort()).toEqual(['categories', 'group', 'seats', 'venue']);
      expect(v.categories.reduce((a, c) => a + c.seats, 0), `${v.venue} 第 ${v.group} 组`).toBe(v.seats);
      for (const c of v.categories) {
        expect(Object.keys(c).sort()).toEqual(['category', 'exact', 'seats']);
        expect(Math.abs(c.seats - c.exact), `${v.venue} ${v.group} ${c.category}`).toBeLessThan(1);
      }
    }
    for (const g of [1, 2, 3, 4]) expect(q.venues.filter((v) => v.group === g).reduce((a, v) => a + v.seats, 0)).toBe(2500);
  });

  it('derives 市北区 (280), 青岛西海岸新区 (380) and 青岛高新区 (60) from the 210-seat table', async () => {
    const q = await quotas();
    const cell = (venue: string, group: number, category: string) => q.venues.find((v) => v.venue === venue && v.group === group)!.categories.find((c) => c.category === category)!;
    for (const [venue, size] of [['市北区', 280], ['青岛西海岸新区', 380], ['青岛高新区', 60]] as const) {
      for (const g of [1, 2, 3, 4]) {
        const v = q.venues.find((x) => x.venue === venue && x.group === g)!;
        expect(v.seats).toBe(size);
        expect(v.categories).toHaveLength(18);
        for (const c of v.categories) {
          const base = cell('市南区', g, c.category).seats;
          expect(c.exact).toBeCloseTo((base * size) / 210, 10);
          expect([Math.floor(c.exact), Math.ceil(c.exact)]).toContain(c.seats);
        }
      }
    }
    // group 4 seats 60 community residents at a 210 venue: 80 at 280, 108.57… → 109 at 380, 17.14… → 17 at 60
    expect(cell('市北区', 4, '服务对象代表/社区或村居民代表')).toMatchObject({ seats: 80, exact: 80 });
    expect(cell('青岛西海岸新区', 4, '服务对象代表/社区或村居民代表').seats).toBe(109);
    expect(cell('青岛高新区', 4, '服务对象代表/社区或村居民代表').seats).toBe(17);
  });

  it('answers an unknown campaign with a JSON error', async () => {
    const res = await t.app.request('/api/campaigns/1999/quotas');
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: { code: 'NOT_FOUND', message: expect.stringContaining('找不到') } });
  });

  it('the quota page shows the whole matrix with 2,500 per group and marks the seats rounding moved', async () => {
    const res = await t.app.request('/c/2018/quotas');
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('市民代表构成');
    for (const g of ['第一组', '第二组', '第三组', '第四组']) expect(html).toContain(`${g}:全市合计 2500 人`);
    for (const venue of ['市级主会场', '市北区', '青岛西海岸新区', '青岛高新区']) expect(html).toContain(venue);
    expect(html).toContain('最大余数法');
    expect(html).toMatch(/\d+\*/); // at least one rounded-up cell is starred
  });
});

describe('organisers edit the base tables of a draft campaign', () => {
  it('keeps venue staff out of the editor', async () => {
    const b = new Browser(t.app);
    await b.login('shinan');
    expect((await b.get('/staff/c/2018/quotas')).status).toBe(403);
  });

  it('refuses a table whose group does not add up to 210, re-rendering the form at 422 with the sums', async () => {
    const b = new Browser(t.app);
    await b.login('chief');
    const page = await b.get('/staff/c/2018/quotas');
    expect(page.status).toBe(200);
    const before = await quotas();
    const form = await tableForm('sub', (name, g, s) => (name === '社会各界代表/专家学者代表' && g === 2 ? s + 3 : s));
    const r = await b.post('/staff/c/2018/quotas/sub', form);
    expect(r.status).toBe(422);
    expect(r.body).toContain('每组合计须为 210 人:第 2 组现为 213 人');
    expect(await quotas()).toEqual(before);
    const bad = await b.post('/staff/c/2018/quotas/sub', { ...form, [Object.keys(form)[1]!]: '-1' });
    expect(bad.status).toBe(422);
    expect(bad.body).toContain('须填 0–1000 的整数');
  });

  it('saves a table that adds up, audit-logged, and every venue follows in proportion', async () => {
    const b = new Browser(t.app);
    await b.login('chief');
    await b.get('/staff/c/2018/quotas');
    // move 3 group-2 seats from community residents to experts
    const form = await tableForm('sub', (name, g, s) =>
      g !== 2 ? s : name === '社会各界代表/专家学者代表' ? s + 3 : name === '服务对象代表/社区或村居民代表' ? s - 3 : s,
    );
    const r = await b.post('/staff/c/2018/quotas/sub', form);
    expect(r.status).toBe(303);
    expect(r.res.headers.get('location')).toBe('/staff/c/2018/quotas?done=saved');
    expect(await lastAudit()).toMatchObject({ actorName: 'chief', action: 'quota.update', target: 'quota:2018/sub' });
    const q = await quotas();
    const experts = (venue: string) => q.venues.find((v) => v.venue === venue && v.group === 2)!.categories.find((c) => c.category === '社会各界代表/专家学者代表')!;
    expect(experts('市南区').seats).toBe(7);
    expect(experts('市北区').exact).toBeCloseTo((7 * 280) / 210, 10);
    for (const g of [1, 2, 3, 4]) expect(q.venues.filter((v) => v.group === g).reduce((a, v) => a + v.seats, 0)).toBe(2500);
  });

  it('a venue size edited on the campaign page changes that venue’s quotas, still summing exactly', async () => {
    const b = new Browser(t.app);
    await b.login('chief');
    const edit = await b.get('/staff/c/2018/edit');
    const [gaoxin] = (await t.db.select().from(venues)).filter((v) => v.name === '青岛高新区');
    const version = formVersion(edit.body, `venue-${gaoxin!.id}`);
    const r = await b.post(`/staff/c/2018/venues/${gaoxin!.id}`, { name: '青岛高新区', kind: 'sub', seats_1: '61', seats_2: '60', seats_3: '60', seats_4: '60', version });
    expect(r.status).toBe(303);
    const v = (await quotas()).venues.find((x) => x.venue === '青岛高新区' && x.group === 1)!;
    expect(v.seats).toBe(61);
    expect(v.categories.reduce((a, c) => a + c.seats, 0)).toBe(61);
  });

  it('once the campaign has started, any edit answers 409 CAMPAIGN_FROZEN and changes nothing', async () => {
    const b = new Browser(t.app);
    await b.login('chief');
    await b.get('/staff/c/2018/edit');
    expect((await b.post('/staff/c/2018/start', { confirm: 'yes' })).status).toBe(303);
    const page = await b.get('/staff/c/2018/quotas');
    expect(page.body).toContain('已冻结');
    expect(page.body).not.toContain('保存区(市)分会场基础构成表');
    const before = await quotas();
    const r = await b.post('/staff/c/2018/quotas/sub', await tableForm('sub'));
    expect(r.status).toBe(409);
    expect(r.body).toContain('年度活动已开始');
    expect(r.body).toContain('CAMPAIGN_FROZEN');
    expect(await quotas()).toEqual(before);
  });
});
