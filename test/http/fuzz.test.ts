import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app';
import { campaigns, departments, surveys } from '../../src/db/schema';
import type { Role } from '../../src/db/schema';
import { addUser, Browser, PASSWORD, testApp, delegateLinkToken } from '../helpers/app';
import { addDelegates, tokenFor } from '../helpers/hearing';

/**
 * Bad input never gets a 500, an English message or a partial write: every POST route of the
 * app (read from the router, so a new route is fuzzed without touching this file) gets a
 * sample of malformed bodies. Real ids from the seeded database stand in for path params, and
 * each route is driven by the first role it does not refuse.
 */

/**
 * Writes that exist by design even when a request is refused, by table:
 * - rate_limits: every counted attempt (logins, suggestion intake, lookups) is a row or an increment;
 * - audit_log and sessions: only for the login routes (a failed login is audited; a throttled one too).
 * The CSRF nonce is a cookie, not a row.
 */
const WRITES_BY_DESIGN: { table: string; when: (path: string) => boolean }[] = [
  { table: 'rate_limits', when: () => true },
  { table: 'audit_log', when: (p) => p === '/login' || p === '/api/login' },
];

/** Routes that change state whatever the body says run last, so the others meet the seeded state. */
const STATE_CHANGES = /\/(start|commit|run|open|close|ceremony|unseal|join|share|logout|active|delete|publish)$/;

