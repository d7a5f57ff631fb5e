import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Page, type Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/node/boot';
import { sha256Hex } from '../../src/lib/crypto';
import type { Survey } from '../../src/survey/survey.service';
import { ARTIFACTS, CHROMIUM, launchBrowser } from '../helpers/browser';
import { rememberAtRest } from '../helpers/app';
import { generateTallyKeyPair } from '../../src/tally/seal.core';
import { openDisciplineSurvey, openSocialSurvey } from '../helpers/survey';

let server: RunningServer;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
let dir: string;
let codes: string[];
let surveyId: string;
let discipline: Survey;

/** Answers no one else types: found anywhere outside the device, they travelled or were stored in the clear. */
const SECRET_TEXT = '希望增加公交班次QX7R暗号';
const SECRET_REPORT = '会场外有人请托ZK4M暗号';

/** Every request body a page sends, to look for the answers in. */
const bodies: { url: string; body: string }[] = [];
const record = (r: Request) => bodies.push({ url: r.url(), body: r.postData() ?? '' });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sanmin-survey-'));
  server = await startServer({ PORT: 0, HOST: '127.0.0.1', DATABASE_URL: `file:${join(dir, 's.db')}` });
  rememberAtRest(server.handle.db, server.handle.url); // the survey is opened below with the server's key file
  const s = await openSocialSurvey(server.handle.db, 3);
  codes = s.codes;
  surveyId = s.survey.id;
  discipline = (await openDisciplineSurvey(server.handle.db)).survey;
  browser = await launchBrowser({ width: 390, height: 844 });
  browser.context.on('request', record);
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The database as it lies on disk (main file, WAL and anything beside it), searched as bytes. */
function onDisk(text: string): string[] {
  const needle = Buffer.from(text, 'utf8');
  return readdirSync(dir).filter((f) => readFileSync(join(dir, f)).includes(needle));
}

const responseCount = async (id: string) => Number((await server.handle.client.execute({ sql: 'SELECT count(*) AS n FROM survey_responses WHERE survey_id = ?', args: [id] })).rows[0]!['n']);

