/**
 * The tally half of a rehearsal (演练), for `npm run rehearse`, the bench and tests: stand-in
 * custodians with key-file seat keys join their seats, the ceremony runs on "their side" (the
 * same pure `runCeremonyCore` as `npm run ceremony`, in this process, not in the server) and is
 * uploaded; each opens their sealed share locally. Unsealing likewise: the committed ballots
 * and the commitment are read as the GET endpoints serve them, `unsealWithShares` runs here, the
 * public result is posted and k stand-ins approve it. It drives the same repo functions as the
 * API, so what it proves holds for the real flow; it must only run on a rehearsal database.
 */
import { and, eq } from 'drizzle-orm';
import type { Db } from '../db/client';
import { tallySeats } from '../db/schema';
import { SYSTEM_ACTOR, type Actor } from '../audit/audit.service';
import type { Campaign } from '../campaigns/campaigns.service';
import { openSealedShare, runCeremonyCore, type ShareFile } from './ceremony.core';
import type { GroupCommitment } from './commitment.core';
import { newSeatKeyFile, seatKeyFromFile } from './seat-key.core';
import { approveResult, commitGroup, commitmentDocument, committedBallots, joinCeremony, postResult, publishedResult, sealedShareFor, seatsDocument, tallyParams, uploadCeremony } from './tally.service';
import { unsealWithShares } from './unseal.core';
import { verifyAgainstCommitment, type CommitmentVerdict, type PublishedResult } from './verify.core';

const custodian = (groupNo: number, seat: number) => ({ id: `rehearsal-custodian-${groupNo}-${seat}`, name: `演练保管人${seat}` });

/** Seats n stand-in custodians, runs the ceremony on their side, uploads it, and opens every share locally. */
export async function rehearsalCeremony(db: Db, campaign: Campaign, groupNo: number): Promise<{ publicKey: string; shares: ShareFile[]; ceremony: Awaited<ReturnType<typeof runCeremonyCore>> }> {
  const { shareCount } = await tallyParams(db, campaign.id);
  const keyFiles = [];
  for (let seat = 1; seat <= shareCount; seat++) {
    const keyFile = await newSeatKeyFile(campaign.code, groupNo, seat);
    const c = custodian(groupNo, seat);
    // a stand-in left over from an earlier rehearsal ceremony of this group keeps its seat and renews its key (voiding that ceremony)
    await joinCeremony(db, c, campaign, groupNo, seat, keyFile.publicKey, c.name);
    keyFiles.push(keyFile);
  }
  const ceremony = await runCeremonyCore(await seatsDocument(db, campaign, groupNo));
  await uploadCeremony(db, SYSTEM_ACTOR, campaign, groupNo, ceremony);
  const shares: ShareFile[] = [];
  for (const keyFile of keyFiles) {
    const sealed = await sealedShareFor(db, custodian(groupNo, keyFile.seat), campaign, groupNo);
    const seatKey = await seatKeyFromFile(JSON.stringify(keyFile), campaign.code, groupNo, keyFile.seat);
    shares.push(await openSealedShare(sealed, seatKey.privateKey));
    seatKey.privateKey.fill(0);
  }
  return { publicKey: ceremony.publicKey, shares, ceremony };
}

/**
 * The custodians' side of unsealing, in this process: read the commitment and the committed
 * ballots, unseal with the shares, post the public edition, and have the seats whose shares were
 * used approve it until it is published. Returns the audit edition (with the rebuilt key), which
 * only the custodians hold.
 */
export async function unsealAsCustodians(db: Db, campaign: Campaign, groupNo: number, shares: readonly (ShareFile | string)[], actor: Actor & { id: string } = { id: SYSTEM_ACTOR.id ?? 'system', name: SYSTEM_ACTOR.name }) {
  const document = await commitmentDocument(db, campaign.id, groupNo);
  if (!document) throw new Error('the group is not committed');
  const commitment = JSON.parse(document) as GroupCommitment;
  const ballots = await committedBallots(db, campaign, groupNo);
  const { result, auditEdition, seats } = await unsealWithShares(commitment, ballots, shares.map((s) => (typeof s === 'string' ? s : JSON.stringify(s))));
  const { digest } = await postResult(db, actor, campaign, groupNo, result);
  const seated = await db.select().from(tallySeats).where(and(eq(tallySeats.campaignId, campaign.id), eq(tallySeats.groupNo, groupNo)));
  for (const seat of seats.slice(0, commitment.threshold)) {
    const row = seated.find((s) => s.seatNo === seat)!;
    await approveResult(db, { id: row.custodianId, name: row.custodianName }, campaign, groupNo, digest);
  }
  return { result, auditEdition, commitment: document };
}

/**
 * Commits the group (all venues must already be closed; `committed` when the caller already did,
 * e.g. over HTTP), unseals it on the custodians' side with the given shares (at least k), and
 * returns the audit edition the custodians keep, the commitment file stored at closing, and the
 * result checked against that commitment.
 */
export async function rehearsalUnseal(
  db: Db,
  campaign: Campaign,
  groupNo: number,
  shares: readonly ShareFile[],
  actor: Actor = SYSTEM_ACTOR,
  opts: { committed?: boolean } = {},
): Promise<{ root: string; result: PublishedResult; published: PublishedResult; commitment: string; verdict: CommitmentVerdict }> {
  if (!opts.committed) await commitGroup(db, actor, campaign, groupNo);
  const { auditEdition, commitment } = await unsealAsCustodians(db, campaign, groupNo, shares);
  const published = (await publishedResult(db, campaign, groupNo))!;
  return { root: auditEdition.commitment.root, result: auditEdition, published, commitment, verdict: await verifyAgainstCommitment(auditEdition, JSON.parse(commitment)) };
}
