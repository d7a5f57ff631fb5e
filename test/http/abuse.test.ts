import { and, eq, like } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { addressBucket, safeNext } from '../../src/auth/auth.core';
import { SYSTEM_ACTOR } from '../../src/audit/audit.service';
import { defaultCampaign, getCampaign } from '../../src/campaigns/campaigns.service';
import { auditLog, campaigns, delegates, rateLimits, suggestions, tallyResults } from '../../src/db/schema';
import { nodeApp, prepareDatabase } from '../../src/node/boot';
import { rehearsalCeremony } from '../../src/tally/rehearsal.service';
import { approveResult, commitGroup, commitmentDocument, committedBallots, postResult } from '../../src/tally/tally.service';
import { unsealWithShares } from '../../src/tally/unseal.core';
import { addUser, Browser, PASSWORD, testApp, delegateLinkToken } from '../helpers/app';
import { addDelegates, prepareHearing } from '../helpers/hearing';
import { openDisciplineSurvey, respondOpen } from '../helpers/survey';
import { castSealed, closeAllVenues } from '../helpers/tally';

let t: Awaited<ReturnType<typeof testApp>>;

// the clock is fixed 5 s into a minute, so no budget window rolls over during a test
const START = Date.parse('2026-12-02T10:00:05Z');

beforeAll(async () => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(START);
  t = await testApp();
  await addUser(t.db, 'organiser', 'organiser');
  await addUser(t.db, 'custodian-owner', 'custodian');
});
afterAll(() => {
  t.close();
  vi.useRealTimers();
});

/** One request from a given address (as the Node adapter reads it from the socket). */
async function from(ip: string, path: string, init: { method?: string; json?: unknown; app?: typeof t.app } = {}) {
  const env = { incoming: { socket: { remoteAddress: ip, remotePort: 50000, remoteFamily: ip.includes(':') ? 'IPv6' : 'IPv4' } } };
  const res = await (init.app ?? t.app).request(
    `http://localhost${path}`,
    init.json === undefined ? { method: init.method ?? 'GET' } : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(init.json) },
    env,
  );
  return { res, status: res.status, text: await res.text() };
}

