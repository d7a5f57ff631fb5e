import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { candidates } from '../../src/db/schema';
import { startServer, type RunningServer } from '../../src/node/boot';
import { ARTIFACTS, launchBrowser } from '../helpers/browser';
import { makeId } from '../helpers/ids';

let server: RunningServer;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sanmin-browser-signup-'));
  server = await startServer({ PORT: 0, HOST: '127.0.0.1', DATABASE_URL: `file:${join(dir, 'b.db')}` });
  browser = await launchBrowser({ width: 390, height: 844 });
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('on a phone, a citizen signs up as a volunteer delegate', () => {
  it('a mistyped ID number shows the checksum message beside the field; the corrected one is accepted', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${server.url}/c/2018`);
    await page.getByRole('link', { name: /报名/ }).first().click();
    await page.waitForURL(/\/c\/2018\/signup$/);
    expect(await page.locator('h1').textContent()).toBe('市民代表自愿报名');

    const good = makeId('1986-04-12', 27);
    const typo = good.slice(0, 16) + String((Number(good[16]) + 1) % 10) + good[17]; // one digit mistyped
    await page.getByLabel('姓名').fill('林小雨');
    await page.getByLabel('居民身份证号码(18 位)').fill(typo);
    await page.getByLabel('手机号码').fill('13912340000');
    await page.getByLabel('居住的区(市)').selectOption('市南区');
    await page.getByLabel('职业').fill('护士');
    await page.getByLabel('您所属的代表类别').selectOption('社区或村居民代表');
    await page.getByLabel(/第一组/).check();
    await page.getByLabel('本市户籍居民').check();
    await page.getByLabel(/我已阅读并同意遵守活动工作纪律/).check();
    await page.getByRole('button', { name: '提交报名' }).click();

    const message = page.locator('#signup-idNumber-error');
    await message.waitFor();
    expect(await message.textContent()).toBe('身份证号码校验位不正确,请核对后重新输入');
    const field = page.getByLabel('居民身份证号码(18 位)');
    expect(await field.getAttribute('aria-invalid')).toBe('true');
    expect(await field.getAttribute('aria-describedby')).toBe('signup-idNumber-error');
    // the number is never echoed back; everything else the citizen typed is kept
    expect(await field.inputValue()).toBe('');
    expect(await page.getByLabel('姓名').inputValue()).toBe('林小雨');
    expect(await page.content()).not.toContain(typo);
    // the message sits right under the field
    const fieldBox = (await field.boundingBox())!;
    const messageBox = (await message.boundingBox())!;
    expect(messageBox.y).toBeGreaterThan(fieldBox.y);
    expect(messageBox.y - (fieldBox.y + fieldBox.height)).toBeLessThan(40);
    await page.screenshot({ path: join(ARTIFACTS, 'signup-bad-id-phone.png'), fullPage: true });
    expect(await server.handle.db.select().from(candidates)).toHaveLength(0);

    await field.fill(good);
    await page.getByRole('button', { name: '提交报名' }).click();
    await page.getByRole('heading', { name: '报名成功' }).waitFor();
    expect(await page.locator('main').textContent()).toContain(`**************${good.slice(-4)}`);
    await page.screenshot({ path: join(ARTIFACTS, 'signup-accepted-phone.png'), fullPage: true });
    const rows = await server.handle.db.select().from(candidates);
    expect(rows.map((r) => [r.name, r.venueName, r.idLast4])).toEqual([['林小雨', '市南区', good.slice(-4)]]);
  });
});
