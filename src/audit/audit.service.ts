import { asc, desc, exists, gt, sql, type SQL } from 'drizzle-orm';
import type { SQLiteTable } from 'drizzle-orm/sqlite-core';
import type { BatchItem } from 'drizzle-orm/batch';
import type { Db } from '../db/client';
import { auditLog } from '../db/schema';
import { changeDigest, nextEntry, verifyChain, type AuditRow, type ChainVerdict } from './audit.core';

export interface Actor {
  id: string | null;
  name: string;
}

export const SYSTEM_ACTOR: Actor = { id: null, name: 'system' };

const MAX_ATTEMPTS = 20;

/**
 * A state the write depends on ("the campaign is still a draft", "the row is still at the
 * version the form was read at"), as an SQL condition evaluated inside the write's own batch,
 * and the error to answer when it no longer holds.
 */
export interface Precondition {
  holds: SQL;
  otherwise: Error;
}

/** "A row of `table` matching `where` still exists", re-checked inside the write's batch. */
export function stillHolds(db: Db, table: SQLiteTable, where: SQL | undefined, otherwise: Error): Precondition {
  return { holds: exists(db.select({ one: sql`1` }).from(table).where(where)), otherwise };
}

/** "No row of `table` matches `where`", re-checked inside the write's batch. */
export function stillAbsent(db: Db, table: SQLiteTable, where: SQL | undefined, otherwise: Error): Precondition {
  return { holds: sql`NOT ${exists(db.select({ one: sql`1` }).from(table).where(where))}`, otherwise };
}

/** Raised by the audit insert itself when a precondition failed: nothing in the batch landed. */
function isPreconditionRefusal(err: unknown): boolean {
  const text = String((err as { message?: unknown })?.message ?? '') + String((err as { cause?: unknown })?.cause ?? '');
  return /NOT NULL constraint failed: audit_log\.action/.test(text);
}

/** Which precondition fails now (read after the refused batch, only to choose the message). */
async function firstFailing(db: Db, preconditions: readonly Precondition[]): Promise<Error> {
  const probes = Object.fromEntries(preconditions.map((p, i) => [`p${i}`, sql<number>`CASE WHEN ${p.holds} THEN 1 ELSE 0 END`]));
  const [row] = await db.select(probes).from(sql`(SELECT 1)`);
  const failing = preconditions.find((_, i) => Number((row as Record<string, unknown> | undefined)?.[`p${i}`]) !== 1);
  return (failing ?? preconditions[0]!).otherwise;
}

function isChainCollision(err: unknown): boolean {
  const text = String((err as { message?: unknown })?.message ?? '') + String((err as { cause?: unknown })?.cause ?? '');
  return /audit_log\.seq/.test(text);
}

/**
 * Runs `statements` and appends the audit entry in one atomic batch: either the change
 * and its record both land, or neither does. A concurrent append that took the same
 * chain position makes the whole batch roll back, and it is retried on the new head.
 *
 * `preconditions` are re-checked inside the batch, by its first statement (the audit insert,
 * which takes the write lock before it reads): its action becomes NULL when one fails, the
 * NOT NULL constraint aborts the whole batch, and the failing precondition's error is thrown.
 * So a check made before the body was read can never be outrun by a concurrent change: the
 * refused write leaves neither its rows nor its audit entry.
 */
export async function audited(
  db: Db,
  actor: Actor,
  action: string,
  target: string,
  change: unknown,
  statements: BatchItem<'sqlite'>[] = [],
  preconditions: readonly Precondition[] = [],
): Promise<unknown[]> {
  return auditedAll(db, [{ actor, action, target, change }], statements, preconditions);
}

/** One audit record: who did what to which target, and the change (stored only as a digest). */
export interface AuditRecord {
  actor: Actor;
  action: string;
  target: string;
  change: unknown;
}

/** As `audited`, with several consecutive entries in the same batch as the statements they record. */
export async function auditedAll(
  db: Db,
  records: readonly AuditRecord[],
  statements: BatchItem<'sqlite'>[] = [],
  preconditions: readonly Precondition[] = [],
): Promise<unknown[]> {
  const digests = records.map((r) => changeDigest(r.change));
  const guard = preconditions.length ? sql.join(preconditions.map((p) => sql`(${p.holds})`), sql` AND `) : null;
  for (let attempt = 0; ; attempt++) {
    const [head] = await db
      .select({ seq: auditLog.seq, hash: auditLog.hash })
      .from(auditLog)
      .orderBy(desc(auditLog.seq))
      .limit(1);
    const at = Date.now();
    const entries: AuditRow[] = [];
    let prev: { seq: number; hash: string } | undefined = head;
    records.forEach((r, i) => {
      const entry = nextEntry(prev, { at, actorId: r.actor.id, actorName: r.actor.name, action: r.action, target: r.target, digest: digests[i]! });
      entries.push(entry);
      prev = entry;
    });
    try {
      const first = guard ? { ...entries[0]!, action: sql`CASE WHEN ${guard} THEN ${entries[0]!.action} END` } : entries[0]!;
      const results = await db.batch([db.insert(auditLog).values(first), ...entries.slice(1).map((e) => db.insert(auditLog).values(e)), ...statements]);
      return results.slice(entries.length);
    } catch (err) {
      if (guard && isPreconditionRefusal(err)) throw await firstFailing(db, preconditions);
      if (!isChainCollision(err) || attempt >= MAX_ATTEMPTS) throw err;
      // jitter so that colliding writers do not collide again in lockstep
      await new Promise((r) => setTimeout(r, Math.random() * 5 * (attempt + 1)));
    }
  }
}

export async function listAudit(db: Db, opts: { afterSeq?: number; limit?: number } = {}): Promise<AuditRow[]> {
  return db
    .select()
    .from(auditLog)
    .where(opts.afterSeq ? gt(auditLog.seq, opts.afterSeq) : undefined)
    .orderBy(asc(auditLog.seq))
    .limit(opts.limit ?? 1_000_000);
}

export async function latestAudit(db: Db, limit: number): Promise<AuditRow[]> {
  return db.select().from(auditLog).orderBy(desc(auditLog.seq)).limit(limit);
}

/** Verifies the whole chain in pages, so a long log does not need to fit in one result. */
export async function verifyAuditChain(db: Db): Promise<ChainVerdict> {
  const rows: AuditRow[] = [];
  let after = 0;
  for (;;) {
    const page = await listAudit(db, { afterSeq: after, limit: 5000 });
    if (page.length === 0) break;
    rows.push(...page);
    after = page[page.length - 1]!.seq;
  }
  return verifyChain(rows);
}
