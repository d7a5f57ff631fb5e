/**
 * Unsealing on the custodians' side (`npm run unseal`, the rehearsal, later a browser page), and
 * what the server checks of the result they post. Pure: no database, no network.
 *
 * The custodians take the commitment file (published at closing) and the committed ballots file
 * (ciphertexts and receipts, served after the commit), rebuild the key from k shares, check it
 * against the published public key, check the ciphertexts against the commitment (each against
 * its receipt, count and root), decrypt, tally, and write the result with the ballots in a random
 * order. The server never sees the key or a share; it accepts a result only if its count, root and
 * tally recompute from what it stores and what was posted (it cannot check the decryptions: any k
 * custodians can re-run this later, README P6).
 */
import { canonicalJson } from '../lib/crypto';
import { combineShares, commitmentRoot, isReceipt, parseShareInput, shareFingerprint, shuffled, type ShareFile } from './ceremony.core';
import { commitmentProblem, type GroupCommitment } from './commitment.core';
import { receiptHasher } from './digest.core';
import { b64url, ballotShapeDigest, publicKeyOf } from './seal.core';
import { tallyGroup, wellFormed, type DecryptedBallot, type GroupTally } from './tally.core';
import { openBallots, type PublishedResult } from './verify.core';

/** The committed ballots of a group, served after the commit (GET …/tally/ballots). */
export interface BallotsFile {
  v: 1;
  kind: 'sanmin-tally-ballots';
  campaign: string;
  group: number;
  publicKey: string;
  root: string;
  ballotCount: number;
  /** Sorted by receipt, as in the commitment. */
  ballots: { receipt: string; ciphertext: string }[];
}

export class UnsealError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The shares given, read and checked against their own fingerprints and this group; at most one per seat. */
export function readShares(inputs: readonly string[], campaign: string, group: number): Map<number, string> {
  const bySeat = new Map<number, string>();
  for (const text of inputs) {
    const parsed = parseShareInput(text);
    if (!parsed) throw new UnsealError('SHARE_UNREADABLE', '有一份分片无法识别');
    let file: Partial<ShareFile> = {};
    try {
      file = text.trim().startsWith('{') ? (JSON.parse(text) as ShareFile) : {};
    } catch {
      /* a printed code */
    }
    if (file.campaign !== undefined && file.campaign !== campaign) throw new UnsealError('SHARE_OTHER_GROUP', `有一份分片属于评议活动 ${String(file.campaign)},不是 ${campaign}`);
    if (parsed.group !== null && parsed.group !== group) throw new UnsealError('SHARE_OTHER_GROUP', `有一份分片属于第 ${parsed.group} 组,不是第 ${group} 组`);
    const seat = parsed.seat;
    if (seat === null) throw new UnsealError('SHARE_UNREADABLE', '分片没有标明席位(请使用分片文件或带 “组-席:” 前缀的分片码)');
    if (file.fingerprint !== undefined && file.fingerprint !== shareFingerprint(campaign, group, seat, parsed.shareHex)) {
      throw new UnsealError('SHARE_FINGERPRINT', `第 ${seat} 席的分片与其指纹不符`);
    }
    bySeat.set(seat, parsed.shareHex);
  }
  return bySeat;
}

/**
 * Checks the ballots file against the commitment: same group and key, the same receipts, every
 * ciphertext hashing to its receipt. Names the first ballot that differs.
 */
export async function ballotsProblem(commitment: GroupCommitment, ballots: BallotsFile): Promise<string | null> {
  if (ballots?.kind !== 'sanmin-tally-ballots' || ballots.v !== 1 || !Array.isArray(ballots.ballots)) return '这不是三民已承诺选票文件';
  if (ballots.campaign !== commitment.campaign || ballots.group !== commitment.group) return '选票文件与承诺文件不是同一评议组';
  if (ballots.publicKey !== commitment.publicKey) return '选票文件中的计票公钥与承诺文件不符';
  if (ballots.ballots.length !== commitment.ballotCount) return `选票文件有 ${ballots.ballots.length} 张选票,承诺文件为 ${commitment.ballotCount} 张`;
  const hash = await receiptHasher();
  for (const [i, b] of ballots.ballots.entries()) {
    if (b?.receipt !== commitment.receipts[i]) return `选票文件第 ${i + 1} 张的回执 ${String(b?.receipt)} 不在承诺中的这个位置`;
    if (typeof b.ciphertext !== 'string' || hash(b.ciphertext) !== b.receipt) return `选票 ${b.receipt} 的密文与回执不符(被改动过)`;
  }
  if (commitmentRoot(commitment.campaign, commitment.group, ballots.ballots.map((b) => b.receipt)) !== commitment.root) return '选票回执算出的根摘要与承诺不符';
  return null;
}