describe('open redirect after login', () => {
  // each spelling must end on a path of this origin: what a browser makes of the Location header
  const evil = [
    '/\t/evil.example',
    '/\r/evil.example',
    '/\n/evil.example',
    '/\n/x',
    '\t//evil.example',
    ' //evil.example',
    '//evil.example',
    '///evil.example',
    '/\\evil.example',
    '\\\\evil.example',
    '/\\/evil.example',
    '\\/evil.example',
    '/.//evil.example',
    '/..//evil.example',
    '%2F%2Fevil.example',
    '%5C%5Cevil.example',
    '/%5Cevil.example',
    'javascript:alert(1)',
    'JaVaScRiPt:alert(document.cookie)',
    ' javascript:alert(1)',
    'data:text/html,<script>alert(1)</script>',
    'http://evil.example/',
    'https://evil.example/staff',
    'HTTPS://EVIL.EXAMPLE',
    'http://localhost@evil.example/',
    'http://evil.example\\@localhost/',
    'http:evil.example',
    '//evil.example@localhost',
    '／／evil.example',
    '/\u3000/evil.example',
    '/\u2028/evil.example',
    '//ｅｖｉｌ.example',
    '//evil。example',
  ];

  function expectSameOrigin(location: string | null, spelling: string) {
    expect(location, JSON.stringify(spelling)).toBeTruthy();
    // the browser drops tab, CR and LF and reads `\` as `/`: URL does the same
    const target = new URL(location!, 'http://localhost');
    expect(target.origin, `${JSON.stringify(spelling)} → ${JSON.stringify(location)}`).toBe('http://localhost');
    expect(location!.startsWith('/') && !location!.startsWith('//') && !location!.startsWith('/\\'), JSON.stringify(location)).toBe(true);
    expect(location).not.toMatch(/[\u0000-\u001f\u007f\\]/);
  }

  it('every evil spelling of next ends on a same-origin location, and none answers 500', async () => {
    const b = new Browser(t.app);
    await b.login('organiser');
    for (const spelling of evil) {
      const query = await b.get(`/login?next=${encodeURIComponent(spelling)}`);
      // a control character in the address is refused at the edge (400 BAD_QUERY, no redirect at all); otherwise same origin
      if (query.status === 400 && /[\u0000-\u001f\u007f]/.test(spelling)) {
        expect(query.res.headers.get('location')).toBeNull();
        expect(query.body).toContain('控制字符');
        continue;
      }
      expect(query.status, JSON.stringify(spelling)).toBe(302);
      expectSameOrigin(query.res.headers.get('location'), spelling);
    }
    // as the attacker's link spells it, percent-encoded tab: the login page then redirects home
    const raw = await b.get('/login?next=%2F%09%2Fevil.example');
    expect(raw.res.headers.get('location') ?? '/').not.toContain('evil');
    expect(raw.status).toBeLessThan(500);
  });

  it('a login form carrying an evil next lands on a same-origin page, and keeps a real path', async () => {
    for (const spelling of ['/\t/evil.example', '/\\evil.example', 'https://evil.example/', '/\n/x']) {
      const b = new Browser(t.app);
      const form = await b.get(`/login?next=${encodeURIComponent(spelling)}`);
      expect([200, 400]).toContain(form.status); // 400: a control character refused at the edge
      expect(form.body).not.toContain('evil.example');
      if (form.status === 400) await b.get('/login');
      const ok = await b.post('/login', { username: 'organiser', password: PASSWORD, next: spelling });
      expect(ok.status, JSON.stringify(spelling)).toBe(303);
      expectSameOrigin(ok.res.headers.get('location'), spelling);
    }
    const b = new Browser(t.app);
    await b.get('/login');
    const kept = await b.post('/login', { username: 'organiser', password: PASSWORD, next: '/staff/c/2018/edit?tab=venues#v' });
    expect(kept.res.headers.get('location')).toBe('/staff/c/2018/edit?tab=venues#v');
  });

  it('one function decides: the same-origin path, or /staff', () => {
    expect(safeNext('/staff/users', 'http://localhost')).toBe('/staff/users');
    expect(safeNext('http://localhost/staff/audit?x=1', 'http://localhost')).toBe('/staff/audit?x=1');
    expect(safeNext('/\t/evil.example', 'http://localhost')).toBe('/staff');
    expect(safeNext(undefined, 'http://localhost')).toBe('/staff');
    expect(safeNext('/a\nb', 'https://sanmin.example')).toBe('/ab');
  });
});

