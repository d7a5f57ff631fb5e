/**
 * The hearing's statements: voting sessions, check-ins and tickets, and the close. No audit, no
 * crypto, no error: hearing.service.ts decides and persists through these.
 */
import { and, asc, eq } from 'drizzle-orm';
import type { Db } from '../db/client';
import { candidates, checkins, delegates, votingSessions } from '../db/schema';
import { canonicalCode } from '../lib/codes.core';
import { sha256Hex } from '../lib/crypto';

export type VotingSession = typeof votingSessions.$inferSelect;

export type Checkin = typeof checkins.$inferSelect;

/** A ticket's stored identity: the hash of its one canonical spelling; null for what cannot be a ticket. */
export const ticketHash = (ticket: string): string | null => {
  const canonical = canonicalCode('ticket', ticket);
  return canonical && sha256Hex(`sanmin-ticket-v1:${canonical}`);
};

export async function listSessions(db: Db, campaignId: string, groupNo?: number): Promise<VotingSession[]> {
  return db
    .select()
    .from(votingSessions)
    .where(and(eq(votingSessions.campaignId, campaignId), groupNo === undefined ? undefined : eq(votingSessions.groupNo, groupNo)));
}

export async function getSession(db: Db, campaignId: string, groupNo: number, venueName: string) {
  const [s] = await db
    .select()
    .from(votingSessions)
    .where(and(eq(votingSessions.campaignId, campaignId), eq(votingSessions.groupNo, groupNo), eq(votingSessions.venueName, venueName)));
  return s;
}

export async function findDelegateByCode(db: Db, campaignId: string, code: string) {
  const [row] = await db
    .select({ delegate: delegates, candidate: { name: candidates.name, idLast4: candidates.idLast4 } })
    .from(delegates)
    .innerJoin(candidates, eq(candidates.id, delegates.candidateId))
    .where(and(eq(delegates.campaignId, campaignId), eq(delegates.delegateCode, canonicalCode('delegate', code) ?? '')));
  return row;
}

export async function findTicket(db: Db, ticket: string) {
  const hash = ticketHash(ticket);
  if (!hash) return undefined;
  const [row] = await db.select().from(checkins).where(eq(checkins.ticketHash, hash));
  return row;
}

export async function getCheckin(db: Db, campaignId: string, id: string) {
  const [row] = await db.select().from(checkins).where(and(eq(checkins.campaignId, campaignId), eq(checkins.id, id)));
  return row;
}

/** Staff void a ticket not yet exchanged for a credential (the delegate left). */
export function voidTicketStatement(db: Db, id: string, reason: string) {
  return db
    .update(checkins)
    .set({ state: 'voided', voidReason: reason })
    .where(and(eq(checkins.id, id), eq(checkins.state, 'issued')));
}

export async function venueCheckins(db: Db, campaignId: string, groupNo: number, venueName: string) {
  return db
    .select({ checkin: checkins, name: candidates.name, code: delegates.delegateCode })
    .from(checkins)
    .innerJoin(delegates, eq(delegates.id, checkins.delegateId))
    .innerJoin(candidates, eq(candidates.id, delegates.candidateId))
    .where(and(eq(checkins.campaignId, campaignId), eq(checkins.groupNo, groupNo), eq(checkins.venueName, venueName)))
    .orderBy(asc(checkins.checkedInAt));
}

export const sessionKey = (campaignId: string, groupNo: number, venueName: string) =>
  and(eq(votingSessions.campaignId, campaignId), eq(votingSessions.groupNo, groupNo), eq(votingSessions.venueName, venueName));

export function closeStatement(db: Db, campaignId: string, groupNo: number, venueName: string, by: string, note: string | null) {
  return db
    .update(votingSessions)
    .set({ state: 'closed', closedAt: Date.now(), closedBy: by, closeNote: note })
    .where(and(eq(votingSessions.campaignId, campaignId), eq(votingSessions.groupNo, groupNo), eq(votingSessions.venueName, venueName), eq(votingSessions.state, 'open')));
}
