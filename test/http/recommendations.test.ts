import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { desc, eq } from 'drizzle-orm';
import { auditLog, candidates } from '../../src/db/schema';
import { addUser, Browser, testApp } from '../helpers/app';
import { makeId } from '../helpers/ids';

let t: Awaited<ReturnType<typeof testApp>>;
beforeAll(async () => {
  t = await testApp();
  await addUser(t.db, 'chief', 'organiser');
  await addUser(t.db, 'shinan', 'venue_staff', { venueName: '市南区' });
  await addUser(t.db, 'police', 'qualifier');
});
afterAll(() => t.close());

const HEADER = '姓名,身份证号,手机号,会场,分组,类别,推荐单位';

/** The multipart POST a browser sends from the upload form (no JavaScript involved). */
async function upload(b: Browser, bytes: Uint8Array, fileName = 'list.csv') {
  const form = new FormData();
  form.set('_csrf', b.csrf);
  form.set('file', new File([bytes.slice()], fileName, { type: 'text/csv' }));
  const res = await t.app.request(
    'http://localhost/staff/c/2018/candidates/import',
    { method: 'POST', headers: { cookie: [...b.cookies].map(([k, v]) => `${k}=${v}`).join('; ') }, body: form },
    { incoming: { socket: { remoteAddress: b.ip } } },
  );
  return { status: res.status, body: await res.text() };
}

const utf8 = (lines: string[]) => new TextEncoder().encode(lines.join('\r\n') + '\r\n');

// GBK code of every non-ASCII character the GBK test files use (from Python's gbk codec);
// ASCII bytes are the same in both encodings
const GBK: Record<string, string> = { 一: 'd2bb', 二: 'b6fe', 代: 'b4fa', 份: 'b7dd', 会: 'bbe1', 伟: 'ceb0', 位: 'cebb', 党: 'b5b3', 分: 'b7d6', 刘: 'c1f5', 别: 'b1f0', 区: 'c7f8', 单: 'b5a5', 南: 'c4cf', 发: 'b7a2', 号: 'bac5', 各: 'b8f7', 名: 'c3fb', 场: 'b3a1', 姓: 'd0d5', 委: 'ceaf', 娜: 'c4c8', 局: 'bed6', 山: 'c9bd', 崂: 'e1c0', 市: 'cad0', 张: 'd5c5', 手: 'cad6', 推: 'cdc6', 改: 'b8c4', 机: 'bbfa', 李: 'c0ee', 洋: 'd1f3', 点: 'b5e3', 界: 'bde7', 目: 'c4bf', 社: 'c9e7', 第: 'b5da', 类: 'c0e0', 组: 'd7e9', 织: 'd6af', 荐: 'bcf6', 表: 'b1ed', 证: 'd6a4', 身: 'c9ed', 部: 'b2bf', 重: 'd6d8', 项: 'cfee' };
function gbk(lines: string[]): Uint8Array {
  const out: number[] = [];
  for (const ch of lines.join('\r\n') + '\r\n') {
    if (ch.charCodeAt(0) < 0x80) out.push(ch.charCodeAt(0));
    else {
      const hex = GBK[ch];
      if (!hex) throw new Error(`no GBK code for ${ch} in the test table`);
      out.push(parseInt(hex.slice(0, 2), 16), parseInt(hex.slice(2), 16));
    }
  }
  return new Uint8Array(out);
}

const wrongCheck = (id: string) => id.slice(0, 17) + (id[17] === '0' ? '1' : '0');
const recommended = () => t.db.select().from(candidates).where(eq(candidates.source, 'recommended'));
const lastAudit = async () => (await t.db.select().from(auditLog).orderBy(desc(auditLog.seq)).limit(1))[0]!;

