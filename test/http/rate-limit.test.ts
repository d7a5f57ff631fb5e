import { eq, like, lt } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { rateLimits } from '../../src/db/schema';
import { LONGEST_WINDOW_MS, PRUNE_BATCH, PRUNE_EVERY_MS } from '../../src/lib/rate-limit.repo';
import { testApp } from '../helpers/app';

let t: Awaited<ReturnType<typeof testApp>>;

// 5 s into an hour, so no window rolls over during a test
const START = Date.parse('2026-12-02T10:00:05Z');

beforeAll(async () => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(START);
  t = await testApp();
});
afterAll(() => {
  t.close();
  vi.useRealTimers();
});

const request = (path: string, ip: string, json?: unknown) =>
  t.app.request(
    `http://localhost${path}`,
    json === undefined ? { method: 'GET' } : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(json) },
    { incoming: { socket: { remoteAddress: ip, remotePort: 50000, remoteFamily: 'IPv4' } } },
  );

const expired = async (now: number) => (await t.db.select().from(rateLimits).where(lt(rateLimits.windowStart, now - LONGEST_WINDOW_MS))).length;

describe('one rate limiter: Retry-After on every 429, expired rows pruned', () => {
  it('a 429 from the suggestion intake carries Retry-After in seconds (the rest of the hour)', async () => {
    const ip = '203.0.113.77';
    for (let i = 0; i < 30; i++) expect((await request('/api/suggestions', ip, { mobile: '1', title: '' })).status).toBe(422);
    const limited = await request('/api/suggestions', ip, { mobile: '1', title: '' });
    expect(limited.status).toBe(429);
    expect(((await limited.json()) as { error: { code: string } }).error.code).toBe('RATE_LIMITED');
    expect(limited.headers.get('retry-after')).toBe(String(3600 - 5));
  });

  it('a 429 from a code lookup carries Retry-After too', async () => {
    const ip = '203.0.113.78';
    for (let i = 0; i < 60; i++) expect((await request(`/d/guessedtoken${i}`, ip)).status).toBe(404);
    const limited = await request('/d/guessedtoken60', ip);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('55');
  });

  it('prunes rows whose window ended longer ago than the longest window, a bounded number per prune, and keeps live ones', async () => {
    const later = START + 2 * LONGEST_WINDOW_MS;
    const stale = Array.from({ length: PRUNE_BATCH + 5 }, (_, i) => ({ key: `test:stale:${i}`, windowStart: START - (i % 3) * 1000, count: 3 }));
    await t.db.insert(rateLimits).values([...stale, { key: 'test:live', windowStart: later - 1000, count: 1 }]);
    const before = await expired(later);
    vi.setSystemTime(later);
    try {
      expect((await request('/d/guessedtoken-prune', '203.0.113.79')).status).toBe(404);
      // other tests' rows are expired too: one prune deletes exactly PRUNE_BATCH of them all
      expect(await expired(later)).toBe(before - PRUNE_BATCH);
      expect(await t.db.select().from(rateLimits).where(eq(rateLimits.key, 'test:live'))).toHaveLength(1);
      // the next prune (due a minute later) takes the rest
      vi.setSystemTime(later + PRUNE_EVERY_MS);
      expect((await request('/d/guessedtoken-prune2', '203.0.113.79')).status).toBe(404);
      expect(await expired(later)).toBe(0);
      expect(await t.db.select().from(rateLimits).where(like(rateLimits.key, 'test:stale:%'))).toHaveLength(0);
      expect(await t.db.select().from(rateLimits).where(eq(rateLimits.key, 'test:live'))).toHaveLength(1);
    } finally {
      vi.setSystemTime(START);
    }
  });
});
