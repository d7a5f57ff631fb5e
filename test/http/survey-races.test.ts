import { like } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getCampaign } from '../../src/campaigns/campaigns.repo';
import { auditLog } from '../../src/db/schema';
import { getSurvey, openSurvey } from '../../src/survey/survey.repo';
import { addUser, atRestOf, Browser, formVersion, testApp } from '../helpers/app';
import { surveyCeremony } from '../helpers/survey';

/** The questionnaire builder: edits carry the version they were made on; opening re-checks both. */
let t: Awaited<ReturnType<typeof testApp>>;
let org: Browser;
let other: Browser;
let id: string;
const audit = async () => (await t.db.select().from(auditLog).where(like(auditLog.target, `survey:2018:${id}`))).map((e) => e.action);
const definition = async () => (await getSurvey(t.db, await getCampaign(t.db, '2018'), id)).definition;
const question = (title: string) => ({ section: 's3', kind: 'text', title, required: '' });

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
  it('two questions added at the same instant: neither is silently lost', async () => {
    const [a, b] = await Promise.all([org.post(`/staff/c/2018/surveys/${id}/questions`, question('甲同时添加的题目')), other.post(`/staff/c/2018/surveys/${id}/questions`, question('乙同时添加的题目'))]);
    const def = await definition();
    for (const [r, title] of [[a, '甲同时添加的题目'], [b, '乙同时添加的题目']] as const) {
      if (r.status === 303) expect(def).toContain(title);
      else {
        expect(r.status).toBe(409);
        expect(r.body).toContain('该内容已被他人修改');
        expect(def).not.toContain(title);
      }
    }
    expect((await audit()).filter((x) => x === 'survey.edit')).toHaveLength([a, b].filter((r) => r.status === 303).length);
  });

  it('the JSON definition saved from a page read before someone else’s edit is refused and the page shows the newer definition', async () => {
    const page = await org.get(`/staff/c/2018/surveys/${id}`);
    const v = formVersion(page.body, 'definition-form');
    const stale = JSON.stringify(JSON.parse(page.body.match(/<textarea id="definition"[^>]*>([^<]*)</)![1]!.replace(/&quot;/g, '"').replace(/&amp;/g, '&')));
    expect((await other.post(`/staff/c/2018/surveys/${id}/questions`, question('乙后来添加的题目'))).status).toBe(303);
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
    expect((await other.post(`/staff/c/2018/surveys/${id}/questions`, question('开放前一刻添加的题目'))).status).toBe(303);
    const before = await audit();
    await expect(openSurvey(t.db, { id: null, name: 'org' }, campaign, checked, atRestOf(t.db))).rejects.toMatchObject({ status: 409, code: 'EDIT_CONFLICT' });
    expect((await getSurvey(t.db, campaign, id)).state).toBe('draft');
    expect(await audit()).toEqual(before);
    // opened from the current definition, it opens
    await org.get(`/staff/c/2018/surveys/${id}`);
    expect((await org.post(`/staff/c/2018/surveys/${id}/open`, {})).status).toBe(303);
  });
});