describe('a citizen answers the 社情民意调查 on a phone', () => {
  it('enters the invitation code, is told what is missing, resumes after closing the page, and submits once', async () => {
    const phone = await browser.context.newPage();
    await phone.goto(`${server.url}/s`);
    await phone.getByLabel('邀请码').fill(codes[0]!);
    await phone.getByRole('button', { name: '开始填写' }).click();
    await phone.getByRole('heading', { name: '2018年度社情民意调查' }).waitFor();
    const fields = phone.locator('fieldset.survey-q[data-kind="rating"]');
    expect(await fields.count()).toBe(13);

    // half-way: identity and the first five fields, then the page is closed
    await phone.locator('fieldset[data-q="q1"]').getByLabel('市民', { exact: true }).check();
    for (let i = 0; i < 5; i++) await fields.nth(i).getByLabel('满意', { exact: true }).check();
    await phone.close();

    const again = await browser.context.newPage();
    await again.goto(`${server.url}/s`);
    await again.getByText('已恢复您上次在本设备上的填写').waitFor();
    const restored = again.locator('fieldset.survey-q[data-kind="rating"]');
    expect(await restored.nth(4).getByLabel('满意', { exact: true }).isChecked()).toBe(true);

    // submitting with eight fields unanswered and four improvement areas chosen: messages beside the questions, nothing sent
    const improve = again.locator('fieldset[data-q="q16"]');
    for (const f of ['教育', '交通出行', '住房', '医疗卫生']) await improve.getByLabel(f, { exact: true }).check();
    const before = bodies.length;
    await again.getByRole('button', { name: '提交答卷' }).click();
    await again.getByText('还有 9 道题需要修改,请按提示填写').waitFor();
    await expect_visible(again.locator('fieldset[data-q="q8"] .field-error'), '此题为必答题,请选择');
    await expect_visible(improve.locator('.field-error'), '此题最多选 3 项(已选 4 项)');
    expect(bodies.slice(before).filter((b) => b.url.includes('/api/survey/respond'))).toEqual([]);
    await again.screenshot({ path: join(ARTIFACTS, 'survey-phone-validation.png'), fullPage: false });

    await improve.getByLabel('医疗卫生', { exact: true }).uncheck();
    await improve.locator('.field-error').waitFor({ state: 'hidden' });
    for (let i = 5; i < 13; i++) await restored.nth(i).getByLabel(i % 4 === 0 ? '不了解' : '比较满意', { exact: true }).check();
    await again.locator('textarea[name="q17"]').fill(SECRET_TEXT);
    await again.screenshot({ path: join(ARTIFACTS, 'survey-phone-filled.png'), fullPage: true });

    // the first answer is lost on the way back (the server stored it); the retry hangs; the page is reloaded
    const sent: string[] = [];
    let release = false;
    await again.route('**/api/survey/respond', async (route) => {
      sent.push(route.request().postData() ?? '');
      if (sent.length === 1) {
        // delivered as the device sent it (no cookies), then the connection drops before the answer
        const r = await fetch(route.request().url(), { method: 'POST', headers: { 'content-type': 'application/json' }, body: route.request().postData() ?? '' });
        expect(r.status).toBe(201);
        return route.abort('connectionreset');
      }
      if (!release) return; // the old page's retry never gets an answer: it is still waiting when the page goes
      return route.continue();
    });
    await again.getByRole('button', { name: '提交答卷' }).click();
    // the receipt of the sealed answers is on the screen before any acknowledgement
    await again.locator('#sealed').waitFor({ state: 'visible' });
    const shown = (await again.locator('#sealed-receipt').textContent())!;
    await again.getByText('网络不稳定').waitFor();
    await again.screenshot({ path: join(ARTIFACTS, 'survey-phone-sealed.png'), fullPage: false });
    await expect.poll(() => sent.length).toBe(2);
    expect(await responseCount(surveyId)).toBe(1);
    release = true;
    await again.reload();
    await again.getByRole('heading', { name: '答卷已提交,谢谢您!' }).waitFor();
    await again.screenshot({ path: join(ARTIFACTS, 'survey-phone-done.png'), fullPage: false });

    // every attempt, the reload's too, carried the very same ciphertext; the server counted it once
    expect(sent).toHaveLength(3);
    const [first, ...rest] = sent.map((b) => JSON.parse(b) as Record<string, unknown>);
    expect(Object.keys(first!).sort()).toEqual(['campaign', 'ciphertext', 'credential', 'sealKey', 'survey']);
    for (const r of rest) expect(r['ciphertext']).toBe(first!['ciphertext']);
    expect(await responseCount(surveyId)).toBe(1);
    const receipt = sha256Hex(first!['ciphertext'] as string);
    const grouped = receipt.slice(0, 16).toUpperCase().replace(/(.{4})(?=.)/g, '$1 ');
    expect(shown).toBe(grouped);
    expect(await again.locator('#receipt').textContent()).toBe(grouped);
    expect(await again.locator('#receipt-full').textContent()).toBe(receipt);
    expect(await again.locator('#receipt-alert').isHidden()).toBe(true);
    const stored = await server.handle.client.execute({ sql: 'SELECT receipt, ciphertext FROM survey_responses WHERE survey_id = ?', args: [surveyId] });
    expect(stored.rows.map((r) => [r['receipt'], r['ciphertext']])).toEqual([[receipt, first!['ciphertext']]]);
    expect(await again.evaluate(() => localStorage.getItem('sanmin-survey'))).toBeNull();

    // the code is spent: a second visit with it is refused with a clear message
    await again.goto(`${server.url}/s`);
    await again.getByLabel('邀请码').fill(codes[0]!);
    await again.getByRole('button', { name: '开始填写' }).click();
    await again.getByText('该邀请码已经领取过答卷凭证').waitFor();
    await again.close();
  });

  it('warns loudly when the server acknowledges another receipt than the one the device computed', async () => {
    const phone = await browser.context.newPage();
    await phone.goto(`${server.url}/s`);
    await phone.getByLabel('邀请码').fill(codes[1]!);
    await phone.getByRole('button', { name: '开始填写' }).click();
    await phone.getByRole('heading', { name: '2018年度社情民意调查' }).waitFor();
    await phone.locator('fieldset[data-q="q1"]').getByLabel('市民', { exact: true }).check();
    const fields = phone.locator('fieldset.survey-q[data-kind="rating"]');
    for (let i = 0; i < 13; i++) await fields.nth(i).getByLabel('满意', { exact: true }).check();
    // a server (or something on the way) that answers for a ciphertext it did not keep
    await phone.route('**/api/survey/respond', (route) => route.fulfill({ status: 201, contentType: 'application/json', body: JSON.stringify({ status: 'accepted', receipt: 'f'.repeat(64) }) }));
    await phone.getByRole('button', { name: '提交答卷' }).click();
    const alarm = phone.getByRole('alert').filter({ hasText: '不一致' });
    await alarm.waitFor();
    expect(await alarm.textContent()).toContain('FFFF FFFF FFFF FFFF');
    await phone.screenshot({ path: join(ARTIFACTS, 'survey-phone-receipt-mismatch.png'), fullPage: false });
    await phone.close();
  });
});

