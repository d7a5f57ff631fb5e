import { and, asc, desc, eq, inArray, lt, or, sql, lte, count } from 'drizzle-orm';
import type { BatchItem } from 'drizzle-orm/batch';
import { v7 as uuidv7 } from 'uuid';
import type { Db } from '../db/client';
import { notificationOutbox, suggestions, users, type OutboxChannel } from '../db/schema';
import { CHINA_SQL_OFFSET_SECONDS } from '../lib/time.core';
import type { NotificationEvent } from './templates.core';

export type OutboxRow = typeof notificationOutbox.$inferSelect;

/**
 * The statement that queues `event` for the author of a suggestion, for the batch of the state
 * change it announces: it inserts nothing when the author chose no notification (the channel is
 * read from the row inside the statement), and nothing twice for one occasion (`dedupe_key`).
 */
export function enqueueForAuthor(
  db: Db,
  where: { seq: number } | { code: string } | { duplicatesOf: number },
  event: NotificationEvent,
  params: Record<string, string>,
  occasion: string,
  now: number,
): BatchItem<'sqlite'> {
  // one row per matching suggestion (duplicatesOf: several), each with its own stable id
  const id = 'duplicatesOf' in where ? sql`lower(hex(randomblob(16)))` : sql`${uuidv7()}`;
  const match = 'seq' in where ? sql`s.seq = ${where.seq}` : 'code' in where ? sql`s.code = ${where.code}` : sql`s.duplicate_of = ${where.duplicatesOf} AND s.status = 'merged'`;
  return db
    .insert(notificationOutbox)
    .select(
      sql`SELECT ${id}, s.campaign_id, s.seq, NULL, s.notify_channel, ${event}, ${JSON.stringify(params)}, s.seq || ${`:${event}:${occasion}`}, 'pending', 0, 0, ${now}, NULL, NULL, NULL, ${now}, NULL
          FROM suggestions AS s WHERE ${match} AND s.notify_channel <> 'none' AND s.notify_contact IS NOT NULL`,
    )
    .onConflictDoNothing();
}

const DAY = 24 * 60 * 60 * 1000;

/**
 * Reminders to the department's handlers (those with a work e-mail) for every open assignment at
 * day 10 (five days left) and day 14 (due tomorrow) of its 15-day deadline: one set-based insert
 * per reminder, each at most once per handler and assignment (`dedupe_key`). Returns how many it queued.
 */
export async function enqueueReminders(db: Db, now: number): Promise<number> {
  let queued = 0;
  for (const [event, day, until] of [
    ['reminder_day10', 10, 14],
    ['reminder_day14', 14, 15],
  ] as const) {
    const rows = await db
      .insert(notificationOutbox)
      .select(
        sql`SELECT lower(hex(randomblob(16))), s.campaign_id, NULL, u.id, 'email', ${event},
              json_object('code', s.code, 'department', a.department_name, 'deadline', strftime('%Y-%m-%d', a.deadline_at / 1000 + ${CHINA_SQL_OFFSET_SECONDS}, 'unixepoch')),
              u.id || ${`:${event}:`} || a.id, 'pending', 0, 0, ${now}, NULL, NULL, NULL, ${now}, NULL
            FROM suggestion_assignments AS a
            JOIN suggestions AS s ON s.seq = a.suggestion_seq
            JOIN users AS u ON u.role = 'dept_handler' AND u.active = 1 AND u.department_name = a.department_name AND u.email IS NOT NULL AND u.email <> ''
            WHERE a.status IN ('dispatched', 'in_progress') AND a.assigned_at + ${day * DAY} <= ${now} AND a.assigned_at + ${until * DAY} > ${now}`,
      )
      .onConflictDoNothing()
      .returning({ id: notificationOutbox.id });
    queued += rows.length;
  }
  return queued;
}

/**
 * Claims up to `limit` due messages of the given channels for this sender: pending ones whose
 * time has come, and ones another sender claimed but never settled (its lease lapsed: it may have
 * crashed after sending). Such a reclaim counts as a resend. One statement, so two senders never
 * claim the same message at once.
 */
export async function claimDue(db: Db, channels: readonly OutboxChannel[], now: number, leaseMs: number, limit: number): Promise<OutboxRow[]> {
  if (!channels.length) return [];
  const o = notificationOutbox;
  return db
    .update(o)
    .set({
      status: 'sending',
      leaseUntil: now + leaseMs,
      attempts: sql`${o.attempts} + 1`,
      resends: sql`${o.resends} + CASE WHEN ${o.status} = 'sending' THEN 1 ELSE 0 END`,
    })
    .where(
      inArray(
        o.id,
        db
          .select({ id: o.id })
          .from(o)
          .where(and(inArray(o.channel, [...channels]), or(and(eq(o.status, 'pending'), lte(o.nextAttemptAt, now)), and(eq(o.status, 'sending'), lt(o.leaseUntil, now)))))
          .orderBy(asc(o.nextAttemptAt))
          .limit(limit),
      ),
    )
    .returning();
}

/** The claim is still ours: same attempt, still sending (a sender whose lease lapsed cannot settle). */
const ours = (m: Pick<OutboxRow, 'id' | 'attempts'>) => and(eq(notificationOutbox.id, m.id), eq(notificationOutbox.attempts, m.attempts), eq(notificationOutbox.status, 'sending'));

export function markSent(db: Db, m: Pick<OutboxRow, 'id' | 'attempts'>, providerId: string, now: number) {
  return db.update(notificationOutbox).set({ status: 'sent', sentAt: now, providerId, leaseUntil: null, lastError: null }).where(ours(m));
}

export function markFailed(db: Db, m: Pick<OutboxRow, 'id' | 'attempts'>, error: string, retryAt: number | null) {
  return db
    .update(notificationOutbox)
    .set(retryAt === null ? { status: 'failed', leaseUntil: null, lastError: error } : { status: 'pending', nextAttemptAt: retryAt, leaseUntil: null, lastError: error })
    .where(ours(m));
}

/** Where a message goes: the author's sealed contact (with the code it is sealed to) or a staff e-mail. */
export async function recipientOf(db: Db, m: OutboxRow): Promise<{ sealed: string; code: string } | { plain: string } | undefined> {
  if (m.suggestionSeq !== null) {
    const [row] = await db.select({ sealed: suggestions.notifyContact, code: suggestions.code }).from(suggestions).where(eq(suggestions.seq, m.suggestionSeq));
    return row?.sealed ? { sealed: row.sealed, code: row.code } : undefined;
  }
  if (m.userId !== null) {
    const [row] = await db.select({ email: users.email }).from(users).where(eq(users.id, m.userId));
    return row?.email ? { plain: row.email } : undefined;
  }
  return undefined;
}

/** The campaign's outbox for organisers: newest first, with counts per status. */
export async function listOutbox(db: Db, campaignId: string, limit = 200) {
  const [rows, byStatus] = await Promise.all([
    db
      .select({ row: notificationOutbox, code: suggestions.code })
      .from(notificationOutbox)
      .leftJoin(suggestions, eq(suggestions.seq, notificationOutbox.suggestionSeq))
      .where(eq(notificationOutbox.campaignId, campaignId))
      .orderBy(desc(notificationOutbox.createdAt), desc(notificationOutbox.id))
      .limit(limit),
    db.select({ status: notificationOutbox.status, n: count() }).from(notificationOutbox).where(eq(notificationOutbox.campaignId, campaignId)).groupBy(notificationOutbox.status),
  ]);
  return { rows: rows.map((r) => ({ ...r.row, code: r.code })), byStatus: new Map(byStatus.map((r) => [r.status, r.n])) };
}
