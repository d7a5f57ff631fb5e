import { and, eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getCampaign } from '../../src/campaigns/campaigns.service';
import { candidates, departments, venues } from '../../src/db/schema';
import type { Role } from '../../src/db/schema';
import { addUser, Browser, PASSWORD, testApp } from '../helpers/app';
import { addDelegates, api, prepareHearing, tokenFor } from '../helpers/hearing';
import { openSocialSurvey } from '../helpers/survey';
import { openAllVenues } from '../helpers/tally';

/**
 * Scope as a MATRIX: every staff route that takes a venue, delegate, candidate, check-in,
 * department or suggestion identifier, called by every role with an identifier that belongs to
 * another venue or department. Each call must be refused (403 or 404, in Chinese), show nothing
 * of the record, and change no row. One app, seeded once.
 */

let t: Awaited<ReturnType<typeof testApp>>;

interface Target {
  venue: string;
  venueId: string;
  /** a delegate of the venue, checked in for group 1 */
  delegate: { id: string; code: string; name: string };
  /** a delegate of the venue not yet checked in nor invited */
  spare: { id: string; code: string; name: string };
  candidateId: string;
  candidateName: string;
  checkinId: string;
  department: string;
  departmentId: string;
  suggestion: string;
  suggestionTitle: string;
}

interface Req {
  method: 'GET' | 'POST';
  path: string;
  form?: Record<string, string>;
  json?: unknown;
}

/** Route key as Hono lists it → the request that names `x`'s record. */
type Make = (x: Target, own: Target, survey: string) => Req;

const C = '/staff/c/:code';
const get = (path: string): Req => ({ method: 'GET', path });
const post = (path: string, form: Record<string, string> = {}): Req => ({ method: 'POST', path, form });
const postJson = (path: string, json: unknown): Req => ({ method: 'POST', path, json });
const v = (x: Target) => encodeURIComponent(x.venue);

