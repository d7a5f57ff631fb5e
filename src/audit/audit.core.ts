import { canonicalJson, sha256Hex } from '../lib/crypto';

/** The hash a chain starts from. */
export const GENESIS_HASH = '0'.repeat(64);

export interface AuditFields {
  at: number;
  actorId: string | null;
  actorName: string;
  action: string;
  target: string;
  digest: string;
}

export interface AuditRow extends AuditFields {
  seq: number;
  prevHash: string;
  hash: string;
}

/** Digest of what changed; the log keeps only this, so secrets in a change never land in it. */
export function changeDigest(change: unknown): string {
  return sha256Hex(canonicalJson(change ?? null));
}

export function linkHash(seq: number, fields: AuditFields, prevHash: string): string {
  return sha256Hex(canonicalJson({ seq, ...fields, prevHash }));
}

export function nextEntry(prev: { seq: number; hash: string } | undefined, fields: AuditFields): AuditRow {
  const seq = (prev?.seq ?? 0) + 1;
  const prevHash = prev?.hash ?? GENESIS_HASH;
  return { seq, ...fields, prevHash, hash: linkHash(seq, fields, prevHash) };
}

export type ChainVerdict =
  | { ok: true; count: number; head: string }
  | { ok: false; count: number; brokenAt: number; reason: string };

/** Walks the chain in seq order and names the first row whose link or content does not hold. */
export function verifyChain(rows: readonly AuditRow[]): ChainVerdict {
  let prev: { seq: number; hash: string } = { seq: 0, hash: GENESIS_HASH };
  for (const row of rows) {
    if (row.seq !== prev.seq + 1) {
      return { ok: false, count: rows.length, brokenAt: prev.seq + 1, reason: `第 ${prev.seq + 1} 条记录缺失(下一条为第 ${row.seq} 条)` };
    }
    if (row.prevHash !== prev.hash) {
      return { ok: false, count: rows.length, brokenAt: row.seq, reason: `第 ${row.seq} 条记录的前序哈希与第 ${prev.seq} 条不符` };
    }
    const { seq, prevHash, hash, ...fields } = row;
    if (linkHash(seq, fields, prevHash) !== hash) {
      return { ok: false, count: rows.length, brokenAt: row.seq, reason: `第 ${row.seq} 条记录的内容已被改动(哈希不符)` };
    }
    prev = row;
  }
  return { ok: true, count: rows.length, head: prev.hash };
}