describe('a stranger cannot lock a custodian out', () => {
  it("a stranger's 100 failures from address A don't stop the owner from address B", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 100; i++) {
      const r = await from('198.51.100.7', '/api/login', { json: { username: 'custodian-owner', password: `guess number ${i}` } });
      statuses.push(r.status);
    }
    expect(statuses.slice(0, 8).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(8).every((s) => s === 429)).toBe(true);
    const owner = await from('203.0.113.50', '/api/login', { json: { username: 'custodian-owner', password: PASSWORD } });
    expect(owner.status).toBe(200);
    expect(JSON.parse(owner.text).token).toBeTruthy();
  });

  it('address A is itself limited: after its 9th guess at one account, and on any other account once its 30 are spent, 429 with Retry-After in Chinese', async () => {
    // 198.51.100.7 made 100 attempts above: the 9th was refused by the (username, address) budget,
    // and now the address's own budget of 30 refuses it on every other account too
    const elsewhere = await from('198.51.100.7', '/api/login', { json: { username: 'organiser', password: PASSWORD } });
    expect(elsewhere.status).toBe(429);
    expect(JSON.parse(elsewhere.text).error).toMatchObject({ code: 'RATE_LIMITED', message: expect.stringContaining('登录尝试过于频繁') });
    const after = Number(elsewhere.res.headers.get('retry-after'));
    expect(after).toBeGreaterThan(0);
    expect(after).toBeLessThanOrEqual(15 * 60);
    const [perAddress] = await t.db.select().from(rateLimits).where(eq(rateLimits.key, 'login:ip:198.51.100.7'));
    expect(perAddress!.count).toBe(101);
  });

  it('the counters are shared across requests and servers: they live in the database, not in memory', async () => {
    const ip = '198.51.100.9';
    const second = nodeApp(await prepareDatabase(t.url));
    for (let i = 0; i < 8; i++) expect((await from(ip, '/api/login', { json: { username: 'organiser', password: `nope ${i} xxxx` } })).status).toBe(401);
    // another process over the same file sees the same count
    expect((await from(ip, '/api/login', { json: { username: 'organiser', password: PASSWORD }, app: second })).status).toBe(429);
    const rows = await t.db.select().from(rateLimits).where(like(rateLimits.key, `login:%${ip}%`));
    expect(rows.map((r) => r.count).sort((x, y) => x - y)).toEqual([9, 9]);
    // and the attempted username is not kept in the clear
    expect(rows.some((r) => r.key.includes('organiser'))).toBe(false);
  });

  it('counts an IPv6 attacker by their /64, so rotating addresses inside it does not reset the budget', async () => {
    for (let i = 0; i < 8; i++) expect((await from(`2001:db8:1:2::${i + 1}`, '/api/login', { json: { username: 'custodian-owner', password: `v6 guess ${i}` } })).status).toBe(401);
    expect((await from('2001:db8:1:2:ffff::9', '/api/login', { json: { username: 'custodian-owner', password: `v6 guess 9` } })).status).toBe(429);
    expect(addressBucket('2001:0db8:0001:0002:0000:0000:0000:0001')).toBe('2001:db8:1:2::/64');
    expect(addressBucket('::ffff:192.0.2.1')).toBe('192.0.2.1');
    expect(addressBucket('192.0.2.1')).toBe('192.0.2.1');
  });
});

