import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/node/boot';
import { ARTIFACTS, launchBrowser } from '../helpers/browser';
import { prepareHearing } from '../helpers/hearing';
import { checkRecord, sealOnDevice, type BallotCheck } from '../../src/tally/device-seal.core';
import { checkQrText } from '../../src/lib/qr';
import { sha256Hex } from '../../src/lib/crypto';
import { ballotShapeDigest, generateTallyKeyPair } from '../../src/tally/seal.core';

let server: RunningServer;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
let dir: string;
let honest: BallotCheck;

const departments = ['市政府办公厅', '市财政局', '市民族宗教局', '市统计局'];
const scale = ['满意', '比较满意', '不满意', '不了解'];
const shown = { v: 1 as const, campaign: '2018', group: 3, shape: ballotShapeDigest(departments, scale), answers: [1, 3, null, 2] };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sanmin-check-page-'));
  server = await startServer({ PORT: 0, HOST: '127.0.0.1', DATABASE_URL: `file:${join(dir, 'b.db')}` });
  await prepareHearing(server.handle.db, [1]);
  // sealed in Node with WebCrypto's X25519; the page re-seals with the portable one
  const pair = await generateTallyKeyPair();
  honest = checkRecord(pair.publicKey, shown, await sealOnDevice(pair.publicKey, shown), departments, scale);
  browser = await launchBrowser({ width: 390, height: 844 });
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A page on /check (or another address) that records every request made after it loaded, every script error and CSP violation. */
async function openCheck(url = `${server.url}/check`) {
  const page = await browser.context.newPage();
  const problems: string[] = [];
  const afterLoad: string[] = [];
  page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' || /Refused to|Content Security Policy/i.test(m.text())) problems.push(m.text());
  });
  const response = await page.goto(url);
  await page.getByRole('button', { name: '验证' }).waitFor();
  page.on('request', (r) => afterLoad.push(r.url()));
  return { page, response, problems, afterLoad };
}

async function paste(page: Page, text: string) {
  await page.getByLabel('或粘贴扫描检查二维码得到的文字').fill(text);
  await page.getByRole('button', { name: '验证' }).click();
  await page.locator('#result h2').waitFor();
  return page.locator('#result');
}

/** The record with one field changed, as text. */
const altered = (change: Partial<BallotCheck>) => JSON.stringify({ ...honest, ...change });

async function refuses(text: string, reason: RegExp, shot?: string) {
  const { page, problems, afterLoad } = await openCheck();
  const result = await paste(page, text);
  await expect(result.locator('h2').textContent()).resolves.toBe('验证未通过');
  expect(await result.textContent()).toMatch(reason);
  expect(await result.locator('.choices').count()).toBe(0);
  if (shot) await page.screenshot({ path: join(ARTIFACTS, shot), fullPage: true });
  expect(problems).toEqual([]);
  expect(afterLoad).toEqual([]);
  await page.close();
}

