/**
 * The published result of a group and its verification. No database: the verify CLI, the tests
 * and the server (before serving its own publication) all run `verifyPublishedResult`.
 */
import { Aes128Gcm, CipherSuite, DhkemX25519HkdfSha256, HkdfSha256 } from '@hpke/core';
import { canonicalJson } from '../lib/crypto';
import { commitmentRoot, isReceipt } from './ceremony.core';
import { commitmentProblem, resultCommitmentMismatch, type GroupCommitment } from './commitment.core';
import { receiptHasher } from './digest.core';
import { fastOpener } from './hpke-fast.core';
import { ballotShapeDigest, decodeBallot, fromB64url, publicKeyOf, type BallotContent } from './seal.core';
import { tallyGroup, wellFormed, type DecryptedBallot, type DepartmentRef, type GroupTally, type ScaleOption } from './tally.core';

export interface PublishedResult {
  v: 1;
  kind: 'sanmin-tally-result';
  campaign: string;
  group: number;
  publicKey: string;
  shareCount: number;
  threshold: number;
  departments: DepartmentRef[];
  scale: ScaleOption[];
  commitment: { root: string; ballotCount: number; committedAt: string };
  /** Every ballot as stored, sorted by receipt: receipt = SHA-256 of the ciphertext text. */
  ballots: { receipt: string; ciphertext: string }[];
  /** The decrypted ballots in a random order, unlinked from receipts; null = did not decrypt to a ballot of this group. */
  decrypted: DecryptedBallot[];
  tally: GroupTally;
  unsealedAt: string;
  /** The reconstructed tally private key (base64url): only in the audit edition. */
  privateKey?: string;
}

const suite = new CipherSuite({ kem: new DhkemX25519HkdfSha256(), kdf: new HkdfSha256(), aead: new Aes128Gcm() });
const ENC_LENGTH = 32;
const infoFor = (campaign: string, group: number) => new TextEncoder().encode(`sanmin-ballot-v1|${campaign}|${group}`);

/**
 * Opens many ballots with one key: the key is imported once and ballots are opened in parallel
 * batches (WebCrypto work runs off the main thread on Node). A ballot that does not open, or
 * opens to another campaign/group or a malformed ballot, yields null (counted as invalid).
 */
export async function openBallots(privateKey: Uint8Array, campaign: string, group: number, ciphertexts: readonly string[], departmentCount: number, positions: ReadonlySet<number>, opts: { fast?: boolean; shape?: string } = {}): Promise<DecryptedBallot[]> {
  // a ballot that names another shape than the group's was sealed against other names: invalid
  const sameShape = (content: BallotContent) => content.shape === undefined || opts.shape === undefined || content.shape === opts.shape;
  const fast = opts.fast === false ? undefined : await fastOpener(privateKey, campaign, group);
  if (fast) {
    return ciphertexts.map((ciphertext) => {
      try {
        const content = fast(ciphertext);
        if (content.campaign !== campaign || content.group !== group || !sameShape(content)) return null;
        return wellFormed(content.answers, departmentCount, positions);
      } catch {
        return null;
      }
    });
  }
  const sk = await suite.kem.deserializePrivateKey(privateKey.slice().buffer as ArrayBuffer);
  const info = infoFor(campaign, group);
  const openOne = async (ciphertext: string): Promise<DecryptedBallot> => {
    try {
      const bytes = fromB64url(ciphertext);
      const recipient = await suite.createRecipientContext({ recipientKey: sk, enc: bytes.slice(0, ENC_LENGTH).buffer as ArrayBuffer, info });
      const content = decodeBallot(new Uint8Array(await recipient.open(bytes.slice(ENC_LENGTH).buffer as ArrayBuffer)));
      if (content.campaign !== campaign || content.group !== group || !sameShape(content)) return null;
      return wellFormed(content.answers, departmentCount, positions);
    } catch {
      return null;
    }
  };
  const out: DecryptedBallot[] = new Array(ciphertexts.length);
  const BATCH = 256;
  for (let i = 0; i < ciphertexts.length; i += BATCH) {
    const part = await Promise.all(ciphertexts.slice(i, i + BATCH).map(openOne));
    part.forEach((b, j) => (out[i + j] = b));
  }
  return out;
}

export type Verdict = { ok: true; ballots: number; decryptionChecked: boolean } | { ok: false; reason: string };

const fail = (reason: string): Verdict => ({ ok: false, reason });

/** Multiset equality of decrypted ballots, by canonical text. */
function sameMultiset(a: readonly DecryptedBallot[], b: readonly DecryptedBallot[]): boolean {
  if (a.length !== b.length) return false;
  const counts = new Map<string, number>();
  for (const x of a) counts.set(JSON.stringify(x), (counts.get(JSON.stringify(x)) ?? 0) + 1);
  for (const x of b) {
    const k = JSON.stringify(x);
    const n = counts.get(k) ?? 0;
    if (n === 0) return false;
    counts.set(k, n - 1);
  }
  return true;
}

