/**
 * Sealed aggregation per group, with the database: key ceremony, closing commitment, share
 * submission, unsealing and the published result. Every change is written with its audit entry
 * in one batch. Nothing here returns a figure about ballot content before `tally_results` holds
 * the group's row (P5).
 */
import { and, asc, count, eq, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { ballots, tallyCommitments, tallyKeys, tallyResults, tallySeats, tallySettings, tallyUnsealShares, votingSessions } from '../db/schema';
import { audited, auditedAll, type Actor, type AuditRecord } from '../audit/audit.repo';
import { loadAgenda, loadScale, loadVenues, type Campaign } from '../campaigns/campaigns.repo';
import { openText, requireAtRest, sealText, secretRows, type AtRest } from '../lib/at-rest';
import { AppError } from '../lib/errors';
import {
  DEFAULT_SHARE_COUNT,
  DEFAULT_THRESHOLD,
  ceremonyParamsProblem,
  closedEverywhere,
  combineShares,
  commitmentRoot,
  openShare,
  parseShareInput,
  printableShare,
  sealShare,
  seatKeyFrom,
  seatOfShare,
  shuffled,
  splitKey,
  type ShareFile,
} from './ceremony.core';
import { b64url, ballotShapeDigest, generateTallyKeyPair, publicKeyOf } from './seal.core';
import { tallyGroup, type DecryptedBallot, type GroupTally } from './tally.core';
import { openBallots, type PublishedResult } from './verify.core';
import { buildCommitment, type GroupCommitment } from './commitment.core';
import { receiptHasher } from './digest';

const byGroup = <T extends { campaignId: any; groupNo: any }>(t: T, campaignId: string, groupNo: number) =>
  and(eq(t.campaignId, campaignId), eq(t.groupNo, groupNo));

export async function tallyParams(db: Db, campaignId: string): Promise<{ shareCount: number; threshold: number }> {
  const [row] = await db.select().from(tallySettings).where(eq(tallySettings.campaignId, campaignId));
  return row ? { shareCount: row.shareCount, threshold: row.threshold } : { shareCount: DEFAULT_SHARE_COUNT, threshold: DEFAULT_THRESHOLD };
}

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
  const [key, seats, commitment, submitted, result, ballotsN, closure, params] = await Promise.all([
    db.select().from(tallyKeys).where(byGroup(tallyKeys, campaign.id, groupNo)).then((r) => r[0]),
    db.select().from(tallySeats).where(byGroup(tallySeats, campaign.id, groupNo)).orderBy(asc(tallySeats.seatNo)),
    db.select().from(tallyCommitments).where(byGroup(tallyCommitments, campaign.id, groupNo)).then((r) => r[0]),
    db.select({ seatNo: tallyUnsealShares.seatNo }).from(tallyUnsealShares).where(byGroup(tallyUnsealShares, campaign.id, groupNo)),
    db.select({ unsealedAt: tallyResults.unsealedAt }).from(tallyResults).where(byGroup(tallyResults, campaign.id, groupNo)).then((r) => r[0]),
    ballotCount(db, campaign.id, groupNo),
    groupClosure(db, campaign.id, groupNo),
    tallyParams(db, campaign.id),
  ]);
  return {
    groupNo,
    params: key ? { shareCount: key.shareCount, threshold: key.threshold } : params,
    key,
    seats: seats.map(({ sealedShare, seatKey: _k, ...s }) => ({ ...s, shareWaiting: sealedShare !== null })),
    commitment: commitment && {
      root: commitment.root,
      ballotCount: commitment.ballotCount,
      committedAt: commitment.committedAt,
      receipts: JSON.parse(commitment.receipts) as string[],
      digest: commitment.document ? (JSON.parse(commitment.document) as GroupCommitment).digest : null,
    },
    submittedSeats: submitted.map((s) => s.seatNo).sort((a, b) => a - b),
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
 * A custodian takes a seat in the group's ceremony (or renews their seat key from a new login
 * session). `secret` is what the seat key is derived from: the session token over HTTP.
 */
export async function joinCeremony(db: Db, actor: Actor & { id: string }, campaign: Campaign, groupNo: number, secret: string, displayName = actor.name) {
  ensureGroup(campaign, groupNo, (await loadAgenda(db, campaign.id)).groups);
  if (await ballotCount(db, campaign.id, groupNo)) throw new AppError(409, 'CEREMONY_LOCKED', '本组已有选票,密钥仪式已锁定');
  const { shareCount } = await tallyParams(db, campaign.id);
  const seats = await db.select().from(tallySeats).where(byGroup(tallySeats, campaign.id, groupNo));
  const seatKey = (await seatKeyFrom(secret, campaign.id, groupNo)).publicKey;
  const mine = seats.find((s) => s.custodianId === actor.id);
  if (mine) {
    await audited(db, actor, 'tally.seat.renew', `tally:${campaign.code}:${groupNo}:${mine.seatNo}`, { seatKey }, [
      db.update(tallySeats).set({ seatKey }).where(and(byGroup(tallySeats, campaign.id, groupNo), eq(tallySeats.seatNo, mine.seatNo))),
    ]);
    return mine.seatNo;
  }
  const taken = new Set(seats.map((s) => s.seatNo));
  const seatNo = Array.from({ length: shareCount }, (_, i) => i + 1).find((n) => !taken.has(n));
  if (!seatNo) throw new AppError(409, 'SEATS_FULL', `本组的 ${shareCount} 个保管席位已满`);
  const row = { campaignId: campaign.id, groupNo, seatNo, custodianId: actor.id, custodianName: displayName, seatKey };
  await audited(db, actor, 'tally.seat.join', `tally:${campaign.code}:${groupNo}:${seatNo}`, row, [db.insert(tallySeats).values(row)]);
  return seatNo;
}

/**
 * The key ceremony: generate the group key pair in memory, split the private key, seal each
 * share to its seat, store the public key and the fingerprints, drop the private key. A second
 * ceremony replaces the key only while the group has no ballot (checked inside the statements).
 */
export async function runCeremony(db: Db, actor: Actor, campaign: Campaign, groupNo: number) {
  ensureGroup(campaign, groupNo, (await loadAgenda(db, campaign.id)).groups);
  // no ballot and no commitment (an empty group's commitment names its key too), re-checked in every statement
  const noBallots = sql`NOT EXISTS (SELECT 1 FROM ballots WHERE campaign_id = ${campaign.id} AND group_no = ${groupNo}) AND ${notCommittedSql(campaign.id, groupNo)}`;
  if (await ballotCount(db, campaign.id, groupNo)) throw new AppError(409, 'CEREMONY_LOCKED', '本组已有选票,不能重新举行密钥仪式');
  if (await isGroupCommitted(db, campaign.id, groupNo)) throw new AppError(409, 'CEREMONY_LOCKED', '本组选票集合已经承诺,不能重新举行密钥仪式');
  const { shareCount, threshold } = await tallyParams(db, campaign.id);
  const seats = await db.select().from(tallySeats).where(byGroup(tallySeats, campaign.id, groupNo)).orderBy(asc(tallySeats.seatNo));
  if (seats.length < shareCount) throw new AppError(409, 'SEATS_MISSING', `还有 ${shareCount - seats.length} 位保管人未加入,不能生成密钥`);
  const pair = await generateTallyKeyPair();
  const shares = await splitKey(pair.privateKey, campaign.code, groupNo, shareCount, threshold);
  pair.privateKey.fill(0);
  const sealed = await Promise.all(shares.map((s) => sealShare(seats[s.seat - 1]!.seatKey, campaign.code, groupNo, s.seat, s.share)));
  for (const s of shares) s.share.fill(0);
  const now = Date.now();
  await audited(
    db,
    actor,
    'tally.ceremony',
    `tally:${campaign.code}:${groupNo}`,
    { publicKey: pair.publicKey, shareCount, threshold, fingerprints: shares.map((s) => s.fingerprint) },
    [
      // query-builder statements only: drizzle's D1 batch cannot bind a raw db.run(sql) statement
      db
        .insert(tallyKeys)
        .select(sql`SELECT ${campaign.id}, ${groupNo}, ${pair.publicKey}, ${shareCount}, ${threshold}, ${now} WHERE ${noBallots}`)
        .onConflictDoUpdate({
          target: [tallyKeys.campaignId, tallyKeys.groupNo],
          set: { publicKey: pair.publicKey, shareCount, threshold, createdAt: now },
        }),
      ...shares.map((s, i) =>
        db
          .update(tallySeats)
          .set({ sealedShare: sealed[i]!, fingerprint: s.fingerprint, downloadedAt: null })
          .where(and(byGroup(tallySeats, campaign.id, groupNo), eq(tallySeats.seatNo, s.seat), noBallots)),
      ),
    ],
  );
  const [stored] = await db.select().from(tallyKeys).where(byGroup(tallyKeys, campaign.id, groupNo));
  if (stored?.publicKey !== pair.publicKey) throw new AppError(409, 'CEREMONY_LOCKED', '本组已有选票,不能重新举行密钥仪式');
  return { publicKey: pair.publicKey, fingerprints: shares.map((s) => ({ seat: s.seat, fingerprint: s.fingerprint })) };
}

/** A custodian takes their share, once: opened with the seat key, then cleared from the database. */
export async function takeShare(db: Db, actor: Actor & { id: string }, campaign: Campaign, groupNo: number, secret: string) {
  const [key] = await db.select().from(tallyKeys).where(byGroup(tallyKeys, campaign.id, groupNo));
  const [seat] = await db.select().from(tallySeats).where(and(byGroup(tallySeats, campaign.id, groupNo), eq(tallySeats.custodianId, actor.id)));
  if (!key || !seat) throw new AppError(404, 'NO_SEAT', '您不是本组密钥仪式的保管人,或仪式尚未举行');
  if (!seat.sealedShare) throw new AppError(410, 'SHARE_TAKEN', '您的密钥分片已经下载过,服务器不再保存,不能再次下载');
  let shareHex: string;
  try {
    const seatKey = await seatKeyFrom(secret, campaign.id, groupNo);
    const bytes = await openShare(seatKey.privateKey, campaign.code, groupNo, seat.seatNo, seat.sealedShare);
    shareHex = [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
  } catch {
    throw new AppError(409, 'SEAT_KEY_CHANGED', '无法打开您的分片:加入仪式后重新登录过。请重新加入席位,并请统计人员重新举行密钥仪式(尚无选票时可以)');
  }
  await audited(db, actor, 'tally.share.take', `tally:${campaign.code}:${groupNo}:${seat.seatNo}`, { seat: seat.seatNo, fingerprint: seat.fingerprint }, [
    db.update(tallySeats).set({ sealedShare: null, downloadedAt: Date.now() }).where(and(byGroup(tallySeats, campaign.id, groupNo), eq(tallySeats.seatNo, seat.seatNo))),
  ]);
  const file: ShareFile = {
    v: 1,
    kind: 'sanmin-tally-share',
    campaign: campaign.code,
    group: groupNo,
    seat: seat.seatNo,
    shareCount: key.shareCount,
    threshold: key.threshold,
    publicKey: key.publicKey,
    share: shareHex,
    fingerprint: seat.fingerprint!,
  };
  return { file, code: printableShare(groupNo, seat.seatNo, shareHex) };
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

/**
 * The group's commitment file as stored at commit (the exact text, served as is), or undefined
 * while the group is not committed, or null for a group committed before the file existed.
 */
export async function commitmentDocument(db: Db, campaignId: string, groupNo: number): Promise<string | null | undefined> {
  const [row] = await db.select({ document: tallyCommitments.document }).from(tallyCommitments).where(byGroup(tallyCommitments, campaignId, groupNo));
  return row ? row.document : undefined;
}

/** The departments and scale a committed group's ballots were cast on: from its commitment file when it has one. */
async function committedShape(db: Db, campaign: Campaign, groupNo: number, document: string | null) {
  if (!document) return tallyShape(db, campaign, groupNo);
  const doc = JSON.parse(document) as GroupCommitment;
  return { departments: doc.departments, scale: doc.scale };
}

/**
 * A custodian hands in their share (file or printed code). It is accepted only if it matches a
 * seat's published fingerprint; each submission is logged. The first k−1 are kept; the k-th is
 * used in memory to unseal at once (and the kept ones are then deleted), never stored.
 */
export async function submitShare(db: Db, actor: Actor, campaign: Campaign, groupNo: number, input: string, atRest: AtRest | undefined) {
  const cipher = requireAtRest(atRest);
  const [key] = await db.select().from(tallyKeys).where(byGroup(tallyKeys, campaign.id, groupNo));
  if (!key) throw new AppError(409, 'NO_TALLY_KEY', '本组尚未举行密钥仪式');
  if (!(await isGroupCommitted(db, campaign.id, groupNo))) throw new AppError(409, 'NOT_COMMITTED', '本组选票集合尚未承诺,不能提交密钥分片');
  if (await isUnsealed(db, campaign.id, groupNo)) throw new AppError(409, 'ALREADY_UNSEALED', '本组已经开启计票');
  const parsed = parseShareInput(input);
  if (!parsed) throw new AppError(422, 'SHARE_UNREADABLE', '无法识别的密钥分片:请上传分片文件,或完整输入打印的分片码', { share: '无法识别的密钥分片' });
  const seats = await db.select({ seatNo: tallySeats.seatNo, fingerprint: tallySeats.fingerprint }).from(tallySeats).where(byGroup(tallySeats, campaign.id, groupNo));
  const seatNo = seatOfShare(campaign.code, groupNo, parsed.shareHex, seats);
  if (!seatNo) throw new AppError(422, 'SHARE_UNKNOWN', '该分片与本组公布的任何分片指纹都不符', { share: '该分片与本组公布的任何分片指纹都不符' });
  const stored = await db.select({ seatNo: tallyUnsealShares.seatNo }).from(tallyUnsealShares).where(byGroup(tallyUnsealShares, campaign.id, groupNo));
  const submitted = stored.length + (stored.some((x) => x.seatNo === seatNo) ? 0 : 1);
  if (submitted >= key.threshold) {
    // the k-th share is never stored: it unseals in memory, so at most k−1 shares are ever at rest,
    // even when unsealing is refused (e.g. a ballot altered after the commitment); its audit entry
    // is written in the unsealing's own batch, so a refused or crashed unsealing leaves none
    const submission: AuditRecord = { actor, action: 'tally.share.submit', target: `tally:${campaign.code}:${groupNo}:${seatNo}`, change: { seat: seatNo, kept: false } };
    await unsealGroup(db, actor, campaign, groupNo, [parsed.shareHex], [submission], cipher);
    return { seatNo, submitted, threshold: key.threshold, unsealed: true };
  }
  await audited(db, actor, 'tally.share.submit', `tally:${campaign.code}:${groupNo}:${seatNo}`, { seat: seatNo, kept: true }, [
    // sealed under the data-encryption key and bound to its seat: a database copy holds no share
    db.insert(tallyUnsealShares).values({ campaignId: campaign.id, groupNo, seatNo, share: await sealText(cipher, secretRows.tallyShare(campaign.id, groupNo, seatNo), parsed.shareHex) }).onConflictDoNothing(),
  ]);
  return { seatNo, submitted, threshold: key.threshold, unsealed: false };
}

export async function isUnsealed(db: Db, campaignId: string, groupNo: number): Promise<boolean> {
  const [row] = await db.select({ at: tallyResults.unsealedAt }).from(tallyResults).where(byGroup(tallyResults, campaignId, groupNo));
  return Boolean(row);
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

/**
 * Unsealing: with at least k fingerprint-checked shares (stored submissions plus `extraShares`),
 * rebuild the key in memory, check it against the tally public key, check the stored ballots
 * against the commitment, decrypt, tally, publish; the shares are deleted and the key buffer
 * zeroed. Fewer than k shares: a clear refusal, nothing changes.
 */
export async function unsealGroup(db: Db, actor: Actor, campaign: Campaign, groupNo: number, extraShares: readonly string[] = [], recordedWith: readonly AuditRecord[] = [], atRest?: AtRest) {
  const [key] = await db.select().from(tallyKeys).where(byGroup(tallyKeys, campaign.id, groupNo));
  if (!key) throw new AppError(409, 'NO_TALLY_KEY', '本组尚未举行密钥仪式');
  const [commitment] = await db.select().from(tallyCommitments).where(byGroup(tallyCommitments, campaign.id, groupNo));
  if (!commitment) throw new AppError(409, 'NOT_COMMITTED', '本组选票集合尚未承诺,不能开启');
  if (await isUnsealed(db, campaign.id, groupNo)) throw new AppError(409, 'ALREADY_UNSEALED', '本组已经开启计票');
  const seats = await db.select({ seatNo: tallySeats.seatNo, fingerprint: tallySeats.fingerprint }).from(tallySeats).where(byGroup(tallySeats, campaign.id, groupNo));
  const bySeat = new Map<number, string>();
  for (const s of await db.select().from(tallyUnsealShares).where(byGroup(tallyUnsealShares, campaign.id, groupNo))) {
    bySeat.set(s.seatNo, await openText(requireAtRest(atRest), secretRows.tallyShare(campaign.id, groupNo, s.seatNo), s.share));
  }
  for (const text of extraShares) {
    const parsed = parseShareInput(text);
    const seat = parsed && seatOfShare(campaign.code, groupNo, parsed.shareHex, seats);
    if (!seat) throw new AppError(422, 'SHARE_UNKNOWN', '有一份分片与本组公布的分片指纹不符');
    bySeat.set(seat, parsed.shareHex);
  }
  if (bySeat.size < key.threshold) {
    throw new AppError(409, 'NOT_ENOUGH_SHARES', `开封本组需要至少 ${key.threshold} 位保管人的密钥分片,目前只有 ${bySeat.size} 份,不能开封`);
  }
  const privateKey = await combineShares([...bySeat.values()].slice(0, key.threshold));
  try {
    if ((await publicKeyOf(privateKey)) !== key.publicKey) throw new AppError(409, 'KEY_MISMATCH', '由分片恢复的密钥与本组公钥不符,不能开启;请联系监督人员');
    const receipts = JSON.parse(commitment.receipts) as string[];
    const stored = await db.select({ receipt: ballots.receipt, ciphertext: ballots.ciphertext }).from(ballots).where(byGroup(ballots, campaign.id, groupNo));
    const storedBy = new Map(stored.map((b) => [b.receipt, b.ciphertext]));
    if (commitmentRoot(campaign.code, groupNo, receipts) !== commitment.root) throw new AppError(409, 'COMMITMENT_MISMATCH', '承诺的回执列表与根摘要不符');
    const hash = await receiptHasher();
    for (const r of receipts) {
      const ct = storedBy.get(r);
      if (ct === undefined) throw new AppError(409, 'COMMITMENT_MISMATCH', `承诺中的选票 ${r} 已不在库中,不能开启`);
      if (hash(ct) !== r) throw new AppError(409, 'COMMITMENT_MISMATCH', `选票 ${r} 的密文被改动(与回执不符),不能开启`);
    }
    if (stored.length !== receipts.length) {
      const extra = stored.find((b) => !receipts.includes(b.receipt));
      throw new AppError(409, 'COMMITMENT_MISMATCH', `库中有承诺之外的选票${extra ? ` ${extra.receipt}` : ''},不能开启`);
    }
    if (commitment.document && (JSON.parse(commitment.document) as GroupCommitment).publicKey !== key.publicKey) {
      throw new AppError(409, 'COMMITMENT_MISMATCH', '本组公钥与承诺文件中的公钥不符,不能开启;请联系监督人员');
    }
    // the tally runs on the departments and scale fixed in the commitment, not on today's tables
    const shape = await committedShape(db, campaign, groupNo, commitment.document);
    const positions = new Set(shape.scale.map((o) => o.position));
    const shapeDigest = ballotShapeDigest([...shape.departments].sort((a, b) => a.position - b.position).map((d) => d.name), [...shape.scale].sort((a, b) => a.position - b.position).map((o) => o.label));
    const opened = await openBallots(privateKey, campaign.code, groupNo, receipts.map((r) => storedBy.get(r)!), shape.departments.length, positions, { shape: shapeDigest });
    const tally = tallyGroup({ campaign: campaign.code, group: groupNo, departments: shape.departments, scale: shape.scale, ballots: opened });
    const decrypted = shuffled(opened);
    const row = { campaignId: campaign.id, groupNo, decrypted: JSON.stringify(decrypted), tally: JSON.stringify(tally), privateKey: b64url(privateKey), unsealedAt: Date.now() };
    const unseal: AuditRecord = {
      actor,
      action: 'tally.unseal',
      target: `tally:${campaign.code}:${groupNo}`,
      change: { root: commitment.root, seats: [...bySeat.keys()].sort((a, b) => a - b), ballots: receipts.length },
    };
    await auditedAll(db, [...recordedWith, unseal], [db.insert(tallyResults).values(row), db.delete(tallyUnsealShares).where(byGroup(tallyUnsealShares, campaign.id, groupNo))]);
    return tally;
  } finally {
    privateKey.fill(0);
  }
}

/** The group's published tally, or undefined while sealed (the only read of results). */
export async function loadTally(db: Db, campaignId: string, groupNo: number): Promise<GroupTally | undefined> {
  const [row] = await db.select({ tally: tallyResults.tally }).from(tallyResults).where(byGroup(tallyResults, campaignId, groupNo));
  return row ? (JSON.parse(row.tally) as GroupTally) : undefined;
}

/**
 * The published result file of an unsealed group, assembled from what is stored (ciphertexts
 * from `ballots`, receipts and root from the commitment), so an edit after publication shows up
 * in verification. Undefined while the group is sealed. The private key is included only in
 * the audit edition (`withKey`), see the README on why the public edition omits it.
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
    ...(opts.withKey ? { privateKey: result.privateKey } : {}),
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
