import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/node/boot';
import { addUser, PASSWORD, rememberAtRest } from '../helpers/app';
import { ARTIFACTS, launchBrowser } from '../helpers/browser';
import { addDelegates, api, cast, credentialFor, prepareHearing, tokenFor } from '../helpers/hearing';

let server: RunningServer;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
let dir: string;
let delegates: { code: string; name: string }[];
let deskToken: string;
const ANSWERS_12 = [1, 2, 3, 4, null, 1, 1, 2, 2, 3, 1, 1];

/** The JSON API helpers over the real running server (they address http://localhost/...). */
const http = { request: (path: string, init?: RequestInit) => fetch(path.replace(/^http:\/\/localhost/, server.url), init) };

/** What a venue desk and a voting device do for one delegate: check in, redeem the ticket, cast. */
async function castOne(code: string) {
  const ticket = await api(http, '/api/campaigns/2018/checkins', { delegateCode: code, group: 1, venue: '市南区' }, deskToken);
  expect(ticket.status, ticket.text).toBe(201);
  const { credential } = await credentialFor(http, ticket.json.ticket);
  const r = await cast(http, 1, credential, ANSWERS_12);
  expect(r.status, r.text).toBe(201);
  return Date.now();
}

/** The city total of cast ballots: the 4th number cell of the table's footer. */
const castTotal = async (page: Page) => Number((await page.locator('#turnout tfoot td.num').nth(3).textContent())!.trim());

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sanmin-turnout-'));
  server = await startServer({ PORT: 0, HOST: '127.0.0.1', DATABASE_URL: `file:${join(dir, 'b.db')}` });
  rememberAtRest(server.handle.db, server.handle.url); // delegates' link hashes are keyed by the server's key file
  await addUser(server.handle.db, 'org', 'organiser');
  await addUser(server.handle.db, 'desk', 'venue_staff', { venueName: '市南区' });
  const h = await prepareHearing(server.handle.db);
  delegates = await addDelegates(server.handle.db, h.campaignId, '市南区', 1, 2);
  const orgToken = await tokenFor(http, 'org', PASSWORD);
  deskToken = await tokenFor(http, 'desk', PASSWORD);
  const open = await api(http, `/api/campaigns/2018/groups/1/venues/${encodeURIComponent('市南区')}/open`, {}, orgToken);
  expect(open.status, open.text).toBe(201);
  // one ballot already in, so the page starts from a non-zero figure
  await castOne(delegates[0]!.code);
  browser = await launchBrowser({ width: 1280, height: 800 });
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('live turnout on an organiser screen', () => {
  it('a ballot cast through the API appears on the open page through its event stream, without a reload', async () => {
    const page = await browser.context.newPage();
    // count the page's EventSources and the turnout events they deliver (the page's own script is untouched)
    await page.addInitScript(() => {
      const w = window as any;
      const Native = w.EventSource;
      w.__streams = [];
      w.__turnoutEvents = 0;
      w.EventSource = class extends Native {
        constructor(url: string, init?: EventSourceInit) {
          super(url, init);
          w.__streams.push(this);
          this.addEventListener('turnout', () => w.__turnoutEvents++);
        }
      };
    });
    await page.goto(`${server.url}/login`);
    await page.getByLabel('用户名').fill('org');
    await page.getByLabel('密码').fill(PASSWORD);
    await page.getByRole('button', { name: '登录' }).click();
    await page.waitForURL(/\/staff$/);

    await page.goto(`${server.url}/staff/c/2018/turnout`);
    expect(await page.locator('h1').textContent()).toContain('实时签到与投票');
    expect(await page.locator('#turnout-live').getAttribute('data-stream')).toBe('/staff/c/2018/turnout/stream');
    // connected: one open stream that has delivered its first table
    await page.waitForFunction(() => (window as any).__streams.length === 1 && (window as any).__streams[0].readyState === 1 && (window as any).__turnoutEvents >= 1, undefined, { timeout: 5_000 });
    expect(await page.locator('#turnout-status').isHidden()).toBe(true);
    const before = await castTotal(page);
    expect(before).toBe(1);
    const eventsBefore = await page.evaluate(() => (window as any).__turnoutEvents as number);

    // from here on nothing on the page is clicked or reloaded
    await page.evaluate(() => ((window as any).__marker = 1));
    let navigations = 0;
    page.on('framenavigated', (f) => {
      if (f === page.mainFrame()) navigations++;
    });
    const documents: string[] = [];
    page.on('request', (r) => {
      if (r.resourceType() === 'document') documents.push(r.url());
    });

    const castAt = await castOne(delegates[1]!.code);
    await expect.poll(() => castTotal(page), { timeout: 5_000, interval: 50 }).toBe(before + 1);
    const latency = Date.now() - castAt;

    expect(await page.evaluate(() => (window as any).__marker)).toBe(1);
    expect(navigations).toBe(0);
    expect(documents).toEqual([]);
    const after = await page.evaluate(() => ({ streams: (window as any).__streams.length as number, open: (window as any).__streams[0].readyState as number, events: (window as any).__turnoutEvents as number }));
    expect(after.streams).toBe(1); // the same connection, not a reconnect
    expect(after.open).toBe(1);
    expect(after.events).toBeGreaterThan(eventsBefore);
    expect(await page.locator('#turnout-status').isHidden()).toBe(true);
    expect(await page.locator('#turnout-status').textContent()).toBe('');
    // the row of 市南区 · 第一组 shows the same figure as the city total
    const row = page.locator('#turnout tbody tr', { hasText: '市南区' }).filter({ hasText: '投票中' }).first();
    expect(Number((await row.locator('td.num').nth(3).textContent())!.trim())).toBe(2);

    // and it stays at +1 (one ballot is counted once) across a few more stream ticks
    await page.waitForTimeout(800);
    expect(await castTotal(page)).toBe(before + 1);
    await page.screenshot({ path: join(ARTIFACTS, 'turnout.png'), fullPage: true });
    console.log(`turnout: cast shown on the open page ${latency} ms after the cast was acknowledged`);
    await page.close();
  });
});
