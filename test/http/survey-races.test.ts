import { like } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getCampaign } from '../../src/campaigns/campaigns.service';
import { auditLog } from '../../src/db/schema';
import { getSurvey, openSurvey } from '../../src/survey/survey.service';
import { addUser, atRestOf, Browser, formVersion, testApp } from '../helpers/app';
import { surveyCeremony } from '../helpers/survey';

/** The questionnaire builder: edits carry the version they were made on; opening re-checks both. */
let t: Awaited<ReturnType<typeof testApp>>;
let org: Browser;
let other: Browser;
let id: string;
const audit = async () => (await t.db.select().from(auditLog).where(like(auditLog.target, `survey:2018:${id}`))).map((e) => e.action);
const definition = async () => (await getSurvey(t.db, await getCampaign(t.db, '2018'), id)).definition;
const question = (title: string, version: string) => ({ section: 's3', kind: 'text', title, required: '', version });
/** The builder's version as a page read now shows it (every builder form carries it). */
const pageVersion = async (b: Browser) => formVersion((await b.get(`/staff/c/2018/surveys/${id}`)).body, 'question-form');
/** A question added from a page read just now. */
const addQuestion = async (b: Browser, title: string) => b.post(`/staff/c/2018/surveys/${id}/questions`, question(title, await pageVersion(b)));
/** The titles of the questions in order, as stored. */
const titles = async () => (JSON.parse(await definition()) as { sections: { questions: { id: string; title: string }[] }[] }).sections.flatMap((s) => s.questions.map((q) => q.title));
const questionId = async (title: string) => (JSON.parse(await definition()) as { sections: { questions: { id: string; title: string }[] }[] }).sections.flatMap((s) => s.questions).find((q) => q.title === title)!.id;

beforeAll(async () => {
  t = await testApp();
  await addUser(t.db, 'org', 'organiser');
  await addUser(t.db, 'org2', 'organiser');
  await addUser(t.db, 'cust', 'custodian');
  org = new Browser(t.app);
  other = new Browser(t.app);
  await org.login('org');
  await other.login('org2');
  await org.get('/staff/c/2018/surveys');
  const r = await org.post('/staff/c/2018/surveys/templates/social', {});
  id = /\/surveys\/([0-9a-f-]{36})/.exec(r.res.headers.get('location') ?? '')![1]!;
  await other.get(`/staff/c/2018/surveys/${id}`);
});
afterAll(() => t.close());

