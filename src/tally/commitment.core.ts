/**
 * The commitment file of a group, published at closing (before any unsealing) and checked by
 * `npm run verify -- <result.json> --commitment <commitment.json>`. Pure: no I/O.
 *
 * It fixes everything a result depends on, so a result file can only verify against it if it
 * was computed from exactly these inputs:
 * - campaign and group;
 * - the group's departments in report order (position 1..n and name): a ballot's i-th answer
 *   belongs to the i-th of them;
 * - the whole scale: every option's position, label, weight and whether it counts as valid and as
 *   satisfied (what the satisfaction rate and the score are made of);
 * - the tally public key every ballot was sealed to, and the custodians' k of n;
 * - the number of ballots, their sorted receipts and the root over them (ceremony.core.ts);
 * - when it was committed.
 * `digest` = SHA-256("sanmin-commitment-file-v1\n" + canonical JSON of every other field): a
 * short value to print, read out or compare with a copy, and a check that the file is whole.
 */
import { canonicalJson, sha256Hex } from '../lib/crypto';
import { commitmentRoot, isReceipt } from './ceremony.core';
import type { DepartmentRef, ScaleOption } from './tally.core';

export interface GroupCommitment {
  v: 1;
  kind: 'sanmin-tally-commitment';
  campaign: string;
  group: number;
  departments: DepartmentRef[];
  scale: ScaleOption[];
  publicKey: string;
  shareCount: number;
  threshold: number;
  ballotCount: number;
  root: string;
  receipts: string[];
  committedAt: string;
  digest: string;
}

/** What the commit reads; the count, the root and the digest are computed from it. */
export type CommitmentBody = Omit<GroupCommitment, 'v' | 'kind' | 'digest' | 'root' | 'ballotCount'>;

const DIGEST_DOMAIN = 'sanmin-commitment-file-v1\n';

function digestOf(doc: Omit<GroupCommitment, 'digest'>): string {
  return sha256Hex(DIGEST_DOMAIN + canonicalJson(doc));
}

/** The commitment of a group, from what is stored at the moment of the commit. */
export function buildCommitment(body: CommitmentBody): GroupCommitment {
  const receipts = [...body.receipts].sort();
  const doc: Omit<GroupCommitment, 'digest'> = {
    v: 1,
    kind: 'sanmin-tally-commitment',
    campaign: body.campaign,
    group: body.group,
    departments: [...body.departments].sort((a, b) => a.position - b.position).map(({ position, name }) => ({ position, name })),
    scale: [...body.scale].sort((a, b) => a.position - b.position).map(({ position, label, weight, valid, satisfied }) => ({ position, label, weight, valid, satisfied })),
    publicKey: body.publicKey,
    shareCount: body.shareCount,
    threshold: body.threshold,
    ballotCount: receipts.length,
    root: commitmentRoot(body.campaign, body.group, receipts),
    receipts,
    committedAt: body.committedAt,
  };
  return { ...doc, digest: digestOf(doc) };
}

const isInt = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n);

/**
 * What is wrong with a commitment file on its own (null when nothing): its shape, the count and
 * the root against its receipts, and its digest. A commitment that fails here proves nothing.
 */
export function commitmentProblem(data: unknown): string | null {
  const c = data as Partial<GroupCommitment> | null;
  if (!c || typeof c !== 'object' || c.kind !== 'sanmin-tally-commitment' || c.v !== 1) return 'not a Sanmin commitment file (kind/v)';
  if (typeof c.campaign !== 'string' || !isInt(c.group)) return 'campaign or group missing';
  if (!Array.isArray(c.departments) || !c.departments.every((d) => d && isInt(d.position) && typeof d.name === 'string')) return 'departments missing or malformed';
  if (!Array.isArray(c.scale) || !c.scale.every((o) => o && isInt(o.position) && typeof o.label === 'string' && (o.weight === null || typeof o.weight === 'number') && typeof o.valid === 'boolean' && typeof o.satisfied === 'boolean')) {
    return 'scale missing or malformed';
  }
  if (typeof c.publicKey !== 'string' || !isInt(c.shareCount) || !isInt(c.threshold)) return 'tally public key or custodians missing';
  if (!Array.isArray(c.receipts) || !c.receipts.every(isReceipt)) return 'receipts missing or not SHA-256 hex digests';
  for (let i = 1; i < c.receipts.length; i++) if (!(c.receipts[i - 1]! < c.receipts[i]!)) return `receipts are not sorted and unique at ${c.receipts[i]}`;
  if (c.ballotCount !== c.receipts.length) return `it lists ${c.receipts.length} receipts but says ${String(c.ballotCount)} ballots`;
  if (typeof c.root !== 'string' || commitmentRoot(c.campaign, c.group, c.receipts) !== c.root) return 'its root is not the root over its receipts';
  if (typeof c.committedAt !== 'string') return 'committedAt missing';
  const { digest, ...rest } = c as GroupCommitment;
  if (digest !== digestOf(rest)) return 'its digest does not match its content (the file was edited)';
  return null;
}

