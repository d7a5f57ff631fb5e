import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { candidates } from '../../src/db/schema';
import { Browser, testApp } from '../helpers/app';
import { makeId } from '../helpers/ids';

let t: Awaited<ReturnType<typeof testApp>>;
beforeAll(async () => {
  t = await testApp();
});
afterAll(() => t.close());

const good = (over: Record<string, string | string[]> = {}) => ({
  name: '王小明',
  idNumber: makeId('1980-05-06', 11),
  mobile: '138 1234 5678',
  district: '市南区',
  venueName: '市南区',
  occupation: '教师',
  declaredCategory: '社区或村居民代表',
  groups: ['1', '4'],
  resident: 'yes',
  consent: 'yes',
  ...over,
});

async function submit(b: Browser, form: Record<string, string | string[]>) {
  await b.get('/c/2018/signup');
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(form)) for (const x of Array.isArray(v) ? v : [v]) params.append(k, x);
  params.set('_csrf', b.csrf);
  const res = await t.app.request(
    'http://localhost/c/2018/signup',
    { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: [...b.cookies].map(([k, v]) => `${k}=${v}`).join('; ') }, body: params.toString() },
    { incoming: { socket: { remoteAddress: b.ip } } },
  );
  return { status: res.status, body: await res.text() };
}

describe('volunteer sign-up', () => {
  it('accepts a valid adult resident and stores only a keyed hash and the last 4 ID digits', async () => {
    const id = makeId('1980-05-06', 11);
    const r = await submit(new Browser(t.app), good());
    expect(r.status).toBe(201);
    expect(r.body).toContain('报名成功');
    expect(r.body).toContain(`**************${id.slice(-4)}`);
    expect(r.body).not.toContain(id);
    const [row] = await t.db.select().from(candidates);
    expect(row).toMatchObject({ name: '王小明', mobile: '13812345678', venueName: '市南区', groups: '1,4', source: 'volunteer', idLast4: id.slice(-4) });
    expect(row!.category).toContain('自愿报名');
    // nothing in the row is the ID number or its plain SHA-256
    expect(JSON.stringify(row)).not.toContain(id);
    expect(JSON.stringify(row)).not.toContain(id.slice(0, 14));
    const dump = await t.client.execute('SELECT * FROM candidates');
    expect(JSON.stringify(dump.rows)).not.toContain(id);
  });

  it('refuses a second sign-up with the same ID, storing nothing twice', async () => {
    const r = await submit(new Browser(t.app), good({ name: '王小明', mobile: '13900001111' }));
    expect(r.status).toBe(409);
    expect(r.body).toContain('每人只能报名一次');
    expect(await t.db.select().from(candidates)).toHaveLength(1);
  });

  it('recognises the same person when the ID is typed with full-width digits', async () => {
    const id = makeId('1980-05-06', 11);
    const fullWidth = [...id].map((ch) => String.fromCharCode(ch.charCodeAt(0) + 0xfee0)).join('');
    const r = await submit(new Browser(t.app), good({ idNumber: fullWidth, mobile: '13900002222' }));
    expect(r.status).toBe(409);
    expect(r.body).toContain('每人只能报名一次');
    expect(await t.db.select().from(candidates)).toHaveLength(1);
  });

  it('explains a wrong ID checksum in Chinese and does not echo the number', async () => {
    const id = makeId('1985-01-01', 5);
    const wrong = id.slice(0, 17) + (id[17] === '0' ? '1' : '0');
    const r = await submit(new Browser(t.app), good({ idNumber: wrong }));
    expect(r.status).toBe(422);
    expect(r.body).toContain('校验位');
    expect(r.body).not.toContain(wrong);
  });

  it('refuses someone who is not 18 on the hearing date of a chosen group', async () => {
    // group 1 is on 2018-12-11: born 2000-12-12 turns 18 the day after
    const r = await submit(new Browser(t.app), good({ idNumber: makeId('2000-12-12', 7), groups: ['1'] }));
    expect(r.status).toBe(422);
    expect(r.body).toContain('年满 18 周岁');
    const ok = await submit(new Browser(t.app), good({ idNumber: makeId('2000-12-11', 8), groups: ['1'], mobile: '13700001234' }));
    expect(ok.status).toBe(201);
  });

  it('asks non-residents for one year or more in the city', async () => {
    const r = await submit(new Browser(t.app), good({ idNumber: makeId('1990-03-03', 9), resident: 'no', yearsInCity: '0' }));
    expect(r.status).toBe(422);
    expect(r.body).toContain('满 1 年');
    const ok = await submit(new Browser(t.app), good({ idNumber: makeId('1990-03-03', 9), resident: 'no', yearsInCity: '3' }));
    expect(ok.status).toBe(201);
  });

  it('reports every bad field at once, beside the field', async () => {
    const r = await submit(new Browser(t.app), { name: '', idNumber: '123', mobile: '12345', district: '', occupation: '', declaredCategory: '', resident: '' });
    expect(r.status).toBe(422);
    for (const msg of ['请填写真实姓名', '18 位', '手机', '请选择居住的区(市)', '请填写职业', '请至少选择一个可以参加的分组', '请阅读并同意活动工作纪律']) {
      expect(r.body, msg).toContain(msg);
    }
  });

  it('silently drops a bot that fills the honeypot', async () => {
    const before = (await t.db.select().from(candidates)).length;
    const r = await submit(new Browser(t.app), good({ idNumber: makeId('1970-07-07', 3), website: 'http://spam.example' }));
    expect(r.status).toBe(200);
    expect((await t.db.select().from(candidates)).length).toBe(before);
  });
});