describe('lookups by a guessable code are limited per address', () => {
  const misses: [string, (i: number) => { path: string; json?: unknown }][] = [
    ['GET /api/suggestions/{code}', (i) => ({ path: `/api/suggestions/JY${String(i).padStart(4, '2')}-ABCD` })],
    ['GET /c/{code}/suggestions/track', (i) => ({ path: `/c/2018/suggestions/track?code=JY${String(i).padStart(4, '3')}-ABCD` })],
    ['POST /api/ballot/ticket', (i) => ({ path: '/api/ballot/ticket', json: { ticket: `ABCD-EFGH-${String(i).padStart(4, '2')}` } })],
    ['POST /api/ballot/redeem', (i) => ({ path: '/api/ballot/redeem', json: { ticket: `ABCD-EFGH-${String(i).padStart(4, '3')}`, blindedMsg: 'A'.repeat(40) } })],
    ['POST /api/survey/invitation', (i) => ({ path: '/api/survey/invitation', json: { code: `WXYZ-EFGH-${String(i).padStart(4, '2')}` } })],
    ['POST /api/survey/redeem', (i) => ({ path: '/api/survey/redeem', json: { code: `WXYZ-EFGH-${String(i).padStart(4, '3')}`, blindedMsg: 'A'.repeat(40) } })],
    ['GET /d/{token}', (i) => ({ path: `/d/guessedtoken${i}` })],
  ];

  it.each(misses.map((m, k) => [...m, k] as const))('guessing codes at %s: 60 misses a minute, then 429 RATE_LIMITED with Retry-After', async (_name, make, k) => {
    const ip = `192.0.2.${200 + k}`;
    for (let i = 0; i < 60; i++) {
      const { path, json } = make(i);
      const r = await from(ip, path, { json });
      expect(r.status, `${path} #${i}`).toBe(404);
    }
    const { path, json } = make(60);
    const limited = await from(ip, path, { json });
    expect(limited.status).toBe(429);
    expect(limited.text).toContain('查询过于频繁');
    if (path.startsWith('/api/')) expect(JSON.parse(limited.text).error.code).toBe('RATE_LIMITED');
    expect(limited.res.headers.get('retry-after')).toBe('55');
    // another address is not affected
    expect((await from(`192.0.2.${220 + k}`, path, { json })).status).toBe(404);
    // and the next minute the address may look again
    vi.setSystemTime(START + 60_000);
    expect((await from(ip, path, { json })).status).toBe(404);
    vi.setSystemTime(START);
  });

  it('the tracking API and page share one budget, and a found code costs nothing (a venue behind one address is never slowed)', async () => {
    const b = new Browser(t.app);
    await b.get('/c/2018/suggestions/new');
    const sent = await b.post('/c/2018/suggestions', {
      authorName: '李四', mobile: '13912345678', theme: '共享', area: '民生保障', title: '增加社区健身器材', body: '小区里健身器材老化严重,建议更新社区健身器材并定期维护。',
    });
    const code = sent.body.match(/data-testid="tracking-code">(JY[0-9A-Z-]+)</)![1]!;
    const ip = '192.0.2.240';
    for (let i = 0; i < 150; i++) expect((await from(ip, `/api/suggestions/${code}`)).status).toBe(200);
    for (let i = 0; i < 30; i++) expect((await from(ip, `/api/suggestions/JY${String(i).padStart(4, '4')}-ZZZZ`)).status).toBe(404);
    for (let i = 0; i < 30; i++) expect((await from(ip, `/c/2018/suggestions/track?code=JY${String(i).padStart(4, '5')}-ZZZZ`)).status).toBe(404);
    expect((await from(ip, `/c/2018/suggestions/track?code=JY9999-ZZZZ`)).status).toBe(429);
    expect((await from(ip, `/api/suggestions/${code}`)).status).toBe(429);
  });

  it("a delegate's own link still opens after a stranger spent their address's budget", async () => {
    const { campaignId } = await prepareHearing(t.db, [1]);
    const [d] = await addDelegates(t.db, campaignId, '市南区', 1, 1);
    const token = delegateLinkToken(t.db, d!.id);
    for (let i = 0; i < 61; i++) await from('192.0.2.241', `/d/wrong${i}`);
    expect((await from('192.0.2.241', `/d/${token}`)).status).toBe(429);
    expect((await from('192.0.2.242', `/d/${token}`)).status).toBe(200);
  });
});

describe('the discipline questionnaire', () => {
  it('takes 10 reports an hour from one address, then 429 in Chinese; another address still reports; the counter holds no report', async () => {
    const { survey } = await openDisciplineSurvey(t.db);
    const page = await new Browser(t.app, 'http://localhost', '192.0.2.250').get(`/c/2018/surveys/${survey.id}`);
    expect(page.status).toBe(200);
    // each report sealed on the device and posted as JSON from the same address
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) statuses.push((await respondOpen(t.app, survey, { q1: 2, q2: [1] }, { ip: '192.0.2.250' })).status);
    expect(statuses.every((s) => s === 201)).toBe(true);
    const refused = await respondOpen(t.app, survey, { q1: 2, q2: [1] }, { ip: '192.0.2.250' });
    expect(refused.status).toBe(429);
    expect(refused.json.error.message).toContain('提交过于频繁');
    expect(Number(refused.res.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await respondOpen(t.app, survey, { q1: 2, q2: [1] }, { ip: '192.0.2.251' })).status).toBe(201);
    // anonymous: the counter is keyed on the address only and names no survey or response
    const counters = await t.db.select().from(rateLimits).where(like(rateLimits.key, 'open-survey:%'));
    expect(counters.map((r) => r.key).sort()).toEqual(['open-survey:192.0.2.250', 'open-survey:192.0.2.251']);
  });
});