const SCOPED: Record<string, Make> = {
  [`GET ${C}/venues/:id`]: (x) => get(`/staff/c/2018/venues/${x.venueId}`),
  [`POST ${C}/venues/:id`]: (x) => post(`/staff/c/2018/venues/${x.venueId}`, { name: x.venue, kind: 'sub' }),
  [`GET ${C}/departments/:id`]: (x) => get(`/staff/c/2018/departments/${x.departmentId}`),
  [`GET ${C}/departments/:id/edit`]: (x) => get(`/staff/c/2018/departments/${x.departmentId}/edit`),
  [`POST ${C}/departments/:id`]: (x) => post(`/staff/c/2018/departments/${x.departmentId}`, { name: x.department }),
  [`POST ${C}/departments/:id/move`]: (x) => post(`/staff/c/2018/departments/${x.departmentId}/move`, { direction: 'up' }),
  [`POST ${C}/departments/:id/materials`]: (x) => post(`/staff/c/2018/departments/${x.departmentId}/materials`, { kind: 'link', title: '越权材料', url: 'https://example.com/' }),
  [`POST ${C}/materials/:mid/delete`]: () => post(`/staff/c/2018/materials/${materialId}/delete`),
  [`POST ${C}/groups/:no`]: () => post('/staff/c/2018/groups/1', { date: '2018-12-11', startTime: '09:00' }),
  [`GET ${C}/candidates`]: (x) => get(`/staff/c/2018/candidates?venue=${v(x)}`),
  [`POST ${C}/candidates/:id/qualification`]: (x) => post(`/staff/c/2018/candidates/${x.candidateId}/qualification`, { decision: 'rejected', reason: '越权审核' }),
  [`POST ${C}/candidates/:id/district-review`]: (x) => post(`/staff/c/2018/candidates/${x.candidateId}/district-review`, { decision: 'rejected', reason: '越权审核' }),
  [`GET ${C}/delegates`]: (x) => get(`/staff/c/2018/delegates?venue=${v(x)}`),
  [`GET ${C}/delegates/print`]: (x) => get(`/staff/c/2018/delegates/print?venue=${v(x)}`),
  [`GET ${C}/delegates.csv`]: (x) => get(`/staff/c/2018/delegates.csv?venue=${v(x)}`),
  [`POST ${C}/delegates/:id/respond`]: (x) => post(`/staff/c/2018/delegates/${x.spare.id}/respond`, { answer: 'decline' }),
  [`POST ${C}/hearing/:group/:venue/open`]: (x) => post(`/staff/c/2018/hearing/2/${v(x)}/open`),
  [`GET ${C}/hearing/:group/:venue`]: (x) => get(`/staff/c/2018/hearing/1/${v(x)}`),
  [`POST ${C}/hearing/:group/:venue/checkin`]: (x) => post(`/staff/c/2018/hearing/1/${v(x)}/checkin`, { code: x.spare.code }),
  // the identifier in the body: the caller's OWN desk, another venue's delegate code
  [`POST ${C}/hearing/:group/:venue/checkin (own desk)`]: (x, own) => post(`/staff/c/2018/hearing/1/${v(own)}/checkin`, { code: x.spare.code }),
  [`POST ${C}/hearing/:group/:venue/checkins/:id/void`]: (x) => post(`/staff/c/2018/hearing/1/${v(x)}/checkins/${x.checkinId}/void`, { reason: '越权作废' }),
  [`POST ${C}/hearing/:group/:venue/close`]: (x) => post(`/staff/c/2018/hearing/1/${v(x)}/close`, { note: '越权结束投票越权结束投票' }),
  [`GET ${C}/hearing/:group/:venue/sheet`]: (x) => get(`/staff/c/2018/hearing/1/${v(x)}/sheet`),
  ['POST /api/campaigns/:code/groups/:group/venues/:venue/open']: (x) => postJson(`/api/campaigns/2018/groups/2/venues/${v(x)}/open`, {}),
  ['POST /api/campaigns/:code/groups/:group/venues/:venue/close']: (x) => postJson(`/api/campaigns/2018/groups/1/venues/${v(x)}/close`, { note: '越权结束投票越权结束投票' }),
  ['POST /api/campaigns/:code/checkins']: (x) => postJson('/api/campaigns/2018/checkins', { delegateCode: x.spare.code, group: 1, venue: x.venue }),
  ['POST /api/campaigns/:code/checkins (own venue)']: (x, own) => postJson('/api/campaigns/2018/checkins', { delegateCode: x.spare.code, group: 1, venue: own.venue }),
  ['POST /api/campaigns/:code/checkins/:id/void']: (x) => postJson(`/api/campaigns/2018/checkins/${x.checkinId}/void`, { reason: '越权作废' }),
  [`POST ${C}/surveys/:id/invitations/delegate`]: (x, _own, survey) => post(`/staff/c/2018/surveys/${survey}/invitations/delegate`, { delegateCode: x.spare.code }),
  [`GET ${C}/suggestions/:sc`]: (x) => get(`/staff/c/2018/suggestions/${x.suggestion}`),
  [`POST ${C}/suggestions/:sc/dispatch`]: (x, own) => post(`/staff/c/2018/suggestions/${x.suggestion}/dispatch`, { departments: own.department }),
  [`POST ${C}/suggestions/:sc/merge`]: (x, own) => post(`/staff/c/2018/suggestions/${x.suggestion}/merge`, { into: own.suggestion }),
  [`POST ${C}/suggestions/:sc/reject`]: (x) => post(`/staff/c/2018/suggestions/${x.suggestion}/reject`, { reason: '越权不予受理' }),
  [`POST ${C}/suggestions/:sc/publish`]: (x) => post(`/staff/c/2018/suggestions/${x.suggestion}/publish`),
  [`POST ${C}/suggestions/:sc/shortlist`]: (x) => post(`/staff/c/2018/suggestions/${x.suggestion}/shortlist`),
  [`POST ${C}/suggestions/:sc/close`]: (x) => post(`/staff/c/2018/suggestions/${x.suggestion}/close`, { note: '越权办结越权办结' }),
  [`POST ${C}/suggestions/:sc/score`]: (x) => post(`/staff/c/2018/suggestions/${x.suggestion}/score`, { score: '99' }),
  [`GET ${C}/handling/:sc`]: (x) => get(`/staff/c/2018/handling/${x.suggestion}`),
  [`POST ${C}/handling/:sc/accept`]: (x) => post(`/staff/c/2018/handling/${x.suggestion}/accept`),
  [`POST ${C}/handling/:sc/answer`]: (x) => post(`/staff/c/2018/handling/${x.suggestion}/answer`, { answer: '越权答复越权答复越权答复', adoption: 'none' }),
  [`POST ${C}/handling/:sc/return`]: (x) => post(`/staff/c/2018/handling/${x.suggestion}/return`, { reason: '越权退回' }),
};