/** What a result file states about the inputs the commitment fixes. */
export interface ResultInputs {
  campaign: string;
  group: number;
  publicKey: string;
  shareCount: number;
  threshold: number;
  departments: readonly DepartmentRef[];
  scale: readonly ScaleOption[];
  commitment: { root: string; ballotCount: number; committedAt: string };
  ballots: readonly { receipt: string }[];
  tally: { campaign: string; group: number; scale: readonly ScaleOption[] };
}

const show = (v: unknown) => JSON.stringify(v);

/**
 * The first field in which a result differs from the commitment (null when none), named so
 * that a reader can find it in both files. Assumes the commitment passed `commitmentProblem`.
 */
export function resultCommitmentMismatch(r: ResultInputs, c: GroupCommitment): string | null {
  const field = (name: string, got: unknown, want: unknown) => (show(got) === show(want) ? null : `${name}: the result says ${show(got)}, the commitment ${show(want)}`);
  const simple =
    field('campaign', r.campaign, c.campaign) ??
    field('group', r.group, c.group) ??
    field('publicKey (the tally key the ballots were sealed to)', r.publicKey, c.publicKey) ??
    field('shareCount', r.shareCount, c.shareCount) ??
    field('threshold', r.threshold, c.threshold);
  if (simple) return simple;
  if (r.departments.length !== c.departments.length) return `departments: the result lists ${r.departments.length}, the commitment ${c.departments.length}`;
  for (let i = 0; i < c.departments.length; i++) {
    const got = r.departments[i]!;
    const want = c.departments[i]!;
    const m = field(`departments[${i}].position`, got.position, want.position) ?? field(`departments[${i}].name (report position ${want.position})`, got.name, want.name);
    if (m) return m;
  }
  for (const [name, scale] of [['scale', r.scale], ['tally.scale', r.tally.scale]] as const) {
    if (scale.length !== c.scale.length) return `${name}: the result lists ${scale.length} options, the commitment ${c.scale.length}`;
    for (let i = 0; i < c.scale.length; i++) {
      for (const key of ['position', 'label', 'weight', 'valid', 'satisfied'] as const) {
        const m = field(`${name}[${i}].${key} (option ${c.scale[i]!.label})`, scale[i]![key], c.scale[i]![key]);
        if (m) return m;
      }
    }
  }
  const counts =
    field('tally.campaign', r.tally.campaign, c.campaign) ??
    field('tally.group', r.tally.group, c.group) ??
    field('commitment.ballotCount', r.commitment.ballotCount, c.ballotCount) ??
    field('the number of ballots', r.ballots.length, c.ballotCount);
  if (counts) return counts;
  const listed = new Set(r.ballots.map((b) => b.receipt));
  const missing = c.receipts.find((x) => !listed.has(x));
  if (missing) return `ballot ${missing} is in the commitment but not in the result`;
  const known = new Set(c.receipts);
  const extra = r.ballots.find((b) => !known.has(b.receipt));
  if (extra) return `ballot ${extra.receipt} is in the result but not in the commitment`;
  return field('commitment.root', r.commitment.root, c.root) ?? field('commitment.committedAt', r.commitment.committedAt, c.committedAt);
}
