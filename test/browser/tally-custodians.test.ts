import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/node/boot';
import { getCampaign, type Campaign } from '../../src/campaigns/campaigns.service';
import { runCeremonyCore, type CeremonyFile, type SealedShareFile } from '../../src/tally/ceremony.core';
import { seatKeyFromPassphrase } from '../../src/tally/seat-key.core';
import { approveResult, commitGroup, joinCeremony, loadTally, resultDraft, seatsDocument, setTallyParams, uploadCeremony } from '../../src/tally/tally.service';
import { ARTIFACTS, launchBrowser } from '../helpers/browser';
import { addUser, PASSWORD } from '../helpers/app';
import { prepareHearing } from '../helpers/hearing';
import { castSealed, closeAllVenues } from '../helpers/tally';

let server: RunningServer;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
let dir: string;
let campaign: Campaign;
const ids: Record<string, string> = {};
const GROUP = 2;
const P1 = '春江潮水连海平海上明月共潮生';
let ceremony: CeremonyFile;
let k2KeyFile: string;
let k1Sealed: string;
let answers: (number | null)[][];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sanmin-custodians-browser-'));
  server = await startServer({ PORT: 0, HOST: '127.0.0.1', DATABASE_URL: `file:${join(dir, 'b.db')}` });
  const db = server.handle.db;
  // group 1 has a key from the helper; group 2 holds its ceremony in this test
  await prepareHearing(db, [1]);
  campaign = await getCampaign(db, '2018');
  for (const u of ['k1', 'k2', 'k3']) ids[u] = await addUser(db, u, 'custodian');
  ids['org'] = await addUser(db, 'org', 'organiser');
  await setTallyParams(db, { id: ids['org'], name: 'org' }, campaign, 3, 2);
  browser = await launchBrowser({ width: 1024, height: 1366 });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function login(page: Page, user: string) {
  await page.goto(`${server.url}/login`);
  await page.getByLabel('用户名').fill(user);
  await page.getByLabel('密码').fill(PASSWORD);
  await page.getByRole('button', { name: '登录' }).click();
  await page.waitForURL(/\/staff$/);
}

/** A page that records script errors, CSP violations and every POST it sends. */
async function watched(context = browser.context) {
  const page = await context.newPage();
  const problems: string[] = [];
  const posts: string[] = [];
  page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
  page.on('console', (m) => {
    // Playwright's screenshots inject a caret-hiding <style>, which this CSP blocks: not the page's
    if (/Applying inline style/.test(m.text()) && shooting) return;
    if (m.location().url.endsWith('/favicon.ico')) return;
    if (m.type() === 'error' || /Refused to|Content Security Policy/i.test(m.text())) problems.push(`${m.text().slice(0, 60)} @ ${m.location().url}:${m.location().lineNumber} ${page.url()}`);
  });
  page.on('request', (r) => {
    if (r.method() === 'POST') posts.push(new URL(r.url()).pathname);
  });
  page.on('response', (r) => {
    if (r.status() >= 400 && !r.url().endsWith('/favicon.ico')) problems.push(`${r.status()} ${r.url()}`);
  });
  return { page, problems, posts };
}

/**
 * What this origin keeps in the browser: web storage keys and IndexedDB databases. Only htmx's
 * note of the current path may be there (a path, no page snapshot: these pages opt out of its history cache).
 */
async function storageOf(page: Page) {
  return page.evaluate(async () => ({
    keys: [...Object.keys(localStorage), ...Object.keys(sessionStorage)].filter((k) => k !== 'htmx-current-path-for-history'),
    idb: (await indexedDB.databases()).length,
  }));
}

let shooting = false;
async function shot(page: Page, name: string) {
  shooting = true;
  await page.screenshot({ path: join(ARTIFACTS, name), fullPage: true });
  // the console message arrives after the screenshot resolves: one round trip flushes it
  await page.evaluate(() => 0);
  shooting = false;
}

const joinForm = (page: Page) => page.locator(`form[action$="/tally/${GROUP}/join"]`);