/**
 * Staff routes with an identifier that is not a venue's or department's record, and why no
 * venue or department scope applies (a new identifier route must be placed in one list or the other).
 */
const NOT_SCOPED: Record<string, string> = {
  'POST /staff/users/:id/active': 'an account, organisers only',
  'POST /staff/users/:id/email': 'an account, organisers only',
  [`POST ${C}/suggestions/templates/:id/delete`]: 'a campaign-wide answer template, organisers only',
  [`POST ${C}/quotas/:kind`]: 'the campaign-wide base tables, organisers only',
  [`POST ${C}/tally/:group/join`]: 'a group is campaign-wide: custodians and the statistician act on all of it',
  [`POST ${C}/tally/:group/ceremony`]: 'a group is campaign-wide',
  [`GET ${C}/tally/:group/share.json`]: 'a group is campaign-wide (a custodian gets only their own seat)',
  [`GET ${C}/tally/:group/ballots.json`]: 'a group is campaign-wide (after the commit)',
  [`POST ${C}/tally/:group/commit`]: 'a group is campaign-wide',
  [`POST ${C}/tally/:group/result`]: 'a group is campaign-wide',
  [`GET ${C}/tally/:group/draft.json`]: "a group is campaign-wide (only the group's custodians)",
  [`GET ${C}/tally/:group/unseal`]: 'a group is campaign-wide (the unsealing table: no figures until the custodians open their shares in it)',
  [`POST ${C}/tally/:group/approve`]: "a group is campaign-wide (only the group's custodians)",
  'GET /api/campaigns/:code/groups/:group/tally/seats': 'a group is campaign-wide',
  'POST /api/campaigns/:code/groups/:group/tally/join': 'a group is campaign-wide',
  'POST /api/campaigns/:code/groups/:group/tally/ceremony': 'a group is campaign-wide',
  'GET /api/campaigns/:code/groups/:group/tally/share': 'a group is campaign-wide (a custodian gets only their own seat)',
  'POST /api/campaigns/:code/groups/:group/tally/commit': 'a group is campaign-wide',
  'GET /api/campaigns/:code/groups/:group/tally/ballots': 'a group is campaign-wide (after the commit)',
  'POST /api/campaigns/:code/groups/:group/tally/result': 'a group is campaign-wide',
  'GET /api/campaigns/:code/groups/:group/tally/draft': "a group is campaign-wide (only the group's custodians)",
  'POST /api/campaigns/:code/groups/:group/tally/approve': "a group is campaign-wide (only the group's custodians)",
  'GET /api/campaigns/:code/groups/:group/result': 'public once unsealed',
  'GET /api/campaigns/:code/groups/:group/commitment': 'public',
  'GET /api/campaigns/:code/groups/:group/seal': 'public',
  [`POST ${C}/surveys/templates/:template`]: 'a campaign-wide questionnaire, organisers only',
  [`GET ${C}/surveys/:id`]: 'a survey is campaign-wide',
  [`GET ${C}/surveys/:id/preview`]: 'a survey is campaign-wide',
  [`POST ${C}/surveys/:id/questions`]: 'a survey is campaign-wide, organisers only',
  [`POST ${C}/surveys/:id/questions/:qid/delete`]: 'a survey is campaign-wide, organisers only',
  [`POST ${C}/surveys/:id/questions/:qid/move`]: 'a survey is campaign-wide, organisers only',
  [`POST ${C}/surveys/:id/definition`]: 'a survey is campaign-wide, organisers only',
  [`POST ${C}/surveys/:id/tally/settings`]: 'a survey is campaign-wide, organisers only',
  [`POST ${C}/surveys/:id/tally/join`]: 'a survey is campaign-wide (custodians)',
  [`POST ${C}/surveys/:id/tally/ceremony`]: 'a survey is campaign-wide',
  [`POST ${C}/surveys/:id/tally/result`]: 'a survey is campaign-wide',
  [`POST ${C}/surveys/:id/tally/approve`]: "a survey is campaign-wide (only the survey's custodians)",
  'GET /api/campaigns/:code/surveys/:id/tally/seats': 'a survey is campaign-wide',
  'POST /api/campaigns/:code/surveys/:id/tally/join': 'a survey is campaign-wide (custodians)',
  'POST /api/campaigns/:code/surveys/:id/tally/ceremony': 'a survey is campaign-wide',
  'GET /api/campaigns/:code/surveys/:id/tally/share': 'a survey is campaign-wide (a custodian gets only their own seat)',
  'GET /api/campaigns/:code/surveys/:id/tally/commitment': 'a survey is campaign-wide (public after closing)',
  'GET /api/campaigns/:code/surveys/:id/tally/responses': 'a survey is campaign-wide (after closing)',
  'POST /api/campaigns/:code/surveys/:id/tally/result': 'a survey is campaign-wide',
  'GET /api/campaigns/:code/surveys/:id/tally/draft': "a survey is campaign-wide (only the survey's custodians)",
  'POST /api/campaigns/:code/surveys/:id/tally/approve': "a survey is campaign-wide (only the survey's custodians)",
  [`POST ${C}/surveys/:id/open`]: 'a survey is campaign-wide, organisers only',
  [`POST ${C}/surveys/:id/close`]: 'a survey is campaign-wide, organisers only',
  [`POST ${C}/surveys/:id/invitations/citizens`]: 'citizen codes, not a delegate: organisers only',
  [`GET ${C}/surveys/:id/review`]: 'a survey is campaign-wide (statistician, auditor)',
  [`POST ${C}/surveys/:id/review`]: 'a survey is campaign-wide (statistician, auditor)',
  'GET /api/handling/:code': ':code is the campaign; the list holds only the handler’s own department (LISTINGS below)',
  'GET /api/suggestions/:code': 'public tracking (masked)',
  'GET /api/campaigns/:code/quotas': 'public',
};

