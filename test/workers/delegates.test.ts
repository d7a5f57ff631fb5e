import { applyD1Migrations } from 'cloudflare:test';
import { env, exports } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/d1';
import { schema, type Db } from '../../src/db/client';
import { decodeCsvBytes } from '../../src/delegates/csv.core';
import { insertRowsAsJson, respondStatements } from '../../src/delegates/delegates.service';
import { runDraw, seedCommitment, verifyDraw } from '../../src/delegates/draw.core';
import { delegateLinksFor } from '../../src/delegates/link.core';
import { reissueClearDelegateLinks } from '../../src/db/encrypt-at-rest';

const e = env as unknown as { DB: D1Database; SECRET_KEY: string; TEST_MIGRATIONS: Parameters<typeof applyD1Migrations>[1] };
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

  it('inserts 2,500 rows in 3 one-parameter statements of one atomic batch (D1 binds at most 100 parameters)', async () => {
    const db = drizzle(e.DB, { schema }) as unknown as Db;
    const [campaign] = await db.select().from(schema.campaigns);
    const rows = Array.from({ length: 2500 }, (_, i) => ({
      id: `c${i}`, campaignId: campaign!.id, code: `K${i}`, source: 'recommended' as const, name: `候选人${i}`, idHash: `h${i}`, idLast4: '0000',
      mobile: '13800000000', venueName: '市南区', category: '社会各界代表/党代表', groups: '1', organisation: null, resident: i % 2 === 0, createdAt: i,
    }));
    const statements = insertRowsAsJson(db, schema.candidates, rows);
    expect(statements).toHaveLength(3);
    await db.batch(statements as [(typeof statements)[number], ...typeof statements]);
    const stored = await e.DB.prepare("SELECT count(*) AS n, sum(resident) AS residents, min(qualification) AS q FROM candidates WHERE code LIKE 'K%'").first();
    expect(stored).toEqual({ n: 2500, residents: 1250, q: 'pending' });
    // a duplicate anywhere rolls the whole batch back
    const again = insertRowsAsJson(db, schema.candidates, [{ ...rows[0]!, id: 'new', code: 'NEW' }, rows[1]!]);
    await expect(db.batch(again as [(typeof again)[number]])).rejects.toThrow();
    expect(await e.DB.prepare("SELECT count(*) AS n FROM candidates WHERE code = 'NEW'").first()).toEqual({ n: 0 });
  });

  it('a decline promotes the first reserve inside a D1 batch', async () => {
    const db = drizzle(e.DB, { schema }) as unknown as Db;
    const [campaign] = await db.select().from(schema.campaigns);
    const seat = (i: number, drawnAs: 'selected' | 'reserve', reserveRank: number | null) => ({
      id: `d${i}`, campaignId: campaign!.id, candidateId: `c${i}`, venueName: '市南区', groupNo: 1, category: '社会各界代表/党代表',
      state: drawnAs, drawnAs, reserveRank, drawRank: i + 1, delegateCode: `D${i}`, linkHash: delegateLinksFor(e.SECRET_KEY).storedFor(`d${i}`),
    });
    const seats = [seat(0, 'selected', null), seat(1, 'reserve', 1), seat(2, 'reserve', 2)];
    const inserts = insertRowsAsJson(db, schema.delegates, seats);
    await db.batch(inserts as [(typeof inserts)[number], ...typeof inserts]);
    const [declined] = await db.select().from(schema.delegates).where(eq(schema.delegates.id, 'd0'));
    await db.batch([...respondStatements(db, declined!, 'decline')]);
    const states = await e.DB.prepare("SELECT id, state FROM delegates WHERE id IN ('d0','d1','d2') ORDER BY id").all();
    expect(states.results).toEqual([{ id: 'd0', state: 'declined' }, { id: 'd1', state: 'selected' }, { id: 'd2', state: 'reserve' }]);
  });

  it('re-issues personal links stored in the clear by an older version as keyed hashes over D1, and the new link opens the page', async () => {
    const db = drizzle(e.DB, { schema }) as unknown as Db;
    const [campaign] = await db.select().from(schema.campaigns);
    // 1,200 rows: two one-parameter statements of the upgrade's batch
    const rows = Array.from({ length: 1200 }, (_, i) => ({
      id: `old${i}`, campaignId: campaign!.id, candidateId: `c${i + 100}`, venueName: '市南区', groupNo: 2, category: '社会各界代表/党代表',
      state: 'selected' as const, drawnAs: 'selected' as const, reserveRank: null, drawRank: i + 1, delegateCode: `DOLD${i}`, linkHash: `ZZZZ${String(i).padStart(20, '0')}`,
    }));
    const inserts = insertRowsAsJson(db, schema.delegates, rows);
    await db.batch(inserts as [(typeof inserts)[number], ...typeof inserts]);
    const links = delegateLinksFor(e.SECRET_KEY);
    expect(await reissueClearDelegateLinks(db, links)).toBe(1200);
    expect(await reissueClearDelegateLinks(db, links)).toBe(0);
    const stored = await e.DB.prepare("SELECT id, access_token AS h FROM delegates WHERE id LIKE 'old%'").all<{ id: string; h: string }>();
    expect(stored.results).toHaveLength(1200);
    for (const r of stored.results) expect(r.h).toBe(links.storedFor(r.id));
    expect((await worker.fetch(new Request('http://sanmin.test/d/ZZZZ00000000000000000007'))).status).toBe(404);
    const page = await worker.fetch(new Request(`http://sanmin.test/d/${links.token('old7')}`));
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('DOLD7');
  });

  it('draws and verifies with the same code as on Node', () => {
    const seed = '11'.repeat(32);
    const cells = [{ venue: '市南区', group: 1, category: '社区', seats: 2, reserves: 1 }];
    const candidates = ['A', 'B', 'C', 'D'].map((code) => ({ code, venue: '市南区', groups: [1], category: '社区' }));
    const result = runDraw({ seed, cells, candidates });
    expect(verifyDraw({ version: 1, seedCommitment: seedCommitment(seed), seed, cells, candidates, result })).toMatchObject({ ok: true });
  });
});
