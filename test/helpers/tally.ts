import { and, eq } from 'drizzle-orm';
import { chunkRows, type Db } from '../../src/db/client';
import { ballots, votingSessions } from '../../src/db/schema';
import { loadVenues, type Campaign } from '../../src/campaigns/campaigns.service';
import { ballotReceipt, sealBallot } from '../../src/tally/seal.core';

/** Voting sessions for every venue with seats in the group (the lead's hearing code opens them over HTTP). */
export async function openAllVenues(db: Db, campaign: Campaign, groupNo: number, state: 'open' | 'closed' = 'open') {
  const venues = (await loadVenues(db, campaign.id)).filter((v) => (v.seats.get(groupNo) ?? 0) > 0);
  const rows = venues.map((v) => ({ campaignId: campaign.id, groupNo, venueName: v.name, state, publicKey: 'test', privateKey: 'test', openedAt: Date.now() }));
  // one row a statement: drizzle also binds the defaulted columns, which chunkRows does not count (D1: ≤100 params)
  for (const row of rows) await db.insert(votingSessions).values(row).onConflictDoNothing();
  return venues.map((v) => v.name);
}

export async function closeVenue(db: Db, campaign: Campaign, groupNo: number, venueName: string) {
  await db
    .update(votingSessions)
    .set({ state: 'closed', closedAt: Date.now() })
    .where(and(eq(votingSessions.campaignId, campaign.id), eq(votingSessions.groupNo, groupNo), eq(votingSessions.venueName, venueName)));
}

export async function closeAllVenues(db: Db, campaign: Campaign, groupNo: number) {
  for (const v of await openAllVenues(db, campaign, groupNo)) await closeVenue(db, campaign, groupNo, v);
}

/** Seals and stores ballots as the cast path does (sealed to the group key, receipt = SHA-256 of the ciphertext). */
export async function castSealed(db: Db, campaign: Campaign, groupNo: number, publicKey: string, answers: (number | null)[][]) {
  const rows = await Promise.all(
    answers.map(async (a) => {
      const ciphertext = await sealBallot(publicKey, { v: 1, campaign: campaign.code, group: groupNo, answers: a });
      return { receipt: ballotReceipt(ciphertext), campaignId: campaign.id, groupNo, ciphertext };
    }),
  );
  const chunks = chunkRows(rows);
  for (let i = 0; i < chunks.length; i += 50) {
    const part = chunks.slice(i, i + 50).map((c) => db.insert(ballots).values(c));
    await db.batch(part as [(typeof part)[number], ...(typeof part)[number][]]);
  }
  return rows.map((r) => r.receipt);
}
