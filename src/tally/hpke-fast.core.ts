/**
 * HPKE without the awaits, for the two hot paths: sealing a ballot as it arrives (a venue's
 * 2,500 in a few seconds) and opening a group's ballots at the tally.
 *
 * Same suite as seal.core through @hpke/core — RFC 9180 base mode, DHKEM(X25519, HKDF-SHA256),
 * HKDF-SHA256, AES-128-GCM, single-shot (sequence 0, empty AAD). @hpke/core spends about 1.5 ms
 * a seal or open in a dozen awaited WebCrypto calls; here the primitives are node:crypto's
 * (X25519, HMAC-SHA256, AES-GCM, all OpenSSL) called synchronously, and only RFC 9180's key
 * schedule (§4.1, §5.1) is written out, with the parts that depend only on `info` computed once.
 * This is the one place the project composes primitives itself, so it is held to @hpke/core:
 * before first use a self-test seals with each implementation and opens with the other, and
 * where that fails or node:crypto lacks X25519 (some Workers builds) the caller falls back to
 * @hpke/core. test/core/hpke-fast.test.ts checks interoperability both ways.
 */
import { Buffer } from 'node:buffer';
import { concatBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import { ballotInfo, decodeBallot, encodeBallot, generateTallyKeyPair, openBytes, publicKeyOf, sealBytes, type BallotContent } from './seal.core';

const KEM_SUITE = concatBytes(utf8ToBytes('KEM'), new Uint8Array([0x00, 0x20]));
const HPKE_SUITE = concatBytes(utf8ToBytes('HPKE'), new Uint8Array([0x00, 0x20, 0x00, 0x01, 0x00, 0x01]));
const V1 = utf8ToBytes('HPKE-v1');
const EMPTY = new Uint8Array(0);
const ONE = new Uint8Array([1]);
const PKCS8_X25519 = Uint8Array.from([0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x6e, 0x04, 0x22, 0x04, 0x20]);
const ENC = 32;
const TAG = 16;

type NodeCrypto = typeof import('node:crypto');

/** The per-`info` constants of the key schedule and the per-message derivation of key and nonce (exported for the RFC 9180 vector test). */
export function keySchedule(nc: NodeCrypto, info: Uint8Array) {
  const mac = (key: Uint8Array, ...parts: Uint8Array[]) => {
    const h = nc.createHmac('sha256', key);
    for (const p of parts) h.update(p);
    return h.digest();
  };
  // LabeledExtract("", label, ikm) for the two context hashes
  const labeled = (label: string, ikm: Uint8Array) => mac(EMPTY, V1, HPKE_SUITE, utf8ToBytes(label), ikm);
  const context = concatBytes(new Uint8Array([0]), labeled('psk_id_hash', EMPTY), labeled('info_hash', info));
  const eaePrefix = concatBytes(V1, KEM_SUITE, utf8ToBytes('eae_prk'));
  const sharedPrefix = concatBytes(new Uint8Array([0, 32]), V1, KEM_SUITE, utf8ToBytes('shared_secret'));
  const secretIkm = concatBytes(V1, HPKE_SUITE, utf8ToBytes('secret'));
  const keyInfo = concatBytes(new Uint8Array([0, 16]), V1, HPKE_SUITE, utf8ToBytes('key'), context, ONE);
  const nonceInfo = concatBytes(new Uint8Array([0, 12]), V1, HPKE_SUITE, utf8ToBytes('base_nonce'), context, ONE);
  /** Key and nonce for one message from its DH output and KEM context (enc || pkR). */
  return (dh: Uint8Array, enc: Uint8Array, pkR: Uint8Array) => {
    const eaePrk = mac(EMPTY, eaePrefix, dh);
    const shared = mac(eaePrk, sharedPrefix, enc, pkR, ONE);
    const secret = mac(shared, secretIkm);
    return { key: mac(secret, keyInfo).subarray(0, 16), nonce: mac(secret, nonceInfo).subarray(0, 12) };
  };
}

const x25519Public = (nc: NodeCrypto, raw: Uint8Array) =>
  nc.createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: Buffer.from(raw).toString('base64url') }, format: 'jwk' });

export type Sealer = (plaintext: Uint8Array) => string;
export type Opener = (ciphertext: string) => Uint8Array;

