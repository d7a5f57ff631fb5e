import { asc, desc, gt } from 'drizzle-orm';
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

function isChainCollision(err: unknown): boolean {
  const text = String((err as { message?: unknown })?.message ?? '') + String((err as { cause?: unknown })?.cause ?? '');
  return /audit_log\.seq/.test(text);
}

/**
 * Runs `statements` and appends the audit entry in one atomic batch: either the change
 * and its record both land, or neither does. A concurrent append that took the same
 * chain position makes the whole batch roll back, and it is retried on the new head.
 */
export async function audited(
  db: Db,
  actor: Actor,
  action: string,
  target: string,
  change: unknown,
  statements: BatchItem<'sqlite'>[] = [],
): Promise<unknown[]> {
  return auditedAll(db, [{ actor, action, target, change }], statements);
}

/** One audit record: who did what to which target, and the change (stored only as a digest). */
export interface AuditRecord {
  actor: Actor;
  action: string;
  target: string;
  change: unknown;
}

/** As `audited`, with several consecutive entries in the same batch as the statements they record. */
export async function auditedAll(db: Db, records: readonly AuditRecord[], statements: BatchItem<'sqlite'>[] = []): Promise<unknown[]> {
  const digests = records.map((r) => changeDigest(r.change));
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
      const results = await db.batch([db.insert(auditLog).values(entries[0]!), ...entries.slice(1).map((e) => db.insert(auditLog).values(e)), ...statements]);
      return results.slice(entries.length);
    } catch (err) {
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
