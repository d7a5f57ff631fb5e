import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog, sessions } from '../../src/db/schema';
import { addUser, Browser, PASSWORD, testApp } from '../helpers/app';

let t: Awaited<ReturnType<typeof testApp>>;
let venueIds: Record<string, string>;
let deptIds: Record<string, string>;

beforeAll(async () => {
  t = await testApp();
  await addUser(t.db, 'organiser', 'organiser');
  await addUser(t.db, 'shinan', 'venue_staff', { venueName: '市南区' });
  await addUser(t.db, 'edu', 'dept_handler', { departmentName: '市教育局' });
  await addUser(t.db, 'auditor', 'auditor');
  await addUser(t.db, 'stats', 'statistician');
  const body = await (await t.app.request('http://localhost/api/campaigns/2018')).json() as any;
  deptIds = Object.fromEntries(body.groups.flatMap((g: any) => g.departments.map((d: any) => [d.name, d.id])));
  const venues = await t.db.query.venues.findMany();
  venueIds = Object.fromEntries(venues.map((v) => [v.name, v.id]));
});
afterAll(() => t.close());

describe('signing in', () => {
  it('sends an anonymous visitor of a staff page to the login page, keeping where they were going', async () => {
    for (const path of ['/staff', '/staff/users', '/staff/audit', '/staff/c/2018/edit', `/staff/c/2018/venues/${venueIds['崂山区']}`]) {
      const res = await t.app.request(`http://localhost${path}`);
      expect(res.status, path).toBe(302);
      expect(res.headers.get('location'), path).toBe(`/login?next=${encodeURIComponent(path)}`);
    }
  });

  it('refuses a wrong password with a Chinese message, and the session cookie is HttpOnly and SameSite', async () => {
    const b = new Browser(t.app);
    await b.get('/login');
    const bad = await b.post('/login', { username: 'organiser', password: 'wrong password!' });
    expect(bad.status).toBe(401);
    expect(bad.body).toContain('用户名或密码错误');
    const ok = await b.post('/login', { username: 'organiser', password: PASSWORD, next: '/staff/users' });
    expect(ok.status).toBe(303);
    expect(ok.res.headers.get('location')).toBe('/staff/users');
    const cookie = ok.res.headers.getSetCookie().find((c) => c.startsWith('sanmin_session='))!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).not.toMatch(/Secure/);
  });

  it('marks cookies Secure when served over https', async () => {
    const b = new Browser(t.app, 'https://sanmin.example');
    await b.get('/login');
    const ok = await b.post('/login', { username: 'organiser', password: PASSWORD });
    expect(ok.res.headers.getSetCookie().find((c) => c.startsWith('sanmin_session='))).toMatch(/Secure/);
  });

  it('never redirects to another site after login', async () => {
    const b = new Browser(t.app);
    await b.get('/login');
    const ok = await b.post('/login', { username: 'auditor', password: PASSWORD, next: '//evil.example/x' });
    expect(ok.res.headers.get('location')).toBe('/staff');
  });

  it('stores only a hash of the session token', async () => {
    const b = new Browser(t.app);
    await b.login('stats');
    const token = b.cookies.get('sanmin_session')!;
    const rows = await t.db.select().from(sessions);
    expect(rows.some((r) => r.tokenHash === token)).toBe(false);
    expect(rows.every((r) => /^[0-9a-f]{64}$/.test(r.tokenHash))).toBe(true);
  });

  it('rate-limits guessing: after 8 tries on one username the 9th is refused with 429 even with the right password', async () => {
    await addUser(t.db, 'target', 'auditor');
    const b = new Browser(t.app);
    await b.get('/login');
    for (let i = 0; i < 8; i++) expect((await b.post('/login', { username: 'target', password: `guess ${i} xxxxx` })).status).toBe(401);
    const blocked = await b.post('/login', { username: 'target', password: PASSWORD });
    expect(blocked.status).toBe(429);
    expect(blocked.body).toContain('登录尝试过于频繁');
  });

  it('rate-limits one address trying many usernames', async () => {
    const b = new Browser(t.app);
    await b.get('/login');
    for (let i = 0; i < 30; i++) expect((await b.post('/login', { username: `nobody${i}`, password: 'whatever password' })).status).toBe(401);
    expect((await b.post('/login', { username: 'organiser', password: PASSWORD })).status).toBe(429);
    const elsewhere = new Browser(t.app);
    await elsewhere.login('organiser');
  });

  it('records logins and logouts in the audit log', async () => {
    const b = new Browser(t.app);
    await b.login('edu');
    await b.post('/logout', {});
    expect((await b.get('/staff')).status).toBe(302);
    const actions = (await t.db.select().from(auditLog)).filter((r) => r.actorName === 'edu').map((r) => r.action);
    expect(actions).toEqual(['auth.login', 'auth.logout']);
  });
});

