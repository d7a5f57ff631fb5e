/**
 * The tally's statements: reads of settings, seats, commitments, drafts and results per group,
 * and the SQL conditions the service's batches hold on. No audit, no crypto, no error: the
 * service (tally.service.ts) decides and persists through these.
 */
import { and, count, eq, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { ballots, tallyCommitments, tallyResultApprovals, tallyResultDrafts, tallyResults, tallySeats, tallySettings } from '../db/schema';
import { DEFAULT_SHARE_COUNT, DEFAULT_THRESHOLD } from './ceremony.core';
import type { GroupTally } from './tally.core';

export const byGroup = <T extends { campaignId: any; groupNo: any }>(t: T, campaignId: string, groupNo: number) =>
  and(eq(t.campaignId, campaignId), eq(t.groupNo, groupNo));

export async function tallyParams(db: Db, campaignId: string): Promise<{ shareCount: number; threshold: number }> {
  const [row] = await db.select().from(tallySettings).where(eq(tallySettings.campaignId, campaignId));
  return row ? { shareCount: row.shareCount, threshold: row.threshold } : { shareCount: DEFAULT_SHARE_COUNT, threshold: DEFAULT_THRESHOLD };
}

/**
 * The cast path's check: a committed group takes no more ballots. Also available as a SQL
 * condition (`notCommittedSql`) to put inside the cast batch's INSERT, which makes it atomic.
 */
export async function isGroupCommitted(db: Db, campaignId: string, groupNo: number): Promise<boolean> {
  const [row] = await db.select({ root: tallyCommitments.root }).from(tallyCommitments).where(byGroup(tallyCommitments, campaignId, groupNo));
  return Boolean(row);
}

export const notCommittedSql = (campaignId: string, groupNo: number) =>
  sql`NOT EXISTS (SELECT 1 FROM tally_commitments WHERE campaign_id = ${campaignId} AND group_no = ${groupNo})`;

export async function ballotCount(db: Db, campaignId: string, groupNo: number): Promise<number> {
  const [row] = await db.select({ n: count() }).from(ballots).where(byGroup(ballots, campaignId, groupNo));
  return row?.n ?? 0;
}

/** The seat a custodian holds in a group, if any. */
export async function seatOf(db: Db, campaignId: string, groupNo: number, custodianId: string) {
  const [seat] = await db.select().from(tallySeats).where(and(byGroup(tallySeats, campaignId, groupNo), eq(tallySeats.custodianId, custodianId)));
  return seat;
}

export const noBallotsSql = (campaignId: string, groupNo: number) =>
  sql`NOT EXISTS (SELECT 1 FROM ballots WHERE campaign_id = ${campaignId} AND group_no = ${groupNo}) AND ${notCommittedSql(campaignId, groupNo)}`;

export const noKeySql = (campaignId: string, groupNo: number) => sql`NOT EXISTS (SELECT 1 FROM tally_keys WHERE campaign_id = ${campaignId} AND group_no = ${groupNo})`;

/**
 * The group's commitment file as stored at commit (the exact text, served as is), or undefined
 * while the group is not committed, or null for a group committed before the file existed.
 */
export async function commitmentDocument(db: Db, campaignId: string, groupNo: number): Promise<string | null | undefined> {
  const [row] = await db.select({ document: tallyCommitments.document }).from(tallyCommitments).where(byGroup(tallyCommitments, campaignId, groupNo));
  return row ? row.document : undefined;
}

export async function isUnsealed(db: Db, campaignId: string, groupNo: number): Promise<boolean> {
  const [row] = await db.select({ at: tallyResults.unsealedAt }).from(tallyResults).where(byGroup(tallyResults, campaignId, groupNo));
  return Boolean(row);
}

/** The draft awaiting approval (the preview each custodian confirms), or undefined. */
export async function resultDraft(db: Db, campaign: { id: string }, groupNo: number) {
  const [draft] = await db.select().from(tallyResultDrafts).where(byGroup(tallyResultDrafts, campaign.id, groupNo));
  if (!draft) return undefined;
  const approvals = await db.select().from(tallyResultApprovals).where(and(byGroup(tallyResultApprovals, campaign.id, groupNo), eq(tallyResultApprovals.digest, draft.digest)));
  return { digest: draft.digest, tally: JSON.parse(draft.tally) as GroupTally, unsealedAt: draft.unsealedAt, approvedSeats: approvals.map((a) => a.seatNo).sort((a, b) => a - b) };
}

/** The group's published tally, or undefined while sealed (the only read of results). */
export async function loadTally(db: Db, campaignId: string, groupNo: number): Promise<GroupTally | undefined> {
  const [row] = await db.select({ tally: tallyResults.tally }).from(tallyResults).where(byGroup(tallyResults, campaignId, groupNo));
  return row ? (JSON.parse(row.tally) as GroupTally) : undefined;
}
