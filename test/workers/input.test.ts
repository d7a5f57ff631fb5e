import { applyD1Migrations } from 'cloudflare:test';
import { env, exports } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';

const e = env as unknown as { DB: D1Database; TEST_MIGRATIONS: Parameters<typeof applyD1Migrations>[1] };
const worker = (exports as unknown as { default: { fetch(req: Request): Promise<Response> } }).default;

beforeAll(async () => {
  await applyD1Migrations(e.DB, e.TEST_MIGRATIONS);
});

// D1 refuses `PRAGMA max_page_count` (SQLITE_AUTH), so a full D1 is simulated by its error's shape in
// test/core/input.test.ts; the 507 path itself is the same app.onError.
describe('bad input on the Worker over D1', () => {
  it('a body over 64 KB answers 413, and a text/plain body to a JSON API answers 415, in workerd too', async () => {
    const big = await worker.fetch(new Request('http://sanmin.test/api/routing/preview', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ title: 'x'.repeat(70_000), body: '' }) }));
    expect(big.status).toBe(413);
    expect(((await big.json()) as { error: { code: string } }).error.code).toBe('PAYLOAD_TOO_LARGE');
    const plain = await worker.fetch(new Request('http://sanmin.test/api/routing/preview', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: JSON.stringify({ title: '公交', body: '线路' }) }));
    expect(plain.status).toBe(415);
    const ok = await worker.fetch(new Request('http://sanmin.test/api/routing/preview', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ title: '公交线路', body: '增开公交' }) }));
    expect(ok.status).toBe(200);
  });
});
