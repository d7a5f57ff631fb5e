import { scryptAsync } from '@noble/hashes/scrypt.js';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { constantTimeEqual } from './crypto';

// OWASP's scrypt equivalent of N=2^17,r=8,p=1 that fits a Worker's 128 MB: N=2^15, r=8, p=3 (32 MB).
const DEFAULT = { N: 2 ** 15, r: 8, p: 3 } as const;
const DK_LEN = 32;

export type ScryptFn = (password: string, salt: Uint8Array, params: { N: number; r: number; p: number; dkLen: number }) => Promise<Uint8Array>;

// Portable default (pure JS, runs in workerd); the Node entry installs the native one, about 2.5x faster.
let scryptImpl: ScryptFn = (password, salt, params) => scryptAsync(password, salt, params);

export function useScrypt(fn: ScryptFn): void {
  scryptImpl = fn;
}

/** Format: scrypt$N$r$p$saltHex$hashHex, so parameters can be raised later without breaking old hashes. */
export async function hashPassword(password: string): Promise<string> {
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const { N, r, p } = DEFAULT;
  const dk = await scryptImpl(password.normalize('NFKC'), salt, { N, r, p, dkLen: DK_LEN });
  return ['scrypt', N, r, p, bytesToHex(salt), bytesToHex(dk)].join('$');
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [alg, n, r, p, saltHex, hashHex] = stored.split('$');
  if (alg !== 'scrypt' || !n || !r || !p || !saltHex || !hashHex) return false;
  const dk = await scryptImpl(password.normalize('NFKC'), hexToBytes(saltHex), {
    N: Number(n),
    r: Number(r),
    p: Number(p),
    dkLen: DK_LEN,
  });
  return constantTimeEqual(bytesToHex(dk), hashHex);
}

/** A hash of nothing, checked when the user does not exist so both paths cost the same. */
export const DUMMY_HASH = 'scrypt$32768$8$3$00000000000000000000000000000000$' + '0'.repeat(64);
