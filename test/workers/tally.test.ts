import { applyD1Migrations } from 'cloudflare:test';
import { env, exports } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { drizzle } from 'drizzle-orm/d1';
import { schema, type Db } from '../../src/db/client';
import { getCampaign, loadAgenda } from '../../src/campaigns/campaigns.service';
import { rehearsalCeremony, rehearsalUnseal } from '../../src/tally/rehearsal.service';
import { castSealed, closeAllVenues } from '../helpers/tally';

const e = env as unknown as { DB: D1Database; TEST_MIGRATIONS: Parameters<typeof applyD1Migrations>[1] };
const worker = (exports as unknown as { default: { fetch(req: Request): Promise<Response> } }).default;

beforeAll(async () => {
  await applyD1Migrations(e.DB, e.TEST_MIGRATIONS);
});

describe('sealed aggregation on the Worker over D1', () => {
  it('answers 404 before unsealing, then ceremony → close → commit → unseal publishes a result that verifies', async () => {
    expect((await worker.fetch(new Request('http://sanmin.test/c/2018'))).status).toBe(200); // seeds 2018
    const before = await worker.fetch(new Request('http://sanmin.test/api/campaigns/2018/groups/4/result'));
    expect(before.status).toBe(404);
    const db = drizzle(e.DB, { schema }) as unknown as Db;
    const campaign = await getCampaign(db, '2018');
    const n = (await loadAgenda(db, campaign.id)).groups.find((g) => g.no === 4)!.departments.length;
    const { publicKey, shares } = await rehearsalCeremony(db, campaign, 4);
    await castSealed(db, campaign, 4, publicKey, Array.from({ length: 30 }, (_, i) => Array.from({ length: n }, (_, d) => ((i + d) % 4) + 1)));
    await closeAllVenues(db, campaign, 4);
    const { verdict, commitment } = await rehearsalUnseal(db, campaign, 4, shares.slice(0, 3));
    expect(verdict).toMatchObject({ ok: true, ballots: 30, decryptionChecked: true });
    // the commitment file stored by the commit statement on D1 is the one served
    const served = await worker.fetch(new Request('http://sanmin.test/c/2018/results/4/commitment.json'));
    expect(served.status).toBe(200);
    expect(await served.text()).toBe(commitment);
    const after = await worker.fetch(new Request('http://sanmin.test/api/campaigns/2018/groups/4/result'));
    expect(after.status).toBe(200);
    expect(((await after.json()) as { tally: { ballots: { total: number } } }).tally.ballots.total).toBe(30);
  });
});
