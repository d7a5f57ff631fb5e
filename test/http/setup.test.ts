import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { users } from '../../src/db/schema';
import { nodeApp } from '../../src/node/boot';
import { Browser, testApp } from '../helpers/app';

let t: Awaited<ReturnType<typeof testApp>>;
beforeAll(async () => {
  t = await testApp();
});
afterAll(() => t.close());

describe('/setup, for the first organiser where no CLI reaches the database', () => {
  it('does not exist without a setup token', async () => {
    expect((await new Browser(t.app).get('/setup')).status).toBe(404);
  });

  it('a 15-character setup token, even the right one, opens nothing: 503 with the reason, no account', async () => {
    const short = 'fifteen-chars!!';
    expect(short).toHaveLength(15);
    const app = nodeApp({ url: t.url, client: t.client, db: t.db }, undefined, short);
    const b = new Browser(app);
    const page = await b.get('/setup');
    expect(page.status).toBe(503);
    expect(page.body).toContain('至少 16 个字符');
    await b.get('/login'); // a page with a form, for the CSRF token a browser would hold
    const post = await b.post('/setup', { token: short, username: 'early', displayName: '抢先', password: 'a long enough password' });
    expect(post.status).toBe(503);
    expect(await t.db.select().from(users)).toHaveLength(0);
  });

  it('the Node server refuses to start with a setup token shorter than 16 characters', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/server.node.ts'], {
      env: { ...process.env, SANMIN_SETUP_TOKEN: 'fifteen-chars!!', DATABASE_URL: `file:${join(t.dir, 'refused.db')}`, PORT: '1' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('SANMIN_SETUP_TOKEN must be at least 16 characters');
  });

  it('needs the token, creates one organiser, then disappears', async () => {
    const app = nodeApp({ url: t.url, client: t.client, db: t.db }, undefined, 'a-very-long-setup-token');
    const b = new Browser(app);
    expect((await b.get('/setup')).status).toBe(200);
    const wrong = await b.post('/setup', { token: 'guess', username: 'chief', displayName: '总协调', password: 'a long enough password' });
    expect(wrong.status).toBe(403);
    expect(wrong.body).toContain('初始化口令不正确');
    const ok = await b.post('/setup', { token: 'a-very-long-setup-token', username: 'chief', displayName: '总协调', password: 'a long enough password' });
    expect(ok.status).toBe(303);
    await b.login('chief', 'a long enough password');
    expect((await b.get('/staff/users')).status).toBe(200);
    expect((await new Browser(app).get('/setup')).status).toBe(404);
  });
});
