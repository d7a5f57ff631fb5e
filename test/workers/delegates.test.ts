import { applyD1Migrations } from 'cloudflare:test';
import { env, exports } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeCsvBytes } from '../../src/delegates/csv.core';
import { runDraw, seedCommitment, verifyDraw } from '../../src/delegates/draw.core';

const e = env as unknown as { DB: D1Database; TEST_MIGRATIONS: Parameters<typeof applyD1Migrations>[1] };
const worker = (exports as unknown as { default: { fetch(req: Request): Promise<Response> } }).default;

beforeAll(async () => {
  await applyD1Migrations(e.DB, e.TEST_MIGRATIONS);
});

describe('delegates in the Worker', () => {
  it('publishes the quota tables over D1, 2,500 seats per group', async () => {
    const res = await worker.fetch(new Request('http://sanmin.test/api/campaigns/2018/quotas'));
    expect(res.status).toBe(200);
    const q = (await res.json()) as { venues: { venue: string; group: number; seats: number }[] };
    for (const g of [1, 2, 3, 4]) expect(q.venues.filter((v) => v.group === g).reduce((a, v) => a + v.seats, 0)).toBe(2500);
    expect(q.venues.find((v) => v.venue === '青岛西海岸新区')!.seats).toBe(380);
  });

  it('reads a GBK upload (workerd’s TextDecoder knows gbk)', () => {
    // 姓名,王 in GBK
    expect(decodeCsvBytes(new Uint8Array([0xd0, 0xd5, 0xc3, 0xfb, 0x2c, 0xcd, 0xf5]))).toBe('姓名,王');
  });

  it('draws and verifies with the same code as on Node', () => {
    const seed = '11'.repeat(32);
    const cells = [{ venue: '市南区', group: 1, category: '社区', seats: 2, reserves: 1 }];
    const candidates = ['A', 'B', 'C', 'D'].map((code) => ({ code, venue: '市南区', groups: [1], category: '社区' }));
    const result = runDraw({ seed, cells, candidates });
    expect(verifyDraw({ version: 1, seedCommitment: seedCommitment(seed), seed, cells, candidates, result })).toMatchObject({ ok: true });
  });
});
