import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, Browser, testApp, delegateLinkToken, formVersion } from '../helpers/app';
import { addDelegates, prepareHearing } from '../helpers/hearing';
import { openDisciplineSurvey, openSocialSurvey, respond, respondOpen, respondOpenSealed, respondSealed, responseCredential, sealResponse, socialAnswers, surveyCeremony, unsealSurveyAsCustodians } from '../helpers/survey';
import { getCampaign } from '../../src/campaigns/campaigns.service';
import { getSurvey } from '../../src/survey/survey.service';

let t: Awaited<ReturnType<typeof testApp>>;
let org: Browser;

beforeAll(async () => {
  t = await testApp();
  await addUser(t.db, 'org', 'organiser');
  await addUser(t.db, 'cust', 'custodian');
  await addUser(t.db, 'stat', 'statistician');
  org = new Browser(t.app);
  await org.login('org');
});
afterAll(() => t.close());

const surveyIdFrom = (location: string | null) => /\/surveys\/([0-9a-f-]{36})/.exec(location ?? '')?.[1]!;

describe('the questionnaire builder', () => {
  let id: string;

  it('creates the 社情民意调查 from its template with the 13 fields as rating questions', async () => {
    await org.get('/staff/c/2018/surveys');
    const r = await org.post('/staff/c/2018/surveys/templates/social', {});
    expect(r.status).toBe(303);
    id = surveyIdFrom(r.res.headers.get('location'));
    const page = await org.get(`/staff/c/2018/surveys/${id}`);
    expect(page.body).toContain('2018年度社情民意调查');
    for (const f of ['经济发展', '政务服务环境', '社会治安', '社会保障', '社会救助', '教育', '环境卫生', '交通出行', '就业', '生态环境', '医疗卫生', '住房', '食品安全']) expect(page.body).toContain(f);
  });

  it('says what is wrong with a question beside the form, at 422', async () => {
    await org.get(`/staff/c/2018/surveys/${id}`);
    const noOptions = await org.post(`/staff/c/2018/surveys/${id}/questions`, { section: 's3', kind: 'single', title: '您是否参加过往年的评议?', options: '是', required: '1' });
    expect(noOptions.status).toBe(422);
    expect(noOptions.body).toContain('选择题至少需要 2 个选项');
    const badCount = await org.post(`/staff/c/2018/surveys/${id}/questions`, { section: 's3', kind: 'multiple', title: '您获取政务信息的渠道', options: '报纸\n电视\n网络', minChoices: '2', maxChoices: '5', required: '1' });
    expect(badCount.status).toBe(422);
    expect(badCount.body).toContain('可选项数须满足');
    const badJson = await org.post(`/staff/c/2018/surveys/${id}/definition`, { definition: '{"intro": 1' });
    expect(badJson.status).toBe(422);
    expect(badJson.body).toContain('不是有效的 JSON');
  });

  it('adds a question, and the preview shows it as respondents will see it', async () => {
    const version = formVersion((await org.get(`/staff/c/2018/surveys/${id}`)).body, 'question-form');
    const ok = await org.post(`/staff/c/2018/surveys/${id}/questions`, { section: 's3', kind: 'single', title: '您是否参加过往年的评议?', options: '是\n否', required: '1', version });
    expect(ok.status).toBe(303);
    const preview = await org.get(`/staff/c/2018/surveys/${id}/preview`);
    expect(preview.body).toContain('您是否参加过往年的评议?');
    expect(preview.body).toContain('*必答');
    expect(preview.body).toMatch(/type="radio" name="q3" value="1"/);
  });

  it('will not open before the key ceremony, and freezes the questionnaire once opened (409 on any edit)', async () => {
    const early = await org.post(`/staff/c/2018/surveys/${id}/open`, {});
    expect(early.status).toBe(409);
    expect(early.body).toContain('尚未完成密钥仪式');
    const campaign = await getCampaign(t.db, '2018');
    await surveyCeremony(t.db, campaign, id);
    await org.get(`/staff/c/2018/surveys/${id}`);
    expect((await org.post(`/staff/c/2018/surveys/${id}/open`, {})).status).toBe(303);
    const before = (await getSurvey(t.db, campaign, id)).definition;
    const add = await org.post(`/staff/c/2018/surveys/${id}/questions`, { section: 's3', kind: 'text', title: '补充一题', required: '' });
    expect(add.status).toBe(409);
    expect(add.body).toContain('问卷已经开放作答,内容已冻结,不能再修改');
    expect((await org.post(`/staff/c/2018/surveys/${id}/questions/q3/delete`, {})).status).toBe(409);
    expect((await org.post(`/staff/c/2018/surveys/${id}/definition`, { definition: before })).status).toBe(409);
    expect((await getSurvey(t.db, campaign, id)).definition).toBe(before);
  });
});

