import { scrypt } from 'node:crypto';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { constantTimeEqual } from './crypto';

// OWASP's scrypt equivalent of N=2^17,r=8,p=1 that fits a Worker's 128 MB: N=2^15, r=8, p=3 (32 MB).
// node:crypto's native scrypt runs on Node and in workerd (nodejs_compat): about 300 ms a hash.
const DEFAULT = { N: 2 ** 15, r: 8, p: 3 } as const;
const DK_LEN = 32;

function derive(password: string, salt: Uint8Array, N: number, r: number, p: number): Promise<Uint8Array> {
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFKC'), salt, DK_LEN, { N, r, p, maxmem: 256 * N * r + 1024 * 1024 }, (err, key) =>
      err ? reject(err) : resolve(new Uint8Array(key)),
    ),
  );
}

/** Format: scrypt$N$r$p$saltHex$hashHex, so parameters can be raised later without breaking old hashes. */
export async function hashPassword(password: string): Promise<string> {
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const { N, r, p } = DEFAULT;
  return ['scrypt', N, r, p, bytesToHex(salt), bytesToHex(await derive(password, salt, N, r, p))].join('$');
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [alg, n, r, p, saltHex, hashHex] = stored.split('$');
  if (alg !== 'scrypt' || !n || !r || !p || !saltHex || !hashHex) return false;
  const dk = await derive(password, hexToBytes(saltHex), Number(n), Number(r), Number(p));
  return constantTimeEqual(bytesToHex(dk), hashHex);
}

/** A hash of nothing, checked when the user does not exist so both paths cost the same. */
export const DUMMY_HASH = 'scrypt$32768$8$3$00000000000000000000000000000000$' + '0'.repeat(64);
