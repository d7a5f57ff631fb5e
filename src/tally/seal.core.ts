/**
 * Sealing ballots to a group's tally key with HPKE (RFC 9180, base mode):
 * DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-128-GCM, from @hpke/core.
 *
 * The voting device seals the ballot (src/tally/device-seal.core.ts) before anything leaves it. The HPKE `info`
 * binds the ciphertext to its campaign and group, so a ballot cannot be replayed into another
 * group. Plaintexts are padded to a fixed size so a ciphertext's length says nothing about
 * how many departments were left blank. The receipt is SHA-256 of the ciphertext.
 */
import { Aes128Gcm, CipherSuite, DhkemX25519HkdfSha256, HkdfSha256 } from '@hpke/core';
import { sha256Hex } from '../lib/crypto';

const suite = new CipherSuite({ kem: new DhkemX25519HkdfSha256(), kdf: new HkdfSha256(), aead: new Aes128Gcm() });

/** X25519 encapsulated key length: the ciphertext is enc (32 bytes) || AEAD ciphertext. */
const ENC_LENGTH = 32;
export const PLAINTEXT_BLOCK = 512;

/** One ballot: answers[i] is the 1-based scale position chosen for the group's i-th department, null when blank. */
export interface BallotContent {
  v: 1;
  campaign: string;
  group: number;
  /**
   * `ballotShapeDigest` of the department and option names the device showed, in order. It binds
   * the names a check record prints to what was sealed (a device cannot swap two departments'
   * answers and their names in the record); the tally counts a ballot whose shape is not the
   * group's as invalid. Sealed by every voting device; ballots without it (fixtures) still count.
   */
  shape?: string;
  answers: (number | null)[];
}

/** SHA-256 over the group's department names in report order and the scale's labels in position order. */
export const ballotShapeDigest = (departments: readonly string[], scale: readonly string[]): string =>
  sha256Hex(JSON.stringify(['sanmin-ballot-shape-v1', departments, scale]));

// strict decoding of every machine identity lives in one place (src/lib/bytes.core.ts)
import { b64url, fromB64url } from '../lib/bytes.core';
export { b64url, fromB64url };

export const ballotInfo = (campaign: string, group: number) => new TextEncoder().encode(`sanmin-ballot-v1|${campaign}|${group}`);

/** The canonical bytes of a ballot, space-padded to a whole number of blocks. */
export function encodeBallot(content: BallotContent): Uint8Array {
  const json = JSON.stringify({ v: 1, campaign: content.campaign, group: content.group, ...(content.shape === undefined ? {} : { shape: content.shape }), answers: content.answers });
  const raw = new TextEncoder().encode(json);
  const size = Math.max(1, Math.ceil(raw.length / PLAINTEXT_BLOCK)) * PLAINTEXT_BLOCK;
  const out = new Uint8Array(size).fill(0x20);
  out.set(raw);
  return out;
}

export function decodeBallot(bytes: Uint8Array): BallotContent {
  const parsed = JSON.parse(new TextDecoder().decode(bytes).trimEnd()) as BallotContent;
  if (parsed.v !== 1 || typeof parsed.campaign !== 'string' || !Number.isInteger(parsed.group) || !Array.isArray(parsed.answers)) {
    throw new Error('not a ballot');
  }
  if (!parsed.answers.every((a) => a === null || (Number.isInteger(a) && a >= 1))) throw new Error('not a ballot');
  if (parsed.shape !== undefined && (typeof parsed.shape !== 'string' || !/^[0-9a-f]{64}$/.test(parsed.shape))) throw new Error('not a ballot');
  return parsed;
}

export interface TallyKeyPair {
  /** Raw X25519 public key, base64url. */
  publicKey: string;
  /** Raw X25519 private key (32 bytes): to be split into shares at once, never stored. */
  privateKey: Uint8Array;
}

export async function generateTallyKeyPair(): Promise<TallyKeyPair> {
  const kp = await suite.kem.generateKeyPair();
  return {
    publicKey: b64url(new Uint8Array(await suite.kem.serializePublicKey(kp.publicKey))),
    privateKey: new Uint8Array(await suite.kem.serializePrivateKey(kp.privateKey)),
  };
}

