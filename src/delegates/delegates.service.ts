import { and, asc, eq, getTableColumns, inArray, is, SQL, sql } from 'drizzle-orm';
import type { SQLiteColumn, SQLiteTable } from 'drizzle-orm/sqlite-core';
import { stillAbsent, stillHolds, type Precondition } from '../audit/audit.service';
import type { Db } from '../db/client';
import type { DelegateLinks } from './link.core';
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

/** The delegate whose personal link carries this token: looked up by the token's keyed hash only. */
export async function delegateByToken(db: Db, links: DelegateLinks, token: string) {
  const hash = links.lookupHash(token);
  if (hash === null) return undefined; // not a token's one spelling: opens nothing
  const [row] = await db
    .select({ delegate: delegates, candidate: candidates })
    .from(delegates)
    .innerJoin(candidates, eq(candidates.id, delegates.candidateId))
    .where(eq(delegates.linkHash, hash));
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
    // the query builder, not db.run(sql): drizzle's D1 batch cannot bind parameters of a raw statement
    db
      .update(delegates)
      .set({ state: 'selected' })
      .where(
        and(
          eq(
            delegates.id,
            sql`(SELECT id FROM delegates WHERE campaign_id = ${d.campaignId} AND venue_name = ${d.venueName} AND group_no = ${d.groupNo}
                 AND category = ${d.category} AND state = 'reserve' ORDER BY reserve_rank LIMIT 1)`,
          ),
          sql`EXISTS (SELECT 1 FROM delegates WHERE id = ${d.id} AND state = 'declined' AND responded_at = ${now})`,
        ),
      ),
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

/**
 * Many-row inserts that fit D1's limits (100 bound parameters a statement, 1,000 queries a
 * Worker invocation): each statement binds ONE parameter, a JSON array of up to `perStatement`
 * rows, unpacked by SQLite's json_each (`INSERT … SELECT json_extract(value, '$[i]') … FROM
 * json_each(?)`). The 10,000-seat draw's 12,000 rows become 12 statements instead of ~1,800
 * seven-row inserts. It is drizzle's own insert builder (a prepared statement, so it also runs
 * inside a D1 batch); a column a row leaves out takes its static default or NULL, booleans are
 * stored as 0/1, as drizzle does.
 */
export function insertRowsAsJson<T extends SQLiteTable>(db: Db, table: T, rows: readonly Partial<T['$inferInsert']>[], perStatement = 1000) {
  const columns = Object.entries(getTableColumns(table) as Record<string, SQLiteColumn>)
    // the same columns, in the same order, as drizzle's INSERT lists (generated columns excluded)
    .filter(([, col]) => !(col as unknown as { shouldDisableInsert(): boolean }).shouldDisableInsert());
  const picks = sql.join(columns.map((_, i) => sql.raw(`json_extract(value, '$[${i}]')`)), sql`, `);
  const statements = [];
  for (let i = 0; i < rows.length; i += perStatement) {
    const chunk = rows.slice(i, i + perStatement).map((row) =>
      columns.map(([key, col]) => {
        const v = (row as Record<string, unknown>)[key];
        const value = v === undefined ? (col.default === undefined || is(col.default, SQL) ? null : col.default) : v;
        return typeof value === 'boolean' ? (value ? 1 : 0) : (value ?? null);
      }),
    );
    statements.push(db.insert(table).select(sql`SELECT ${picks} FROM json_each(${JSON.stringify(chunk)})`));
  }
  return statements;
}

/**
 * The draw's pool: candidates who passed both reviews, only the columns the draw needs (fetching
 * 100,000 full rows costs seconds in the libSQL client; these five cost a fraction).
 */
export async function listDrawPool(db: Db, campaignId: string) {
  return db
    .select({ id: candidates.id, code: candidates.code, venueName: candidates.venueName, category: candidates.category, groups: candidates.groups })
    .from(candidates)
    .where(and(eq(candidates.campaignId, campaignId), eq(candidates.qualification, 'passed'), eq(candidates.districtReview, 'passed')));
}

/** Candidates still waiting for a review decision (qualification, or district review after a pass). */
export async function countPendingReviews(db: Db, campaignId: string): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`count(*)` })
    .from(candidates)
    .where(
      and(
        eq(candidates.campaignId, campaignId),
        sql`(${candidates.qualification} = 'pending' OR (${candidates.qualification} = 'passed' AND ${candidates.districtReview} = 'pending'))`,
      ),
    );
  return Number(row?.n ?? 0);
}

/** The stored outcome without personal data: each seat's cell, role, draw rank and candidate code. */
export async function listDrawOutcome(db: Db, campaignId: string) {
  return db
    .select({ venueName: delegates.venueName, groupNo: delegates.groupNo, category: delegates.category, drawnAs: delegates.drawnAs, drawRank: delegates.drawRank, code: candidates.code })
    .from(delegates)
    .innerJoin(candidates, eq(candidates.id, delegates.candidateId))
    .where(eq(delegates.campaignId, campaignId));
}

/** No draw has been committed yet: review decisions and commitments re-check it in their batch. */
export function noDrawYet(db: Db, campaignId: string, otherwise: Error): Precondition {
  return stillAbsent(db, draws, eq(draws.campaignId, campaignId), otherwise);
}

/**
 * The draw pool still has `count` candidates (reviews only move pending → decided, so the pool
 * can only grow: an unchanged count means an unchanged pool, the one the digest was made of).
 */
export function poolStillHas(db: Db, campaignId: string, count: number, otherwise: Error): Precondition {
  return {
    holds: sql`(SELECT count(*) FROM ${candidates} WHERE ${candidates.campaignId} = ${campaignId} AND ${candidates.qualification} = 'passed' AND ${candidates.districtReview} = 'passed') = ${count}`,
    otherwise,
  };
}

/** A delegate's answer lands only from the state it was accepted in: two answers at once log one. */
export function respondPreconditions(db: Db, d: Delegate, answer: 'confirm' | 'decline', otherwise: Error): Precondition[] {
  const from = answer === 'confirm' ? (['selected'] as const) : (['selected', 'confirmed'] as const);
  return [stillHolds(db, delegates, and(eq(delegates.id, d.id), inArray(delegates.state, [...from])), otherwise)];
}
