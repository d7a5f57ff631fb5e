import { count, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../../src/audit/audit.service';
import { auditLog, campaigns, departments, venueSeats, venues } from '../../src/db/schema';
import { prepareDatabase } from '../../src/node/boot';
import { testApp } from '../helpers/app';

let t: Awaited<ReturnType<typeof testApp>>;
beforeAll(async () => {
  t = await testApp();
});
afterAll(() => t.close());

describe('first start', () => {
  it('creates the 2018 campaign: 47 departments, 12 venues, 2,500 seats per group', async () => {
    const [c] = await t.db.select().from(campaigns);
    expect(c).toMatchObject({ code: '2018', year: 2018, status: 'draft' });
    const [{ n }] = (await t.db.select({ n: count() }).from(departments)) as [{ n: number }];
    expect(n).toBe(47);
    expect(await t.db.select().from(venues)).toHaveLength(12);
    const seats = await t.db.select().from(venueSeats);
    for (const g of [1, 2, 3, 4]) expect(seats.filter((s) => s.groupNo === g).reduce((a, s) => a + s.seats, 0)).toBe(2500);
  });

  it('is idempotent: restarting on the same file seeds nothing twice', async () => {
    const again = await prepareDatabase(t.url);
    again.client.close();
    expect(await t.db.select().from(campaigns)).toHaveLength(1);
    expect(await t.db.select().from(auditLog).where(eq(auditLog.action, 'campaign.seed'))).toHaveLength(1);
    expect((await verifyAuditChain(t.db)).ok).toBe(true);
  });

  it('uses WAL on the file database', async () => {
    const r = await t.client.execute('PRAGMA journal_mode');
    expect(String(r.rows[0]![0]).toLowerCase()).toBe('wal');
  });
});
