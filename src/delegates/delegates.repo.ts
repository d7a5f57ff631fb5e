import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { candidates, delegates, draws, quotaBase, quotaCategories, type VenueKind } from '../db/schema';

export type Candidate = typeof candidates.$inferSelect;
export type Delegate = typeof delegates.$inferSelect;
export type Draw = typeof draws.$inferSelect;

export interface QuotaTable {
  categories: { id: string; name: string; seats: number[] }[];
}

/** The base quota tables of a campaign, per venue kind, categories in published order. */
export async function loadQuotaTables(db: Db, campaignId: string, groupNos: number[]): Promise<Record<VenueKind, QuotaTable>> {
  const cats = await db.select().from(quotaCategories).where(eq(quotaCategories.campaignId, campaignId)).orderBy(asc(quotaCategories.position));
  const base = cats.length ? await db.select().from(quotaBase).where(inArray(quotaBase.categoryId, cats.map((c) => c.id))) : [];
  const table = (kind: VenueKind): QuotaTable => ({
    categories: cats
      .filter((c) => c.venueKind === kind)
      .map((c) => ({
        id: c.id,
        name: c.name,
        seats: groupNos.map((g) => base.find((b) => b.categoryId === c.id && b.groupNo === g)?.seats ?? 0),
      })),
  });
  return { main: table('main'), sub: table('sub') };
}

export async function loadDraw(db: Db, campaignId: string): Promise<Draw | undefined> {
  const [d] = await db.select().from(draws).where(eq(draws.campaignId, campaignId));
  return d;
}

export async function findCandidateByIdHash(db: Db, campaignId: string, idHash: string): Promise<Candidate | undefined> {
  const [c] = await db.select().from(candidates).where(and(eq(candidates.campaignId, campaignId), eq(candidates.idHash, idHash)));
  return c;
}

export async function listCandidates(db: Db, campaignId: string, venueName?: string): Promise<Candidate[]> {
  return db
    .select()
    .from(candidates)
    .where(and(eq(candidates.campaignId, campaignId), venueName ? eq(candidates.venueName, venueName) : undefined))
    .orderBy(asc(candidates.venueName), asc(candidates.createdAt));
}

export async function getCandidate(db: Db, campaignId: string, id: string): Promise<Candidate | undefined> {
  const [c] = await db.select().from(candidates).where(and(eq(candidates.campaignId, campaignId), eq(candidates.id, id)));
  return c;
}

export async function listDelegates(db: Db, campaignId: string, venueName?: string) {
  return db
    .select({ delegate: delegates, candidate: candidates })
    .from(delegates)
    .innerJoin(candidates, eq(candidates.id, delegates.candidateId))
    .where(and(eq(delegates.campaignId, campaignId), venueName ? eq(delegates.venueName, venueName) : undefined))
        // draw_rank runs through a cell's selected seats first, then its reserves in rank order
    .orderBy(asc(delegates.venueName), asc(delegates.groupNo), asc(delegates.category), asc(delegates.drawRank));
}

export async function delegateByToken(db: Db, token: string) {
  const [row] = await db
    .select({ delegate: delegates, candidate: candidates })
    .from(delegates)
    .innerJoin(candidates, eq(candidates.id, delegates.candidateId))
    .where(eq(delegates.accessToken, token));
  return row;
}

export async function delegateById(db: Db, campaignId: string, id: string) {
  const [row] = await db
    .select({ delegate: delegates, candidate: candidates })
    .from(delegates)
    .innerJoin(candidates, eq(candidates.id, delegates.candidateId))
    .where(and(eq(delegates.campaignId, campaignId), eq(delegates.id, id)));
  return row;
}

/**
 * A delegate's answer as statements for one batch. Confirming applies only to a pending seat.
 * Declining frees the seat and, in the same batch, promotes the cell's first waiting reserve:
 * the promotion is conditioned on this very decline (same row, same timestamp), so a repeated
 * or concurrent decline can never promote two reserves.
 */
export function respondStatements(db: Db, d: Delegate, answer: 'confirm' | 'decline', now = Date.now()) {
  if (answer === 'confirm') {
    return [
      db
        .update(delegates)
        .set({ state: 'confirmed', respondedAt: now })
        .where(and(eq(delegates.id, d.id), eq(delegates.state, 'selected'))),
    ] as const;
  }
  return [
    db
      .update(delegates)
      .set({ state: 'declined', respondedAt: now })
      .where(and(eq(delegates.id, d.id), inArray(delegates.state, ['selected', 'confirmed']))),
    db.run(sql`
      UPDATE delegates SET state = 'selected'
      WHERE id = (
        SELECT id FROM delegates
        WHERE campaign_id = ${d.campaignId} AND venue_name = ${d.venueName} AND group_no = ${d.groupNo}
          AND category = ${d.category} AND state = 'reserve'
        ORDER BY reserve_rank LIMIT 1)
      AND EXISTS (SELECT 1 FROM delegates WHERE id = ${d.id} AND state = 'declined' AND responded_at = ${now})`),
  ] as const;
}

/** Which of these ID hashes already signed up or were recommended in the campaign (chunked for D1's parameter limit). */
export async function existingIdHashes(db: Db, campaignId: string, hashes: readonly string[]): Promise<Set<string>> {
  const found = new Set<string>();
  for (let i = 0; i < hashes.length; i += 90) {
    const rows = await db
      .select({ idHash: candidates.idHash })
      .from(candidates)
      .where(and(eq(candidates.campaignId, campaignId), inArray(candidates.idHash, hashes.slice(i, i + 90))));
    for (const r of rows) found.add(r.idHash);
  }
  return found;
}