describe('one response per credential', () => {
  it('accepts a sealed response, gives an identical retry the same receipt, refuses another ciphertext, and refuses a second credential on the same code', async () => {
    const { campaign, survey, codes } = await openSocialSurvey(t.db, 3);
    const { credential } = await responseCredential(t.app, codes[0]!);
    const answers = socialAnswers([1, 1, 2, 3, 4, 1, 2, 2, 1, 3, 1, 2, 1]);
    const first = await respond(t.app, survey, credential, answers);
    expect(first.status).toBe(201);
    expect(first.json).toEqual({ status: 'accepted', receipt: first.sent.receipt });
    // the device resends the very same ciphertext after a lost answer
    const retry = await respondSealed(t.app, survey, credential, first.sent.ciphertext);
    expect(retry.status).toBe(200);
    expect(retry.json).toEqual({ status: 'duplicate', receipt: first.json.receipt });
    // the same answers sealed again are another ciphertext: the credential is spent
    const resealed = await respond(t.app, survey, credential, answers);
    expect(resealed.status).toBe(409);
    expect(resealed.json.error.code).toBe('CREDENTIAL_SPENT');
    const other = await respond(t.app, survey, credential, socialAnswers(Array(13).fill(3)));
    expect(other.status).toBe(409);
    expect(other.json.error.message).toContain('已经提交过答卷');
    expect((await getSurvey(t.db, campaign, survey.id)).responses).toBe(1);
    // the same code cannot buy a second credential
    await expect(responseCredential(t.app, codes[0]!)).rejects.toThrow(/409/);
  });

  it('counts concurrent identical retries of one credential once', async () => {
    const { campaign, survey, codes } = await openSocialSurvey(t.db, 1);
    const { credential } = await responseCredential(t.app, codes[0]!);
    const sealed = await sealResponse(survey, socialAnswers(Array(13).fill(1), { q2: null, q16: null, q17: null }));
    const other = await sealResponse(survey, socialAnswers(Array(13).fill(2), { q2: null, q16: null, q17: null }));
    const results = await Promise.all([...Array.from({ length: 6 }, () => respondSealed(t.app, survey, credential, sealed.ciphertext)), respondSealed(t.app, survey, credential, other.ciphertext)]);
    const ok = results.filter((r) => r.status === 200 || r.status === 201);
    expect(new Set(ok.map((r) => r.json.receipt)).size).toBe(1);
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    const rows = await t.client.execute({ sql: 'SELECT count(*) AS n FROM survey_responses WHERE survey_id = ?', args: [survey.id] });
    expect(rows.rows[0]!['n']).toBe(1);
    expect((await getSurvey(t.db, campaign, survey.id)).responses).toBe(1);
  });

  it('gives a delegate one invitation from their personal link, in the URL fragment', async () => {
    const { campaignId } = await prepareHearing(t.db, []);
    const [d] = await addDelegates(t.db, campaignId, '市南区', 1, 1);
    const { survey } = await openSocialSurvey(t.db);
    const token = delegateLinkToken(t.db, d!.id);
    const b = new Browser(t.app);
    const personal = await b.get(`/d/${token}`);
    expect(personal.body).toContain('在线填写《2018年度社情民意调查》');
    const r = await b.post(`/d/${token}/surveys/${survey.id}`, {});
    expect(r.status).toBe(303);
    const code = /^\/s#t=([0-9A-Z-]+)$/.exec(r.res.headers.get('location') ?? '')?.[1];
    expect(code).toBeTruthy();
    const { credential } = await responseCredential(t.app, code!);
    expect((await respond(t.app, survey, credential, socialAnswers(Array(13).fill(2)))).status).toBe(201);
    const again = await b.post(`/d/${token}/surveys/${survey.id}`, {});
    expect(again.status).toBe(409);
    expect(again.body).toContain('不能重复领取');
  });

  it('refuses a credential the survey did not sign', async () => {
    const a = await openSocialSurvey(t.db, 1);
    const b = await openSocialSurvey(t.db, 1);
    const { credential } = await responseCredential(t.app, a.codes[0]!);
    const r = await respond(t.app, b.survey, credential, socialAnswers(Array(13).fill(1)));
    expect(r.status).toBe(403);
  });
});

