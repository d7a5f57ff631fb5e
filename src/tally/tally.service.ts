/**
 * Sealed aggregation per group, with the database: seats, the ceremony file uploaded from the
 * offline ceremony machine, closing commitment, the committed ballots file, the result the
 * custodians post after unsealing on their side, its approvals and the published result. The
 * server never holds the tally private key or a share it can open. Every change is written with its audit entry
 * in one batch. Nothing here returns a figure about ballot content before `tally_results` holds
 * the group's row (P5).
 */
import { and, asc, count, eq, isNull, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { ballots, tallyCommitments, tallyKeys, tallyResultApprovals, tallyResultDrafts, tallyResults, tallySeats, tallySettings, votingSessions } from '../db/schema';
import { audited, auditedAll, type Actor, type AuditRecord } from '../audit/audit.service';
import { loadAgenda, loadScale, loadVenues, type Campaign } from '../campaigns/campaigns.service';
import { canonicalJson, sha256Hex } from '../lib/crypto';
import { AppError } from '../lib/errors';
import {
  DEFAULT_SHARE_COUNT,
  DEFAULT_THRESHOLD,
  ceremonyParamsProblem,
  ceremonyProblem,
  closedEverywhere,
  type CeremonyFile,
  type SealedShareFile,
  type SeatsDocument,
} from './ceremony.core';
import { isRawPublicKey } from './seal.core';
import type { DecryptedBallot, GroupTally } from './tally.core';
import type { PublishedResult } from './verify.core';
import { checkPostedResult, type BallotsFile, type PostedResult } from './unseal.core';
import { buildCommitment, type GroupCommitment } from './commitment.core';
import { receiptHasher } from './digest.core';
import { ballotCount, byGroup, commitmentDocument, isGroupCommitted, isUnsealed, noBallotsSql, noKeySql, resultDraft, seatOf, tallyParams } from './tally.repo';

// the reads routes, the rehearsal and the cast need, through the service (routes call services, not repos)
export { ballotCount, commitmentDocument, isGroupCommitted, isUnsealed, loadTally, notCommittedSql, resultDraft, tallyParams } from './tally.repo';

export async function setTallyParams(db: Db, actor: Actor, campaign: Campaign, shareCount: number, threshold: number) {
  const problem = ceremonyParamsProblem(shareCount, threshold);
  if (problem) throw new AppError(422, 'INVALID_TALLY_PARAMS', problem, { shareCount: problem });
  const [seated] = await db.select({ n: count() }).from(tallySeats).where(eq(tallySeats.campaignId, campaign.id));
  if ((seated?.n ?? 0) > 0) throw new AppError(409, 'CEREMONY_STARTED', '已有保管人加入密钥仪式,不能再修改保管人数和门限');
  const row = { campaignId: campaign.id, shareCount, threshold };
  await audited(db, actor, 'tally.settings', `campaign:${campaign.code}`, row, [
    db.insert(tallySettings).values(row).onConflictDoUpdate({ target: tallySettings.campaignId, set: { shareCount, threshold } }),
  ]);
}

/** Venues with seats for the group and whether each has closed (a venue without a session is not closed). */
export async function groupClosure(db: Db, campaignId: string, groupNo: number) {
  const [venues, sessions] = await Promise.all([
    loadVenues(db, campaignId),
    db.select({ venueName: votingSessions.venueName, state: votingSessions.state }).from(votingSessions).where(byGroup(votingSessions, campaignId, groupNo)),
  ]);
  const withSeats = venues.filter((v) => (v.seats.get(groupNo) ?? 0) > 0).map((v) => v.name);
  return closedEverywhere(withSeats, sessions);
}

/** Everything the tally pages show about a group's seal: never a figure about ballot content. */
export async function groupSealState(db: Db, campaign: Campaign, groupNo: number) {
  const [key, seats, commitment, draft, result, ballotsN, closure, params] = await Promise.all([
    db.select().from(tallyKeys).where(byGroup(tallyKeys, campaign.id, groupNo)).then((r) => r[0]),
    db.select().from(tallySeats).where(byGroup(tallySeats, campaign.id, groupNo)).orderBy(asc(tallySeats.seatNo)),
    db.select().from(tallyCommitments).where(byGroup(tallyCommitments, campaign.id, groupNo)).then((r) => r[0]),
    resultDraft(db, campaign, groupNo),
    db.select({ unsealedAt: tallyResults.unsealedAt }).from(tallyResults).where(byGroup(tallyResults, campaign.id, groupNo)).then((r) => r[0]),
    ballotCount(db, campaign.id, groupNo),
    groupClosure(db, campaign.id, groupNo),
    tallyParams(db, campaign.id),
  ]);
  return {
    groupNo,
    params: key ? { shareCount: key.shareCount, threshold: key.threshold } : params,
    key,
    seats: seats.map(({ sealedShare, ...s }) => ({ ...s, sealed: sealedShare !== null })),
    commitment: commitment && {
      root: commitment.root,
      ballotCount: commitment.ballotCount,
      committedAt: commitment.committedAt,
      receipts: JSON.parse(commitment.receipts) as string[],
      digest: commitment.document ? (JSON.parse(commitment.document) as GroupCommitment).digest : null,
    },
    // the draft's figures stay out of the page state: only its custodians' preview shows them
    draft: draft && { digest: draft.digest, approvedSeats: draft.approvedSeats },
    unsealedAt: result?.unsealedAt ?? null,
    ballotCount: ballotsN,
    closure,
  };
}
export type GroupSealState = Awaited<ReturnType<typeof groupSealState>>;

function ensureGroup(campaign: Campaign, groupNo: number, groups: { no: number }[]) {
  if (!groups.some((g) => g.no === groupNo)) throw new AppError(404, 'GROUP_NOT_FOUND', '找不到该评议组');
}

/**
 * A custodian takes seat `seatNo` of the group's ceremony with the public seat key they derived
 * on their side (passphrase or key file, bound to this seat: src/tally/seat-key.core.ts), or
 * re-registers their own seat's key while the ceremony has not been held. The server never
 * sees the private half; logging in again changes nothing.
 */
export async function joinCeremony(db: Db, actor: Actor & { id: string }, campaign: Campaign, groupNo: number, seatNo: unknown, seatKey: unknown, displayName = actor.name) {
  ensureGroup(campaign, groupNo, (await loadAgenda(db, campaign.id)).groups);
  const { shareCount } = await tallyParams(db, campaign.id);
  if (!Number.isInteger(seatNo) || (seatNo as number) < 1 || (seatNo as number) > shareCount) {
    throw new AppError(422, 'INVALID_SEAT', `席位号应为 1 至 ${shareCount} 之间的整数`, { seat: '席位号不正确' });
  }
  if (!isRawPublicKey(seatKey)) throw new AppError(422, 'INVALID_SEAT_KEY', '席位公钥应为 32 字节 X25519 公钥的规范 base64url 编码(43 个字符)', { seatKey: '席位公钥格式不正确' });
  const seat = seatNo as number;
  if (await ballotCount(db, campaign.id, groupNo)) throw new AppError(409, 'CEREMONY_LOCKED', '本组已有选票,密钥仪式已锁定');
  const [key] = await db.select().from(tallyKeys).where(byGroup(tallyKeys, campaign.id, groupNo));
  const seats = await db.select().from(tallySeats).where(byGroup(tallySeats, campaign.id, groupNo));
  if (key && !seats.some((s) => s.custodianId === actor.id)) throw new AppError(409, 'CEREMONY_HELD', '本组密钥仪式已经举行,席位已固定');
  if (seats.some((s) => s.seatKey === seatKey && s.seatNo !== seat)) throw new AppError(409, 'SEAT_KEY_REUSED', '这把席位公钥已被本组另一席位使用', { seatKey: '公钥重复' });
  const mine = seats.find((s) => s.custodianId === actor.id);
  const target = `tally:${campaign.code}:${groupNo}:${seat}`;
  const noBallots = { holds: noBallotsSql(campaign.id, groupNo), otherwise: new AppError(409, 'CEREMONY_LOCKED', '本组已有选票,密钥仪式已锁定') };
  if (mine) {
    if (mine.seatNo !== seat) throw new AppError(409, 'ALREADY_SEATED', `您已是本组第 ${mine.seatNo} 席的保管人`);
    // a seat key renewed after the ceremony (a lost passphrase, before any ballot) voids that
    // ceremony: its key goes with it, so no device seals to a key whose shares cannot all be opened
    await audited(db, actor, 'tally.seat.renew', target, { seatKey, voidsCeremony: key?.publicKey ?? null }, [
      db.update(tallySeats).set({ seatKey, sealedShare: null, fingerprint: null, downloadedAt: null }).where(and(byGroup(tallySeats, campaign.id, groupNo), eq(tallySeats.seatNo, seat), eq(tallySeats.custodianId, actor.id))),
      db.delete(tallyKeys).where(byGroup(tallyKeys, campaign.id, groupNo)),
    ], [noBallots]);
    return seat;
  }
  const stillOpen = [noBallots, { holds: noKeySql(campaign.id, groupNo), otherwise: new AppError(409, 'CEREMONY_HELD', '本组密钥仪式已经举行,席位已固定') }];
  if (seats.some((s) => s.seatNo === seat)) throw new AppError(409, 'SEAT_TAKEN', `第 ${seat} 席已有保管人`);
  const row = { campaignId: campaign.id, groupNo, seatNo: seat, custodianId: actor.id, custodianName: displayName, seatKey };
  await audited(db, actor, 'tally.seat.join', target, row, [db.insert(tallySeats).values(row)], [
    ...stillOpen,
    { holds: sql`NOT EXISTS (SELECT 1 FROM tally_seats WHERE campaign_id = ${campaign.id} AND group_no = ${groupNo} AND (seat_no = ${seat} OR custodian_id = ${actor.id}))`, otherwise: new AppError(409, 'SEAT_TAKEN', `第 ${seat} 席已有保管人`) },
  ]);
  return seat;
}

/** What the ceremony machine takes as input (GET …/tally/seats): seats, names, seat public keys, k, n. */
export async function seatsDocument(db: Db, campaign: Campaign, groupNo: number): Promise<SeatsDocument> {
  ensureGroup(campaign, groupNo, (await loadAgenda(db, campaign.id)).groups);
  const [key] = await db.select().from(tallyKeys).where(byGroup(tallyKeys, campaign.id, groupNo));
  const { shareCount, threshold } = await tallyParams(db, campaign.id);
  const seats = await db.select().from(tallySeats).where(byGroup(tallySeats, campaign.id, groupNo)).orderBy(asc(tallySeats.seatNo));
  return {
    v: 1,
    kind: 'sanmin-tally-seats',
    campaign: campaign.code,
    group: groupNo,
    shareCount,
    threshold,
    replaces: key?.publicKey ?? null,
    seats: seats.map((s) => ({ seat: s.seatNo, custodian: s.custodianName, seatKey: s.seatKey })),
  };
}

/**
 * The statistician uploads the ceremony file from the offline machine. Checked against the
 * seats as published (`ceremonyProblem`), then public key, sealed shares and fingerprints are
 * stored in one batch that lands only if the group still has no ballot, no commitment, and the
 * key the file says it replaces (none for the first): two racing uploads store one.
 */
export async function uploadCeremony(db: Db, actor: Actor, campaign: Campaign, groupNo: number, data: unknown) {
  const expected = await seatsDocument(db, campaign, groupNo);
  if (await ballotCount(db, campaign.id, groupNo)) throw new AppError(409, 'CEREMONY_LOCKED', '本组已有选票,不能重新举行密钥仪式');
  if (await isGroupCommitted(db, campaign.id, groupNo)) throw new AppError(409, 'CEREMONY_LOCKED', '本组选票集合已经承诺,不能重新举行密钥仪式');
  if (expected.seats.length < expected.shareCount) throw new AppError(409, 'SEATS_MISSING', `还有 ${expected.shareCount - expected.seats.length} 位保管人未加入,不能举行仪式`);
  const problem = ceremonyProblem(data, expected);
  if (problem) throw new AppError(problem.code === 'CEREMONY_STALE' ? 409 : 422, problem.code, problem.message, { ceremony: problem.message });
  const f = data as CeremonyFile;
  const now = Date.now();
  const keyIsAsRead = expected.replaces
    ? sql`EXISTS (SELECT 1 FROM tally_keys WHERE campaign_id = ${campaign.id} AND group_no = ${groupNo} AND public_key = ${expected.replaces})`
    : noKeySql(campaign.id, groupNo);
  const seatsAsRead = sql`(SELECT count(*) FROM tally_seats WHERE campaign_id = ${campaign.id} AND group_no = ${groupNo}) = ${expected.seats.length}`;
  await audited(
    db,
    actor,
    'tally.ceremony',
    `tally:${campaign.code}:${groupNo}`,
    { publicKey: f.publicKey, shareCount: f.shareCount, threshold: f.threshold, digest: f.digest, fingerprints: f.seats.map((s) => s.fingerprint), replaces: expected.replaces },
    [
      db
        .insert(tallyKeys)
        .values({ campaignId: campaign.id, groupNo, publicKey: f.publicKey, shareCount: f.shareCount, threshold: f.threshold, createdAt: now, ceremonyDigest: f.digest })
        .onConflictDoUpdate({ target: [tallyKeys.campaignId, tallyKeys.groupNo], set: { publicKey: f.publicKey, shareCount: f.shareCount, threshold: f.threshold, createdAt: now, ceremonyDigest: f.digest } }),
      ...f.seats.map((s) =>
        db
          .update(tallySeats)
          .set({ sealedShare: s.sealedShare, fingerprint: s.fingerprint, downloadedAt: null })
          .where(and(byGroup(tallySeats, campaign.id, groupNo), eq(tallySeats.seatNo, s.seat), eq(tallySeats.seatKey, s.seatKey))),
      ),
    ],
    [
      { holds: noBallotsSql(campaign.id, groupNo), otherwise: new AppError(409, 'CEREMONY_LOCKED', '本组已有选票,不能重新举行密钥仪式') },
      { holds: keyIsAsRead, otherwise: new AppError(409, 'CEREMONY_STALE', '本组密钥已被另一份仪式文件设定,请重新下载席位文件') },
      { holds: seatsAsRead, otherwise: new AppError(409, 'CEREMONY_STALE', '本组席位已变化,请重新下载席位文件') },
      ...f.seats.map((s) => ({
        holds: sql`EXISTS (SELECT 1 FROM tally_seats WHERE campaign_id = ${campaign.id} AND group_no = ${groupNo} AND seat_no = ${s.seat} AND seat_key = ${s.seatKey})`,
        otherwise: new AppError(409, 'CEREMONY_STALE', `第 ${s.seat} 席的席位公钥已变化,请重新下载席位文件`),
      })),
    ],
  );
  return { publicKey: f.publicKey, digest: f.digest, fingerprints: f.seats.map((s) => ({ seat: s.seat, fingerprint: s.fingerprint })) };
}

/**
 * A custodian downloads their share, still sealed to their seat key: as often as needed, from
 * any device (the server could never open it). The first download is recorded.
 */
export async function sealedShareFor(db: Db, actor: Actor & { id: string }, campaign: Campaign, groupNo: number): Promise<SealedShareFile> {
  const [key] = await db.select().from(tallyKeys).where(byGroup(tallyKeys, campaign.id, groupNo));
  const seat = await seatOf(db, campaign.id, groupNo, actor.id);
  if (!seat) throw new AppError(404, 'NO_SEAT', '您不是本组密钥仪式的保管人');
  if (!key || !seat.sealedShare || !seat.fingerprint) throw new AppError(409, 'NO_TALLY_KEY', '本组密钥仪式尚未举行');
  if (seat.downloadedAt === null) {
    await audited(db, actor, 'tally.share.download', `tally:${campaign.code}:${groupNo}:${seat.seatNo}`, { seat: seat.seatNo, fingerprint: seat.fingerprint }, [
      db.update(tallySeats).set({ downloadedAt: Date.now() }).where(and(byGroup(tallySeats, campaign.id, groupNo), eq(tallySeats.seatNo, seat.seatNo), isNull(tallySeats.downloadedAt))),
    ]);
  }
  return {
    v: 1,
    kind: 'sanmin-tally-sealed-share',
    campaign: campaign.code,
    group: groupNo,
    seat: seat.seatNo,
    shareCount: key.shareCount,
    threshold: key.threshold,
    publicKey: key.publicKey,
    sealedShare: seat.sealedShare,
    fingerprint: seat.fingerprint,
  };
}

/**
 * The closing commitment: refused unless every venue with seats for the group has closed. The
 * sorted receipts and the root are stored in one statement that only lands if the group still
 * has exactly the ballots that were read.
 */
export async function commitGroup(db: Db, actor: Actor, campaign: Campaign, groupNo: number) {
  ensureGroup(campaign, groupNo, (await loadAgenda(db, campaign.id)).groups);
  const [key] = await db.select().from(tallyKeys).where(byGroup(tallyKeys, campaign.id, groupNo));
  if (!key) throw new AppError(409, 'NO_TALLY_KEY', '本组尚未举行密钥仪式');
  if (await isGroupCommitted(db, campaign.id, groupNo)) throw new AppError(409, 'ALREADY_COMMITTED', '本组选票集合已经承诺,不能重复承诺');
  const closure = await groupClosure(db, campaign.id, groupNo);
  if (!closure.closed) {
    throw new AppError(409, 'GROUP_NOT_CLOSED', `本组还有会场未结束投票:${closure.notClosed.join('、') || '(没有设置席位的会场)'}。所有会场结束后才能承诺选票集合`);
  }
  const rows = await db.select({ receipt: ballots.receipt, ciphertext: ballots.ciphertext }).from(ballots).where(byGroup(ballots, campaign.id, groupNo));
  const hash = await receiptHasher();
  const bad = rows.find((b) => hash(b.ciphertext) !== b.receipt);
  if (bad) throw new AppError(409, 'BALLOT_ALTERED', `选票 ${bad.receipt} 的密文与回执不符,不能承诺;请联系监督人员`);
  const receipts = rows.map((b) => b.receipt).sort();
  const shape = await tallyShape(db, campaign, groupNo);
  const now = Date.now();
  // the published commitment file: fixed here, in the same statement as the commitment itself,
  // from the key the ballots were sealed to and the departments and scale they were cast on
  const commitment = buildCommitment({
    campaign: campaign.code,
    group: groupNo,
    departments: shape.departments,
    scale: shape.scale,
    publicKey: key.publicKey,
    shareCount: key.shareCount,
    threshold: key.threshold,
    receipts,
    committedAt: new Date(now).toISOString(),
  });
  const { root } = commitment;
  const document = JSON.stringify(commitment);
  await audited(db, actor, 'tally.commit', `tally:${campaign.code}:${groupNo}`, { root, ballotCount: receipts.length, digest: commitment.digest, document }, [
    db
      .insert(tallyCommitments)
      .select(
        sql`SELECT ${campaign.id}, ${groupNo}, ${root}, ${receipts.length}, ${JSON.stringify(receipts)}, ${now}, ${document}
          WHERE (SELECT count(*) FROM ballots WHERE campaign_id = ${campaign.id} AND group_no = ${groupNo}) = ${receipts.length}
            AND EXISTS (SELECT 1 FROM tally_keys WHERE campaign_id = ${campaign.id} AND group_no = ${groupNo} AND public_key = ${key.publicKey}
              AND share_count = ${key.shareCount} AND threshold = ${key.threshold})`,
      ),
  ]);
  if (!(await isGroupCommitted(db, campaign.id, groupNo))) throw new AppError(409, 'BALLOTS_CHANGED', '承诺过程中选票集合发生变化,请重试');
  return { root, ballotCount: receipts.length, digest: commitment.digest };
}

/** The departments and scale a committed group's ballots were cast on: from its commitment file when it has one. */
async function committedShape(db: Db, campaign: Campaign, groupNo: number, document: string | null) {
  if (!document) return tallyShape(db, campaign, groupNo);
  const doc = JSON.parse(document) as GroupCommitment;
  return { departments: doc.departments, scale: doc.scale };
}

/** The group's departments (report order) and the campaign scale, as the tally needs them. */
export async function tallyShape(db: Db, campaign: Campaign, groupNo: number) {
  const [{ groups }, scale] = await Promise.all([loadAgenda(db, campaign.id), loadScale(db, campaign.id)]);
  const group = groups.find((g) => g.no === groupNo);
  if (!group) throw new AppError(404, 'GROUP_NOT_FOUND', '找不到该评议组');
  return {
    group,
    departments: group.departments.map((d, i) => ({ position: i + 1, name: d.name })),
    scale: scale.map(({ position, label, weight, valid, satisfied }) => ({ position, label, weight, valid, satisfied })),
  };
}

/** The committed ballots (ciphertexts, receipts) the custodians unseal on their side, after the commit. */
export async function committedBallots(db: Db, campaign: Campaign, groupNo: number): Promise<BallotsFile> {
  const [commitment] = await db.select().from(tallyCommitments).where(byGroup(tallyCommitments, campaign.id, groupNo));
  if (!commitment) throw new AppError(404, 'NOT_COMMITTED', '本组选票集合尚未承诺');
  const [key] = await db.select().from(tallyKeys).where(byGroup(tallyKeys, campaign.id, groupNo));
  const stored = await db.select({ receipt: ballots.receipt, ciphertext: ballots.ciphertext }).from(ballots).where(byGroup(ballots, campaign.id, groupNo));
  const storedBy = new Map(stored.map((b) => [b.receipt, b.ciphertext]));
  const receipts = JSON.parse(commitment.receipts) as string[];
  return {
    v: 1,
    kind: 'sanmin-tally-ballots',
    campaign: campaign.code,
    group: groupNo,
    publicKey: key!.publicKey,
    root: commitment.root,
    ballotCount: commitment.ballotCount,
    // a ballot missing from the store is listed with an empty ciphertext: the custodians' check names it
    ballots: receipts.map((receipt) => ({ receipt, ciphertext: storedBy.get(receipt) ?? '' })),
  };
}

async function storedCommitment(db: Db, campaign: Campaign, groupNo: number): Promise<GroupCommitment> {
  const document = await commitmentDocument(db, campaign.id, groupNo);
  if (document === undefined) throw new AppError(409, 'NOT_COMMITTED', '本组选票集合尚未承诺,不能提交结果');
  if (document === null) throw new AppError(409, 'NO_COMMITMENT_FILE', '本组在承诺文件启用之前承诺,不能按此流程提交结果');
  return JSON.parse(document) as GroupCommitment;
}

const draftDigest = (p: PostedResult) => sha256Hex(`sanmin-result-draft-v1\n${canonicalJson({ decrypted: p.decrypted, tally: p.tally })}`);

/**
 * The custodians post the result they computed on their side (the public edition: no key).
 * Accepted only if the count and root are the commitment's and the tally recomputes from the
 * decrypted ballots; it then awaits k approvals. A new post replaces an unapproved draft.
 */
export async function postResult(db: Db, actor: Actor, campaign: Campaign, groupNo: number, data: unknown) {
  const commitment = await storedCommitment(db, campaign, groupNo);
  if (await isUnsealed(db, campaign.id, groupNo)) throw new AppError(409, 'ALREADY_UNSEALED', '本组结果已经公布');
  const checked = checkPostedResult(data, commitment);
  if (!checked.ok) throw new AppError(422, checked.code, checked.message, { result: checked.message });
  const digest = draftDigest(checked.posted);
  const stated = Date.parse(String((data as { unsealedAt?: unknown }).unsealedAt));
  const unsealedAt = Number.isFinite(stated) ? stated : Date.now();
  const row = { campaignId: campaign.id, groupNo, digest, decrypted: JSON.stringify(checked.posted.decrypted), tally: JSON.stringify(checked.posted.tally), unsealedAt, postedBy: actor.id ?? actor.name };
  await audited(db, actor, 'tally.result.post', `tally:${campaign.code}:${groupNo}`, { digest, root: commitment.root, ballots: commitment.ballotCount }, [
    db.delete(tallyResultApprovals).where(byGroup(tallyResultApprovals, campaign.id, groupNo)),
    db.insert(tallyResultDrafts).values(row).onConflictDoUpdate({ target: [tallyResultDrafts.campaignId, tallyResultDrafts.groupNo], set: row }),
  ], [{ holds: sql`NOT EXISTS (SELECT 1 FROM tally_results WHERE campaign_id = ${campaign.id} AND group_no = ${groupNo})`, otherwise: new AppError(409, 'ALREADY_UNSEALED', '本组结果已经公布') }]);
  return { digest, threshold: commitment.threshold, tally: checked.posted.tally };
}

/**
 * A seated custodian approves the draft they previewed (by its digest). The k-th approval
 * publishes it into `tally_results` in the same batch; each approval is in the audit chain.
 */
export async function approveResult(db: Db, actor: Actor & { id: string }, campaign: Campaign, groupNo: number, digest: unknown) {
  const seat = await seatOf(db, campaign.id, groupNo, actor.id);
  if (!seat) throw new AppError(403, 'NO_SEAT', '只有本组的保管人可以确认结果');
  if (await isUnsealed(db, campaign.id, groupNo)) throw new AppError(409, 'ALREADY_UNSEALED', '本组结果已经公布');
  const draft = await resultDraft(db, campaign, groupNo);
  if (!draft) throw new AppError(409, 'NO_DRAFT', '还没有待确认的结果');
  if (digest !== draft.digest) throw new AppError(409, 'DRAFT_CHANGED', '您确认的结果不是当前待确认的结果(已被替换),请重新预览');
  const [key] = await db.select().from(tallyKeys).where(byGroup(tallyKeys, campaign.id, groupNo));
  const others = draft.approvedSeats.filter((s) => s !== seat.seatNo);
  const publishes = others.length + 1 >= key!.threshold;
  const target = `tally:${campaign.code}:${groupNo}`;
  const records: AuditRecord[] = [{ actor, action: 'tally.result.approve', target: `${target}:${seat.seatNo}`, change: { seat: seat.seatNo, digest } }];
  const commitment = await storedCommitment(db, campaign, groupNo);
  if (publishes) records.push({ actor, action: 'tally.unseal', target, change: { root: commitment.root, digest, approvedBy: [...others, seat.seatNo].sort((a, b) => a - b), ballots: commitment.ballotCount } });
  await auditedAll(
    db,
    records,
    [
      db.insert(tallyResultApprovals).values({ campaignId: campaign.id, groupNo, seatNo: seat.seatNo, digest, approvedAt: Date.now() }).onConflictDoUpdate({ target: [tallyResultApprovals.campaignId, tallyResultApprovals.groupNo, tallyResultApprovals.seatNo], set: { digest, approvedAt: Date.now() } }),
      ...(publishes
        ? [
            db
              .insert(tallyResults)
              .select(sql`SELECT campaign_id, group_no, decrypted, tally, '', unsealed_at FROM tally_result_drafts WHERE campaign_id = ${campaign.id} AND group_no = ${groupNo} AND digest = ${digest}`),
            db.delete(tallyResultApprovals).where(byGroup(tallyResultApprovals, campaign.id, groupNo)),
            db.delete(tallyResultDrafts).where(byGroup(tallyResultDrafts, campaign.id, groupNo)),
          ]
        : []),
    ],
    [
      { holds: sql`EXISTS (SELECT 1 FROM tally_result_drafts WHERE campaign_id = ${campaign.id} AND group_no = ${groupNo} AND digest = ${digest})`, otherwise: new AppError(409, 'DRAFT_CHANGED', '待确认的结果已被替换,请重新预览') },
      {
        holds: sql`(SELECT count(*) FROM tally_result_approvals WHERE campaign_id = ${campaign.id} AND group_no = ${groupNo} AND digest = ${digest} AND seat_no <> ${seat.seatNo}) = ${others.length}`,
        otherwise: new AppError(409, 'APPROVALS_CHANGED', '确认过程中其他保管人也在确认,请重试'),
      },
      { holds: sql`NOT EXISTS (SELECT 1 FROM tally_results WHERE campaign_id = ${campaign.id} AND group_no = ${groupNo})`, otherwise: new AppError(409, 'ALREADY_UNSEALED', '本组结果已经公布') },
    ],
  );
  return { seat: seat.seatNo, approvals: others.length + 1, threshold: key!.threshold, published: publishes };
}

/**
 * The published result file of an unsealed group, assembled from what is stored (ciphertexts
 * from `ballots`, receipts and root from the commitment), so an edit after publication shows up
 * in verification. Undefined while the group is sealed. The server holds no private key for a
 * group the custodians unsealed: their audit edition stays with them (README, P6).
 */
export async function publishedResult(db: Db, campaign: Campaign, groupNo: number, opts: { withKey?: boolean } = {}): Promise<PublishedResult | undefined> {
  const [result] = await db.select().from(tallyResults).where(byGroup(tallyResults, campaign.id, groupNo));
  if (!result) return undefined;
  const [[key], [commitment], stored] = await Promise.all([
    db.select().from(tallyKeys).where(byGroup(tallyKeys, campaign.id, groupNo)),
    db.select().from(tallyCommitments).where(byGroup(tallyCommitments, campaign.id, groupNo)),
    db.select({ receipt: ballots.receipt, ciphertext: ballots.ciphertext }).from(ballots).where(byGroup(ballots, campaign.id, groupNo)),
  ]);
  const shape = await committedShape(db, campaign, groupNo, commitment!.document);
  const storedBy = new Map(stored.map((b) => [b.receipt, b.ciphertext]));
  const receipts = JSON.parse(commitment!.receipts) as string[];
  const tally = JSON.parse(result.tally) as GroupTally;
  return {
    v: 1,
    kind: 'sanmin-tally-result',
    campaign: campaign.code,
    group: groupNo,
    publicKey: key!.publicKey,
    shareCount: key!.shareCount,
    threshold: key!.threshold,
    departments: shape.departments,
    scale: tally.scale,
    commitment: { root: commitment!.root, ballotCount: commitment!.ballotCount, committedAt: new Date(commitment!.committedAt).toISOString() },
    ballots: receipts.map((receipt) => ({ receipt, ciphertext: storedBy.get(receipt) ?? '' })),
    decrypted: JSON.parse(result.decrypted) as DecryptedBallot[],
    tally,
    unsealedAt: new Date(result.unsealedAt).toISOString(),
    // only groups unsealed by an older version, inside the server, have a key here; custodians keep theirs
    ...(opts.withKey && result.privateKey ? { privateKey: result.privateKey } : {}),
  };
}

/** Where a receipt stands: in which group's commitment, and whether that group has been unsealed. */
export async function findReceipt(db: Db, campaign: Campaign, receipt: string) {
  const commitments = await db.select({ groupNo: tallyCommitments.groupNo, receipts: tallyCommitments.receipts }).from(tallyCommitments).where(eq(tallyCommitments.campaignId, campaign.id));
  for (const c of commitments) {
    if ((JSON.parse(c.receipts) as string[]).includes(receipt)) {
      return { groupNo: c.groupNo, committed: true, unsealed: await isUnsealed(db, campaign.id, c.groupNo) };
    }
  }
  const [stored] = await db.select({ groupNo: ballots.groupNo }).from(ballots).where(and(eq(ballots.campaignId, campaign.id), eq(ballots.receipt, receipt)));
  return stored ? { groupNo: stored.groupNo, committed: false, unsealed: false } : undefined;
}

/** bench/tally.ts imports unsealing from here: it is the custodians' side (src/tally/rehearsal.ts), run in the caller's process, never by a route. */
