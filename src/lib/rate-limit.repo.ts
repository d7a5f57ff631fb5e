import { and, eq, gt, lt, sql } from 'drizzle-orm';
import type { BatchItem } from 'drizzle-orm/batch';
import { rateLimits } from '../db/schema';
import type { Db } from '../db/client';
import { groupCommit } from '../db/group-commit';

export interface Hit {
  key: string;
  windowMs: number;
}

/** The longest window any limit uses (intake per mobile, 24 h): a row older than this has surely expired. */
export const LONGEST_WINDOW_MS = 24 * 60 * 60 * 1000;
/** Expired rows deleted per prune, so a prune never costs more than a small, fixed amount. */
export const PRUNE_BATCH = 100;
/** At most one prune per process (per isolate on Workers) this often. */
export const PRUNE_EVERY_MS = 60 * 1000;

const windowStartOf = (now: number, windowMs: number) => now - (now % windowMs);

/**
 * The one conditional upsert: counts one hit per key against its fixed window (a new window
 * starts at 1) and returns each key's count so far, in one statement (atomic on libSQL and D1).
 */
function upsertHits(db: Db, hits: readonly Hit[], now: number) {
  return db
    .insert(rateLimits)
    .values(hits.map((h) => ({ key: h.key, windowStart: windowStartOf(now, h.windowMs), count: 1 })))
    .onConflictDoUpdate({
      target: rateLimits.key,
      set: {
        count: sql`CASE WHEN ${rateLimits.windowStart} = excluded.window_start THEN ${rateLimits.count} + 1 ELSE 1 END`,
        windowStart: sql`excluded.window_start`,
      },
    })
    .returning({ key: rateLimits.key, count: rateLimits.count });
}

/** Deletes at most PRUNE_BATCH rows whose window ended longer ago than the longest window. */
export function pruneExpired(db: Db, now: number) {
  const cutoff = now - LONGEST_WINDOW_MS;
  return db
    .delete(rateLimits)
    .where(sql`rowid IN (SELECT rowid FROM ${rateLimits} WHERE ${lt(rateLimits.windowStart, cutoff)} LIMIT ${PRUNE_BATCH})`);
}

// per database object: when it was last pruned (a cache of one timestamp, not a store)
const lastPrune = new WeakMap<Db, number>();

/** The prune statement when one is due, so it rides in the same batch as the hit. */
function pruneIfDue(db: Db, now: number): BatchItem<'sqlite'>[] {
  const last = lastPrune.get(db);
  if (last !== undefined && now - last < PRUNE_EVERY_MS && now >= last) return [];
  lastPrune.set(db, now);
  return [pruneExpired(db, now)];
}

/** Counts one hit per key (one statement; pruning rides along when due) and returns the counts so far. */
export async function hitRateLimits(db: Db, hits: readonly Hit[], now = Date.now(), opts: { groupCommit?: boolean } = {}): Promise<Map<string, number>> {
  const statements: BatchItem<'sqlite'>[] = [upsertHits(db, hits, now), ...pruneIfDue(db, now)];
  const [rows] = (opts.groupCommit ? await groupCommit(db, statements) : await db.batch(statements as [BatchItem<'sqlite'>, ...BatchItem<'sqlite'>[]])) as [
    { key: string; count: number }[],
  ];
  return new Map(rows.map((r) => [r.key, r.count]));
}

/** Counts one hit against a fixed window and returns the count so far. */
export async function hitRateLimit(db: Db, key: string, windowMs: number, now = Date.now()): Promise<number> {
  return (await hitRateLimits(db, [{ key, windowMs }], now)).get(key) ?? 1;
}

/** Gives one hit back within the same window (a lookup that found something). */
export function refundRateLimit(db: Db, key: string, windowMs: number, now: number) {
  return db
    .update(rateLimits)
    .set({ count: sql`${rateLimits.count} - 1` })
    .where(and(eq(rateLimits.key, key), eq(rateLimits.windowStart, windowStartOf(now, windowMs)), gt(rateLimits.count, 0)));
}

export function clearRateLimit(db: Db, key: string) {
  return db.delete(rateLimits).where(eq(rateLimits.key, key));
}