function buildSealer(nc: NodeCrypto, publicKey: string, info: Uint8Array): Sealer {
  const pkRBytes = Buffer.from(publicKey, 'base64url');
  const pkR = x25519Public(nc, pkRBytes);
  const derive = keySchedule(nc, info);
  return (plaintext) => {
    const eph = nc.generateKeyPairSync('x25519');
    const enc = Buffer.from(eph.publicKey.export({ format: 'jwk' }).x!, 'base64url');
    const { key, nonce } = derive(nc.diffieHellman({ privateKey: eph.privateKey, publicKey: pkR }), enc, pkRBytes);
    const cipher = nc.createCipheriv('aes-128-gcm', key, nonce);
    return Buffer.concat([enc, cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]).toString('base64url');
  };
}

function buildOpener(nc: NodeCrypto, privateKey: Uint8Array, publicKey: string, info: Uint8Array): Opener {
  const sk = nc.createPrivateKey({ key: Buffer.from(concatBytes(PKCS8_X25519, privateKey)), format: 'der', type: 'pkcs8' });
  const pkR = Buffer.from(publicKey, 'base64url');
  const derive = keySchedule(nc, info);
  return (ciphertext) => {
    const bytes = Buffer.from(ciphertext, 'base64url');
    const enc = bytes.subarray(0, ENC);
    const { key, nonce } = derive(nc.diffieHellman({ privateKey: sk, publicKey: x25519Public(nc, enc) }), enc, pkR);
    const body = bytes.subarray(ENC);
    const decipher = nc.createDecipheriv('aes-128-gcm', key, nonce);
    decipher.setAuthTag(body.subarray(body.length - TAG));
    return Buffer.concat([decipher.update(body.subarray(0, body.length - TAG)), decipher.final()]);
  };
}

let ready: Promise<NodeCrypto | undefined> | undefined;

/** node:crypto when it has X25519 and agrees with @hpke/core in both directions; else undefined. */
function fastCrypto(): Promise<NodeCrypto | undefined> {
  ready ??= (async () => {
    try {
      const nc = await import('node:crypto');
      if (typeof nc.diffieHellman !== 'function' || typeof nc.generateKeyPairSync !== 'function') return undefined;
      const pair = await generateTallyKeyPair();
      const info = utf8ToBytes('sanmin-hpke-self-test');
      const text = utf8ToBytes('自检 self-test');
      const bySlow = await sealBytes(pair.publicKey, info, text);
      const byFast = buildSealer(nc, pair.publicKey, info)(text);
      const opened = [buildOpener(nc, pair.privateKey, pair.publicKey, info)(bySlow), await openBytes(pair.privateKey, info, byFast)];
      return opened.every((o) => Buffer.from(o).equals(Buffer.from(text))) ? nc : undefined;
    } catch {
      return undefined;
    }
  })();
  return ready;
}

const sealers = new Map<string, Sealer>();

/**
 * Seals bytes to an X25519 public key with the given `info`: base64url(enc || ciphertext), the
 * same format as seal.core's sealBytes, which it falls back to.
 */
export async function sealFast(publicKey: string, info: Uint8Array, plaintext: Uint8Array): Promise<string> {
  const key = `${publicKey}|${Buffer.from(info).toString('base64url')}`;
  let seal = sealers.get(key);
  if (!seal) {
    const nc = await fastCrypto();
    if (!nc) return sealBytes(publicKey, info, plaintext);
    seal = buildSealer(nc, publicKey, info);
    if (sealers.size > 500) sealers.clear();
    sealers.set(key, seal);
  }
  return seal(plaintext);
}

/** Seals a ballot to its group's public key (seal.core's sealBallot, without the awaits). */
export const sealBallotFast = (publicKey: string, content: BallotContent) => sealFast(publicKey, ballotInfo(content.campaign, content.group), encodeBallot(content));

/** A synchronous opener for bytes sealed to this key pair with this `info`, or undefined (use @hpke/core). */
export async function fastBytesOpener(privateKey: Uint8Array, info: Uint8Array): Promise<Opener | undefined> {
  const nc = await fastCrypto();
  return nc && buildOpener(nc, privateKey, await publicKeyOf(privateKey), info);
}

/** A synchronous opener for one group's ballots, or undefined where the fast path is unavailable. */
export async function fastOpener(privateKey: Uint8Array, campaign: string, group: number): Promise<((ciphertext: string) => BallotContent) | undefined> {
  const open = await fastBytesOpener(privateKey, ballotInfo(campaign, group));
  return open && ((ciphertext) => decodeBallot(open(ciphertext)));
}
