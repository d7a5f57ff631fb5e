import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/node/boot';
import { addUser, PASSWORD, rememberAtRest } from '../helpers/app';
import { ARTIFACTS, launchBrowser } from '../helpers/browser';
import { addDelegates, prepareHearing } from '../helpers/hearing';
import { openBallot } from '../../src/tally/seal.core';
import { generateVenueKey } from '../../src/hearing/credential.core';
import { verifyCheck } from '../../src/tally/device-seal.core';

let server: RunningServer;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
let dir: string;
let keys: Record<number, Uint8Array>;
let delegate: { code: string; name: string };
let second: { code: string; name: string };
let third: { code: string; name: string };
let fourth: { code: string; name: string };
let fifth: { code: string; name: string };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sanmin-ballot-'));
  server = await startServer({ PORT: 0, HOST: '127.0.0.1', DATABASE_URL: `file:${join(dir, 'b.db')}` });
  rememberAtRest(server.handle.db, server.handle.url); // delegates' link hashes are keyed by the server's key file
  await addUser(server.handle.db, 'org', 'organiser');
  await addUser(server.handle.db, 'desk', 'venue_staff', { venueName: '市南区' });
  const h = await prepareHearing(server.handle.db);
  keys = h.keys;
  [delegate, second, third, fourth, fifth] = (await addDelegates(server.handle.db, h.campaignId, '市南区', 1, 5)) as unknown as [typeof delegate, typeof delegate, typeof delegate, typeof delegate, typeof delegate];
  browser = await launchBrowser({ width: 1280, height: 800 });
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('hearing day on a 10-inch tablet', () => {
  it('staff check a delegate in; the delegate fills every department, submits through a dropped connection, and it counts once', async () => {
    const staff = await browser.context.newPage();
    await staff.goto(`${server.url}/login`);
    await staff.getByLabel('用户名').fill('org');
    await staff.getByLabel('密码').fill(PASSWORD);
    await staff.getByRole('button', { name: '登录' }).click();
    await staff.waitForURL(/\/staff$/);
    await staff.goto(`${server.url}/staff/c/2018/hearing`);
    // open voting at 市南区 for group 1 (the first 开启投票 of 第一组 is the first venue)
    const row = staff.locator('tr', { hasText: '市南区' }).first();
    await row.getByRole('button', { name: '开启投票' }).click();
    await staff.getByText('已开启投票').waitFor();
    await staff.goto(`${server.url}/staff/c/2018/hearing/1/${encodeURIComponent('市南区')}`);
    await staff.getByLabel(/代表证号/).fill(delegate.code);
    await staff.getByRole('button', { name: '签到并发放凭证' }).click();
    await staff.getByText(`已签到:${delegate.name}`).waitFor();
    const ticket = (await staff.locator('.ticket').textContent())!.trim();
    await staff.screenshot({ path: join(ARTIFACTS, 'hearing-desk-tablet.png'), fullPage: true });

    const tablet = await browser.context.newPage();
    let drops = 0;
    const castBodies: string[] = [];
    const allBodies: string[] = [];
    tablet.on('request', (req) => allBodies.push(req.postData() ?? ''));
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    // the first submission reaches the server, but its answer is lost on the way back; the resend is held until we have looked
    await tablet.route('**/api/ballot/cast', async (route) => {
      castBodies.push(route.request().postData() ?? '');
      if (drops === 0) {
        drops++;
        await fetch(route.request().url(), { method: 'POST', headers: { 'content-type': 'application/json' }, body: route.request().postData() ?? '' });
        await route.abort('connectionreset');
      } else {
        await held;
        await route.continue();
      }
    });
    await tablet.goto(`${server.url}/vote`);
    await tablet.getByLabel('凭证码').fill(ticket);
    await tablet.getByRole('button', { name: '开始填写选票' }).click();
    await tablet.getByText('第一组评议票').waitFor();
    // the fingerprints to compare with the venue poster, the same as the public list's
    const shown = (await tablet.locator('#key-fingerprints').textContent())!;
    const published = (await (await fetch(`${server.url}/c/2018/keys.json`)).json()) as { venues: { venue: string; fingerprint: string }[]; tally: { group: number; fingerprint: string }[] };
    expect(shown).toContain(published.venues.find((v) => v.venue === '市南区')!.fingerprint);
    expect(shown).toContain(published.tally.find((t) => t.group === 1)!.fingerprint);
    const groups = tablet.locator('fieldset.ballot-item');
    const n = await groups.count();
    expect(n).toBe(12);
    for (let i = 0; i < n; i++) {
      await groups.nth(i).getByLabel(i % 3 === 0 ? '比较满意' : '满意', { exact: true }).check();
    }
    const chosen = Array.from({ length: 12 }, (_, i) => (i % 3 === 0 ? 2 : 1));
    await tablet.screenshot({ path: join(ARTIFACTS, 'ballot-filled-tablet.png'), fullPage: false });
    await tablet.getByRole('button', { name: '检查选票' }).click();
    await tablet.getByText('请核对您的选择').waitFor();
    // sealed on the device: the receipt is on screen before the delegate chooses
    const firstReceipt = (await tablet.locator('#pending-receipt').textContent())!.trim();
    expect(firstReceipt).toMatch(/^[0-9A-F]{4}( [0-9A-F]{4}){3}$/);
    await expect.poll(() => tablet.getByRole('button', { name: '检查这张选票' }).isVisible()).toBe(true);
    await tablet.screenshot({ path: join(ARTIFACTS, 'ballot-review-receipt-tablet.png'), fullPage: true });

    // 检查这张选票: the record as a QR and a file; anyone's verifier sees the same choices; the device seals afresh
    await tablet.getByRole('button', { name: '检查这张选票' }).click();
    await tablet.getByText('检查这张选票(这张选票不会投出)').waitFor();
    expect(await tablet.locator('#check-qr svg').count()).toBe(1);
    const download = tablet.waitForEvent('download');
    await tablet.getByRole('link', { name: '保存检查文件' }).click();
    const file = await download;
    const record = JSON.parse(readFileSync((await file.path())!, 'utf8'));
    expect(JSON.stringify(record)).not.toContain(ticket);
    expect(record.credential).toBeUndefined();
    const verdict = await verifyCheck(record);
    expect(verdict.ok).toBe(true);
    if (verdict.ok) expect(verdict.choices.map((c) => c.choice)).toEqual(chosen.map((a) => (a === 2 ? '比较满意' : '满意')));
    expect(record.receipt.slice(0, 16).toUpperCase()).toBe(firstReceipt.replace(/ /g, ''));
    await tablet.screenshot({ path: join(ARTIFACTS, 'ballot-check-tablet.png'), fullPage: true });
    await tablet.getByRole('button', { name: '重新加密,返回核对' }).click();
    await tablet.locator('#review-status').getByText('已重新加密').waitFor();
    const castReceipt = (await tablet.locator('#pending-receipt').textContent())!.trim();
    expect(castReceipt).not.toBe(firstReceipt);

    await tablet.getByRole('button', { name: '投出' }).click();
    // pending: the ballot is frozen on screen, nothing on it can change while it is resent
    await tablet.locator('#review-status').getByText('网络不稳定').waitFor({ timeout: 20_000 });
    expect(await tablet.locator('#back').isVisible()).toBe(false);
    expect(await tablet.locator('#check').isVisible()).toBe(false);
    expect(await tablet.locator('#confirm').isDisabled()).toBe(true);
    expect((await tablet.locator('#pending-receipt').textContent())!.trim()).toBe(castReceipt);
    await tablet.screenshot({ path: join(ARTIFACTS, 'ballot-pending-frozen-tablet.png'), fullPage: false });
    release();
    await tablet.getByText('选票已投出,谢谢您!').waitFor({ timeout: 20_000 });
    const receipt = (await tablet.locator('#receipt-full').textContent())!.trim();
    await tablet.screenshot({ path: join(ARTIFACTS, 'ballot-receipt-tablet.png'), fullPage: false });
    expect(drops).toBe(1);
    expect(castBodies.length).toBeGreaterThanOrEqual(2);
    // every attempt carried the very same ciphertext; none carried a choice
    expect(new Set(castBodies.map((b) => JSON.parse(b).ciphertext)).size).toBe(1);
    expect(allBodies.filter((b) => /answers/.test(b))).toEqual([]);
    expect(receipt.slice(0, 16).toUpperCase()).toBe(castReceipt.replace(/ /g, ''));
    expect(await tablet.locator('#receipt-mismatch').isVisible()).toBe(false);

    const stored = await server.handle.client.execute('SELECT receipt, ciphertext FROM ballots');
    expect(stored.rows).toHaveLength(1);
    expect(stored.rows[0]!['receipt']).toBe(receipt);
    expect(stored.rows[0]!['receipt']).not.toBe(record.receipt); // the checked ballot was never cast
    const opened = await openBallot(keys[1]!, '2018', 1, stored.rows[0]!['ciphertext'] as string);
    expect(opened.answers).toEqual(chosen);

    // the shared tablet resets for the next delegate and keeps nothing of the last one
    await tablet.getByRole('button', { name: '下一位代表' }).click();
    await tablet.getByLabel('凭证码').waitFor();
    expect(await tablet.evaluate(() => localStorage.getItem('sanmin-ballot'))).toBeNull();
  });

  it('a tablet handed a venue key that is not on the published list refuses it and asks for nothing to be signed', async () => {
    const staff = await browser.context.newPage(); // the organiser's session from the first test
    await staff.goto(`${server.url}/staff/c/2018/hearing/1/${encodeURIComponent('市南区')}`);
    await staff.getByLabel(/代表证号/).fill(second.code);
    await staff.getByRole('button', { name: '签到并发放凭证' }).click();
    await staff.getByText(`已签到:${second.name}`).waitFor();
    const ticket = (await staff.locator('.ticket').textContent())!.trim();

    const foreign = await generateVenueKey();
    const tablet = await browser.context.newPage();
    let redeems = 0;
    // a server that hands this one delegate a key of its own (it would know which credential is theirs)
    await tablet.route('**/api/ballot/ticket', async (route) => {
      // forwarded without cookies, as the device sends it (credentials: 'omit')
      const res = await fetch(route.request().url(), { method: 'POST', headers: { 'content-type': 'application/json' }, body: route.request().postData() ?? '' });
      const body = (await res.json()) as Record<string, unknown>;
      await route.fulfill({ status: res.status, json: { ...body, publicKey: foreign.publicKey } });
    });
    await tablet.route('**/api/ballot/redeem', async (route) => {
      redeems++;
      await route.continue();
    });
    await tablet.goto(`${server.url}/vote`);
    await tablet.getByLabel('凭证码').fill(ticket);
    await tablet.getByRole('button', { name: '开始填写选票' }).click();
    await tablet.getByText('会场签名密钥不在公布的密钥清单上').waitFor();
    await tablet.screenshot({ path: join(ARTIFACTS, 'ballot-foreign-key-refused.png'), fullPage: false });
    expect(redeems).toBe(0);
    const state = await server.handle.client.execute({ sql: "SELECT count(*) AS n FROM checkins WHERE state = 'redeemed'", args: [] });
    expect(Number(state.rows[0]!['n'])).toBe(1); // only the first delegate's
  });
  /** The organiser's page from the first test checks one more delegate in and returns the ticket. */
  async function ticketFor(who: { code: string; name: string }) {
    const staff = await browser.context.newPage();
    await staff.goto(`${server.url}/staff/c/2018/hearing/1/${encodeURIComponent('市南区')}`);
    await staff.getByLabel(/代表证号/).fill(who.code);
    await staff.getByRole('button', { name: '签到并发放凭证' }).click();
    await staff.getByText(`已签到:${who.name}`).waitFor();
    const ticket = (await staff.locator('.ticket').textContent())!.trim();
    await staff.close();
    return ticket;
  }

  async function voteAll(tablet: import('playwright-core').Page, ticket: string, label: string) {
    await tablet.goto(`${server.url}/vote`);
    await tablet.getByLabel('凭证码').fill(ticket);
    await tablet.getByRole('button', { name: '开始填写选票' }).click();
    await tablet.getByText('第一组评议票').waitFor();
    const groups = tablet.locator('fieldset.ballot-item');
    for (let i = 0; i < (await groups.count()); i++) await groups.nth(i).getByLabel(label, { exact: true }).check();
    await tablet.getByRole('button', { name: '检查选票' }).click();
    await tablet.getByText('请核对您的选择').waitFor();
    return (await tablet.locator('#pending-receipt').textContent())!.trim();
  }

  it('warns loudly, and keeps the screen, when the server acknowledges another receipt than the device computed', async () => {
    const ticket = await ticketFor(third);
    const tablet = await browser.context.newPage();
    // a server that swaps the ballot and acknowledges its own ciphertext's receipt
    await tablet.route('**/api/ballot/cast', async (route) => {
      await route.fulfill({ status: 201, json: { status: 'accepted', receipt: 'ab'.repeat(32) } });
    });
    const receipt = await voteAll(tablet, ticket, '满意');
    await tablet.getByRole('button', { name: '投出' }).click();
    const alarm = tablet.getByRole('alert');
    await alarm.waitFor();
    expect(await alarm.textContent()).toContain('不同');
    expect(await alarm.textContent()).toContain(receipt);
    expect(await alarm.textContent()).toContain('ABAB ABAB ABAB ABAB');
    await tablet.screenshot({ path: join(ARTIFACTS, 'ballot-receipt-mismatch-tablet.png'), fullPage: false });
  });

  it('a tablet whose WebCrypto has no X25519 seals with the portable KEM, and the ballot opens with the group key', async () => {
    const ticket = await ticketFor(fourth);
    const older = await launchBrowser({ width: 1280, height: 800 });
    const context = older.context;
    await context.addInitScript(() => {
      // an older tablet: X25519 unknown to WebCrypto
      const subtle = crypto.subtle;
      const refuse = (alg: unknown) => (typeof alg === 'string' ? alg : (alg as { name?: string })?.name) === 'X25519';
      for (const m of ['generateKey', 'importKey', 'deriveBits', 'exportKey'] as const) {
        const original = (subtle as any)[m].bind(subtle);
        (subtle as any)[m] = (...args: unknown[]) => (refuse(args[m === 'importKey' ? 2 : 0]) || (m === 'exportKey' && (args[1] as CryptoKey)?.algorithm?.name === 'X25519') ? Promise.reject(new DOMException('Unrecognized name', 'NotSupportedError')) : original(...args));
      }
    });
    const tablet = await context.newPage();
    const receipt = await voteAll(tablet, ticket, '不满意');
    await tablet.getByRole('button', { name: '投出' }).click();
    await tablet.getByText('选票已投出,谢谢您!').waitFor({ timeout: 20_000 });
    const full = (await tablet.locator('#receipt-full').textContent())!.trim();
    expect(full.slice(0, 16).toUpperCase()).toBe(receipt.replace(/ /g, ''));
    const [row] = (await server.handle.client.execute({ sql: 'SELECT ciphertext FROM ballots WHERE receipt = ?', args: [full] })).rows;
    const opened = await openBallot(keys[1]!, '2018', 1, row!['ciphertext'] as string);
    expect(opened.answers).toEqual(Array.from({ length: 12 }, () => 3));
    // the device did fall back: X25519 was refused to it
    expect(await tablet.evaluate(() => crypto.subtle.generateKey({ name: 'X25519' } as any, false, ['deriveBits']).then(() => 'native', () => 'refused'))).toBe('refused');
    await older.close();
  });
  it('a tablet reloaded while its ballot is pending shows the same ballot frozen and resends the same ciphertext', async () => {
    const ticket = await ticketFor(fifth);
    const tablet = await browser.context.newPage();
    const sent: string[] = [];
    let online = false;
    await tablet.route('**/api/ballot/cast', async (route) => {
      sent.push(JSON.parse(route.request().postData() ?? '{}').ciphertext);
      if (online) await route.continue();
      else await route.abort('internetdisconnected');
    });
    const receipt = await voteAll(tablet, ticket, '比较满意');
    await tablet.getByRole('button', { name: '投出' }).click();
    await tablet.locator('#review-status').getByText('网络不稳定').waitFor({ timeout: 20_000 });
    await tablet.reload();
    await tablet.getByText('请核对您的选择').waitFor();
    expect((await tablet.locator('#pending-receipt').textContent())!.trim()).toBe(receipt);
    expect(await tablet.locator('#back').isVisible()).toBe(false);
    expect(await tablet.locator('#confirm').isDisabled()).toBe(true);
    // what the tablet keeps while pending: the ciphertext to resend, never its seed
    const kept = JSON.parse((await tablet.evaluate(() => localStorage.getItem('sanmin-ballot')))!);
    expect(kept.pending.ciphertext).toBe(sent[0]);
    expect(JSON.stringify(kept)).not.toMatch(/ikm/i);
    online = true;
    await tablet.getByText('选票已投出,谢谢您!').waitFor({ timeout: 30_000 });
    expect(sent.length).toBeGreaterThanOrEqual(2);
    expect(new Set(sent).size).toBe(1);
    const full = (await tablet.locator('#receipt-full').textContent())!.trim();
    expect(full.slice(0, 16).toUpperCase()).toBe(receipt.replace(/ /g, ''));
    expect(await tablet.evaluate(() => localStorage.getItem('sanmin-ballot'))).toBeNull();
  });
});