describe('a phone handed a seal key that is not on the published list', () => {
  it('refuses to seal with it and sends no answer', async () => {
    const foreign = await generateTallyKeyPair();
    const phone = await browser.context.newPage();
    // a server that hands this one respondent a key of its own (it could read their answers)
    await phone.route('**/api/survey/invitation', async (route) => {
      const res = await fetch(route.request().url(), { method: 'POST', headers: { 'content-type': 'application/json' }, body: route.request().postData() ?? '' });
      await route.fulfill({ status: res.status, json: { ...((await res.json()) as object), sealKey: foreign.publicKey } });
    });
    let responds = 0;
    phone.on('request', (r) => void (r.url().includes('/api/survey/respond') && responds++));
    await phone.goto(`${server.url}/s`);
    await phone.getByLabel('邀请码').fill(codes[2]!);
    await phone.getByRole('button', { name: '开始填写' }).click();
    await phone.getByRole('heading', { name: '2018年度社情民意调查' }).waitFor();
    await phone.locator('fieldset[data-q="q1"]').getByLabel('市民', { exact: true }).check();
    const fields = phone.locator('fieldset.survey-q[data-kind="rating"]');
    for (let i = 0; i < 13; i++) await fields.nth(i).getByLabel('满意', { exact: true }).check();
    await phone.getByRole('button', { name: '提交答卷' }).click();
    await phone.getByText('问卷加密公钥不在公布的密钥清单上').waitFor();
    await phone.screenshot({ path: join(ARTIFACTS, 'survey-phone-foreign-key.png'), fullPage: false });
    expect(responds).toBe(0);
    // the genuine key is the published one
    const list = (await (await fetch(`${server.url}/c/2018/keys.json`)).json()) as { surveys: { survey: string; publicKey: string }[] };
    expect(list.surveys.find((q) => q.survey === surveyId)?.publicKey).not.toBe(foreign.publicKey);
    expect(list.surveys.find((q) => q.survey === surveyId)?.publicKey).toMatch(/^[A-Za-z0-9_-]{43}$/);
    await phone.close();
  });
});

