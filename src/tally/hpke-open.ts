/**
 * Opening many HPKE ballots fast. RFC 9180 base mode, DHKEM(X25519, HKDF-SHA256), HKDF-SHA256,
 * AES-128-GCM, single-shot (sequence 0, empty AAD): the same suite seal.core uses through
 * @hpke/core. @hpke/core opens a ballot in about 1.4 ms (a dozen async WebCrypto calls); here the
 * constant parts of the key schedule are computed once per group, HKDF runs on @noble/hashes
 * and X25519 and AES-GCM on node:crypto, about 20× faster. Where node:crypto lacks X25519 (or
 * its result disagrees with @hpke/core on a self-test), `fastOpener` returns undefined and the
 * caller falls back to @hpke/core.
 */
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { concatBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import { fromB64url, generateTallyKeyPair, openBallot, publicKeyOf, sealBallot, decodeBallot, type BallotContent } from './seal.core';

const KEM_SUITE = concatBytes(utf8ToBytes('KEM'), new Uint8Array([0x00, 0x20]));
const HPKE_SUITE = concatBytes(utf8ToBytes('HPKE'), new Uint8Array([0x00, 0x20, 0x00, 0x01, 0x00, 0x01]));
const V1 = utf8ToBytes('HPKE-v1');
const EMPTY = new Uint8Array(0);

const extract = (salt: Uint8Array, ikm: Uint8Array) => hmac(sha256, salt, ikm);
const expand = (prk: Uint8Array, info: Uint8Array, length: number) => hmac(sha256, prk, concatBytes(info, new Uint8Array([1]))).slice(0, length);
const labeledExtract = (suite: Uint8Array, salt: Uint8Array, label: string, ikm: Uint8Array) => extract(salt, concatBytes(V1, suite, utf8ToBytes(label), ikm));
const labeledExpand = (suite: Uint8Array, prk: Uint8Array, label: string, info: Uint8Array, length: number) =>
  expand(prk, concatBytes(new Uint8Array([length >> 8, length & 0xff]), V1, suite, utf8ToBytes(label), info), length);

const PKCS8_X25519 = Uint8Array.from([0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x6e, 0x04, 0x22, 0x04, 0x20]);
const SPKI_X25519 = Uint8Array.from([0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x6e, 0x03, 0x21, 0x00]);

type NodeCrypto = typeof import('node:crypto');
let nodeCrypto: Promise<NodeCrypto | undefined> | undefined;
let selfTest: Promise<boolean> | undefined;

export type Opener = (ciphertext: string) => BallotContent;

async function build(nc: NodeCrypto, privateKey: Uint8Array, campaign: string, group: number): Promise<Opener> {
  const sk = nc.createPrivateKey({ key: Buffer.from(concatBytes(PKCS8_X25519, privateKey)), format: 'der', type: 'pkcs8' });
  const pkR = fromB64url(await publicKeyOf(privateKey));
  const info = utf8ToBytes(`sanmin-ballot-v1|${campaign}|${group}`);
  const context = concatBytes(new Uint8Array([0]), labeledExtract(HPKE_SUITE, EMPTY, 'psk_id_hash', EMPTY), labeledExtract(HPKE_SUITE, EMPTY, 'info_hash', info));
  // the constant prefixes of the per-ballot HKDF inputs
  const eaePrefix = concatBytes(V1, KEM_SUITE, utf8ToBytes('eae_prk'));
  const sharedPrefix = concatBytes(new Uint8Array([0, 32]), V1, KEM_SUITE, utf8ToBytes('shared_secret'));
  const secretIkm = concatBytes(V1, HPKE_SUITE, utf8ToBytes('secret'));
  const keyInfo = concatBytes(new Uint8Array([0, 16]), V1, HPKE_SUITE, utf8ToBytes('key'), context, new Uint8Array([1]));
  const nonceInfo = concatBytes(new Uint8Array([0, 12]), V1, HPKE_SUITE, utf8ToBytes('base_nonce'), context, new Uint8Array([1]));
  const mac = (key: Uint8Array, ...parts: Uint8Array[]) => {
    const h = nc.createHmac('sha256', key);
    for (const p of parts) h.update(p);
    return h.digest();
  };
  const ZERO = new Uint8Array(0);
  const ONE = new Uint8Array([1]);
  return (ciphertext: string) => {
    const bytes = Buffer.from(ciphertext, 'base64url');
    const enc = bytes.subarray(0, 32);
    const pkE = nc.createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: enc.toString('base64url') }, format: 'jwk' });
    const dh = nc.diffieHellman({ privateKey: sk, publicKey: pkE });
    const eaePrk = mac(ZERO, eaePrefix, dh);
    const shared = mac(eaePrk, sharedPrefix, enc, pkR, ONE);
    const secret = mac(shared, secretIkm);
    const key = mac(secret, keyInfo).subarray(0, 16);
    const nonce = mac(secret, nonceInfo).subarray(0, 12);
    const body = bytes.subarray(32);
    const decipher = nc.createDecipheriv('aes-128-gcm', key, nonce);
    decipher.setAuthTag(body.subarray(body.length - 16));
    const pt = Buffer.concat([decipher.update(body.subarray(0, body.length - 16)), decipher.final()]);
    return decodeBallot(pt);
  };
}

/** A synchronous opener for one group's ballots, or undefined where the fast path is unavailable. */
export async function fastOpener(privateKey: Uint8Array, campaign: string, group: number): Promise<Opener | undefined> {
  nodeCrypto ??= import('node:crypto').then((m) => (typeof m.diffieHellman === 'function' ? m : undefined)).catch(() => undefined);
  const nc = await nodeCrypto;
  if (!nc) return undefined;
  selfTest ??= (async () => {
    try {
      const pair = await generateTallyKeyPair();
      const content: BallotContent = { v: 1, campaign: 'self-test', group: 1, answers: [1, null, 3] };
      const ct = await sealBallot(pair.publicKey, content);
      const fast = (await build(nc, pair.privateKey, 'self-test', 1))(ct);
      const slow = await openBallot(pair.privateKey, 'self-test', 1, ct);
      return JSON.stringify(fast) === JSON.stringify(slow);
    } catch {
      return false;
    }
  })();
  if (!(await selfTest)) return undefined;
  return build(nc, privateKey, campaign, group);
}
