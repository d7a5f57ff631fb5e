import { applyD1Migrations } from 'cloudflare:test';
import { env, exports } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { drizzle } from 'drizzle-orm/d1';
import { schema } from '../../src/db/client';
import { hashPassword } from '../../src/lib/password';

const e = env as unknown as { DB: D1Database; TEST_MIGRATIONS: Parameters<typeof applyD1Migrations>[1] };
const worker = (exports as unknown as { default: { fetch(req: Request): Promise<Response> } }).default;
const PASSWORD = 'worker organiser password';

beforeAll(async () => {
  await applyD1Migrations(e.DB, e.TEST_MIGRATIONS);
});

function cookiesOf(res: Response, jar: Map<string, string>) {
  for (const line of res.headers.getSetCookie()) {
    const [pair] = line.split(';');
    const [k, ...v] = pair!.split('=');
    jar.set(k!, v.join('='));
  }
  return [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
}

describe('the Worker over D1', () => {
  it('serves the 2018 home page, seeded on first request', async () => {
    const root = await worker.fetch(new Request('http://sanmin.test/', { redirect: 'manual' }));
    expect(root.status).toBe(302);
    expect(root.headers.get('location')).toBe('/c/2018');
    const home = await worker.fetch(new Request('http://sanmin.test/c/2018'));
    expect(home.status).toBe(200);
    const html = await home.text();
    expect(html).toContain('2018年市政府部门向市民报告听市民意见请市民评议活动');
    expect(html).toMatch(/公开述职部门<\/div><div class="stat">45/);
  });

  it('lets an organiser log in and save a group edit (a staff write)', async () => {
    const db = drizzle(e.DB, { schema });
    await db.insert(schema.users).values({ id: 'u-org', username: 'org', displayName: '组织者', role: 'organiser', passwordHash: await hashPassword(PASSWORD) });
    const jar = new Map<string, string>();
    const login = await worker.fetch(new Request('http://sanmin.test/login'));
    let cookie = cookiesOf(login, jar);
    const csrf = (await login.text()).match(/name="_csrf" value="([^"]+)"/)![1]!;
    const signedIn = await worker.fetch(
      new Request('http://sanmin.test/login', {
        method: 'POST',
        redirect: 'manual',
        headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ _csrf: csrf, username: 'org', password: PASSWORD }),
      }),
    );
    expect(signedIn.status).toBe(303);
    cookie = cookiesOf(signedIn, jar);
    const edit = await worker.fetch(new Request('http://sanmin.test/staff/c/2018/edit', { headers: { cookie } }));
    expect(edit.status).toBe(200);
    const page = await edit.text();
    const token = page.match(/name="_csrf" value="([^"]+)"/)![1]!;
    const version = page.slice(page.indexOf('id="group-1"')).match(/name="version" value="(\d+)"/)![1]!;
    const save = (startTime: string) =>
      worker.fetch(
        new Request('http://sanmin.test/staff/c/2018/groups/1', {
          method: 'POST',
          headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', 'HX-Request': 'true' },
          body: new URLSearchParams({ _csrf: token, title: '第一组', date: '2018-12-10', startTime, version }),
        }),
      );
    const saved = await save('08:30');
    expect(saved.status).toBe(200);
    expect(await saved.text()).toContain('已保存');
    // the same form saved again is now stale: the precondition aborts the D1 batch, audit entry included
    const stale = await save('07:00');
    expect(stale.status).toBe(409);
    expect(await stale.text()).toContain('该内容已被他人修改');
    const api = (await (await worker.fetch(new Request('http://sanmin.test/api/campaigns/2018'))).json()) as { groups: { date: string; departments: { start: string }[] }[] };
    expect(api.groups[0]!.date).toBe('2018-12-10');
    expect(api.groups[0]!.departments[0]!.start).toBe('08:30');
    const audit = await e.DB.prepare("SELECT action FROM audit_log WHERE action = 'group.update'").all();
    expect(audit.results).toHaveLength(1);
  });
});
