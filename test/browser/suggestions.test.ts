import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/node/boot';
import { ARTIFACTS, launchBrowser } from '../helpers/browser';

let server: RunningServer;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sanmin-browser-sg-'));
  server = await startServer({ PORT: 0, HOST: '127.0.0.1', DATABASE_URL: `file:${join(dir, 'b.db')}` });
  browser = await launchBrowser({ width: 390, height: 844 });
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('on a phone (390×844)', () => {
  it('a citizen corrects a mistake, submits a suggestion and looks it up by its tracking code', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${server.url}/c/2018/suggestions`);
    await page.getByRole('link', { name: '我有建议' }).first().click();
    await page.waitForURL(/\/suggestions\/new$/);
    expect(await page.locator('h1').textContent()).toBe('我有建议');

    await page.getByLabel('姓名(实名)').fill('王小红');
    await page.getByLabel('手机号码').fill('1381234'); // too short: the form comes back with a message
    await page.getByLabel('建议主题').selectOption('共享');
    await page.getByLabel('所属领域').selectOption('民生保障');
    await page.getByLabel(/建议标题/).fill('增开社区公交接驳线路');
    await page.getByLabel(/建议内容/).fill('我们社区附近没有公交站,到地铁站要走二十分钟,建议增开社区公交接驳线路。');
    await page.getByRole('button', { name: '提交建议' }).click();
    await page.getByText('手机号码应为 11 位').waitFor();
    // what was typed survives the round trip
    expect(await page.getByLabel(/建议标题/).inputValue()).toBe('增开社区公交接驳线路');

    await page.getByLabel('手机号码').fill('138 1234 5678');
    await page.screenshot({ path: join(ARTIFACTS, 'suggestion-form-phone.png'), fullPage: true });
    await page.getByRole('button', { name: '提交建议' }).click();
    const codeEl = page.getByTestId('tracking-code');
    await codeEl.waitFor();
    const code = (await codeEl.textContent())!.trim();
    expect(code).toMatch(/^JY[0-9A-Z]{4}-[0-9A-Z]{4}$/);
    await page.screenshot({ path: join(ARTIFACTS, 'suggestion-done-phone.png'), fullPage: true });

    // later, from the feedback column, by typing the code (lower case and spaces are fine)
    await page.goto(`${server.url}/c/2018/suggestions/track`);
    await page.getByLabel('跟踪码').fill(` ${code.toLowerCase()} `);
    await page.getByRole('button', { name: '查询' }).click();
    await page.getByTestId('track-status').waitFor();
    expect(await page.getByTestId('track-status').textContent()).toBe('已受理,待分派');
    expect(await page.getByText('增开社区公交接驳线路').count()).toBeGreaterThan(0);
    const body = await page.locator('main').textContent();
    expect(body).toContain('王**');
    expect(body).not.toContain('王小红');
    expect(body).not.toContain('13812345678');
    // nothing overflows the phone's width
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.screenshot({ path: join(ARTIFACTS, 'suggestion-track-phone.png'), fullPage: true });
  });
});
