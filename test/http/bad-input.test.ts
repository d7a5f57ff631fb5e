import { count, eq } from 'drizzle-orm';
import { mobileKeyOf } from '../../src/suggestions/author-contact.service';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { candidates, checkins, suggestions, users, votingSessions } from '../../src/db/schema';
import { addUser, Browser, testApp } from '../helpers/app';
import { addDelegates, api, prepareHearing, tokenFor } from '../helpers/hearing';
import { makeId } from '../helpers/ids';

let t: Awaited<ReturnType<typeof testApp>>;
let organiser: Browser;
let token: string;
let campaignId: string;

beforeAll(async () => {
  t = await testApp();
  await addUser(t.db, 'org', 'organiser');
  organiser = new Browser(t.app);
  await organiser.login('org');
  token = await tokenFor(t.app, 'org', 'correct horse battery staple');
  ({ campaignId } = await prepareHearing(t.db, [1]));
});
afterAll(() => t.close());

const cookie = (b: Browser) => [...b.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
const ENGLISH = /\b[A-Za-z]{2,}\b(?:[\s,.:;'"-]+\b[A-Za-z]{2,}\b){2,}/;
/** Visible text of a page: no tags, attributes, scripts or styles. */
const visible = (html: string) =>
  html
    .replace(/<script[\s\S]*?<\/script>/g, '')
    .replace(/<style[\s\S]*?<\/style>/g, '')
    .replace(/<[^>]*>/g, ' ')
    .replace(/&[a-z]+;/g, ' ');

const rawPost = (path: string, init: RequestInit) =>
  t.app.request(`http://localhost${path}`, { method: 'POST', ...init }, { incoming: { socket: { remoteAddress: '10.9.9.9' } } });

async function errorOf(res: Response) {
  const text = await res.text();
  return { status: res.status, text, error: (JSON.parse(text) as { error: { code: string; message: string; fields?: Record<string, string> } }).error };
}

const MALFORMED = '--x\r\nContent-Disposition: form-data; name="username"\r\n\r\nab'; // no closing boundary

describe('malformed multipart bodies (item 13)', () => {
  it('a malformed multipart body on anonymous /login answers 400 in Chinese, not 500', async () => {
    const b = new Browser(t.app);
    await b.get('/login');
    const res = await rawPost('/login', { headers: { 'content-type': 'multipart/form-data; boundary=x', cookie: cookie(b) }, body: MALFORMED });
    expect(res.status).toBe(400);
    const body = await res.text();
    expect(body).toContain('提交的表单内容不完整或格式错误');
    expect(body).toContain('BAD_FORM');
  });

  it('a malformed multipart body with a valid CSRF header on a staff form answers 400 and writes nothing', async () => {
    const before = await t.db.select({ n: count() }).from(users);
    await organiser.get('/staff/users');
    const res = await rawPost('/staff/users', { headers: { 'content-type': 'multipart/form-data; boundary=x', cookie: cookie(organiser), 'x-csrf-token': organiser.csrf }, body: MALFORMED });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('提交的表单内容不完整或格式错误');
    expect(await t.db.select({ n: count() }).from(users)).toEqual(before);
  });

  it('a multipart body with a boundary that never appears on an upload route answers 400, not 500', async () => {
    await organiser.get('/staff/c/2018/suggestions/import');
    const res = await rawPost('/staff/c/2018/suggestions/import', { headers: { 'content-type': 'multipart/form-data', cookie: cookie(organiser), 'x-csrf-token': organiser.csrf }, body: 'garbage' });
    expect(res.status).toBe(400);
  });
});

describe('JSON bodies of the wrong shape (item 14)', () => {
  let checkinId: string;
  beforeAll(async () => {
    const [d] = await addDelegates(t.db, campaignId, '市南区', 1, 1);
    expect((await api(t.app, '/api/campaigns/2018/groups/1/venues/市南区/open', {}, token)).status).toBe(201);
    const r = await api(t.app, '/api/campaigns/2018/checkins', { delegateCode: d!.code, group: 1, venue: '市南区' }, token);
    expect(r.status).toBe(201);
    checkinId = r.json.checkinId;
  });

  for (const [label, body] of [['null', 'null'], ['an array', '[1,2]'], ['a number', '42'], ['a string', '"作废"']] as const) {
    it(`a JSON ${label} body on check-in void and venue close answers 422, not 500, and changes nothing`, async () => {
      const headers = { 'content-type': 'application/json', authorization: `Bearer ${token}` };
      const voided = await errorOf(await rawPost(`/api/campaigns/2018/checkins/${checkinId}/void`, { headers, body }));
      expect(voided.status).toBe(422);
      expect(voided.error.code).toBe('VALIDATION_FAILED');
      expect(voided.error.message).toContain('JSON 对象');
      const closed = await errorOf(await rawPost('/api/campaigns/2018/groups/1/venues/市南区/close', { headers, body }));
      expect(closed.status).toBe(422);
      const [c] = await t.db.select().from(checkins).where(eq(checkins.id, checkinId));
      expect(c!.state).not.toBe('voided');
      const [s] = await t.db.select().from(votingSessions).where(eq(votingSessions.venueName, '市南区'));
      expect(s!.state).toBe('open');
    });
  }

  it('truncated JSON answers 400 BAD_JSON in Chinese on every JSON route that reads a body', async () => {
    for (const path of ['/api/login', '/api/ballot/ticket', '/api/survey/invitation', '/api/suggestions', '/api/campaigns/2018/checkins']) {
      const r = await errorOf(await rawPost(path, { headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: '{"ticket": "AB' }));
      expect([path, r.status, r.error.code]).toEqual([path, 400, 'BAD_JSON']);
      expect(r.error.message).toContain('不是有效的 JSON');
    }
  });
});

describe('control characters in query strings (item 15)', () => {
  it('GET /api/suggestions?q=交%00通 answers 400 in Chinese, not 500', async () => {
    const r = await errorOf(await t.app.request('http://localhost/api/suggestions?q=%E4%BA%A4%00%E9%80%9A'));
    expect(r.status).toBe(400);
    expect(r.error.code).toBe('BAD_QUERY');
    expect(r.error.message).toContain('控制字符');
  });

  it('a right-to-left override or a broken percent-encoding in a page address answers 400, not 500', async () => {
    expect((await t.app.request('http://localhost/c/2018/suggestions?q=%E2%80%AEabc')).status).toBe(400);
    expect((await t.app.request('http://localhost/api/suggestions?q=%E4%BA')).status).toBe(400);
    expect((await t.app.request('http://localhost/api/suggestions?q=%E4%BA%A4%E9%80%9A')).status).toBe(200);
  });
});

describe('messages a person sees are Chinese (item 16)', () => {
  it('a staff account form with missing fields shows Chinese messages, not zod’s English defaults', async () => {
    await organiser.get('/staff/users');
    const r = await organiser.post('/staff/users', {});
    expect(r.status).toBe(422);
    expect(r.body).not.toContain('Invalid input');
    expect(visible(r.body)).not.toMatch(ENGLISH);
    expect(r.body).toContain('此项必填');
  });

  it('JSON APIs given wrong types answer with a stable code and a Chinese message, never English', async () => {
    const bodies: [string, unknown][] = [
      ['/api/routing/preview', { title: 1, body: [] }],
      ['/api/routing/preview', { campaign: 5, title: '公交线路', body: '增开公交' }],
      ['/api/suggestions', { authorName: 1, mobile: null, title: {}, body: 2 }],
      ['/api/suggestions', { campaign: 5, title: 't' }],
      ['/api/survey/invitation', { code: 7 }],
      ['/api/survey/respond', { survey: 1, credential: 'x', answers: 'no' }],
      ['/api/survey/respond', { campaign: 1, survey: 1, credential: 'x', ciphertext: 5, sealKey: [] }],
      ['/api/survey/respond-open', { campaign: '2018', survey: 'x', ciphertext: {}, sealKey: null }],
      ['/api/ballot/cast', { campaign: 1, group: 'one', credential: null, answers: {} }],
      ['/api/campaigns/2018/checkins', { delegateCode: 1, group: 'x' }],
    ];
    for (const [path, body] of bodies) {
      const r = await api(t.app, path, body, token);
      expect(r.status, `${path} ${r.text}`).toBeGreaterThanOrEqual(400);
      expect(r.status).toBeLessThan(500);
      expect(r.json.error.code).toMatch(/^[A-Z_]+$/);
      const messages = JSON.stringify([r.json.error.message, r.json.error.fields ?? {}]);
      expect(messages, path).not.toMatch(/Invalid|expected|received|undefined|Required/);
      expect(messages, path).toMatch(/[\u4e00-\u9fff]/);
    }
    for (const query of ['page=abc', `campaign=${'x'.repeat(41)}`, 'page=0']) {
      const r = await api(t.app, `/api/suggestions?${query}`);
      expect(r.status).toBe(422);
      expect(r.json.error.message, query).not.toMatch(/Invalid|expected|received|Too small|Too big/);
      expect(r.json.error.message).toMatch(/[\u4e00-\u9fff]/);
    }
  });
});

describe('a full disk (item 17)', () => {
  it('when the disk is full a write answers 507 STORAGE_FULL in Chinese and reads still answer 200', async () => {
    const b = new Browser(t.app);
    await b.get('/c/2018/suggestions/new');
    const pages = Number((await t.client.execute('PRAGMA page_count')).rows[0]![0]);
    await t.client.execute(`PRAGMA max_page_count = ${pages}`);
    try {
      const before = await t.db.select({ n: count() }).from(suggestions);
      const long = '我们社区附近没有公交站,到地铁站要走二十分钟,建议增开社区公交接驳线路。'.repeat(40);
      const r = await b.post('/c/2018/suggestions', { authorName: '张三', mobile: '13900000099', theme: '共享', area: '民生保障', title: '增开社区公交接驳线路', body: long.slice(0, 1900) });
      expect(r.status).toBe(507);
      expect(r.body).toContain('服务器存储空间已满,本次提交未保存,请通知技术保障组');
      const j = await api(t.app, '/api/suggestions', { authorName: '张三', mobile: '13900000098', theme: '共享', area: '民生保障', title: '延长图书馆开放时间', body: long.slice(0, 1900) });
      expect(j.status).toBe(507);
      expect(j.json.error.code).toBe('STORAGE_FULL');
      expect(await t.db.select({ n: count() }).from(suggestions)).toEqual(before);
      expect((await t.app.request('http://localhost/api/campaigns/2018')).status).toBe(200);
      expect((await b.get('/c/2018/suggestions')).status).toBe(200);
      expect((await organiser.get('/staff')).status).toBe(200);
    } finally {
      await t.client.execute('PRAGMA max_page_count = 1073741823');
    }
  });
});

describe('request body limits (item 10)', () => {
  const big = (n: number) => JSON.stringify({ title: '长'.repeat(Math.ceil(n / 3)), body: '' });

  it('a JSON body over 64 KB answers 413 PAYLOAD_TOO_LARGE in Chinese before it is parsed', async () => {
    const r = await errorOf(await rawPost('/api/routing/preview', { headers: { 'content-type': 'application/json' }, body: big(100 * 1024) }));
    expect(r.status).toBe(413);
    expect(r.error.code).toBe('PAYLOAD_TOO_LARGE');
    expect(r.error.message).toContain('提交的内容过大(上限 64 KB)');
  });

  it('a body that lies in its Content-Length, or comes chunked without one, is cut off at the limit', async () => {
    const bytes = new TextEncoder().encode(big(200 * 1024));
    let sent = 0;
    const stream = () => {
      sent = 0;
      return new ReadableStream<Uint8Array>({
        pull(ctl) {
          if (sent >= bytes.length) return ctl.close();
          ctl.enqueue(bytes.subarray(sent, sent + 8192));
          sent += 8192;
        },
      });
    };
    const lying = await rawPost('/api/routing/preview', { headers: { 'content-type': 'application/json', 'content-length': '20' }, body: stream(), duplex: 'half' } as RequestInit);
    expect(lying.status).toBe(413);
    expect(sent).toBeLessThan(100 * 1024); // stopped reading soon after 64 KB
    const chunked = await rawPost('/api/routing/preview', { headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' }, body: stream(), duplex: 'half' } as RequestInit);
    expect(chunked.status).toBe(413);
    expect(sent).toBeLessThan(100 * 1024);
  });

  it('an ordinary form over 64 KB answers 413, but a 1 MB CSV upload is accepted on the import routes', async () => {
    await organiser.get('/staff/users');
    const form = await organiser.post('/staff/users', { displayName: '长'.repeat(30_000) });
    expect(form.status).toBe(413);
    expect(form.body).toContain('提交的内容过大');

    await organiser.get('/staff/c/2018/suggestions/import');
    const fd = new FormData();
    fd.set('_csrf', organiser.csrf);
    fd.set('organisation', '市北区政协');
    const line = '姓名,手机号,标题,内容\r\n' + `王芳,13900001234,加装电梯,${'老楼加装电梯,'.repeat(20)}\r\n`.repeat(1);
    fd.set('file', new File([line + ' '.repeat(1024 * 1024)], 'big.csv', { type: 'text/csv' }));
    const res = await t.app.request('http://localhost/staff/c/2018/suggestions/import', { method: 'POST', headers: { cookie: cookie(organiser) }, body: fd });
    expect(res.status).not.toBe(413);
    expect(res.status).toBeLessThan(500);

    const tooBig = new FormData();
    tooBig.set('_csrf', organiser.csrf);
    tooBig.set('file', new File(['x'.repeat(4 * 1024 * 1024)], 'huge.csv', { type: 'text/csv' }));
    const huge = await t.app.request('http://localhost/staff/c/2018/suggestions/import', { method: 'POST', headers: { cookie: cookie(organiser) }, body: tooBig });
    expect(huge.status).toBe(413);
    expect(await huge.text()).toContain('上限 3 MB');
  });
});

describe('JSON APIs take only JSON; text is cleaned at the edge (item 12)', () => {
  it('a cross-site text/plain form posting JSON to an API answers 415 and stores nothing', async () => {
    const before = await t.db.select({ n: count() }).from(suggestions);
    const body = JSON.stringify({ authorName: '张三', mobile: '13900000077', theme: '共享', area: '民生保障', title: '增开社区公交接驳线路', body: '我们社区附近没有公交站,到地铁站要走二十分钟,建议增开社区公交接驳线路。' });
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/json; charset=gbk']) {
      const r = await errorOf(await rawPost('/api/suggestions', { headers: { 'content-type': type }, body }));
      expect([type, r.status, r.error.code]).toEqual([type, 415, 'UNSUPPORTED_MEDIA_TYPE']);
      expect(r.error.message).toContain('只接受 JSON');
    }
    expect(await t.db.select({ n: count() }).from(suggestions)).toEqual(before);
    const ok = await rawPost('/api/routing/preview', { headers: { 'content-type': 'Application/JSON; charset=UTF-8' }, body: JSON.stringify({ title: '公交线路', body: '增开公交' }) });
    expect(ok.status).toBe(200);
  });

  it('titles: a right-to-left override in a suggestion title is stripped and the text stored in NFC', async () => {
    const b = new Browser(t.app);
    await b.get('/c/2018/suggestions/new');
    const title = '增开\u202E社区公交\u2066接驳\u2069线路\u200F'; // with bidi controls
    const r = await b.post('/c/2018/suggestions', { authorName: '张三', mobile: '13900000066', theme: '共享', area: '民生保障', title, body: 'Cafe\u0301 旁边没有公交站,到地铁站要走二十分钟,建议增开社区公交接驳线路。' });
    expect(r.status).toBe(201);
    const [row] = await t.db.select().from(suggestions).where(eq(suggestions.mobileKey, await mobileKeyOf(t.atRest, '13900000066')));
    expect(row!.title).toBe('增开社区公交接驳线路');
    expect(row!.body.startsWith('Caf\u00e9 ')).toBe(true);
  });

  it('titles: NUL in a suggestion title (form or JSON) is refused at 422 in Chinese and nothing is stored', async () => {
    const before = await t.db.select({ n: count() }).from(suggestions);
    const b = new Browser(t.app);
    await b.get('/c/2018/suggestions/new');
    const form = await b.post('/c/2018/suggestions', { authorName: '张三', mobile: '13900000055', theme: '共享', area: '民生保障', title: '增开\u0000公交线路', body: '我们社区附近没有公交站,到地铁站要走二十分钟,建议增开社区公交接驳线路。' });
    expect(form.status).toBe(422);
    expect(form.body).toContain('不可见的控制字符');
    const json = await api(t.app, '/api/suggestions', { authorName: '张三', mobile: '13900000055', theme: '共享', area: '民生保障', title: '增开\u0007公交线路', body: '我们社区附近没有公交站,到地铁站要走二十分钟,建议增开社区公交接驳线路。' });
    expect(json.status).toBe(422);
    expect(json.json.error.code).toBe('BAD_CHARACTERS');
    expect(json.json.error.fields.title).toContain('不可见的控制字符');
    expect(await t.db.select({ n: count() }).from(suggestions)).toEqual(before);
  });

  it('names: a volunteer’s name with a right-to-left override is stored without it; with a control character it is refused', async () => {
    const submit = async (name: string, id: string, mobile: string) => {
      const b = new Browser(t.app);
      await b.get('/c/2018/signup');
      const params = new URLSearchParams({ name, idNumber: id, mobile, district: '市南区', venueName: '市南区', occupation: '教师', declaredCategory: '社区或村居民代表', resident: 'yes', consent: 'yes', _csrf: b.csrf });
      params.append('groups', '1');
      return rawPost('/c/2018/signup', { headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookie(b) }, body: params.toString() });
    };
    const ok = await submit('王\u202E小明\u061C', makeId('1980-05-06', 91), '13812340091');
    expect(ok.status).toBe(201);
    const [row] = await t.db.select().from(candidates).where(eq(candidates.mobile, '13812340091'));
    expect(row!.name).toBe('王小明');
    const refused = await submit('王\u001B小明', makeId('1980-05-06', 92), '13812340092');
    expect(refused.status).toBe(422);
    expect(await refused.text()).toContain('不可见的控制字符');
    expect(await t.db.select().from(candidates).where(eq(candidates.mobile, '13812340092'))).toEqual([]);
  });

  it('organisations: bidi controls are stripped from a paper suggestion’s and a CSV’s organisation; a CSV with NUL is refused', async () => {
    await organiser.get('/staff/c/2018/suggestions/new');
    const paper = await organiser.post('/staff/c/2018/suggestions/new', { authorName: '李四', mobile: '13900000044', theme: '共享', area: '民生保障', title: '纸质表:增加公共厕所', body: '景区和老城区公共厕所太少,建议增加公厕建设并加强保洁管理。', organisation: '市南区\u202E政协' });
    expect(paper.status).toBeLessThan(400);
    const [row] = await t.db.select().from(suggestions).where(eq(suggestions.mobileKey, await mobileKeyOf(t.atRest, '13900000044')));
    expect(row!.organisation).toBe('市南区政协');

    const upload = async (text: string) => {
      await organiser.get('/staff/c/2018/candidates/import');
      const fd = new FormData();
      fd.set('_csrf', organiser.csrf);
      fd.set('file', new File([new TextEncoder().encode(text)], 'list.csv', { type: 'text/csv' }));
      const res = await t.app.request('http://localhost/staff/c/2018/candidates/import', { method: 'POST', headers: { cookie: cookie(organiser) }, body: fd });
      return { status: res.status, body: await res.text() };
    };
    const header = '姓名,身份证号,手机号,会场,分组,类别,推荐单位\r\n';
    const good = await upload(`${header}王建国,${makeId('1970-01-01', 93)},13805320093,市南区,1,社会各界代表/党代表,中共市南区委\u202E组织部\r\n`);
    expect(good.status).toBe(200);
    const [cand] = await t.db.select().from(candidates).where(eq(candidates.mobile, '13805320093'));
    expect(cand!.organisation).toBe('中共市南区委组织部');
    const bad = await upload(`${header}赵敏,${makeId('1970-01-01', 94)},13805320094,市南区,1,社会各界代表/党代表,某\u0000单位\r\n`);
    expect(bad.status).toBe(422);
    expect(bad.body).toContain('不可见的控制字符');
    expect(await t.db.select().from(candidates).where(eq(candidates.mobile, '13805320094'))).toEqual([]);
  });
});
