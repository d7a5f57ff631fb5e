import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/node/boot';
import { ARTIFACTS, launchBrowser } from '../helpers/browser';
import { rememberAtRest } from '../helpers/app';
import { openSocialSurvey } from '../helpers/survey';

let server: RunningServer;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
let dir: string;
let code: string;
let surveyId: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sanmin-survey-'));
  server = await startServer({ PORT: 0, HOST: '127.0.0.1', DATABASE_URL: `file:${join(dir, 's.db')}` });
  rememberAtRest(server.handle.db, server.handle.url); // the survey is opened below with the server's key file
  const s = await openSocialSurvey(server.handle.db, 1);
  code = s.codes[0]!;
  surveyId = s.survey.id;
  browser = await launchBrowser({ width: 390, height: 844 });
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('a citizen answers the 社情民意调查 on a phone', () => {
  it('enters the invitation code, is told what is missing, resumes after closing the page, and submits once', async () => {
    const phone = await browser.context.newPage();
    await phone.goto(`${server.url}/s`);
    await phone.getByLabel('邀请码').fill(code);
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

    // submitting with eight fields unanswered and four improvement areas chosen: messages beside the questions
    const improve = again.locator('fieldset[data-q="q16"]');
    for (const f of ['教育', '交通出行', '住房', '医疗卫生']) await improve.getByLabel(f, { exact: true }).check();
    await again.getByRole('button', { name: '提交答卷' }).click();
    await again.getByText('还有 9 道题需要修改,请按提示填写').waitFor();
    await expect_visible(again.locator('fieldset[data-q="q8"] .field-error'), '此题为必答题,请选择');
    await expect_visible(improve.locator('.field-error'), '此题最多选 3 项(已选 4 项)');
    await again.screenshot({ path: join(ARTIFACTS, 'survey-phone-validation.png'), fullPage: false });

    await improve.getByLabel('医疗卫生', { exact: true }).uncheck();
    await improve.locator('.field-error').waitFor({ state: 'hidden' });
    for (let i = 5; i < 13; i++) await restored.nth(i).getByLabel(i % 4 === 0 ? '不了解' : '比较满意', { exact: true }).check();
    await again.locator('textarea[name="q17"]').fill('希望增加公交班次。');
    await again.screenshot({ path: join(ARTIFACTS, 'survey-phone-filled.png'), fullPage: true });
    await again.getByRole('button', { name: '提交答卷' }).click();
    await again.getByRole('heading', { name: '答卷已提交,谢谢您!' }).waitFor();
    await again.screenshot({ path: join(ARTIFACTS, 'survey-phone-done.png'), fullPage: false });
    expect(await again.evaluate(() => localStorage.getItem('sanmin-survey'))).toBeNull();

    const n = await server.handle.client.execute({ sql: 'SELECT count(*) AS n FROM survey_responses WHERE survey_id = ?', args: [surveyId] });
    expect(n.rows[0]!['n']).toBe(1);
    // the code is spent: a second visit with it is refused with a clear message
    await again.goto(`${server.url}/s`);
    await again.getByLabel('邀请码').fill(code);
    await again.getByRole('button', { name: '开始填写' }).click();
    await again.getByText('该邀请码已经领取过答卷凭证').waitFor();
  });
});

async function expect_visible(loc: import('playwright-core').Locator, text: string) {
  await loc.waitFor({ state: 'visible' });
  expect((await loc.textContent())?.trim()).toBe(text);
}