describe('the custodians’ pages: seat key and unsealing in the browser', () => {
  it('a custodian joins with a passphrase computed in the page (only the public key is posted), another with a new key file', async () => {
    const { page, problems, posts } = await watched();
    await login(page, 'k1');
    await page.goto(`${server.url}/staff/c/2018/tally`);
    const form = joinForm(page);
    await form.getByLabel('席位号').fill('1');
    await form.getByLabel(/^口令/).fill(P1);
    await form.getByRole('button', { name: '计算席位公钥' }).click();
    await expect.poll(() => form.locator('[data-status]').textContent(), { timeout: 15_000 }).toMatch(/已算出席位公钥/);
    const expected = await seatKeyFromPassphrase(P1, '2018', GROUP, 1);
    expect(await form.locator('input[name="seatKey"]').inputValue()).toBe(expected.publicKey);
    expect(await form.getByLabel(/^口令/).inputValue()).toBe(''); // wiped once used
    await shot(page, 'custodian-seat-key.png');
    // the passphrase field has no name: the form posts the seat and the public key only
    const sent = page.waitForRequest((r) => r.method() === 'POST' && r.url().endsWith(`/tally/${GROUP}/join`));
    await form.getByRole('button', { name: '加入本组密钥仪式' }).click();
    const body = (await sent).postData() ?? '';
    expect(body).toContain(encodeURIComponent(expected.publicKey).replace(/%20/g, '+'));
    expect(body).not.toContain(encodeURIComponent(P1));
    await page.getByText('已登记您的席位公钥').waitFor();
    expect(await storageOf(page)).toEqual({ keys: [], idb: 0 });

    await page.context().clearCookies();
    await login(page, 'k2');
    await page.goto(`${server.url}/staff/c/2018/tally`);
    await joinForm(page).getByLabel('席位号').fill('2');
    const dl = page.waitForEvent('download');
    await joinForm(page).getByRole('button', { name: /新的密钥文件/ }).click();
    k2KeyFile = join(dir, 'k2-key.json');
    await (await dl).saveAs(k2KeyFile);
    const keyFile = JSON.parse(readFileSync(k2KeyFile, 'utf8'));
    expect(keyFile).toMatchObject({ kind: 'sanmin-seat-key', campaign: '2018', group: GROUP, seat: 2 });
    expect(await joinForm(page).locator('input[name="seatKey"]').inputValue()).toBe(keyFile.publicKey);
    await joinForm(page).getByRole('button', { name: '加入本组密钥仪式' }).click();
    await page.getByText('已登记您的席位公钥').waitFor();
    expect(problems).toEqual([]);
    expect(posts.filter((p) => p.includes('/tally/'))).toEqual([`/staff/c/2018/tally/${GROUP}/join`, `/staff/c/2018/tally/${GROUP}/join`]);
    await page.close();

    // the third custodian with the CLI's code; the ceremony offline; ballots; the commit
    const db = server.handle.db;
    const k3 = await seatKeyFromPassphrase('白日依山尽黄河入海流欲穷千里', '2018', GROUP, 3);
    await joinCeremony(db, { id: ids['k3']!, name: 'k3' }, campaign, GROUP, 3, k3.publicKey);
    ceremony = await runCeremonyCore(await seatsDocument(db, campaign, GROUP));
    expect(ceremony.seats[0]!.seatKey).toBe(expected.publicKey);
    await uploadCeremony(db, { id: ids['org']!, name: 'org' }, campaign, GROUP, ceremony);
  }, 90_000);

  it('in a fresh browser the custodian downloads the sealed share and opens it with the same passphrase: the fingerprint shown is the published one', async () => {
    const db = server.handle.db;
    const { loadAgenda } = await import('../../src/campaigns/campaigns.service');
    const agenda = await loadAgenda(db, campaign.id);
    const n = agenda.groups.find((g) => g.no === GROUP)!.departments.length;
    answers = Array.from({ length: 1000 }, (_, i) => Array.from({ length: n }, (_, j) => (i + j) % 5 === 0 ? null : 1 + ((i * 7 + j) % 3)));
    await castSealed(db, campaign, GROUP, ceremony.publicKey, answers);
    await closeAllVenues(db, campaign, GROUP);
    await commitGroup(db, { id: ids['org']!, name: 'org' }, campaign, GROUP);

    const fresh = await launchBrowser({ width: 1024, height: 1366 });
    try {
      const { page, problems } = await watched(fresh.context);
      await login(page, 'k1');
      await page.goto(`${server.url}/staff/c/2018/tally`);
      const dl = page.waitForEvent('download');
      await page.getByRole('link', { name: '下载我的封存分片' }).click();
      k1Sealed = join(dir, 'k1-sealed.json');
      await (await dl).saveAs(k1Sealed);
      await page.getByRole('link', { name: /在浏览器中开封计票/ }).first().click();
      await page.waitForURL(/\/unseal$/);
      const slot1 = page.locator('#share-slots fieldset').nth(0);
      await slot1.getByLabel(/封存分片文件/).setInputFiles(k1Sealed);
      await slot1.getByLabel(/^口令/).fill(P1);
      await slot1.getByRole('button', { name: '打开分片' }).click();
      await expect.poll(() => slot1.locator('[data-status]').textContent(), { timeout: 15_000 }).toMatch(/与公示的一致/);
      const status = (await slot1.locator('[data-status]').textContent())!;
      expect(status).toContain(`第 1 席`);
      expect(status).toContain(ceremony.seats[0]!.fingerprint.slice(0, 16));
      expect(await page.locator('tbody tr').nth(0).textContent()).toContain(ceremony.seats[0]!.fingerprint);
      expect(problems).toEqual([]);
      expect(await storageOf(page)).toEqual({ keys: [], idb: 0 });
      await fresh.context.clearCookies();
    } finally {
      await fresh.close();
    }
  }, 90_000);

  /** The sealed share file k2 would download (what the server serves them). */
  const sealedOf = (seat: number): string => {
    const s = ceremony.seats[seat - 1]!;
    const file: SealedShareFile = { v: 1, kind: 'sanmin-tally-sealed-share', campaign: '2018', group: GROUP, seat, shareCount: 3, threshold: 2, publicKey: ceremony.publicKey, sealedShare: s.sealedShare, fingerprint: s.fingerprint };
    const path = join(dir, `sealed-${seat}.json`);
    writeFileSync(path, JSON.stringify(file));
    return path;
  };

  async function openSlot(page: Page, i: number, sealed: string, key: { passphrase?: string; keyFile?: string }) {
    const slot = page.locator('#share-slots fieldset').nth(i);
    await slot.getByLabel(/封存分片文件/).setInputFiles(sealed);
    if (key.passphrase) await slot.getByLabel(/^口令/).fill(key.passphrase);
    if (key.keyFile) await slot.getByLabel(/席位密钥文件/).setInputFiles(key.keyFile);
    await slot.getByRole('button', { name: '打开分片' }).click();
    await expect.poll(() => slot.locator('[data-status]').textContent(), { timeout: 15_000 }).toMatch(/与公示的一致/);
  }

  it('the unsealing table: another custodian’s passphrase and a seat given twice are refused; k−1 shares are refused in Chinese with nothing posted; a reload mid-unsealing starts clean; k shares give the tally, posted, approved and published', async () => {
    const { page, problems, posts } = await watched();
    await page.context().clearCookies();
    await login(page, 'k1');
    await page.goto(`${server.url}/staff/c/2018/tally/${GROUP}/unseal`);
    posts.length = 0; // the login's
    // someone else's passphrase opens nothing, in Chinese
    const slot1 = page.locator('#share-slots fieldset').nth(0);
    await slot1.getByLabel(/封存分片文件/).setInputFiles(k1Sealed);
    await slot1.getByLabel(/^口令/).fill('白日依山尽黄河入海流欲穷千里');
    await slot1.getByRole('button', { name: '打开分片' }).click();
    await expect.poll(() => slot1.locator('[data-status]').textContent(), { timeout: 15_000 }).toBe('无法打开分片:口令或密钥文件不对,或这不是您席位的分片');
    // the same seat twice counts once: k1's share again in the second slot is refused once the first is open
    await openSlot(page, 0, k1Sealed, { passphrase: P1 });
    const slot2 = page.locator('#share-slots fieldset').nth(1);
    await slot2.getByLabel(/封存分片文件/).setInputFiles(k1Sealed);
    await slot2.getByLabel(/^口令/).fill(P1);
    await slot2.getByRole('button', { name: '打开分片' }).click();
    await expect.poll(() => slot2.locator('[data-status]').textContent()).toMatch(/第 1 席的分片已经打开过了/);
    await page.reload();
    await openSlot(page, 0, k1Sealed, { passphrase: P1 });
    await page.getByRole('button', { name: '开封计票' }).click();
    await expect.poll(() => page.locator('#unseal-status').textContent(), { timeout: 15_000 }).toMatch(/未能开封:开封本组需要至少 2 位保管人的分片,目前只有 1 份/);
    await shot(page, 'custodian-unseal-refused.png');
    expect(await page.locator('#unseal-preview').isHidden()).toBe(true);
    expect(posts).toEqual([]);

    // both shares, then a reload while ballots are being opened
    await openSlot(page, 1, sealedOf(2), { keyFile: k2KeyFile });
    await page.getByRole('button', { name: '开封计票' }).click();
    await page.waitForFunction(() => {
      const bar = document.getElementById('unseal-progress') as HTMLProgressElement;
      return !bar.hidden && bar.value > 0 && bar.value < bar.max;
    }, undefined, { polling: 'raf', timeout: 30_000 });
    await page.reload();
    expect(await page.locator('#unseal-preview').isHidden()).toBe(true);
    expect(await page.locator('#unseal-status').textContent()).toBe('');
    expect(await page.locator('#share-slots fieldset [data-status]').allTextContents()).toEqual(['', '']);
    expect(posts).toEqual([]);

    await openSlot(page, 0, k1Sealed, { passphrase: P1 });
    await openSlot(page, 1, sealedOf(2), { keyFile: k2KeyFile });
    await page.getByRole('button', { name: '开封计票' }).click();
    await expect.poll(() => page.locator('#unseal-status').textContent(), { timeout: 30_000 }).toMatch(/开封完成:1000 张选票已打开/);
    expect(await page.locator('#unseal-progress').evaluate((b: HTMLProgressElement) => [b.value, b.max])).toEqual([1000, 1000]);
    const firstRow = await page.locator('#unseal-preview tbody tr').first().locator('td').allTextContents();
    const dept0 = answers.map((a) => a[0]);
    expect(firstRow.slice(1, 4).map(Number)).toEqual([1, 2, 3].map((v) => dept0.filter((x) => x === v).length));
    await shot(page, 'custodian-unseal-preview.png');

    // the irreversible step waits for the explicit check
    expect(await page.getByRole('button', { name: '提交开封结果(公开版)' }).isDisabled()).toBe(true);
    await page.getByLabel(/已共同核对上面的预览/).check();
    await page.getByRole('button', { name: '提交开封结果(公开版)' }).click();
    await expect.poll(() => page.locator('#post-status').textContent(), { timeout: 15_000 }).toMatch(/服务器已核对并接收结果/);
    expect(posts).toEqual([`/api/campaigns/2018/groups/${GROUP}/tally/result`]);
    expect(await storageOf(page)).toEqual({ keys: [], idb: 0 });

    // each present custodian approves: k1 on the staff page, k2 (the k-th) publishes
    const db = server.handle.db;
    const draft = (await resultDraft(db, campaign, GROUP))!;
    expect(draft).toBeTruthy();
    expect(problems).toEqual([]);
    await page.getByRole('link', { name: /回到开封计票页面/ }).click();
    await page.getByRole('button', { name: '我已核对,确认公布' }).click();
    await page.getByText('已记录您的确认').waitFor();
    const r = await approveResult(db, { id: ids['k2']!, name: 'k2' }, campaign, GROUP, draft.digest);
    expect(r.published).toBe(true);
    const tally = (await loadTally(db, campaign.id, GROUP))!;
    expect(tally.ballots.total).toBe(1000);
    expect(tally.departments[0]!.counts.slice(0, 3)).toEqual(firstRow.slice(1, 4).map(Number));
    // every figure is the true count of what was cast: the page's unsealing is the same unsealWithShares the CLI runs (test/cli/custodians.test.ts)
    expect(tally.departments.map((d) => d.counts)).toEqual(tally.departments.map((d, i) => d.counts.map((_, k) => answers.filter((a) => a[i] === k + 1).length)));
    expect(tally.departments.map((d) => d.blank)).toEqual(tally.departments.map((_, i) => answers.filter((a) => a[i] === null).length));
    await page.close();
  }, 120_000);
});
