import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