/** The public key that belongs to a raw private key (checks a reconstructed key before use). */
export async function publicKeyOf(privateKey: Uint8Array): Promise<string> {
  const sk = await suite.kem.deserializePrivateKey(privateKey.slice().buffer as ArrayBuffer);
  const jwk = (await crypto.subtle.exportKey('jwk', sk as CryptoKey)) as JsonWebKey;
  return jwk.x ?? '';
}

/**
 * Seals bytes to an X25519 public key with the given HPKE `info`: base64url(enc || ciphertext).
 * Ballots and survey responses both go through here; each binds its own `info`.
 */
export async function sealBytes(publicKey: string, info: Uint8Array, plaintext: Uint8Array): Promise<string> {
  const pk = await suite.kem.deserializePublicKey(fromB64url(publicKey).slice().buffer as ArrayBuffer);
  const sender = await suite.createSenderContext({ recipientPublicKey: pk, info });
  const ct = new Uint8Array(await sender.seal(plaintext.slice().buffer as ArrayBuffer));
  const out = new Uint8Array(ENC_LENGTH + ct.length);
  out.set(new Uint8Array(sender.enc), 0);
  out.set(ct, ENC_LENGTH);
  return b64url(out);
}

/** Opens what `sealBytes` sealed; throws when it does not decrypt (wrong key, wrong info, altered). */
export async function openBytes(privateKey: Uint8Array, info: Uint8Array, ciphertext: string): Promise<Uint8Array> {
  const bytes = fromB64url(ciphertext);
  const sk = await suite.kem.deserializePrivateKey(privateKey.slice().buffer as ArrayBuffer);
  const recipient = await suite.createRecipientContext({ recipientKey: sk, enc: bytes.slice(0, ENC_LENGTH).buffer as ArrayBuffer, info });
  return new Uint8Array(await recipient.open(bytes.slice(ENC_LENGTH).buffer as ArrayBuffer));
}

/** Seals a ballot to the group's public key: base64url(enc || ciphertext). */
export async function sealBallot(publicKey: string, content: BallotContent): Promise<string> {
  return sealBytes(publicKey, ballotInfo(content.campaign, content.group), encodeBallot(content));
}

/** Opens one sealed ballot with the reconstructed private key; throws when it does not decrypt. */
export async function openBallot(privateKey: Uint8Array, campaign: string, group: number, ciphertext: string): Promise<BallotContent> {
  return decodeBallot(await openBytes(privateKey, ballotInfo(campaign, group), ciphertext));
}

/** A padded ballot is at most this many blocks (100 departments with 3-digit positions fit in 2). */
export const MAX_BALLOT_BLOCKS = 4;
const AEAD_TAG = 16;

/**
 * What the server can check of a ballot it cannot read: strict base64url (one spelling per
 * ciphertext, so one receipt per ciphertext) of enc || AEAD(padded ballot), i.e. 32 + 512·k + 16
 * bytes for 1 ≤ k ≤ MAX_BALLOT_BLOCKS. A Chinese reason, or undefined when it has that form.
 */
export function sealedBallotProblem(ciphertext: unknown): string | undefined {
  if (typeof ciphertext !== 'string' || ciphertext.length > Math.ceil(((ENC_LENGTH + PLAINTEXT_BLOCK * MAX_BALLOT_BLOCKS + AEAD_TAG) * 4) / 3)) return '密文格式不正确';
  let bytes: Uint8Array;
  try {
    bytes = fromB64url(ciphertext);
  } catch {
    return '密文不是规范的 base64url 编码';
  }
  const blocks = (bytes.length - ENC_LENGTH - AEAD_TAG) / PLAINTEXT_BLOCK;
  if (!Number.isInteger(blocks) || blocks < 1 || blocks > MAX_BALLOT_BLOCKS) return '密文长度不是一张封存选票的长度';
  return undefined;
}

/** A raw X25519 public key in its one base64url spelling. */
export function isRawPublicKey(text: unknown): text is string {
  try {
    return typeof text === 'string' && text.length === 43 && fromB64url(text).length === 32;
  } catch {
    return false;
  }
}

/** A ballot's receipt: SHA-256 of its ciphertext as stored (the base64url text). */
export const ballotReceipt = (ciphertext: string): string => sha256Hex(ciphertext);
