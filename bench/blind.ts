// The voter's side of RFC 9474 (RSABSSA-SHA384-PSS-Randomized) for the load driver, with
// node:crypto hashes and native BigInt: @cloudflare/blindrsa-ts's portable bignums take about
// 80 ms per credential here (blind + finalize), which would make preparing 5,000 credentials
// the longest part of the bench. Same wire format as src/hearing/credential.ts (blindRequest,
// finalizeCredential); bench/run.ts checks its first credentials with verifyCredential.
import { createHash, createPublicKey, randomBytes } from 'node:crypto';
import type { Credential } from '../src/hearing/credential';
import { b64url, fromB64url } from '../src/tally/seal.core';

const H = 48; // SHA-384 output and PSS salt length

const sha384 = (...parts: Uint8Array[]) => {
  const h = createHash('sha384');
  for (const p of parts) h.update(p);
  return h.digest();
};

function mgf1(seed: Uint8Array, len: number): Buffer {
  const out = Buffer.alloc(len);
  for (let i = 0, off = 0; off < len; i++, off += H) {
    const c = Buffer.alloc(4);
    c.writeUInt32BE(i);
    sha384(seed, c).copy(out, off, 0, Math.min(H, len - off));
  }
  return out;
}

const toBig = (b: Uint8Array) => BigInt(`0x${Buffer.from(b).toString('hex') || '0'}`);
const toBytes = (x: bigint, len: number) => Buffer.from(x.toString(16).padStart(len * 2, '0'), 'hex');

function modPow(b: bigint, e: bigint, m: bigint): bigint {
  let r = 1n;
  b %= m;
  while (e > 0n) {
    if (e & 1n) r = (r * b) % m;
    b = (b * b) % m;
    e >>= 1n;
  }
  return r;
}

function modInv(a: bigint, m: bigint): bigint {
  let [r0, r1] = [a % m, m];
  let [s0, s1] = [1n, 0n];
  while (r1 !== 0n) {
    const q = r0 / r1;
    [r0, r1] = [r1, r0 - q * r1];
    [s0, s1] = [s1, s0 - q * s1];
  }
  if (r0 !== 1n) throw new Error('not invertible');
  return ((s0 % m) + m) % m;
}

interface PublicKey {
  n: bigint;
  e: bigint;
  bytes: number;
  bits: number;
  factors: { r: bigint; inv: bigint }[];
}
const keys = new Map<string, PublicKey>();
function publicKey(spki: string): PublicKey {
  let k = keys.get(spki);
  if (!k) {
    const jwk = createPublicKey({ key: Buffer.from(fromB64url(spki)), format: 'der', type: 'spki' }).export({ format: 'jwk' });
    const n = toBig(fromB64url(jwk.n!));
    k = { n, e: toBig(fromB64url(jwk.e!)), bytes: Math.ceil(n.toString(16).length / 2), bits: n.toString(2).length, factors: [] };
    keys.set(spki, k);
  }
  return k;
}

/** EMSA-PSS-ENCODE (RFC 8017 §9.1.1) with SHA-384, MGF1-SHA-384 and a 48-byte salt. */
function pssEncode(msg: Uint8Array, emBits: number): Buffer {
  const emLen = Math.ceil(emBits / 8);
  const salt = randomBytes(H);
  const h = sha384(new Uint8Array(8), sha384(msg), salt);
  const db = Buffer.alloc(emLen - H - 1);
  db[db.length - H - 1] = 0x01;
  salt.copy(db, db.length - H);
  const mask = mgf1(h, db.length);
  for (let i = 0; i < db.length; i++) db[i]! ^= mask[i]!;
  db[0]! &= 0xff >> (8 * emLen - emBits);
  return Buffer.concat([db, h, Buffer.from([0xbc])]);
}

/**
 * A random blinding factor and its inverse. Inverses come 128 at a time from one modular
 * inversion (Montgomery's batch trick): one BigInt inversion costs ~5 ms, a multiplication µs.
 */
function blindingFactor(k: PublicKey): { r: bigint; inv: bigint } {
  if (!k.factors.length) {
    const rs: bigint[] = [];
    while (rs.length < 128) {
      const r = toBig(randomBytes(k.bytes)) % k.n;
      if (r > 1n) rs.push(r);
    }
    const prefix: bigint[] = [];
    let acc = 1n;
    for (const r of rs) prefix.push((acc = (acc * r) % k.n));
    let inv = modInv(acc, k.n); // (r_0 … r_127)^-1
    for (let i = rs.length - 1; i >= 0; i--) {
      const before = i > 0 ? prefix[i - 1]! : 1n;
      k.factors.push({ r: rs[i]!, inv: (inv * before) % k.n });
      inv = (inv * rs[i]!) % k.n;
    }
  }
  return k.factors.pop()!;
}

export interface FastBlind {
  prepared: Uint8Array;
  blindedMsg: string;
  inv: bigint;
}

/** Prepare (32-byte random prefix), encode and blind: what the device sends to /api/ballot/redeem. */
export function fastBlind(spki: string): FastBlind {
  const k = publicKey(spki);
  const prepared = new Uint8Array(Buffer.concat([randomBytes(32), randomBytes(32)]));
  const m = toBig(pssEncode(prepared, k.bits - 1));
  const { r, inv } = blindingFactor(k);
  const z = (m * modPow(r, k.e, k.n)) % k.n;
  return { prepared, blindedMsg: b64url(toBytes(z, k.bytes)), inv };
}

/** Unblind the venue's signature into the credential the ballot carries (the server verifies it at cast). */
export function fastFinalize(spki: string, req: FastBlind, blindSig: string): Credential {
  const k = publicKey(spki);
  const s = (toBig(fromB64url(blindSig)) * req.inv) % k.n;
  return { msg: b64url(req.prepared), sig: b64url(toBytes(s, k.bytes)) };
}