describe('sealed until k custodians unseal the closed survey', () => {
  it('shows no result, count or chart before unsealing; k−1 shares are not enough; then per-field rates and redacted texts', async () => {
    const { campaign, survey, codes, shares } = await openSocialSurvey(t.db, 4);
    // field 1 (经济发展): 满意, 比较满意, 不满意, 不了解 → 2 / 3 = 66.67%
    const sheets = [
      socialAnswers([1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], { q17: '我叫张伟,电话13912345678,希望小区加装电梯。' }),
      socialAnswers([2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]),
      socialAnswers([3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]),
      socialAnswers([4, 4, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], { q16: [8, 12] }),
    ];
    for (const [i, code] of codes.entries()) {
      const { credential } = await responseCredential(t.app, code);
      expect((await respond(t.app, survey, credential, sheets[i]!)).status).toBe(201);
    }
    const base = `/c/2018/surveys/${survey.id}/results`;
    const sealed = async () => {
      for (const path of [base, `${base}.csv`, `${base}/chart.svg`]) {
        const r = await t.app.request(`http://localhost${path}`);
        expect(r.status, path).toBe(404);
        const body = await r.text();
        expect(body).not.toContain('66.67');
        expect(body).not.toContain('满意率');
      }
    };
    await sealed();
    const listing = await new Browser(t.app).get('/c/2018/surveys');
    expect(listing.body).toContain('结束并开封前不公布任何结果');
    expect(listing.body).not.toContain(`${survey.id}/results`);
    // nothing to unseal before closing: no commitment, no responses file
    const cust = new Browser(t.app);
    await cust.login('cust');
    expect((await cust.get(`/api/campaigns/2018/surveys/${survey.id}/tally/commitment`)).status).toBe(409);
    expect((await cust.get(`/api/campaigns/2018/surveys/${survey.id}/tally/responses`)).status).toBe(409);
    await org.get(`/staff/c/2018/surveys/${survey.id}`);
    expect((await org.post(`/staff/c/2018/surveys/${survey.id}/close`, {})).status).toBe(303);
    // a closed survey takes no more responses or credentials
    await expect(responseCredential(t.app, codes[0]!)).rejects.toThrow(/409/);
    await sealed();
    const threshold = (await getSurvey(t.db, campaign, survey.id)).threshold;
    await expect(unsealSurveyAsCustodians(t.db, campaign, survey.id, shares.slice(0, threshold - 1))).rejects.toMatchObject({ code: 'NOT_ENOUGH_SHARES' });
    await sealed();
    await unsealSurveyAsCustodians(t.db, campaign, survey.id, shares.slice(0, threshold));

    expect((await new Browser(t.app).get('/c/2018/surveys')).body).toContain(`${survey.id}/results`);
    const page = await new Browser(t.app).get(base);
    expect(page.status).toBe(200);
    expect(page.body).toContain('有效答卷 4 份');
    expect(page.body).toMatch(/经济发展<\/td><td>3<\/td><td>2<\/td><td>66.67%/);
    expect(page.body).toMatch(/政务服务环境<\/td><td>3<\/td><td>2<\/td><td>66.67%/);
    expect(page.body).toContain('<svg');
    // free text waits for the reviewer
    expect(page.body).toContain('审核后发布');
    expect(page.body).not.toContain('加装电梯');
    const csv = await t.app.request(`http://localhost${base}.csv`);
    expect(await csv.text()).toContain('对全市各领域工作的满意程度,q3,经济发展,满意度评价,满意,1,25,4,3,2,66.67');

    const stat = new Browser(t.app);
    await stat.login('stat');
    const review = await stat.get(`/staff/c/2018/surveys/${survey.id}/review`);
    expect(review.body).toContain('发现疑似个人信息');
    expect(review.body).toContain('13912345678');
    const published = await stat.post(`/staff/c/2018/surveys/${survey.id}/review`, { t0: '我叫某某,电话[手机号已隐去],希望小区加装电梯。' });
    expect(published.status).toBe(303);
    const after = await new Browser(t.app).get(base);
    expect(after.body).toContain('希望小区加装电梯');
    expect(after.body).not.toContain('13912345678');
    expect(after.body).not.toContain('张伟');
    const audit = await t.client.execute("SELECT action FROM audit_log WHERE action LIKE 'survey.%'");
    expect(audit.rows.map((r) => r['action'])).toEqual(expect.arrayContaining(['survey.open', 'survey.close', 'survey.unseal', 'survey.texts.redact']));
    // publishing happens once
    expect((await stat.post(`/staff/c/2018/surveys/${survey.id}/review`, { t0: '改写' })).status).toBe(409);
  });
});

