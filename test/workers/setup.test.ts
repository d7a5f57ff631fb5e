import { applyD1Migrations } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import worker from '../../src/worker';

// The first organiser on Workers: D1 has no CLI, so /setup with a secret token is the way in.
// The secret is set per test (as `wrangler secret put` or .dev.vars would) by passing the bindings.
const e = env as unknown as { DB: D1Database; TEST_MIGRATIONS: Parameters<typeof applyD1Migrations>[1] };

beforeAll(async () => {
  await applyD1Migrations(e.DB, e.TEST_MIGRATIONS);
});

async function firstOrganiser(bindings: Record<string, string>, token: string) {
  const with_ = { ...e, ...bindings };
  const page = await worker.fetch(new Request('http://sanmin.test/setup'), with_);
  const html = await page.text();
  // the CSRF nonce and cookie a browser holds: from the setup form, or the login page when there is none
  const formPage = html.includes('name="_csrf"') ? { res: page, html } : await (async () => {
    const res = await worker.fetch(new Request('http://sanmin.test/login'), with_);
    return { res, html: await res.text() };
  })();
  const csrf = formPage.html.match(/name="_csrf" value="([^"]+)"/)?.[1] ?? '';
  const cookie = formPage.res.headers.getSetCookie().map((l) => l.split(';')[0]).join('; ');
  const post = await worker.fetch(
    new Request('http://sanmin.test/setup', {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', 'cf-connecting-ip': '192.0.2.1' },
      body: new URLSearchParams({ _csrf: csrf, token, username: 'chief', displayName: '总协调', password: 'a long enough password' }),
    }),
    with_,
  );
  return { page: page.status, html, post: post.status, postBody: await post.text() };
}

const organisers = async () => (await e.DB.prepare("SELECT username FROM users WHERE role = 'organiser'").all()).results;

describe('/setup on the Worker', () => {
  it('a 15-character SANMIN_SETUP_TOKEN, even typed right, opens nothing on the Worker: 503 with the reason', async () => {
    const r = await firstOrganiser({ SANMIN_SETUP_TOKEN: 'fifteen-chars!!' }, 'fifteen-chars!!');
    expect(r.page).toBe(503);
    expect(r.html).toContain('至少 16 个字符');
    expect(r.post).toBe(503);
    expect(await organisers()).toHaveLength(0);
  });

  it('the old SETUP_TOKEN name no longer opens /setup: one name on both runtimes', async () => {
    const r = await firstOrganiser({ SETUP_TOKEN: 'a-very-long-setup-token' }, 'a-very-long-setup-token');
    expect(r.page).toBe(404);
    expect(await organisers()).toHaveLength(0);
  });

  it('SANMIN_SETUP_TOKEN, the name the README gives, lets the first organiser in once, then /setup is gone', async () => {
    const r = await firstOrganiser({ SANMIN_SETUP_TOKEN: 'a-very-long-setup-token' }, 'a-very-long-setup-token');
    expect(r.page).toBe(200);
    expect(r.html).toContain('创建第一个组织者账号');
    expect(r.post, r.postBody).toBe(303);
    expect(await organisers()).toEqual([{ username: 'chief' }]);
    const again = await worker.fetch(new Request('http://sanmin.test/setup'), { ...e, SANMIN_SETUP_TOKEN: 'a-very-long-setup-token' });
    expect(again.status).toBe(404);
  });
});

/** Cookie jar and CSRF token of a browser on the Worker, with chosen bindings. */
function workerBrowser(bindings: Record<string, string>) {
  const jar = new Map<string, string>();
  let csrf = '';
  const remember = (res: Response) => {
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const [k, ...v] = pair!.split('=');
      jar.set(k!, v.join('='));
    }
  };
  const cookie = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  return {
    async get(path: string) {
      const res = await worker.fetch(new Request(`http://sanmin.test${path}`, { headers: { cookie: cookie() } }), { ...e, ...bindings });
      remember(res);
      const body = await res.text();
      csrf = body.match(/name="_csrf" value="([^"]+)"/)?.[1] ?? csrf;
      return { status: res.status, body };
    },
    async post(path: string, body: URLSearchParams | FormData) {
      body.set('_csrf', csrf);
      const res = await worker.fetch(new Request(`http://sanmin.test${path}`, { method: 'POST', redirect: 'manual', headers: { cookie: cookie(), 'cf-connecting-ip': '192.0.2.2' }, body }), { ...e, ...bindings });
      remember(res);
      return { status: res.status, body: await res.text() };
    },
  };
}

describe('ID_HASH_KEY on the Worker', () => {
  it('without ID_HASH_KEY a volunteer sign-up answers 503, with it the form is checked field by field', async () => {
    const without = workerBrowser({});
    await without.get('/c/2018/signup');
    const refused = await without.post('/c/2018/signup', new URLSearchParams({ name: '张三' }));
    expect(refused.status).toBe(503);
    expect(refused.body).toContain('报名服务暂未配置');
    const configured = workerBrowser({ ID_HASH_KEY: 'ab'.repeat(32) });
    await configured.get('/c/2018/signup');
    expect((await configured.post('/c/2018/signup', new URLSearchParams({ name: '张三' }))).status).toBe(422);
  });

  it('without ID_HASH_KEY the recommendation import answers 503 and stores nothing', async () => {
    const b = workerBrowser({});
    await b.get('/login');
    expect((await b.post('/login', new URLSearchParams({ username: 'chief', password: 'a long enough password' }))).status).toBe(303);
    await b.get('/staff/c/2018/candidates/import');
    const form = new FormData();
    form.set('file', new File(['姓名,身份证号,手机号,会场,分组,类别,推荐单位\n'], 'list.csv', { type: 'text/csv' }));
    const r = await b.post('/staff/c/2018/candidates/import', form);
    expect(r.status).toBe(503);
    expect(r.body).toContain('身份证号码密钥未配置');
    expect((await e.DB.prepare('SELECT count(*) AS n FROM candidates').first<{ n: number }>())!.n).toBe(0);
  });
});