describe('importing organisational recommendations as CSV', () => {
  it('offers an upload form that works without JavaScript to organisers and venue staff, not to others', async () => {
    const b = new Browser(t.app);
    await b.login('chief');
    const page = await b.get('/staff/c/2018/candidates/import');
    expect(page.status).toBe(200);
    expect(page.body).toContain('enctype="multipart/form-data"');
    expect(page.body).toContain('name="file"');
    expect(page.body).toContain(HEADER);
    const police = new Browser(t.app);
    await police.login('police');
    expect((await police.get('/staff/c/2018/candidates/import')).status).toBe(403);
    const anonymous = await new Browser(t.app).get('/staff/c/2018/candidates/import');
    expect(anonymous.status).toBe(302);
  });

  it('UTF-8: keeps the good rows, lists every bad row by line and reason, and logs the import', async () => {
    // a volunteer who already signed up cannot also be recommended
    const volunteerId = makeId('1975-03-03', 21);
    const v = new Browser(t.app);
    await v.get('/c/2018/signup');
    const signed = await v.post('/c/2018/signup', { name: '陈静', idNumber: volunteerId, mobile: '13912345678', district: '市南区', venueName: '市南区', occupation: '会计', declaredCategory: '社区或村居民代表', groups: '1', resident: 'yes', consent: 'yes' });
    expect(signed.status).toBe(201);

    const gaoxin = (await (await t.app.request('/api/campaigns/2018/quotas')).json()) as { venues: { venue: string; group: number; categories: { category: string; seats: number }[] }[] };
    expect(gaoxin.venues.find((x) => x.venue === '青岛高新区' && x.group === 1)!.categories.find((c) => c.category === '服务对象代表/往年获评优秀建议市民代表')!.seats).toBe(0);

    const b = new Browser(t.app);
    await b.login('chief');
    await b.get('/staff/c/2018/candidates/import');
    const r = await upload(
      b,
      utf8([
        HEADER,
        `王建国,${makeId('1970-01-01', 31)},13805320001,市南区,1,社会各界代表/党代表,中共市南区委组织部`, // 2 good
        `赵敏,${makeId('1982-02-02', 32)},+86 139 0532 0002,市级主会场,第二组,媒体代表,青岛日报社`, // 3 good
        `孙磊,${makeId('1983-03-03', 33)},13805320003,市南区,1,自愿报名市民代表,某单位`, // 4 volunteer seats are not for recommendations
        `陈静,${volunteerId},13805320004,市南区,1,人大代表,市南区人大`, // 5 already signed up
        `周涛,${makeId('1984-04-04', 35)},13805320005,青岛高新区,1,往年获评优秀建议市民代表,高新区管委`, // 6 no seat at 60 seats
        `吴昊,${makeId('2001-01-01', 36)},13805320006,市南区,1,党代表,某单位`, // 7 not 18 on 2018-12-11
        `郑爽,${wrongCheck(makeId('1985-05-05', 37))},12345,黄岛区,第九组,党代表,`, // 8 everything wrong
      ]),
      '推荐名单.csv',
    );
    expect(r.status).toBe(200);
    expect(r.body).toContain('已从“推荐名单.csv”导入 2 人;另有 5 行有问题');
    for (const text of [
      '第 4 行',
      '自愿报名名额由市民本人报名,不接受组织推荐',
      '第 5 行',
      '该身份证号码已报名或已被推荐参加本年度活动',
      '第 6 行',
      '青岛高新区第 1 组没有“服务对象代表/往年获评优秀建议市民代表”名额',
      '第 7 行',
      '被推荐人须在第 1 组评议当日年满 18 周岁',
      '第 8 行',
      '身份证号码校验位不正确',
      '手机号码应为 11 位',
      '会场“黄岛区”不存在',
      '分组“第九组”无效',
      '请填写推荐单位',
    ]) {
      expect(r.body, text).toContain(text);
    }
    expect(r.body).not.toContain('第 2 行');
    const rows = await recommended();
    expect(rows.map((x) => [x.name, x.venueName, x.groups, x.category, x.organisation, x.mobile, x.qualification]).sort()).toEqual([
      ['王建国', '市南区', '1', '社会各界代表/党代表', '中共市南区委组织部', '13805320001', 'pending'],
      ['赵敏', '市级主会场', '2', '媒体代表', '青岛日报社', '13905320002', 'pending'],
    ]);
    // the ID number itself is stored nowhere
    const dump = JSON.stringify((await t.client.execute('SELECT * FROM candidates')).rows);
    expect(dump).not.toContain(makeId('1970-01-01', 31));
    expect(await lastAudit()).toMatchObject({ actorName: 'chief', action: 'candidates.import', target: 'candidates:2018/全部' });
  });

  it('GBK (as Excel saves on Chinese Windows): a venue’s staff import their own venue only, with short category names', async () => {
    const b = new Browser(t.app);
    await b.login('shinan');
    await b.get('/staff/c/2018/candidates/import');
    const before = (await recommended()).length;
    const r = await upload(
      b,
      gbk([
        HEADER,
        `张伟,${makeId('1979-09-09', 41)},13805321234,市南区,第一组,重点项目单位代表,市南区发改局`, // 2 good: short name of 服务对象代表/重点项目单位代表
        `李娜,${wrongCheck(makeId('1988-08-08', 42))},13805321235,市南区,1,党代表,市南区委组织部`, // 3 bad checksum
        `刘洋,${makeId('1990-10-10', 43)},13805321236,崂山区,二,社会各界代表/党代表,崂山区委`, // 4 another venue
      ]),
      'gbk.csv',
    );
    expect(r.status).toBe(200);
    expect(r.body).toContain('导入 1 人;另有 2 行有问题');
    expect(r.body).toContain('第 3 行');
    expect(r.body).toContain('身份证号码校验位不正确');
    expect(r.body).toContain('第 4 行');
    expect(r.body).toContain('您只能导入本会场(市南区)的推荐名单,不能导入“崂山区”');
    const rows = await recommended();
    expect(rows).toHaveLength(before + 1);
    expect(rows.find((x) => x.name === '张伟')).toMatchObject({ venueName: '市南区', groups: '1', category: '服务对象代表/重点项目单位代表', organisation: '市南区发改局' });
    expect(await lastAudit()).toMatchObject({ actorName: 'shinan', action: 'candidates.import', target: 'candidates:2018/市南区' });
  });

  it('a file with no good row imports nothing and answers 422', async () => {
    const b = new Browser(t.app);
    await b.login('chief');
    await b.get('/staff/c/2018/candidates/import');
    const before = await t.db.select().from(candidates);
    const audits = (await lastAudit()).seq;
    const r = await upload(b, gbk([HEADER, `李娜,${wrongCheck(makeId('1988-08-08', 42))},13805321235,市南区,1,党代表,市南区委组织部`]));
    expect(r.status).toBe(422);
    expect(r.body).toContain('没有可以导入的行,未导入任何记录');
    expect(r.body).toContain('第 2 行');
    const headerOnly = await upload(b, utf8(['姓名,身份证号,会场', `王五,${makeId('1970-01-01', 51)},市南区`]));
    expect(headerOnly.status).toBe(422);
    expect(headerOnly.body).toContain('表头缺少必填列:手机号、分组、类别、推荐单位');
    const unclosed = await upload(b, utf8([HEADER, `"王五,${makeId('1970-01-01', 51)},13800000000,市南区,1,党代表,某单位`]));
    expect(unclosed.status).toBe(422);
    expect(unclosed.body).toContain('第 2 行开始的引号没有闭合');
    const empty = await upload(b, new Uint8Array());
    expect(empty.status).toBe(422);
    expect(empty.body).toContain('请选择要上传的 CSV 文件');
    expect(await t.db.select().from(candidates)).toEqual(before);
    expect((await lastAudit()).seq).toBe(audits);
  });

  it('refuses an upload without the form’s CSRF token', async () => {
    const b = new Browser(t.app);
    await b.login('chief');
    b.csrf = 'forged';
    const r = await upload(b, utf8([HEADER, `王六,${makeId('1970-06-06', 61)},13800000006,市南区,1,党代表,某单位`]));
    expect(r.status).toBe(403);
    expect((await recommended()).some((x) => x.name === '王六')).toBe(false);
  });
});