describe('the 活动纪律情况调查表 on the builder', () => {
  it('leads from /c/:code/discipline to the open questionnaire; stores a sealed, anonymous response; shows it to organisers only after unsealing', async () => {
    expect((await t.app.request('http://localhost/c/2018/discipline')).status).toBe(404);
    const { survey, shares } = await openDisciplineSurvey(t.db);
    const b = new Browser(t.app);
    const link = await b.get('/c/2018/discipline');
    expect(link.status).toBe(302);
    const form = await b.get(link.res.headers.get('location')!);
    expect(form.body).toContain('活动纪律情况调查表');
    // the page seals on the device: it carries the survey's key, and its form posts nowhere by itself
    expect(form.body).toContain(`data-seal-key="${survey.sealKey}"`);
    expect(form.body).toContain('method="dialog"');
    expect(form.body).toContain('需要启用 JavaScript 才能在本机加密答卷;也可以在会场填写纸质调查表');
    // the old plaintext form post (a page cached before this change, with its CSRF token) is refused unread
    await b.get('/login');
    const plain = await b.post(`/c/2018/surveys/${survey.id}`, { q1: '2', q2: '1', q4: '有人在会场外请代表给某部门打满意。' });
    expect(plain.status).toBe(410);
    expect(plain.body).toContain('服务器不再接收未加密的表单');
    const ok = await respondOpen(t.app, survey, { q1: 2, q2: [1], q4: '有人在会场外请代表给某部门打满意。' });
    expect(ok.status).toBe(201);
    expect(ok.json.receipt).toBe(ok.sent.receipt);
    // resent after a lost answer: the same receipt, counted once
    const again = await respondOpenSealed(t.app, survey, ok.sent.ciphertext);
    expect(again.status).toBe(200);
    expect(again.json).toEqual({ status: 'duplicate', receipt: ok.sent.receipt });
    // what a response is made of: no reporter, no time, no order
    const cols = (await t.client.execute('PRAGMA table_info(survey_responses)')).rows.map((r) => r['name']);
    expect(cols.sort()).toEqual(['ciphertext', 'receipt', 'survey_id']);
    const stored = await t.client.execute({ sql: 'SELECT ciphertext FROM survey_responses WHERE survey_id = ?', args: [survey.id] });
    expect(stored.rows).toHaveLength(1);
    expect(String(stored.rows[0]!['ciphertext'])).not.toContain('会场外');
    // organisers close; custodians unseal; organisers read; the public may not
    await org.get(`/staff/c/2018/surveys/${survey.id}`);
    await org.post(`/staff/c/2018/surveys/${survey.id}/close`, {});
    await unsealSurveyAsCustodians(t.db, (await getCampaign(t.db, '2018')), survey.id, shares.slice(0, 3));
    expect((await new Browser(t.app).get(`/c/2018/surveys/${survey.id}/results`)).status).toBe(403);
    const stat = new Browser(t.app);
    await stat.login('stat');
    await stat.get(`/staff/c/2018/surveys/${survey.id}/review`);
    await stat.post(`/staff/c/2018/surveys/${survey.id}/review`, { t0: '有人在会场外请代表给某部门打满意。' });
    const read = await org.get(`/c/2018/surveys/${survey.id}/results`);
    expect(read.status).toBe(200);
    expect(read.body).toContain('有人在会场外请代表');
    expect(read.body).toMatch(/拉票或请托<\/td><td>1<\/td>/);
  });
});