/**
 * Checks a published result: the root over the receipts, each ciphertext against its receipt
 * (naming the first one that differs), the decryptions against the ciphertexts when the file
 * carries the private key, and the tally recomputed from the decrypted ballots.
 */
export async function verifyPublishedResult(data: unknown): Promise<Verdict> {
  const r = data as Partial<PublishedResult> | null;
  if (!r || typeof r !== 'object' || r.kind !== 'sanmin-tally-result' || r.v !== 1) return fail('not a Sanmin published result (kind/v)');
  if (typeof r.campaign !== 'string' || !Number.isInteger(r.group)) return fail('campaign or group missing');
  if (!r.commitment || !Array.isArray(r.ballots) || !Array.isArray(r.decrypted) || !r.tally || !Array.isArray(r.departments) || !Array.isArray(r.scale)) {
    return fail('commitment, ballots, decrypted, tally, departments or scale missing');
  }
  const campaign = r.campaign;
  const group = r.group!;
  const receipts = r.ballots.map((b) => b?.receipt);
  for (const [i, rc] of receipts.entries()) if (!isReceipt(rc)) return fail(`ballot #${i + 1}: receipt is not a SHA-256 hex digest`);
  for (let i = 1; i < receipts.length; i++) {
    if (!(receipts[i - 1]! < receipts[i]!)) return fail(`receipts are not sorted and unique at ${receipts[i]}`);
  }
  if (receipts.length !== r.commitment.ballotCount) {
    return fail(`the file lists ${receipts.length} ballots but the commitment says ${r.commitment.ballotCount}`);
  }
  const root = commitmentRoot(campaign, group, receipts as string[]);
  if (root !== r.commitment.root) return fail(`root mismatch: the receipts hash to ${root}, the commitment published ${r.commitment.root}`);
  const hash = await receiptHasher();
  for (const b of r.ballots) {
    if (typeof b.ciphertext !== 'string' || hash(b.ciphertext) !== b.receipt) {
      return fail(`ballot ${b.receipt}: its ciphertext does not hash to its receipt (the stored ballot was altered)`);
    }
  }
  if (r.decrypted.length !== r.ballots.length) return fail(`${r.decrypted.length} decrypted ballots for ${r.ballots.length} ciphertexts`);
  let decryptionChecked = false;
  if (typeof r.privateKey === 'string') {
    let key: Uint8Array;
    try {
      key = fromB64url(r.privateKey);
      if ((await publicKeyOf(key)) !== r.publicKey) return fail('the published private key does not belong to the tally public key');
    } catch {
      return fail('the published private key is not an X25519 key');
    }
    const positions = new Set(r.scale.map((o) => o.position));
    const shape = ballotShapeDigest([...r.departments].sort((a, b) => a.position - b.position).map((d) => d.name), [...r.scale].sort((a, b) => a.position - b.position).map((o) => o.label));
    const opened = await openBallots(key, campaign, group, r.ballots.map((b) => b.ciphertext), r.departments.length, positions, { shape });
    if (!sameMultiset(opened, r.decrypted)) {
      const missing = r.ballots.find((_, i) => !r.decrypted!.some((d) => JSON.stringify(d) === JSON.stringify(opened[i])));
      return fail(`decrypted ballots do not match the ciphertexts${missing ? ` (ballot ${missing.receipt} decrypts to a ballot not in the list)` : ''}`);
    }
    decryptionChecked = true;
  }
  const tally = tallyGroup({ campaign, group, departments: r.departments, scale: r.scale, ballots: r.decrypted });
  if (canonicalJson(tally) !== canonicalJson(r.tally)) {
    const bad = tally.departments.find((d, i) => canonicalJson(d) !== canonicalJson(r.tally!.departments?.[i]));
    return fail(bad ? `tally mismatch for ${bad.name}` : 'tally mismatch (ballot totals)');
  }
  return { ok: true, ballots: r.ballots.length, decryptionChecked };
}

export type CommitmentVerdict = { ok: true; ballots: number; decryptionChecked: boolean; commitmentDigest: string } | { ok: false; reason: string };

/**
 * A result checked against the commitment published at closing: the commitment on its own
 * (shape, root over its receipts, digest), the result on its own (`verifyPublishedResult`), then
 * every input the commitment fixes (campaign, group, tally key, custodians, departments in order,
 * the scale with weights and valid/satisfied flags, ballot count, receipts, root), naming the first
 * that differs. What no file can show without the private key: whether the decrypted ballots of the
 * public edition are the ones the ciphertexts hold (see the README, P6).
 */
export async function verifyAgainstCommitment(data: unknown, commitment: unknown): Promise<CommitmentVerdict> {
  const problem = commitmentProblem(commitment);
  if (problem) return { ok: false, reason: `the commitment file is not valid: ${problem}` };
  const verdict = await verifyPublishedResult(data);
  if (!verdict.ok) return verdict;
  const c = commitment as GroupCommitment;
  const mismatch = resultCommitmentMismatch(data as PublishedResult, c);
  if (mismatch) return { ok: false, reason: `the result does not match the commitment published at closing: ${mismatch}` };
  return { ...verdict, commitmentDigest: c.digest };
}