/** Decryption in chunks of `chunk` ballots, `report` awaited after each (a browser page yields to the UI there). */
export interface UnsealProgress {
  chunk?: number;
  report(done: number, total: number): void | Promise<void>;
}

/**
 * The key from k shares, checked against the published public key: the one rebuilding both the
 * ballots' and the surveys' unsealing use (a survey's scope string stands in for the campaign,
 * group 0, so a group's share never rebuilds a survey's key, nor back). The caller zeroes it.
 */
export async function rebuildKey(
  scope: { campaign: string; group: number; threshold: number; publicKey: string },
  shareInputs: readonly string[],
  what = { unit: '本组', mismatch: '由分片恢复的密钥与本组公钥不符:有分片不属于本组或已损坏' },
): Promise<{ privateKey: Uint8Array; seats: number[] }> {
  const bySeat = readShares(shareInputs, scope.campaign, scope.group);
  if (bySeat.size < scope.threshold) {
    throw new UnsealError('NOT_ENOUGH_SHARES', `开封${what.unit}需要至少 ${scope.threshold} 位保管人的分片,目前只有 ${bySeat.size} 份`);
  }
  const seats = [...bySeat.keys()].sort((a, b) => a - b);
  const privateKey = await combineShares(seats.map((s) => bySeat.get(s)!));
  let derived = '';
  try {
    derived = await publicKeyOf(privateKey);
  } catch {
    /* not a key */
  }
  if (derived !== scope.publicKey) {
    privateKey.fill(0);
    throw new UnsealError('KEY_MISMATCH', what.mismatch);
  }
  return { privateKey, seats };
}

/**
 * The whole unsealing with k shares. Returns the public edition (what is posted and published)
 * and the audit edition (the same plus the rebuilt private key, kept by the custodians).
 */
export async function unsealWithShares(
  commitment: GroupCommitment,
  ballots: BallotsFile,
  shareInputs: readonly string[],
  now: Date = new Date(),
  progress?: UnsealProgress,
): Promise<{ result: PublishedResult; auditEdition: PublishedResult; seats: number[] }> {
  const problem = commitmentProblem(commitment);
  if (problem) throw new UnsealError('COMMITMENT_INVALID', `承诺文件无效:${problem}`);
  const ballotsBad = await ballotsProblem(commitment, ballots);
  if (ballotsBad) throw new UnsealError('COMMITMENT_MISMATCH', ballotsBad);
  const { privateKey, seats } = await rebuildKey(commitment, shareInputs);
  try {
    const positions = new Set(commitment.scale.map((o) => o.position));
    // a ballot sealed against other department or option names than the committed ones counts as invalid
    const shape = ballotShapeDigest([...commitment.departments].sort((a, b) => a.position - b.position).map((d) => d.name), [...commitment.scale].sort((a, b) => a.position - b.position).map((o) => o.label));
    const ciphertexts = ballots.ballots.map((b) => b.ciphertext);
    let opened: DecryptedBallot[];
    if (!progress) opened = await openBallots(privateKey, commitment.campaign, commitment.group, ciphertexts, commitment.departments.length, positions, { shape });
    else {
      // in chunks, reporting after each, so a page can show ballots opened / total and stay responsive
      opened = [];
      const chunk = Math.max(1, progress.chunk ?? 100);
      await progress.report(0, ciphertexts.length);
      for (let i = 0; i < ciphertexts.length; i += chunk) {
        opened.push(...(await openBallots(privateKey, commitment.campaign, commitment.group, ciphertexts.slice(i, i + chunk), commitment.departments.length, positions, { shape })));
        await progress.report(opened.length, ciphertexts.length);
      }
    }
    const tally = tallyGroup({ campaign: commitment.campaign, group: commitment.group, departments: commitment.departments, scale: commitment.scale, ballots: opened });
    const result: PublishedResult = {
      v: 1,
      kind: 'sanmin-tally-result',
      campaign: commitment.campaign,
      group: commitment.group,
      publicKey: commitment.publicKey,
      shareCount: commitment.shareCount,
      threshold: commitment.threshold,
      departments: commitment.departments,
      scale: commitment.scale,
      commitment: { root: commitment.root, ballotCount: commitment.ballotCount, committedAt: commitment.committedAt },
      ballots: ballots.ballots.map(({ receipt, ciphertext }) => ({ receipt, ciphertext })),
      decrypted: shuffled(opened),
      tally,
      unsealedAt: now.toISOString(),
    };
    return { result, auditEdition: { ...result, privateKey: b64url(privateKey) }, seats };
  } finally {
    privateKey.fill(0);
  }
}