/** A run of three or more English words in what a person reads (codes like BAD_JSON are one word). */
const ENGLISH = /\b[A-Za-z]{2,}\b(?:[ \t,.;:'"!?()-]+\b[A-Za-z]{2,}\b){2,}/;

/** What a person sees of a page: no tags, attributes, scripts, styles or entities. */
function visibleText(html: string): string {
  return html
    .replace(/<script[\s\S]*?<\/script>/gi, ' ')
    .replace(/<style[\s\S]*?<\/style>/gi, ' ')
    .replace(/<!--[\s\S]*?-->/g, ' ')
    .replace(/<[^>]*>/g, ' ')
    .replace(/&[#a-z0-9]+;/gi, ' ');
}

/** The human-readable strings of a JSON answer: error messages and field messages, not codes. */
function jsonMessages(text: string): string {
  try {
    const body = JSON.parse(text) as { error?: { message?: unknown; fields?: Record<string, unknown> } };
    if (!body?.error) return '';
    return [body.error.message, ...Object.values(body.error.fields ?? {})].map(String).join(' ');
  } catch {
    return '';
  }
}

const FIELDS = [
  'title', 'body', 'name', 'authorName', 'mobile', 'email', 'code', 'ticket', 'reason', 'note', 'answer', 'username', 'password',
  'displayName', 'role', 'venueName', 'departmentName', 'organisation', 'seed', 'share', 'campaign', 'group', 'venue', 'delegateCode',
  'credential', 'answers', 'ciphertext', 'sealKey', 'blindedMsg', 'survey', 'shareCount', 'threshold', 'into', 'adoption', 'score', 'theme', 'area', 'url',
  'label', 'position', 'seats', 'from', 'year', 'idNumber', 'district', 'groups', 'consent', 'resident', 'kind', 'options', 'active',
];
const fill = (value: (name: string) => unknown) => Object.fromEntries(FIELDS.map((f) => [f, value(f)]));
const MB = 'x'.repeat(1024 * 1024);
const LONG = '长'.repeat(1500); // 4.5 KB: past every length rule; 8 of them stay under the 64 KB body limit
const NUL = '交\u0000通';

/** `edge`: refused by the edge before any route code runs, so one route in a few is enough (they rotate). */
type Payload = { name: string; type?: string; body: string | ((csrf: string) => string); csrfHeader?: boolean; edge?: boolean };

/** Form routes: the token rides in the body where the body can carry it, else in the header. */
const FORM_PAYLOADS: Payload[] = [
  { name: 'malformed multipart', type: 'multipart/form-data; boundary=zz', body: '--zz\r\nContent-Disposition: form-data; name="title"\r\n\r\n交通', csrfHeader: true },
  { name: 'multipart without a boundary', type: 'multipart/form-data', body: 'garbage', csrfHeader: true, edge: true },
  { name: 'empty fields', type: 'application/x-www-form-urlencoded', body: (csrf) => new URLSearchParams({ ...fill(() => ''), _csrf: csrf }).toString() },
  { name: 'wrong types', type: 'application/x-www-form-urlencoded', body: (csrf) => new URLSearchParams({ ...fill((f) => (f.length % 3 === 0 ? '-1' : f.length % 3 === 1 ? '1e309' : '<script>x</script>')), _csrf: csrf }).toString() },
  { name: 'long strings', type: 'application/x-www-form-urlencoded', body: (csrf) => new URLSearchParams({ ...Object.fromEntries(FIELDS.slice(0, 8).map((f) => [f, LONG])), _csrf: csrf }).toString() },
  { name: '1 MB string', type: 'application/x-www-form-urlencoded', body: (csrf) => new URLSearchParams({ title: MB, _csrf: csrf }).toString(), edge: true },
  { name: 'NUL', type: 'application/x-www-form-urlencoded', body: (csrf) => new URLSearchParams({ ...fill(() => NUL), _csrf: csrf }).toString() },
  { name: 'JSON null to a form', type: 'application/json', body: 'null', csrfHeader: true },
  { name: 'text/plain', type: 'text/plain', body: '{"title":"交通"}', csrfHeader: true, edge: true },
];

/** JSON routes, with a bearer token (no cookies, so no CSRF token is needed). */
const JSON_PAYLOADS: Payload[] = [
  { name: 'null', type: 'application/json', body: 'null' },
  { name: 'array', type: 'application/json', body: '[1,2,3]' },
  { name: 'number', type: 'application/json', body: '42' },
  { name: 'string', type: 'application/json', body: '"交通"', edge: true },
  { name: 'truncated', type: 'application/json', body: '{"title": "交' },
  { name: 'wrong types', type: 'application/json', body: JSON.stringify(fill((f) => (f.length % 4 === 0 ? {} : f.length % 4 === 1 ? [] : f.length % 4 === 2 ? -1 : true))) },
  { name: 'long strings', type: 'application/json', body: JSON.stringify(Object.fromEntries(FIELDS.slice(0, 8).map((f) => [f, LONG]))) },
  { name: 'deep nesting', type: 'application/json', body: `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`, edge: true },
  { name: '1 MB string', type: 'application/json', body: JSON.stringify({ title: MB }), edge: true },
  { name: 'NUL', type: 'application/json', body: JSON.stringify(fill(() => NUL)) },
  { name: 'text/plain', type: 'text/plain', body: '{"title":"交通"}', edge: true },
  { name: 'form', type: 'application/x-www-form-urlencoded', body: 'title=%E4%BA%A4', edge: true },
];

let t: Awaited<ReturnType<typeof testApp>>;
const browsers = new Map<Role, Browser>();
const tokens = new Map<Role, string>();
const ROLES: Role[] = ['organiser', 'custodian', 'statistician', 'venue_staff', 'dept_handler', 'qualifier', 'auditor'];
let params: Record<string, string>;
let dumpTables: string[];
/** Every table's rows as last seen, and the connection's write counter then. */
let baseline: Map<string, string>;
let changes: number;

async function totalChanges(): Promise<number> {
  return Number((await t.client.execute('SELECT total_changes()')).rows[0]![0]);
}

async function dump(): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const name of dumpTables) out.set(name, JSON.stringify((await t.client.execute(`SELECT * FROM "${name}"`)).rows));
  return out;
}

beforeAll(async () => {
  t = await testApp();
  const venueStaff = await addUser(t.db, 'fz_venue_staff', 'venue_staff', { venueName: '市南区' });
  for (const role of ROLES) {
    if (role !== 'venue_staff') await addUser(t.db, `fz_${role}`, role, role === 'dept_handler' ? { departmentName: '市交通运输委' } : {});
    const b = new Browser(t.app);
    await b.login(`fz_${role}`);
    browsers.set(role, b);
    tokens.set(role, await tokenFor(t.app, `fz_${role}`, PASSWORD));
  }
  const [campaign] = await t.db.select().from(campaigns);
  const [department] = await t.db.select().from(departments).where(eq(departments.campaignId, campaign!.id));
  const [delegate] = await addDelegates(t.db, campaign!.id, '市南区', 1, 1);
  const org = browsers.get('organiser')!;
  await org.get('/staff/c/2018/surveys');
  await org.post('/staff/c/2018/surveys/templates/social', {});
  const [survey] = await t.db.select().from(surveys);
  const intake = await t.app.request('http://localhost/api/suggestions', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ authorName: '张三', mobile: '13900000001', theme: '共享', area: '民生保障', title: '增开社区公交接驳线路', body: '我们社区附近没有公交站,到地铁站要走二十分钟,建议增开社区公交接驳线路。' }),
  });
  const suggestionCode = ((await intake.json()) as { code: string }).code;
  const delegateRow = (await t.client.execute({ sql: 'SELECT candidate_id FROM delegates WHERE id = ?', args: [delegate!.id] })).rows[0]!;
  params = {
    code: campaign!.code,
    no: '1',
    group: '1',
    venue: '市南区',
    kind: 'main',
    template: 'social',
    sc: suggestionCode,
    token: delegateLinkToken(t.db, delegate!.id),
    mid: '00000000-0000-0000-0000-000000000000',
    qid: 'q1',
    // the id of each route's own kind of record
    'departments/:id': department!.id,
    'candidates/:id': String(delegateRow[0]),
    'delegates/:id': delegate!.id,
    'surveys/:id': survey!.id,
    'users/:id': venueStaff,
    'checkins/:id': '00000000-0000-0000-0000-000000000000',
  };
  dumpTables = (await t.client.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")).rows.map((r) => String(r[0]));
  baseline = await dump();
  changes = await totalChanges();
});
afterAll(() => t.close());