describe('the ballot-check page (/check) on a phone', () => {
  it('a genuine record pasted as the QR text shows 验证通过, every department with its choice and the receipt, with no request after loading', async () => {
    const { page, problems, afterLoad, response } = await openCheck();
    expect(response!.headers()['content-security-policy']).toMatch(/connect-src 'none'/);
    const result = await paste(page, checkQrText(honest));
    await expect(result.locator('h2').textContent()).resolves.toBe('验证通过');
    expect(await result.locator('.choices li').allTextContents()).toEqual(['市政府办公厅:满意', '市财政局:不满意', '市民族宗教局:(空白)', '市统计局:比较满意']);
    expect(await result.locator('.receipt').textContent()).toBe(honest.receipt.slice(0, 16).toUpperCase().replace(/(.{4})(?=.)/g, '$1 '));
    expect(await result.locator('.receipt-full').textContent()).toBe(honest.receipt);
    await page.screenshot({ path: join(ARTIFACTS, 'check-ok-phone.png'), fullPage: true });
    // the full record works too, pasted over the first
    const again = await paste(page, JSON.stringify(honest, null, 2));
    await expect(again.locator('h2').textContent()).resolves.toBe('验证通过');
    expect(problems).toEqual([]);
    expect(afterLoad).toEqual([]);
    await page.close();
  });

  it('a check file opened with the file input is verified the same way', async () => {
    const { page, problems, afterLoad } = await openCheck();
    await page.getByLabel('打开检查文件').setInputFiles({ name: 'check.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(honest)) });
    await page.locator('#result h2').waitFor();
    await expect(page.locator('#result h2').textContent()).resolves.toBe('验证通过');
    expect(await page.locator('#result .choices li').count()).toBe(4);
    expect(problems).toEqual([]);
    expect(afterLoad).toEqual([]);
    await page.close();
  });

  it('a device that sealed other choices than it showed (another ciphertext in the record) is caught', async () => {
    const pair = { publicKey: honest.tallyPublicKey };
    const other = await sealOnDevice(pair.publicKey, { ...shown, answers: [4, 3, null, 2] });
    await refuses(altered({ ciphertext: other.ciphertext, receipt: other.receipt }), /设备封存的不是显示的选择/, 'check-refused-phone.png');
  });

  it('a swapped seed (ikmE) is caught', async () => {
    const seed = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64url');
    await refuses(altered({ ikmE: seed }), /密文.*不同/);
  });

  it('a receipt changed to another ballot’s is caught', async () => {
    await refuses(altered({ receipt: sha256Hex('another ciphertext') }), /回执不是该密文的哈希/);
    const qr = JSON.parse(checkQrText(honest)) as unknown[];
    qr[4] = sha256Hex('another ciphertext');
    await refuses(JSON.stringify(qr), /回执不符/);
  });

  it('choices edited in the record after sealing are caught (full record and QR text)', async () => {
    await refuses(altered({ ballot: { ...shown, answers: [1, 1, null, 2] } }), /密文.*不同/);
    await refuses(checkQrText(honest).replace('[1,3,null,2]', '[1,3,1,2]'), /回执不符/);
  });

  it('garbage and a truncated scan get a Chinese reason, and the page keeps working', async () => {
    const { page, problems } = await openCheck();
    for (const [text, reason] of [
      ['这不是记录', /不是完整的 JSON/],
      [checkQrText(honest).slice(0, 200), /不是完整的 JSON/],
      ['{"kind":"x"}', /不是选票检查记录/],
      ['', /没有内容/],
    ] as const) {
      const result = await paste(page, text);
      await expect(result.locator('h2').textContent()).resolves.toBe('验证未通过');
      expect(await result.textContent()).toMatch(reason);
    }
    const ok = await paste(page, checkQrText(honest));
    await expect(ok.locator('h2').textContent()).resolves.toBe('验证通过');
    expect(problems).toEqual([]);
    await page.close();
  });

  it('saved to disk and opened from file:// it still verifies, with no request at all', async () => {
    const bytes = await (await fetch(`${server.url}/check`)).arrayBuffer();
    const file = join(dir, '选票检查.html');
    writeFileSync(file, Buffer.from(bytes));
    const { page, problems, afterLoad } = await openCheck(pathToFileURL(file).href);
    const result = await paste(page, checkQrText(honest));
    await expect(result.locator('h2').textContent()).resolves.toBe('验证通过');
    expect(problems).toEqual([]);
    expect(afterLoad).toEqual([]);
    await page.close();
  });

  it('the hash published on /c/{code}/keys.json is the SHA-256 of the bytes the browser received', async () => {
    const { page, response } = await openCheck();
    const body = await response!.body();
    const keys = (await (await fetch(`${server.url}/c/2018/keys.json`)).json()) as { bundles: { name: string; sha256: string }[] };
    expect(keys.bundles.find((b) => b.name === 'check.html')?.sha256).toBe(sha256Hex(new Uint8Array(body)));
    const keysPage = await (await fetch(`${server.url}/c/2018/keys`)).text();
    expect(keysPage).toContain(sha256Hex(new Uint8Array(body)));
    await page.close();
  });

  it('reads well on a 10-inch tablet too', async () => {
    const { page } = await openCheck();
    await page.setViewportSize({ width: 1280, height: 800 });
    await paste(page, checkQrText(honest));
    await page.screenshot({ path: join(ARTIFACTS, 'check-ok-tablet.png'), fullPage: true });
    await page.close();
  });
});