describe('two organisers editing one questionnaire', () => {
  it('two questions added at the same instant from pages of one version: one lands, the other is told and shown it', async () => {
    const [va, vb] = await Promise.all([pageVersion(org), pageVersion(other)]);
    expect(va).toBe(vb);
    const [a, b] = await Promise.all([org.post(`/staff/c/2018/surveys/${id}/questions`, question('甲同时添加的题目', va)), other.post(`/staff/c/2018/surveys/${id}/questions`, question('乙同时添加的题目', vb))]);
    expect([a.status, b.status].sort()).toEqual([303, 409]);
    const def = await definition();
    const [won, lost] = a.status === 303 ? (['甲同时添加的题目', '乙同时添加的题目'] as const) : (['乙同时添加的题目', '甲同时添加的题目'] as const);
    const loser = a.status === 409 ? a : b;
    expect(def).toContain(won);
    expect(def).not.toContain(lost);
    expect(loser.body).toContain('该内容已被他人修改');
    expect(loser.body).toContain(won); // the newer definition
    expect((await audit()).filter((x) => x === 'survey.edit')).toHaveLength(1);
  });

  it('a question added from a page read before someone else’s edit is refused and shown the newer definition; added again from it, it lands', async () => {
    const stale = await pageVersion(org);
    expect((await addQuestion(other, '乙先添加的题目')).status).toBe(303);
    const before = { audit: await audit(), definition: await definition() };
    const res = await org.post(`/staff/c/2018/surveys/${id}/questions`, question('甲在旧页面上添加的题目', stale));
    expect(res.status).toBe(409);
    expect(res.body).toContain('该内容已被他人修改,下方显示的是最新内容,请核对后重新提交');
    expect(res.body).toContain('乙先添加的题目');
    expect(await definition()).toBe(before.definition);
    expect(await audit()).toEqual(before.audit);
    // the page it came back with carries the newer version
    const fresh = formVersion(res.body, 'question-form');
    expect(Number(fresh)).toBe(Number(stale) + 1);
    expect((await org.post(`/staff/c/2018/surveys/${id}/questions`, question('甲核对后添加的题目', fresh))).status).toBe(303);
    expect(await titles()).toContain('甲核对后添加的题目');
  });

  it('a question deleted or moved from a stale page is refused, shown the newer definition, and changes nothing', async () => {
    expect((await addQuestion(org, '待移动的题目')).status).toBe(303);
    const target = await questionId('待移动的题目');
    const stale = await pageVersion(org);
    expect((await addQuestion(other, '乙刚刚添加的题目')).status).toBe(303);
    const before = { audit: await audit(), definition: await definition() };
    for (const action of ['move', 'delete']) {
      const res = await org.post(`/staff/c/2018/surveys/${id}/questions/${target}/${action}`, { dir: 'up', version: stale });
      expect(res.status, action).toBe(409);
      expect(res.body).toContain('该内容已被他人修改');
      expect(res.body).toContain('乙刚刚添加的题目');
      expect(await definition()).toBe(before.definition);
      expect(await audit()).toEqual(before.audit);
    }
    // a question someone else deleted meanwhile: the stale page is told so, not "not found"
    const gone = await questionId('乙刚刚添加的题目');
    const otherVersion = await pageVersion(other);
    const old = await pageVersion(org);
    expect((await other.post(`/staff/c/2018/surveys/${id}/questions/${gone}/delete`, { version: otherVersion })).status).toBe(303);
    const late = await org.post(`/staff/c/2018/surveys/${id}/questions/${gone}/move`, { dir: 'up', version: old });
    expect(late.status).toBe(409);
    expect(late.body).toContain('该内容已被他人修改');
    // from the current page, the move lands
    const order = await titles();
    const res = await org.post(`/staff/c/2018/surveys/${id}/questions/${target}/move`, { dir: 'up', version: await pageVersion(org) });
    expect(res.status).toBe(303);
    const i = order.indexOf('待移动的题目');
    expect((await titles()).indexOf('待移动的题目')).toBe(i - 1);
  });

  it('a builder form posted without its version is refused, not silently applied', async () => {
    const before = await definition();
    const target = await questionId('待移动的题目');
    for (const [path, body] of [['questions', { section: 's3', kind: 'text', title: '没有版本号的题目', required: '' }], [`questions/${target}/move`, { dir: 'up' }], [`questions/${target}/delete`, {}]] as const) {
      expect((await org.post(`/staff/c/2018/surveys/${id}/${path}`, body)).status, path).toBe(409);
    }
    expect(await definition()).toBe(before);
  });

  it('the JSON definition saved from a page read before someone else’s edit is refused and the page shows the newer definition', async () => {
    const page = await org.get(`/staff/c/2018/surveys/${id}`);
    const v = formVersion(page.body, 'definition-form');
    const stale = JSON.stringify(JSON.parse(page.body.match(/<textarea id="definition"[^>]*>([^<]*)</)![1]!.replace(/&quot;/g, '"').replace(/&amp;/g, '&')));
    expect((await addQuestion(other, '乙后来添加的题目')).status).toBe(303);
    const before = await audit();
    const res = await org.post(`/staff/c/2018/surveys/${id}/definition`, { definition: stale, version: v });
    expect(res.status).toBe(409);
    expect(res.body).toContain('该内容已被他人修改');
    expect(res.body).toContain('乙后来添加的题目'); // the newer definition, in the textarea
    expect(await definition()).toContain('乙后来添加的题目');
    expect(await audit()).toEqual(before);
  });

  it('opening decided on a definition that an edit changed meanwhile is refused, and logs nothing', async () => {
    const campaign = await getCampaign(t.db, '2018');
    await surveyCeremony(t.db, campaign, id);
    const checked = await getSurvey(t.db, campaign, id); // what the opening checks (the route reads it, then makes the signing key)
    expect((await addQuestion(other, '开放前一刻添加的题目')).status).toBe(303);
    const before = await audit();
    await expect(openSurvey(t.db, { id: null, name: 'org' }, campaign, checked, atRestOf(t.db))).rejects.toMatchObject({ status: 409, code: 'EDIT_CONFLICT' });
    expect((await getSurvey(t.db, campaign, id)).state).toBe('draft');
    expect(await audit()).toEqual(before);
    // opened from the current definition, it opens
    await org.get(`/staff/c/2018/surveys/${id}`);
    expect((await org.post(`/staff/c/2018/surveys/${id}/open`, {})).status).toBe(303);
  });
});
