/**
 * The tally half of a rehearsal (演练), for `npm run rehearse` and tests: a ceremony with
 * stand-in custodians whose shares come back to the caller, and the close → commit → unseal →
 * publish → verify sequence. It drives the same repo functions as the staff pages, so what it
 * proves holds for the real flow; it must only run on a rehearsal database.
 */
import type { Db } from '../db/client';
import { SYSTEM_ACTOR, type Actor } from '../audit/audit.repo';
import type { Campaign } from '../campaigns/campaigns.repo';
import { randomToken } from '../lib/crypto';
import { commitGroup, commitmentDocument, joinCeremony, publishedResult, runCeremony, takeShare, tallyParams } from './tally.repo';
import { unsealGroup } from './tally.repo';
import type { ShareFile } from './ceremony.core';
import { verifyAgainstCommitment, type CommitmentVerdict, type PublishedResult } from './verify.core';

/** Seats n stand-in custodians, runs the ceremony and takes every share; returns the share files. */
export async function rehearsalCeremony(db: Db, campaign: Campaign, groupNo: number): Promise<{ publicKey: string; shares: ShareFile[] }> {
  const { shareCount } = await tallyParams(db, campaign.id);
  const custodians = Array.from({ length: shareCount }, (_, i) => ({ id: `rehearsal-custodian-${groupNo}-${i + 1}`, name: `演练保管人${i + 1}`, secret: randomToken() }));
  for (const c of custodians) await joinCeremony(db, c, campaign, groupNo, c.secret);
  const { publicKey } = await runCeremony(db, SYSTEM_ACTOR, campaign, groupNo);
  const shares: ShareFile[] = [];
  for (const c of custodians) shares.push((await takeShare(db, c, campaign, groupNo, c.secret)).file);
  return { publicKey, shares };
}

/**
 * Commits the group (all venues must already be closed; `committed` when the caller already did,
 * e.g. over HTTP), unseals it with the given shares (at least k), and returns the audit edition
 * of the published result, the commitment file stored at closing, and the result checked
 * against that commitment.
 */
export async function rehearsalUnseal(
  db: Db,
  campaign: Campaign,
  groupNo: number,
  shares: readonly ShareFile[],
  actor: Actor = SYSTEM_ACTOR,
  opts: { committed?: boolean } = {},
): Promise<{ root: string; result: PublishedResult; commitment: string; verdict: CommitmentVerdict }> {
  if (!opts.committed) await commitGroup(db, actor, campaign, groupNo);
  const commitment = (await commitmentDocument(db, campaign.id, groupNo))!;
  await unsealGroup(db, actor, campaign, groupNo, shares.map((s) => JSON.stringify(s)));
  const result = (await publishedResult(db, campaign, groupNo, { withKey: true }))!;
  return { root: result.commitment.root, result, commitment, verdict: await verifyAgainstCommitment(result, JSON.parse(commitment)) };
}