function concretePath(pattern: string): string {
  return pattern.replace(/([a-z]+)\/:id/g, (m, kind: string) => `${kind}/${encodeURIComponent(params[`${kind}/:id`] ?? '00000000-0000-0000-0000-000000000000')}`).replace(/:([a-z]+)/g, (_m, name: string) => encodeURIComponent(params[name] ?? 'x'));
}

/** Every POST path of the router, read at collection time from an app that is never called. */
const routeList: string[] = (() => {
  const probe = createApp({ db: () => undefined as never, clientIp: () => 'x', htmxSource: '', idHashKey: () => undefined, secretKey: () => undefined, setupToken: () => undefined });
  const paths = new Set(probe.routes.filter((r) => r.method === 'POST').map((r) => r.path));
  return [...paths].sort((a, b) => Number(STATE_CHANGES.test(a)) - Number(STATE_CHANGES.test(b)));
})();

let ip = 0;
async function send(path: string, payload: Payload, role: Role | null) {
  const isApi = path.startsWith('/api/');
  const b = role ? browsers.get(role)! : new Browser(t.app);
  if (!role && !isApi) await b.get('/login');
  const headers: Record<string, string> = {};
  if (payload.type) headers['content-type'] = payload.type;
  if (isApi) {
    if (role) headers['authorization'] = `Bearer ${tokens.get(role)!}`;
  } else {
    headers['cookie'] = [...b.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    if (payload.csrfHeader) headers['x-csrf-token'] = b.csrf;
  }
  const body = typeof payload.body === 'function' ? payload.body(b.csrf) : payload.body;
  ip++;
  const res = await t.app.request(`http://localhost${path}`, { method: 'POST', headers, body }, { incoming: { socket: { remoteAddress: `198.18.${ip >> 8}.${ip & 255}` } } });
  return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text() };
}

describe('fuzz: bad input never gets a 500, an English message or a partial write', () => {
  it('covers every POST route of the router', () => {
    expect(routeList.length).toBeGreaterThanOrEqual(80);
    expect(routeList).toContain('/login');
    expect(routeList).toContain('/api/ballot/cast');
  });

  /** Sends one payload and notes a 5xx, English words, or a refused request that changed a row. */
  async function check(pattern: string, path: string, payload: Payload, role: Role | null, problems: string[]) {
    const r = await send(path, payload, role);
    const what = `${payload.name} as ${role ?? 'anonymous'} → ${r.status}`;
    if (r.status >= 500) problems.push(`${what}: ${r.text.slice(0, 200)}`);
    const words = r.type.includes('json') ? jsonMessages(r.text) : r.type.includes('html') ? visibleText(r.text) : '';
    const english = ENGLISH.exec(words);
    if (english) problems.push(`${what}: English "${english[0]}"`);
    // a full dump only when the connection wrote something (total_changes() moved)
    const now = await totalChanges();
    if (now !== changes) {
      const after = await dump();
      if (r.status >= 400) {
        for (const [table, rows] of after) {
          if (baseline.get(table) === rows) continue;
          if (WRITES_BY_DESIGN.some((w) => w.table === table && w.when(pattern))) continue;
          problems.push(`${what}: refused but changed ${table}`);
        }
      }
      baseline = after;
      changes = now;
    }
    return r.status;
  }

  routeList.forEach((pattern, i) => {
    it(`POST ${pattern}`, async () => {
      const path = concretePath(pattern);
      const all = pattern.startsWith('/api/') ? JSON_PAYLOADS : FORM_PAYLOADS;
      const edge = all.filter((p) => p.edge);
      // every route gets each route-level payload, and one of the edge payloads in turn
      const payloads = [...all.filter((p) => !p.edge), edge[i % edge.length]!];
      const problems: string[] = [];
      // the first role the route does not refuse (anonymous routes answer everyone)
      let role: Role | null = null;
      let rest = payloads;
      if (pattern !== '/login' && pattern !== '/api/login' && pattern !== '/logout') {
        for (const r of ROLES) {
          role = r;
          if ((await check(pattern, path, payloads[0]!, r, problems)) !== 403) break;
        }
        rest = payloads.slice(1);
      }
      for (const payload of rest) await check(pattern, path, payload, role, problems);
      expect(problems, `${pattern} as ${role ?? 'anonymous'}`).toEqual([]);
    });
  });
});