describe('a delegate reports on the open 活动纪律情况调查表', () => {
  it('the page seals the report and posts only a ciphertext and its key; the receipt it shows is the ciphertext’s', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${server.url}/c/2018/discipline`);
    await page.getByRole('heading', { name: '活动纪律情况调查表' }).waitFor();
    const submit = page.getByRole('button', { name: '匿名提交' });
    await expect_enabled(submit);
    await submit.click();
    await page.getByText('此题为必答题,请选择').waitFor();
    await page.locator('fieldset[data-q="q1"]').getByLabel('遇到过', { exact: true }).check();
    await page.locator('fieldset[data-q="q2"]').getByLabel('拉票或请托', { exact: true }).check();
    await page.locator('textarea[name="q4"]').fill(SECRET_REPORT);
    const sent: string[] = [];
    page.on('request', (r) => {
      if (r.url().includes('/api/survey/respond-open')) sent.push(r.postData() ?? '');
    });
    await submit.click();
    await page.getByRole('heading', { name: '已收到您的反映,谢谢!' }).waitFor();
    await page.screenshot({ path: join(ARTIFACTS, 'survey-open-done.png'), fullPage: false });
    expect(sent).toHaveLength(1);
    const body = JSON.parse(sent[0]!) as Record<string, string>;
    expect(Object.keys(body).sort()).toEqual(['campaign', 'ciphertext', 'sealKey', 'survey']);
    expect(body['sealKey']).toBe(discipline.sealKey);
    expect(await page.locator('#receipt-full').textContent()).toBe(sha256Hex(body['ciphertext']!));
    expect(await responseCount(discipline.id)).toBe(1);
    expect(await page.evaluate(() => localStorage.getItem('sanmin-open-survey'))).toBeNull();
    await page.close();
  });

  it('without JavaScript the page explains why and sends nothing', async () => {
    const profile = mkdtempSync(join(tmpdir(), 'sanmin-nojs-'));
    const nojs = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 390, height: 844 },
      locale: 'zh-CN',
      javaScriptEnabled: false,
      args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    try {
      const posts: string[] = [];
      nojs.on('request', (r) => {
        if (r.method() !== 'GET' || r.url().includes('?')) posts.push(`${r.method()} ${r.url()}`);
      });
      const page: Page = await nojs.newPage();
      await page.goto(`${server.url}/c/2018/surveys/${discipline.id}`);
      // (Playwright's text search skips <noscript>: the paragraph is found by its place)
      const note = page.locator('noscript p');
      await note.waitFor({ state: 'visible' });
      expect(await note.textContent()).toBe('需要启用 JavaScript 才能在本机加密答卷;也可以在会场填写纸质调查表');
      await page.locator('fieldset[data-q="q1"]').getByLabel('遇到过', { exact: true }).check();
      await page.locator('textarea[name="q4"]').fill('无脚本时写下的内容');
      const submit = page.getByRole('button', { name: '匿名提交' });
      expect(await submit.isDisabled()).toBe(true);
      await page.locator('textarea[name="q4"]').press('Enter');
      await page.locator('fieldset[data-q="q1"]').getByLabel('遇到过', { exact: true }).press('Enter');
      await page.screenshot({ path: join(ARTIFACTS, 'survey-open-nojs.png'), fullPage: false });
      expect(posts).toEqual([]);
      expect(await responseCount(discipline.id)).toBe(1);
    } finally {
      await nojs.close();
      rmSync(profile, { recursive: true, force: true });
    }
  });
});

describe('what reached the server', () => {
  it('no request body the browser sent and no byte of the database on disk holds an answer in the clear', async () => {
    const posted = bodies.filter((b) => b.body);
    expect(posted.some((b) => b.url.endsWith('/api/survey/respond'))).toBe(true);
    expect(posted.some((b) => b.url.endsWith('/api/survey/respond-open'))).toBe(true);
    for (const secret of [SECRET_TEXT, SECRET_REPORT]) {
      for (const b of posted) expect(b.body.includes(secret), b.url).toBe(false);
      for (const b of bodies) expect(decodeURIComponent(b.url).includes(secret), b.url).toBe(false);
      expect(onDisk(secret)).toEqual([]);
    }
    // the search itself works: the answers are there, sealed, only on the device until sent
    expect(onDisk('2018年度社情民意调查').length).toBeGreaterThan(0);
  });
});

async function expect_visible(loc: import('playwright-core').Locator, text: string) {
  await loc.waitFor({ state: 'visible' });
  expect((await loc.textContent())?.trim()).toBe(text);
}

async function expect_enabled(loc: import('playwright-core').Locator) {
  await loc.waitFor();
  await loc.page().waitForFunction(() => !document.querySelector<HTMLButtonElement>('#open-survey-form button[type="submit"]')?.disabled);
}
