import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { suggestions, suggestionSupporters } from '../../src/db/schema';
import { testApp } from '../helpers/app';
import { openContact } from '../../src/suggestions/author-contact.service';

let t: Awaited<ReturnType<typeof testApp>>;
beforeAll(async () => {
  t = await testApp();
});
afterAll(() => t.close());

let ipCounter = 0;
const call = (path: string, init: { form?: Record<string, string>; json?: unknown; ip?: string } = {}) => {
  const headers: Record<string, string> = {};
  let body: string | undefined;
  if (init.form) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(init.form).toString();
  } else if (init.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(init.json);
  }
  return t.app.request(`http://localhost/open311/v2${path}`, { method: body === undefined ? 'GET' : 'POST', headers, ...(body === undefined ? {} : { body }) }, { incoming: { socket: { remoteAddress: init.ip ?? `198.51.100.${++ipCounter % 250}` } } });
};

const request = (over: Record<string, string> = {}) => ({
  service_code: '民生保障',
  'attribute[theme]': '共享',
  description: '小区门口的路灯坏了两个月了,晚上非常黑,老人孩子出行不安全,希望尽快修好。',
  first_name: '小明',
  last_name: '王',
  phone: '13700137000',
  address_string: '市南区香港中路 1 号',
  ...over,
});

describe('Open311 GeoReport v2', () => {
  it('lists the campaign’s areas as services, each with its attribute definition (themes as values)', async () => {
    const res = await call('/services.json');
    expect(res.status).toBe(200);
    const list = (await res.json()) as { service_code: string; metadata: boolean; type: string }[];
    expect(list.map((s) => s.service_code)).toContain('民生保障');
    expect(list[0]).toMatchObject({ metadata: true, type: 'realtime' });
    const def = (await (await call(`/services/${encodeURIComponent('民生保障')}.json`)).json()) as { attributes: { code: string; required: boolean; values?: { key: string }[] }[] };
    expect(def.attributes.find((a) => a.code === 'theme')).toMatchObject({ required: true, values: expect.arrayContaining([{ key: '共享', name: '共享' }]) });
    expect((await call('/services/不存在.json')).status).toBe(404);
  });

  it('a form-encoded request becomes a suggestion (source open311) and answers its tracking code', async () => {
    const res = await call('/requests.json', { form: request() });
    expect(res.status).toBe(201);
    const [answer] = (await res.json()) as { service_request_id: string; service_notice: string }[];
    expect(answer!.service_request_id).toMatch(/^JY[0-9A-Z]{4}-[0-9A-Z]{4}$/);
    const [row] = await t.db.select().from(suggestions).where(eq(suggestions.code, answer!.service_request_id));
    expect(await openContact(t.atRest, row!.code, row!.contactSealed)).toEqual({ mobile: '13700137000', email: null });
    expect(row).toMatchObject({ source: 'open311', authorName: '王小明', area: '民生保障', theme: '共享', title: '小区门口的路灯坏了两个月了,晚上非常黑,老人孩子出行不安全,希望尽快修好' });
    expect(row!.body).toContain('地点:市南区香港中路 1 号');
  });

  it('the same validation as the web form: 400 with GeoReport errors naming the Open311 field, in Chinese, and nothing stored', async () => {
    const before = (await t.db.select().from(suggestions)).length;
    const res = await call('/requests.json', { form: request({ phone: '12345', 'attribute[theme]': '', description: '太短' }) });
    expect(res.status).toBe(400);
    const [err] = (await res.json()) as { code: number; description: string; error_code: string }[];
    expect(err).toMatchObject({ code: 400, error_code: 'VALIDATION_FAILED' });
    expect(err!.description).toMatch(/^phone: 手机号码应为 11 位/);
    expect((await t.db.select().from(suggestions)).length).toBe(before);
  });

  it('JSON bodies work too (mini-programs), with attributes as an object', async () => {
    const res = await call('/requests.json', { json: { ...request({ phone: '13700137001', description: '公园的健身器材很多都坏了,存在安全隐患,建议定期检查维修并增加新的器材。' }), attributes: { theme: '共享', title: '公园健身器材维修' } } });
    expect(res.status).toBe(201);
    const [answer] = (await res.json()) as { service_request_id: string }[];
    const [row] = await t.db.select().from(suggestions).where(eq(suggestions.code, answer!.service_request_id));
    expect(row!.title).toBe('公园健身器材维修');
  });

  it('duplicate detection as on the web: another citizen’s copy is linked as a supporter and answers the original’s id', async () => {
    const first = (await (await call('/requests.json', { form: request({ phone: '13700137002', description: '希望在地铁站附近增设共享单车停放点,现在单车乱停乱放,影响行人通行。' }) })).json()) as { service_request_id: string }[];
    const copy = await call('/requests.json', { form: request({ phone: '13700137003', first_name: '小红', description: '希望在地铁站附近增设共享单车停放点,现在单车乱停乱放,影响行人通行。' }) });
    expect(copy.status).toBe(200);
    const [answer] = (await copy.json()) as { service_request_id: string; service_notice: string }[];
    expect(answer!.service_request_id).toBe(first[0]!.service_request_id);
    expect(answer!.service_notice).toContain('附议');
    expect((await t.db.select().from(suggestionSupporters)).some((s) => s.authorName === '王小红')).toBe(true);
  });

  it('the same rate limits: one address gets 429 after 30 submissions an hour', async () => {
    let last = 0;
    for (let i = 0; i < 31; i++) last = (await call('/requests.json', { ip: '203.0.113.77', form: request({ phone: '', description: '' }) })).status;
    expect(last).toBe(429);
    const res = await call('/requests.json', { ip: '203.0.113.77', form: request({ phone: '13700137009' }) });
    expect(res.status).toBe(429);
    expect(((await res.json()) as { error_code: string }[])[0]!.error_code).toBe('RATE_LIMITED');
  });

  it('GET requests/{id}.json shows the public view only: no name, no phone, personal data masked', async () => {
    const made = (await (await call('/requests.json', { form: request({ phone: '13700137004', description: '楼下餐馆油烟很大,我家电话 0532-85912345,请环保部门来检查一下油烟净化设备。' }) })).json()) as { service_request_id: string }[];
    const res = await call(`/requests/${made[0]!.service_request_id}.json`);
    expect(res.status).toBe(200);
    const text = await res.text();
    const [sr] = JSON.parse(text) as { service_request_id: string; status: string; description: string }[];
    expect(sr).toMatchObject({ service_request_id: made[0]!.service_request_id, status: 'open' });
    expect(text).not.toContain('13700137004');
    expect(text).not.toContain('王小明');
    expect(text).not.toContain('85912345');
    expect(sr!.description).toContain('[电话已隐去]');
    const missing = await call('/requests/JYAAAA-AAAA.json');
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { code: number }[])[0]!.code).toBe(404);
  });
});