describe('a crashed publication', () => {
  it('leaves no approval entry and no result when the k-th approval cannot publish; approved again, it publishes once', async () => {
    const campaign = await getCampaign(t.db, '2018');
    const ceremony = await rehearsalCeremony(t.db, campaign, 4);
    const departments = 10;
    await castSealed(t.db, campaign, 4, ceremony.publicKey, [Array.from({ length: departments }, () => 1)]);
    await closeAllVenues(t.db, campaign, 4);
    await commitGroup(t.db, SYSTEM_ACTOR, campaign, 4);
    const commitment = JSON.parse((await commitmentDocument(t.db, campaign.id, 4))!);
    const { result } = await unsealWithShares(commitment, await committedBallots(t.db, campaign, 4), ceremony.shares.slice(0, 3).map((s) => JSON.stringify(s)));
    const { digest } = await postResult(t.db, SYSTEM_ACTOR, campaign, 4, result);
    const custodian = (seat: number) => ({ id: `rehearsal-custodian-4-${seat}`, name: `演练保管人${seat}` });
    await approveResult(t.db, custodian(1), campaign, 4, digest);
    await approveResult(t.db, custodian(2), campaign, 4, digest);
    const entries = async () => (await t.db.select().from(auditLog).where(like(auditLog.target, 'tally:2018:4%'))).map((e) => `${e.action} ${e.target}`);
    const before = await entries();
    // the publication fails (here: the database refuses the result row)
    await t.client.execute('CREATE TRIGGER crash_unseal BEFORE INSERT ON tally_results BEGIN SELECT RAISE(ABORT, \'disk I/O error\'); END');
    await expect(approveResult(t.db, custodian(3), campaign, 4, digest)).rejects.toThrow();
    expect(await entries()).toEqual(before);
    await t.client.execute('DROP TRIGGER crash_unseal');
    await approveResult(t.db, custodian(3), campaign, 4, digest);
    const after = await entries();
    expect(after.slice(before.length)).toEqual(['tally.result.approve tally:2018:4:3', 'tally.unseal tally:2018:4']);
    expect(await t.db.select().from(tallyResults).where(and(eq(tallyResults.campaignId, campaign.id), eq(tallyResults.groupNo, 4)))).toHaveLength(1);
  });
});

describe('the default campaign is never a draft copy', () => {
  it('/, an undirected suggestion and routing go to the campaign in force, not to next year’s draft copy', async () => {
    const own = await testApp();
    try {
      await addUser(own.db, 'org', 'organiser');
      const org = new Browser(own.app);
      await org.login('org');
      await org.get('/staff/campaigns');
      const copied = await org.post('/staff/campaigns/copy', { from: '2018', code: '2019', name: '2019年三民活动', year: '2019' });
      expect(copied.status).toBe(303);
      // before any campaign has started: the seeded one being prepared, not the copy
      expect((await defaultCampaign(own.db))!.code).toBe('2018');
      expect((await own.app.request('http://localhost/')).headers.get('location')).toBe('/c/2018');
      const r = await own.app.request('http://localhost/api/suggestions', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ authorName: '王五', mobile: '13812340000', theme: '共享', area: '民生保障', title: '增设公共厕所指示牌', body: '老城区公共厕所不好找,建议在主要街道增设公共厕所指示牌。' }),
      });
      expect(r.status).toBe(201);
      const { code } = (await r.json()) as { code: string };
      const [row] = await own.db.select({ campaignId: suggestions.campaignId }).from(suggestions).where(eq(suggestions.code, code));
      const [c2018] = await own.db.select().from(campaigns).where(eq(campaigns.code, '2018'));
      expect(row!.campaignId).toBe(c2018!.id);
      // once 2018 has started and 2019 is still a draft: still 2018; once 2019 starts, 2019
      await own.db.update(campaigns).set({ status: 'started' }).where(eq(campaigns.code, '2018'));
      expect((await defaultCampaign(own.db))!.code).toBe('2018');
      await own.db.update(campaigns).set({ status: 'started' }).where(eq(campaigns.code, '2019'));
      expect((await defaultCampaign(own.db))!.code).toBe('2019');
      expect((await own.app.request('http://localhost/')).headers.get('location')).toBe('/c/2019');
    } finally {
      own.close();
    }
  });
});

