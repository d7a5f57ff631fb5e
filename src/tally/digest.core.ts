/**
 * SHA-256 hex of many ciphertexts (receipts), for checking thousands of ballots against their
 * receipts at commit, unseal and verify time. node:crypto where present (about 20× faster than
 * pure JS on 700-byte inputs), else @noble/hashes; both give the same digest as `ballotReceipt`.
 */
import { sha256Hex } from '../lib/crypto';

type Hasher = (text: string) => string;
let hasher: Promise<Hasher> | undefined;

export function receiptHasher(): Promise<Hasher> {
  hasher ??= import('node:crypto')
    .then((nc) => {
      if (typeof nc.createHash !== 'function') return sha256Hex;
      const fast: Hasher = (text) => nc.createHash('sha256').update(text, 'utf8').digest('hex');
      return fast('sanmin') === sha256Hex('sanmin') ? fast : sha256Hex;
    })
    .catch(() => sha256Hex);
  return hasher;
}