/**
 * Roles that act on every venue's records on a route by the authority of their role, not by a
 * venue scope (granted in the route through `assertInScope(…, acrossVenues)` or its role list).
 */
const ACROSS_VENUES: Partial<Record<string, Role[]>> = {
  [`GET ${C}/candidates`]: ['qualifier'],
  [`POST ${C}/candidates/:id/qualification`]: ['qualifier'],
  [`GET ${C}/hearing/:group/:venue/sheet`]: ['auditor'],
};

/** Pages that list records: never one of another venue or department. */
const LISTINGS: Make[] = [
  () => get('/staff/c/2018/candidates'),
  () => get('/staff/c/2018/delegates'),
  () => get('/staff/c/2018/delegates.csv'),
  () => get('/staff/c/2018/hearing'),
  () => get('/staff/c/2018/handling'),
  () => get('/api/handling/2018'),
  () => get('/staff'),
];

const ROLES: { name: string; role: Role; venue?: string; department?: string }[] = [
  { name: 'org', role: 'organiser' },
  { name: 'south', role: 'venue_staff', venue: '市南区' },
  { name: 'north', role: 'venue_staff', venue: '市北区' },
  { name: 'qual', role: 'qualifier' },
  { name: 'stat', role: 'statistician' },
  { name: 'cust', role: 'custodian' },
  { name: 'edu', role: 'dept_handler', department: '市教育局' },
  { name: 'traffic', role: 'dept_handler', department: '市交通运输委' },
  { name: 'auditor', role: 'auditor' },
];

let materialId = '';
let surveyId = '';
const targets: Record<string, Target> = {};
const browsers: Record<string, Browser> = {};