describe('Content-Security-Policy and HSTS', () => {
  const pages = [
    '/c/2018', '/c/2018/agenda', '/c/2018/departments', '/c/2018/venues', '/c/2018/results', '/c/2018/seal/1', '/c/2018/receipt',
    '/c/2018/suggestions', '/c/2018/suggestions/new', '/c/2018/suggestions/track', '/c/2018/signup', '/vote', '/s', '/login', '/no-such-page',
    '/staff', '/staff/campaigns', '/staff/users', '/staff/audit', '/staff/c/2018/edit', '/staff/c/2018/hearing', '/staff/c/2018/turnout',
    '/staff/c/2018/tally', '/staff/c/2018/surveys', '/staff/c/2018/suggestions', '/staff/c/2018/suggestions/stats', '/staff/c/2018/candidates',
    '/staff/c/2018/draw', '/staff/c/2018/quotas', `/staff/c/2018/hearing/1/${encodeURIComponent('市南区')}`,
  ];

  it('every page carries a strict policy, and no page has an inline script, event handler or style attribute', async () => {
    const org = new Browser(t.app);
    await org.login('organiser');
    for (const path of pages) {
      const r = await org.get(path);
      expect(r.status, path).toBeLessThan(500);
      const policy = r.res.headers.get('content-security-policy') ?? '';
      for (const directive of ["default-src 'self'", "script-src 'self'", "style-src 'self'", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'", "form-action 'self'"]) {
        expect(policy, `${path}: ${directive}`).toContain(directive);
      }
      expect(policy, path).not.toMatch(/unsafe-inline|unsafe-eval/);
      // every <script> has a src on this origin and no body
      for (const m of r.body.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)) {
        expect(m[1], `${path}: ${m[0].slice(0, 80)}`).toMatch(/\ssrc="\/static\//);
        expect(m[2]!.trim(), path).toBe('');
      }
      expect(r.body, path).not.toMatch(/<[^>]+\son[a-z]+\s*=/i);
      expect(r.body, path).not.toMatch(/<[^>]+\sstyle\s*=/i);
      expect(r.body, path).not.toMatch(/<style[\s>]/i);
      expect(r.res.headers.get('strict-transport-security'), path).toBeNull();
    }
  });

  it('the device bundles are static files with a content version and a year of cache', async () => {
    const vote = await new Browser(t.app).get('/vote');
    const src = vote.body.match(/<script src="(\/static\/ballot\.js\?v=[0-9a-f]{8})"/)![1]!;
    const js = await t.app.request(`http://localhost${src}`);
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toContain('javascript');
    expect(js.headers.get('cache-control')).toContain('max-age=31536000');
    const etag = js.headers.get('etag')!;
    expect((await js.text()).length).toBeGreaterThan(10_000);
    expect((await t.app.request('http://localhost/static/ballot.js', { headers: { 'if-none-match': etag } })).status).toBe(304);
    // the page itself no longer carries the 70 KB bundle
    expect(vote.body.length).toBeLessThan(20_000);
    const s = await new Browser(t.app).get('/s');
    expect(s.body).toMatch(/<script src="\/static\/survey\.js\?v=[0-9a-f]{8}"/);
  });

  it('sends HSTS only over https', async () => {
    const secure = await t.app.request('https://sanmin.example/c/2018');
    expect(secure.headers.get('strict-transport-security')).toBe('max-age=31536000; includeSubDomains');
    const proxied = await t.app.request('http://localhost/c/2018', { headers: { 'x-forwarded-proto': 'https' } });
    expect(proxied.headers.get('strict-transport-security')).toBe('max-age=31536000; includeSubDomains');
    expect((await t.app.request('http://localhost/c/2018')).headers.get('strict-transport-security')).toBeNull();
  });
});
