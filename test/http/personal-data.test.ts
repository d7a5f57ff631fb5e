import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { suggestions } from '../../src/db/schema';
import { SYSTEM_ACTOR } from '../../src/audit/audit.service';
import { closeSurvey, getSurvey } from '../../src/survey/survey.service';
import { addUser, Browser, testApp } from '../helpers/app';
import { openSocialSurvey, respond, responseCredential, socialAnswers, unsealSurveyAsCustodians } from '../helpers/survey';

/**
 * A citizen types their ID number, e-mail, phone and a neighbour's name into a suggestion.
 * Departments, the public, the JSON APIs and the search index must never carry any of it;
 * organisers still read the text as typed, to contact the author.
 */
let t: Awaited<ReturnType<typeof testApp>>;
let organiser: Browser;
let edu: Browser;
let statistician: Browser;
let code: string;

const AUTHOR = '孙悟空';
const MOBILE = '13955556666';
const EMAIL = 'sunwk@example.com';
const SECRETS = ['370202198001011234', 'zhang@example.com', 'zhang＠example', '0532-85912345', '85912345', '139 5555 6666', MOBILE, EMAIL, AUTHOR, '李四', '王女士'];
const TITLE = '孙悟空:幼儿园学位不够';
const BODY =
  '我叫孙悟空,身份证370202198001011234,邮箱zhang@example.com(也可发 zhang＠example．com),座机0532-85912345,手机139 5555 6666。' +
  '联系人:李四。楼下王女士的孩子也没有学位,建议增加普惠性幼儿园学位300个,2018年就反映过。';

const expectClean = (label: string, text: string) => {
  for (const s of SECRETS) expect(text, `${label} shows “${s}”`).not.toContain(s);
};

