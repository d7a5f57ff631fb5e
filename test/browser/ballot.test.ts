import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/node/boot';
import { addUser, PASSWORD, rememberAtRest } from '../helpers/app';
import { ARTIFACTS, launchBrowser } from '../helpers/browser';
import { addDelegates, prepareHearing } from '../helpers/hearing';
import { openBallot } from '../../src/tally/seal.core';
import { generateVenueKey } from '../../src/hearing/credential';

let server: RunningServer;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
let dir: string;
let keys: Record<number, Uint8Array>;
let delegate: { code: string; name: string };
let second: { code: string; name: string };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sanmin-ballot-'));
  server = await startServer({ PORT: 0, HOST: '127.0.0.1', DATABASE_URL: `file:${join(dir, 'b.db')}` });
  rememberAtRest(server.handle.db, server.handle.url); // delegates' link hashes are keyed by the server's key file
  await addUser(server.handle.db, 'org', 'organiser');
  await addUser(server.handle.db, 'desk', 'venue_staff', { venueName: '市南区' });
  const h = await prepareHearing(server.handle.db);
  keys = h.keys;
  [delegate, second] = (await addDelegates(server.handle.db, h.campaignId, '市南区', 1, 2)) as unknown as [typeof delegate, typeof delegate];
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
    let casts = 0;
    // the first submission reaches the server, but its answer is lost on the way back
    await tablet.route('**/api/ballot/cast', async (route) => {
      casts++;
      if (drops === 0) {
        drops++;
        await route.fetch();
        await route.abort('connectionreset');
      } else {
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
    await tablet.screenshot({ path: join(ARTIFACTS, 'ballot-filled-tablet.png'), fullPage: false });
    await tablet.getByRole('button', { name: '检查选票' }).click();
    await tablet.getByText('请核对您的选择').waitFor();
    await tablet.getByRole('button', { name: '确认提交' }).click();
    await tablet.getByText('选票已投出,谢谢您!').waitFor({ timeout: 20_000 });
    const receipt = (await tablet.locator('#receipt-full').textContent())!.trim();
    await tablet.screenshot({ path: join(ARTIFACTS, 'ballot-receipt-tablet.png'), fullPage: false });
    expect(drops).toBe(1);
    expect(casts).toBeGreaterThanOrEqual(2);

    const stored = await server.handle.client.execute('SELECT receipt, ciphertext FROM ballots');
    expect(stored.rows).toHaveLength(1);
    expect(stored.rows[0]!['receipt']).toBe(receipt);
    const opened = await openBallot(keys[1]!, '2018', 1, stored.rows[0]!['ciphertext'] as string);
    expect(opened.answers).toEqual(Array.from({ length: 12 }, (_, i) => (i % 3 === 0 ? 2 : 1)));

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
});