describe('CSRF', () => {
  it('refuses a state-changing form without the token, and changes nothing', async () => {
    const b = new Browser(t.app);
    await b.login('organiser');
    const before = (await t.db.select().from(auditLog)).length;
    const res = await b.post('/staff/c/2018/groups/1', { title: '被篡改', date: '2018-12-11', startTime: '09:00' }, { csrf: null });
    expect(res.status).toBe(403);
    expect(res.body).toContain('页面已过期');
    const forged = await b.post('/staff/c/2018/groups/1', { title: '被篡改', date: '2018-12-11', startTime: '09:00' }, { csrf: 'forged-token' });
    expect(forged.status).toBe(403);
    expect((await t.db.select().from(auditLog)).length).toBe(before);
    expect((await b.get('/c/2018/agenda')).body).not.toContain('被篡改');
  });

  it('refuses a login form posted without the token', async () => {
    const b = new Browser(t.app);
    const res = await b.post('/login', { username: 'organiser', password: PASSWORD }, { csrf: null });
    expect(res.status).toBe(403);
  });
});

describe('roles and scope', () => {
  it('lets 市南区 staff see their own venue but answers 403 on 崂山区', async () => {
    const b = new Browser(t.app);
    await b.login('shinan');
    const own = await b.get(`/staff/c/2018/venues/${venueIds['市南区']}`);
    expect(own.status).toBe(200);
    expect(own.body).toContain('<h1>市南区</h1>');
    const other = await b.get(`/staff/c/2018/venues/${venueIds['崂山区']}`);
    expect(other.status).toBe(403);
    expect(other.body).toContain('您只能查看和办理本会场(市南区)的事项');
    expect(other.body).not.toContain('<h1>崂山区</h1>');
  });

  it('keeps venue staff out of organiser pages', async () => {
    const b = new Browser(t.app);
    await b.login('shinan');
    for (const path of ['/staff/c/2018/edit', '/staff/users', '/staff/audit', '/staff/campaigns', `/staff/c/2018/departments/${deptIds['市教育局']}`]) {
      expect((await b.get(path)).status, path).toBe(403);
    }
    const write = await b.post('/staff/c/2018/groups/1', { title: '改', date: '2018-12-11', startTime: '09:00' });
    expect(write.status).toBe(403);
  });

  it('lets a department handler see only their own department', async () => {
    const b = new Browser(t.app);
    await b.login('edu');
    expect((await b.get(`/staff/c/2018/departments/${deptIds['市教育局']}`)).status).toBe(200);
    expect((await b.get(`/staff/c/2018/departments/${deptIds['市民政局']}`)).status).toBe(403);
    expect((await b.get(`/staff/c/2018/venues/${venueIds['市南区']}`)).status).toBe(403);
  });

  it('lets auditors read the audit log but not edit', async () => {
    const b = new Browser(t.app);
    await b.login('auditor');
    const audit = await b.get('/staff/audit');
    expect(audit.status).toBe(200);
    expect(audit.body).toContain('哈希链完整');
    expect((await b.get('/staff/c/2018/edit')).status).toBe(403);
  });

  it('lets organisers see every venue', async () => {
    const b = new Browser(t.app);
    await b.login('organiser');
    for (const name of ['市南区', '崂山区', '市级主会场']) expect((await b.get(`/staff/c/2018/venues/${venueIds[name]}`)).status).toBe(200);
  });
});

describe('account management', () => {
  it('lets an organiser create venue staff bound to a venue, with clear errors first', async () => {
    const b = new Browser(t.app);
    await b.login('organiser');
    const bad = await b.post('/staff/users', { username: 'x', displayName: '', role: 'venue_staff', venueName: '', password: 'short' });
    expect(bad.status).toBe(422);
    expect(bad.body).toContain('用户名须为 3–32 位');
    expect(bad.body).toContain('会场工作人员须绑定一个会场');
    expect(bad.body).toContain('密码至少 12 位');
    const ok = await b.post('/staff/users', { username: 'laoshan', displayName: '崂山工作人员', role: 'venue_staff', venueName: '崂山区', departmentName: '', password: 'a long enough password' });
    expect(ok.status).toBe(303);
    const dup = await b.post('/staff/users', { username: 'laoshan', displayName: '重复', role: 'auditor', password: 'a long enough password' });
    expect(dup.status).toBe(422);
    expect(dup.body).toContain('该用户名已被使用');

    const staff = new Browser(t.app);
    await staff.login('laoshan', 'a long enough password');
    expect((await staff.get(`/staff/c/2018/venues/${venueIds['崂山区']}`)).status).toBe(200);
    expect((await staff.get(`/staff/c/2018/venues/${venueIds['市南区']}`)).status).toBe(403);
  });

  it('disabling an account ends its sessions at once', async () => {
    const victimId = await addUser(t.db, 'leaver', 'auditor');
    const leaver = new Browser(t.app);
    await leaver.login('leaver');
    expect((await leaver.get('/staff/audit')).status).toBe(200);
    const org = new Browser(t.app);
    await org.login('organiser');
    await org.get('/staff/users');
    expect((await org.post(`/staff/users/${victimId}/active`, { active: 'no' })).status).toBe(303);
    expect((await leaver.get('/staff/audit')).status).toBe(302);
    const again = new Browser(t.app);
    await again.get('/login');
    expect((await again.post('/login', { username: 'leaver', password: PASSWORD })).status).toBe(401);
  });
});
