import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/node/boot';
import { addUser, PASSWORD, rememberAtRest } from '../helpers/app';
import { launchBrowser } from '../helpers/browser';
import { addDelegates, api, prepareHearing, tokenFor } from '../helpers/hearing';
import { openSocialSurvey } from '../helpers/survey';

let server: RunningServer;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
let dir: string;
let ticket: string;
let surveyCode: string;

const http = { request: (path: string, init?: RequestInit) => fetch(path.replace(/^http:\/\/localhost/, server.url), init) };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sanmin-csp-'));
  server = await startServer({ PORT: 0, HOST: '127.0.0.1', DATABASE_URL: `file:${join(dir, 'b.db')}` });
  rememberAtRest(server.handle.db, server.handle.url); // the survey is opened below, and delegates' links are keyed, with the server's key file
  await addUser(server.handle.db, 'org', 'organiser');
  await addUser(server.handle.db, 'desk', 'venue_staff', { venueName: '市南区' });
  const h = await prepareHearing(server.handle.db);
  const [delegate] = await addDelegates(server.handle.db, h.campaignId, '市南区', 1, 1);
  const orgToken = await tokenFor(http, 'org', PASSWORD);
  const deskToken = await tokenFor(http, 'desk', PASSWORD);
  expect((await api(http, `/api/campaigns/2018/groups/1/venues/${encodeURIComponent('市南区')}/open`, {}, orgToken)).status).toBe(201);
  const issued = await api(http, '/api/campaigns/2018/checkins', { delegateCode: delegate!.code, group: 1, venue: '市南区' }, deskToken);
  ticket = issued.json.ticket;
  surveyCode = (await openSocialSurvey(server.handle.db, 1)).codes[0]!;
  browser = await launchBrowser({ width: 1280, height: 800 });
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

/**
 * A page that records every CSP violation (the `securitypolicyviolation` event and the console's
 * "Refused to …" lines) and every script error, and the policy of every document it loads.
 */
async function watchedPage() {
  const page = await browser.context.newPage();
  const violations: string[] = [];
  const policies: string[] = [];
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      ((window as unknown as { __csp: string[] }).__csp ??= []).push(`${e.violatedDirective} ${e.blockedURI}`);
      console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`);
    });
  });
  page.on('console', (m) => {
    if (/Refused to|Content Security Policy|CSP violation/i.test(m.text())) violations.push(m.text());
  });
  page.on('pageerror', (err) => violations.push(`pageerror: ${err.message}`));
  page.on('response', async (r) => {
    if (r.request().resourceType() === 'document') policies.push((await r.headerValue('content-security-policy')) ?? '(none)');
  });
  const check = async (p: Page = page) => {
    const seen = await p.evaluate(() => (window as unknown as { __csp?: string[] }).__csp ?? []);
    expect([...violations, ...seen]).toEqual([]);
    expect(policies.length).toBeGreaterThan(0);
    for (const policy of policies) {
      expect(policy).toContain("script-src 'self'");
      expect(policy).toContain("object-src 'none'");
      expect(policy).toContain("frame-ancestors 'none'");
      expect(policy).not.toContain('unsafe-inline');
    }
  };
  return { page, check };
}

/** Signs the organiser in (the browser context keeps the cookie, so a later page may already be signed in). */
async function signIn(page: Page) {
  await page.goto(`${server.url}/login`);
  if (!/\/login/.test(page.url())) return;
  await page.getByLabel('用户名').fill('org');
  await page.getByLabel('密码').fill(PASSWORD);
  await page.getByRole('button', { name: '登录' }).click();
  await page.waitForURL(/\/staff$/);
}

describe('the Content-Security-Policy breaks nothing on the key pages', () => {
  it('the ballot device loads its bundle, takes a ticket and shows the ballot, with no CSP violation', async () => {
    const { page, check } = await watchedPage();
    await page.goto(`${server.url}/vote`);
    await page.getByLabel('凭证码').fill(ticket);
    await page.getByRole('button', { name: '开始填写选票' }).click();
    await page.getByText('第一组评议票').waitFor();
    await page.locator('fieldset.ballot-item').first().getByLabel('满意', { exact: true }).check();
    await check();
    await page.close();
  });

  it('the survey device loads its bundle and shows the questionnaire, with no CSP violation', async () => {
    const { page, check } = await watchedPage();
    await page.goto(`${server.url}/s`);
    await page.getByLabel('邀请码').fill(surveyCode);
    await page.getByRole('button', { name: '开始填写' }).click();
    await page.getByRole('heading', { name: '2018年度社情民意调查' }).waitFor();
    await check();
    await page.close();
  });

  it('staff pages work through htmx (a fragment loaded on load, boosted links without a reload), with no CSP violation', async () => {
    const { page, check } = await watchedPage();
    await signIn(page);
    // the dashboard's summary is an hx-get fired on load: htmx ran and swapped it in
    await page.waitForFunction(() => (document.querySelector('[hx-trigger="load"]')?.innerHTML ?? '') !== '', undefined, { timeout: 10_000 });
    // a boosted link swaps the page in without a full load (the marker survives)
    await page.evaluate(() => ((window as unknown as { __marker: number }).__marker = 1));
    await page.locator('main a[href="/staff/c/2018/hearing"]').first().click();
    await page.waitForURL(/\/staff\/c\/2018\/hearing$/);
    expect(await page.evaluate(() => (window as unknown as { __marker?: number }).__marker)).toBe(1);
    // the seal page's share check runs from its static script
    await page.goto(`${server.url}/c/2018/seal/1`);
    await check();
    await page.close();
  });

  it('the turnout page streams its figures with no CSP violation', async () => {
    const { page, check } = await watchedPage();
    await page.addInitScript(() => {
      const w = window as any;
      const Native = w.EventSource;
      w.__turnoutEvents = 0;
      w.EventSource = class extends Native {
        constructor(url: string, init?: EventSourceInit) {
          super(url, init);
          this.addEventListener('turnout', () => w.__turnoutEvents++);
        }
      };
    });
    await signIn(page);
    await page.goto(`${server.url}/staff/c/2018/turnout`);
    await page.waitForFunction(() => (window as any).__turnoutEvents >= 1, undefined, { timeout: 5_000 });
    await check();
    await page.close();
  });
});
