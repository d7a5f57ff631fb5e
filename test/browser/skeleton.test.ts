import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/node/boot';
import { addUser, PASSWORD } from '../helpers/app';
import { ARTIFACTS, launchBrowser } from '../helpers/browser';

let server: RunningServer;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sanmin-browser-'));
  server = await startServer({ PORT: 0, HOST: '127.0.0.1', DATABASE_URL: `file:${join(dir, 'b.db')}` });
  await addUser(server.handle.db, 'organiser', 'organiser');
  browser = await launchBrowser({ width: 1280, height: 800 });
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('on a 10-inch tablet', () => {
  it('a visitor reads the agenda and a department; an organiser logs in and saves an edit with htmx', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${server.url}/c/2018/agenda`);
    expect(await page.locator('h1').textContent()).toBe('述职安排');
    await page.screenshot({ path: join(ARTIFACTS, 'agenda-tablet.png'), fullPage: false });

    await page.getByRole('link', { name: '市教育局' }).click();
    await page.waitForURL(/\/c\/2018\/departments\//);
    expect(await page.locator('h1').textContent()).toBe('市教育局');

    await page.getByRole('link', { name: '工作人员登录' }).click();
    await page.getByLabel('用户名').fill('organiser');
    await page.getByLabel('密码').fill(PASSWORD);
    await page.getByRole('button', { name: '登录' }).click();
    await page.waitForURL(/\/staff$/);
    await page.getByRole('link', { name: '编辑部门、分组、顺序、会场与材料' }).click();
    await page.waitForURL(/\/staff\/c\/2018\/edit/);
    await page.getByRole('link', { name: '市教育局' }).click();
    await page.waitForURL(/\/departments\/.+\/edit/);

    // a marker on window survives only if the save is an htmx swap, not a page load
    await page.evaluate(() => ((window as unknown as { __marker: number }).__marker = 42));
    await page.getByLabel('工作职责').fill('浏览器测试写入的职责:统筹全市基础教育学位供给。');
    await page.getByRole('button', { name: '保存部门信息' }).click();
    await page.getByText('已保存').waitFor();
    expect(await page.evaluate(() => (window as unknown as { __marker?: number }).__marker)).toBe(42);
    await page.screenshot({ path: join(ARTIFACTS, 'department-saved-tablet.png'), fullPage: true });

    await page.goto(`${server.url}/c/2018/agenda`);
    await page.getByRole('link', { name: '市教育局' }).click();
    await page.getByText('浏览器测试写入的职责').waitFor();
  });
});