async function send(b: Browser, r: Req) {
  if (r.method === 'GET') return b.get(r.path);
  if (r.json !== undefined) {
    const res = await t.app.request(`http://localhost${r.path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-csrf-token': b.csrf, cookie: [...b.cookies].map(([k, val]) => `${k}=${val}`).join('; ') },
      body: JSON.stringify(r.json),
    });
    return { res, status: res.status, body: await res.text() };
  }
  return b.post(r.path, r.form ?? {});
}

/** Every row of every table (sessions aside: a login's, not a refusal's). */
async function snapshot(): Promise<string> {
  const tables = (await t.client.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT IN ('sessions') ORDER BY name")).rows.map((r) => String(r['name']));
  const parts: string[] = [];
  for (const name of tables) {
    const rows = (await t.client.execute(`SELECT * FROM "${name}"`)).rows.map((r) => JSON.stringify(r)).sort();
    parts.push(`${name}:${rows.join('\n')}`);
  }
  return parts.join('\n\n');
}

/** The other venue and department: what `user` must not touch. */
function foreignOf(user: (typeof ROLES)[number]): { x: Target; own: Target } {
  if (user.venue === '市北区') return { x: targets['south']!, own: targets['north']! };
  if (user.department === '市交通运输委') return { x: targets['south']!, own: targets['north']! };
  return { x: targets['north']!, own: targets['south']! };
}

beforeAll(async () => {
  t = await testApp();
  const { campaignId } = await prepareHearing(t.db, [1]);
  const campaign = await getCampaign(t.db, '2018');
  await openAllVenues(t.db, campaign, 1);
  for (const r of ROLES) await addUser(t.db, r.name, r.role, { venueName: r.venue, departmentName: r.department });
  for (const r of ROLES) {
    browsers[r.name] = new Browser(t.app);
    await browsers[r.name]!.login(r.name);
  }
  surveyId = (await openSocialSurvey(t.db)).survey.id;
  const token = await tokenFor(t.app, 'org', PASSWORD);
  const venueRows = await t.db.select().from(venues).where(and(eq(venues.campaignId, campaignId), inArray(venues.name, ['市南区', '市北区'])));
  const deptRows = await t.db.select().from(departments).where(and(eq(departments.campaignId, campaignId), inArray(departments.name, ['市教育局', '市交通运输委'])));
  const org = browsers['org']!;
  for (const [key, venue, department] of [['south', '市南区', '市教育局'], ['north', '市北区', '市交通运输委']] as const) {
    const [delegate, spare] = await addDelegates(t.db, campaignId, venue, 1, 2);
    const checkin = await api(t.app, '/api/campaigns/2018/checkins', { delegateCode: delegate!.code, group: 1, venue }, token);
    expect(checkin.status).toBe(201);
    const candidateId = `cand-${key}`;
    const candidateName = `候选人${key === 'south' ? '甲' : '乙'}`;
    await t.db.insert(candidates).values({
      id: candidateId, campaignId, code: `K-${key}`, source: 'volunteer', name: candidateName, idHash: `hash-${key}`, idLast4: '1234', mobile: '13800000000',
      venueName: venue, category: '自愿报名', groups: '1', qualification: 'passed', districtReview: 'pending', createdAt: Date.now(),
    });
    const citizen = new Browser(t.app);
    await citizen.get('/c/2018/suggestions/new');
    const title = key === 'south' ? '学校门口接送拥堵' : '公交站台缺少遮雨棚';
    const submitted = await citizen.post('/c/2018/suggestions', { authorName: '市民甲', mobile: key === 'south' ? '13700000001' : '13700000002', theme: '共享', area: '民生保障', title, body: `${title},建议相关部门尽快研究解决,方便群众出行和生活。` });
    const suggestion = submitted.body.match(/data-testid="tracking-code">(JY[0-9A-Z-]+)</)![1]!;
    await org.get(`/staff/c/2018/suggestions/${suggestion}`);
    expect((await org.post(`/staff/c/2018/suggestions/${suggestion}/dispatch`, { departments: department })).status).toBe(303);
    targets[key] = {
      venue, venueId: venueRows.find((r) => r.name === venue)!.id, delegate: delegate!, spare: spare!, candidateId, candidateName, checkinId: checkin.json.checkinId,
      department, departmentId: deptRows.find((r) => r.name === department)!.id, suggestion, suggestionTitle: title,
    };
  }
  const [m] = (await t.client.execute('SELECT id FROM department_materials LIMIT 1')).rows;
  materialId = m ? String(m['id']) : 'no-material';
  for (const b of Object.values(browsers)) await b.get('/staff');
}, 60_000);
afterAll(() => t.close());

describe('scope matrix: every staff route × every role, on another venue’s or department’s records', () => {
  it('lists every staff route that takes an identifier as either scoped or campaign-wide', () => {
    const keys = new Set(t.app.routes.filter((r) => r.method !== 'ALL').map((r) => `${r.method} ${r.path}`));
    const withIdentifier = [...keys].filter((k) => /^(GET|POST) \/(staff|api)\//.test(k) && /:(?!code\b)\w+/.test(k));
    const placed = new Set([...Object.keys(SCOPED).map((k) => k.replace(/ \(.*\)$/, '')), ...Object.keys(NOT_SCOPED)]);
    expect(withIdentifier.filter((k) => !placed.has(k))).toEqual([]);
    // and every route of the matrix exists
    expect([...placed].filter((k) => !keys.has(k))).toEqual([]);
  });

  it('refuses every role on every scoped route (403 or 404, in Chinese), shows nothing of the record and changes no row', async () => {
    const before = await snapshot();
    const leaks: string[] = [];
    for (const user of ROLES.filter((r) => r.role !== 'organiser')) {
      const { x, own } = foreignOf(user);
      for (const [key, make] of Object.entries(SCOPED)) {
        const route = key.replace(/ \(.*\)$/, '');
        const across = ACROSS_VENUES[route]?.includes(user.role);
        const req = make(x, own, surveyId);
        if (across) {
          if (req.method === 'GET') expect((await send(browsers[user.name]!, req)).status, `${user.name} ${key}`).toBe(200);
          continue; // a write by role authority is tested with its feature
        }
        const r = await send(browsers[user.name]!, req);
        const cell = `${user.name} ${key} → ${r.status}`;
        if (![403, 404].includes(r.status)) leaks.push(cell);
        else if (!/[\u4e00-\u9fa5]/.test(r.body)) leaks.push(`${cell} without a Chinese message`);
        for (const secret of [x.delegate.name, x.spare.name, x.delegate.code, x.spare.code, x.candidateName, x.suggestionTitle]) {
          if (r.body.includes(secret)) leaks.push(`${cell} shows “${secret}”`);
        }
      }
    }
    expect(leaks).toEqual([]);
    expect(await snapshot()).toBe(before);
  }, 120_000);

  it('never lists another venue’s delegates or candidates, or another department’s suggestions', async () => {
    const leaks: string[] = [];
    for (const user of ROLES.filter((r) => r.venue || r.department)) {
      const { x } = foreignOf(user);
      for (const make of LISTINGS) {
        const req = make(x, x, surveyId);
        const r = await send(browsers[user.name]!, req);
        for (const secret of [x.delegate.name, x.spare.name, x.delegate.code, x.candidateName, x.suggestion, x.suggestionTitle]) {
          if (r.body.includes(secret)) leaks.push(`${user.name} ${req.path} shows “${secret}”`);
        }
      }
    }
    expect(leaks).toEqual([]);
  });

  it('lets the record’s own scope through every scoped route (the matrix’s requests are well formed)', async () => {
    // who may act on 市北区's / 市交通运输委's records: its own staff where the route admits them, else an organiser
    const owner = (key: string) => {
      if (/^(GET|POST) \/staff\/c\/:code\/(handling|departments\/:id$)/.test(key) && !key.startsWith(`POST ${C}/departments`)) return 'traffic';
      if (key.includes('qualification')) return 'qual';
      if (/venues\/:id$|candidates$|district-review|delegates|hearing\/:group\/:venue($|\/checkin|\/sheet)|\/api\/campaigns\/:code\/checkins|invitations/.test(key.replace(/ \(.*\)$/, ''))) {
        return key.startsWith(`POST ${C}/venues`) ? 'org' : 'north';
      }
      return 'org';
    };
    const owners = Object.fromEntries(Object.keys(SCOPED).map((k) => [k, owner(k)]));
    const refused: string[] = [];
    for (const [key, make] of Object.entries(SCOPED)) {
      const north = targets['north']!;
      const r = await send(browsers[owners[key]!]!, make(north, north, surveyId));
      if ([403, 404].includes(r.status) || r.status >= 500) refused.push(`${owners[key]} ${key} → ${r.status}`);
    }
    expect(refused).toEqual([]);
  }, 120_000);
});