/** What the server keeps of a posted result: the decrypted ballots in their posted order, and the tally. */
export interface PostedResult {
  decrypted: DecryptedBallot[];
  tally: GroupTally;
}

/**
 * What the server checks of a posted result (null = accepted): no private key in it; the count,
 * the root and the receipts it names are the commitment's; every decrypted ballot is a ballot
 * of this group's shape or null; and the tally recomputes from the decrypted ballots on the
 * committed departments and scale.
 */
export function checkPostedResult(data: unknown, commitment: GroupCommitment): { ok: false; code: string; message: string } | { ok: true; posted: PostedResult } {
  const bad = (code: string, message: string) => ({ ok: false as const, code, message });
  const r = data as Partial<PublishedResult> | null;
  if (!r || typeof r !== 'object' || r.kind !== 'sanmin-tally-result' || r.v !== 1) return bad('RESULT_UNREADABLE', '这不是三民计票结果文件');
  if ('privateKey' in r) return bad('RESULT_WITH_KEY', '请上传公开版结果文件:服务器不接收计票私钥(审计版由保管人保存)');
  if (r.campaign !== commitment.campaign || r.group !== commitment.group) return bad('RESULT_OTHER_GROUP', '结果文件不是本组的');
  if (r.publicKey !== commitment.publicKey) return bad('RESULT_MISMATCH', '结果文件中的计票公钥与承诺不符');
  if (!r.commitment || r.commitment.root !== commitment.root || r.commitment.ballotCount !== commitment.ballotCount) {
    return bad('ROOT_MISMATCH', `结果文件的根摘要或选票数与承诺不符(承诺:${commitment.ballotCount} 张,根摘要 ${commitment.root.slice(0, 16)}…)`);
  }
  if (r.ballots !== undefined) {
    if (!Array.isArray(r.ballots) || r.ballots.length !== commitment.ballotCount || !r.ballots.every((b, i) => isReceipt(b?.receipt) && b.receipt === commitment.receipts[i])) {
      return bad('ROOT_MISMATCH', '结果文件列出的回执与承诺不符');
    }
    if (commitmentRoot(commitment.campaign, commitment.group, r.ballots.map((b) => b.receipt)) !== commitment.root) return bad('ROOT_MISMATCH', '结果文件的回执算出的根摘要与承诺不符');
  }
  if (!Array.isArray(r.decrypted) || r.decrypted.length !== commitment.ballotCount) {
    return bad('COUNT_MISMATCH', `结果文件有 ${Array.isArray(r.decrypted) ? r.decrypted.length : 0} 张解密选票,承诺为 ${commitment.ballotCount} 张`);
  }
  const positions = new Set(commitment.scale.map((o) => o.position));
  for (const [i, d] of r.decrypted.entries()) {
    if (d !== null && wellFormed(d, commitment.departments.length, positions) === null) return bad('RESULT_MALFORMED', `第 ${i + 1} 张解密选票不是本组选票的格式(无效票应记为 null)`);
  }
  const tally = tallyGroup({ campaign: commitment.campaign, group: commitment.group, departments: commitment.departments, scale: commitment.scale, ballots: r.decrypted });
  if (!r.tally || canonicalJson(tally) !== canonicalJson(r.tally)) return bad('TALLY_MISMATCH', '结果文件中的统计与由解密选票重算的统计不符');
  return { ok: true, posted: { decrypted: r.decrypted, tally } };
}