async function postMulti(b: Browser, path: string, pairs: [string, string][]) {
  const params = new URLSearchParams(pairs);
  params.set('_csrf', b.csrf);
  const res = await t.app.request(`http://localhost${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: [...b.cookies].map(([k, v]) => `${k}=${v}`).join('; ') },
    body: params.toString(),
  });
  return { status: res.status, body: await res.text() };
}

const api = async (path: string) => {
  const res = await t.app.request(`http://localhost${path}`);
  return { status: res.status, body: await res.text() };
};

beforeAll(async () => {
  t = await testApp();
  await addUser(t.db, 'org', 'organiser');
  await addUser(t.db, 'edu', 'dept_handler', { departmentName: '市教育局' });
  await addUser(t.db, 'stat', 'statistician');
  organiser = new Browser(t.app);
  await organiser.login('org');
  edu = new Browser(t.app);
  await edu.login('edu');
  statistician = new Browser(t.app);
  await statistician.login('stat');
  const citizen = new Browser(t.app);
  await citizen.get('/c/2018/suggestions/new');
  const r = await citizen.post('/c/2018/suggestions', { authorName: AUTHOR, mobile: MOBILE, email: EMAIL, theme: '共享', area: '民生保障', title: TITLE, body: BODY });
  code = r.body.match(/data-testid="tracking-code">(JY[0-9A-Z-]+)</)![1]!;
  await organiser.get(`/staff/c/2018/suggestions/${code}`);
  expect((await postMulti(organiser, `/staff/c/2018/suggestions/${code}/dispatch`, [['departments', '市教育局']])).status).toBe(303);
});
afterAll(() => t.close());

describe('ID numbers, e-mail, phones and names typed into a suggestion', () => {
  it('never reach the department’s handler page, list or handling API', async () => {
    const list = await edu.get('/staff/c/2018/handling');
    const item = await edu.get(`/staff/c/2018/handling/${code}`);
    const json = await edu.get('/api/handling/2018');
    for (const [label, p] of [['list', list], ['page', item], ['api', json]] as const) {
      expect(p.status).toBe(200);
      expectClean(label, p.body);
    }
    expect(item.body).toContain('[身份证号已隐去]');
    expect(item.body).toContain('[邮箱已隐去]');
    expect(item.body).toContain('联系人:李某');
    expect(item.body).toContain('某女士');
    // ordinary numbers survive
    expect(item.body).toContain('300个,2018年');
  });

  it('never reach the public page, the tracking page or the public API', async () => {
    await edu.get(`/staff/c/2018/handling/${code}`);
    expect((await edu.post(`/staff/c/2018/handling/${code}/answer`, { answer: '已列入明年新建幼儿园计划,增加学位。', adoption: 'next_year_plan' })).status).toBe(303);
    await organiser.get(`/staff/c/2018/suggestions/${code}`);
    expect((await organiser.post(`/staff/c/2018/suggestions/${code}/publish`, {})).status).toBe(303);
    const pages = {
      column: await api('/c/2018/suggestions'),
      track: await api(`/c/2018/suggestions/track?code=${code}`),
      apiOne: await api(`/api/suggestions/${code}`),
      apiList: await api('/api/suggestions?q=幼儿园'),
    };
    for (const [label, p] of Object.entries(pages)) {
      expect(p.status, label).toBe(200);
      expect(p.body, label).toContain('普惠性幼儿园学位300个');
      expectClean(label, p.body);
    }
    const one = JSON.parse(pages.apiOne.body) as { author: string; body: string };
    expect(one.author).toBe('孙**');
    expect(one.body).toContain('[身份证号已隐去]');
  });

  it('cannot be found by searching the public column for them', async () => {
    for (const q of ['370202198001011234', '19800101', 'zhang@example.com', 'example', '李四', '85912345', '孙悟空', '@']) {
      const r = JSON.parse((await api(`/api/suggestions?q=${encodeURIComponent(q)}`)).body) as { total: number };
      expect(r.total, `search “${q}”`).toBe(0);
    }
    // the masked text itself is what is searchable
    expect((JSON.parse((await api(`/api/suggestions?q=${encodeURIComponent('普惠性幼儿园')}`)).body) as { total: number }).total).toBe(1);
  });

  it('never reach a statistician’s overdue list', async () => {
    const citizen = new Browser(t.app);
    await citizen.get('/c/2018/suggestions/new');
    const r = await citizen.post('/c/2018/suggestions', { authorName: '猪八戒', mobile: '13977778888', theme: '共享', area: '民生保障', title: '身份证370202198001011234丢了', body: '我叫猪八戒,身份证丢失后补办太慢,建议缩短补办时间。' });
    const late = r.body.match(/data-testid="tracking-code">(JY[0-9A-Z-]+)</)![1]!;
    await t.db.update(suggestions).set({ dispatchBy: 0 }).where(eq(suggestions.code, late));
    const stats = await statistician.get('/staff/c/2018/suggestions/stats');
    expect(stats.status).toBe(200);
    expect(stats.body).toContain(late);
    expect(stats.body).not.toContain('370202198001011234');
  });

  it('stay as typed for the organisers, who must be able to contact the author', async () => {
    const page = await organiser.get(`/staff/c/2018/suggestions/${code}`);
    expect(page.body).toContain('370202198001011234');
    expect(page.body).toContain(MOBILE);
    expect(page.body).toContain(AUTHOR);
    const [row] = await t.db.select({ body: suggestions.body }).from(suggestions).where(eq(suggestions.code, code));
    expect(row!.body).toBe(BODY);
  });
});

describe('ID numbers, e-mail, bank cards and names typed into a survey’s free text', () => {
  it('are flagged for the reviewer by the same module, and masked even when the reviewer publishes the text as typed', async () => {
    const { campaign, survey, codes, shares } = await openSocialSurvey(t.db, 1);
    const typed = '我叫周八,身份证370202198001011234,邮箱zhou@example.com,卡号6222 0212 3456 7890 123,希望小区加装电梯。';
    const { credential } = await responseCredential(t.app, codes[0]!);
    expect((await respond(t.app, survey, credential, socialAnswers(Array(13).fill(1), { q17: typed }))).status).toBe(201);
    await closeSurvey(t.db, SYSTEM_ACTOR, campaign, survey);
    const closed = await getSurvey(t.db, campaign, survey.id);
    await unsealSurveyAsCustodians(t.db, campaign, closed, shares.slice(0, closed.threshold));
    const review = await statistician.get(`/staff/c/2018/surveys/${survey.id}/review`);
    expect(review.status).toBe(200);
    expect(review.body).toContain('身份证号“370202198001011234”');
    expect(review.body).toContain('银行卡号“6222 0212 3456 7890 123”');
    expect(review.body).toContain('电子邮箱“zhou@example.com”');
    // the reviewer clicks through without editing
    expect((await statistician.post(`/staff/c/2018/surveys/${survey.id}/review`, { t0: typed })).status).toBe(303);
    const results = await api(`/c/2018/surveys/${survey.id}/results`);
    expect(results.status).toBe(200);
    expect(results.body).toContain('希望小区加装电梯');
    for (const s of ['370202198001011234', 'zhou@example.com', '3456 7890', '周八']) expect(results.body).not.toContain(s);
  });
});
