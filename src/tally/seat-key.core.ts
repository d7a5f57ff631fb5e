/**
 * A custodian's seat key: an X25519 key pair the custodian keeps, derived either from a
 * passphrase (scrypt) or from a 32-byte key file, then RFC 9180 DeriveKeyPair. The server stores
 * only the public half, registered when the custodian joins a seat; the ceremony seals the seat's
 * share to it, so logging in again on any device still opens the share. Pure: no I/O, the same
 * code runs in the CLI and, later, in the browser.
 *
 * scrypt N = 2^17, r = 8, p = 1 (128 MiB, about 0.75 s in Node on the test machine): a thief
 * with the database (public seat keys, sealed shares) pays that per guess per seat; the salt binds
 * campaign, group and seat, so no guess is reused across seats.
 */
import { CipherSuite, DhkemX25519HkdfSha256, HkdfSha256, Aes128Gcm } from '@hpke/core';
import { scryptAsync } from '@noble/hashes/scrypt.js';
import { utf8ToBytes } from '@noble/hashes/utils.js';
import { b64url, fromB64url } from '../lib/bytes.core';

const suite = new CipherSuite({ kem: new DhkemX25519HkdfSha256(), kdf: new HkdfSha256(), aead: new Aes128Gcm() });

export const SCRYPT_PARAMS = { N: 2 ** 17, r: 8, p: 1, dkLen: 32 } as const;
export const PASSPHRASE_MIN_LENGTH = 12;
export const PASSPHRASE_MIN_BITS = 60;

export interface SeatKeyPair {
  privateKey: Uint8Array;
  publicKey: string;
}

/** The salt is public and per seat: the same passphrase gives unrelated keys on two seats. */
export const seatSalt = (campaign: string, group: number, seat: number) => utf8ToBytes(`sanmin-seat-salt-v1|${campaign}|${group}|${seat}`);

/**
 * A rough lower bound of a passphrase's entropy: length × log2(alphabet of the classes used),
 * with a CJK character counted from an alphabet of 2,000. Refuses short, repetitive or
 * single-class passphrases with a Chinese reason; null when acceptable.
 */
export function passphraseProblem(passphrase: string): string | null {
  const p = passphrase.normalize('NFKC');
  const chars = [...p];
  if (chars.length < PASSPHRASE_MIN_LENGTH) return `口令太短:至少 ${PASSPHRASE_MIN_LENGTH} 个字符(汉字、字母、数字或符号)`;
  if (new Set(chars).size < Math.ceil(chars.length / 3) || new Set(chars).size < 6) return '口令重复字符太多,请换一句不易猜到的话';
  let pool = 0;
  if (/[0-9]/.test(p)) pool += 10;
  if (/[a-z]/.test(p)) pool += 26;
  if (/[A-Z]/.test(p)) pool += 26;
  if (/[\p{Script=Han}]/u.test(p)) pool += 2000;
  if (/[^0-9a-zA-Z\p{Script=Han}]/u.test(p)) pool += 33;
  const bits = chars.length * Math.log2(Math.max(pool, 2));
  if (bits < PASSPHRASE_MIN_BITS) return `口令太容易猜到(约 ${Math.floor(bits)} 位,至少需要 ${PASSPHRASE_MIN_BITS} 位):请加长,或混用汉字、字母、数字和符号`;
  return null;
}

/** RFC 9180 DeriveKeyPair from 32 bytes of input keying material. */
export async function seatKeyFromIkm(ikm: Uint8Array): Promise<SeatKeyPair> {
  if (ikm.length !== 32) throw new Error('seat key material must be 32 bytes');
  const kp = await suite.kem.deriveKeyPair(ikm.slice().buffer as ArrayBuffer);
  return {
    privateKey: new Uint8Array(await suite.kem.serializePrivateKey(kp.privateKey)),
    publicKey: b64url(new Uint8Array(await suite.kem.serializePublicKey(kp.publicKey))),
  };
}

/** The seat key from a passphrase: scrypt(passphrase, seat salt) → DeriveKeyPair. Refuses a weak passphrase. */
export async function seatKeyFromPassphrase(passphrase: string, campaign: string, group: number, seat: number, params: { N: number; r: number; p: number } = SCRYPT_PARAMS): Promise<SeatKeyPair> {
  const problem = passphraseProblem(passphrase);
  if (problem) throw new SeatKeyError('WEAK_PASSPHRASE', problem);
  const ikm = await scryptAsync(utf8ToBytes(passphrase.normalize('NFKC')), seatSalt(campaign, group, seat), { ...params, dkLen: 32 });
  try {
    return await seatKeyFromIkm(ikm);
  } finally {
    ikm.fill(0);
  }
}

export class SeatKeyError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The key file a custodian may keep instead of a passphrase: 32 random bytes, bound to its seat. */
export interface SeatKeyFile {
  v: 1;
  kind: 'sanmin-seat-key';
  campaign: string;
  group: number;
  seat: number;
  ikm: string; // base64url, 32 bytes
  publicKey: string;
}

export async function newSeatKeyFile(campaign: string, group: number, seat: number): Promise<SeatKeyFile> {
  const ikm = crypto.getRandomValues(new Uint8Array(32));
  const { publicKey, privateKey } = await seatKeyFromIkm(ikm);
  privateKey.fill(0);
  return { v: 1, kind: 'sanmin-seat-key', campaign, group, seat, ikm: b64url(ikm), publicKey };
}

/** Reads a key file for the given seat; refuses another seat's file or a file whose key does not derive. */
export async function seatKeyFromFile(text: string, campaign: string, group: number, seat: number): Promise<SeatKeyPair> {
  let f: Partial<SeatKeyFile>;
  try {
    f = JSON.parse(text) as Partial<SeatKeyFile>;
  } catch {
    throw new SeatKeyError('KEY_FILE_UNREADABLE', '无法读取席位密钥文件');
  }
  if (f.kind !== 'sanmin-seat-key' || f.v !== 1 || typeof f.ikm !== 'string') throw new SeatKeyError('KEY_FILE_UNREADABLE', '这不是三民席位密钥文件');
  if (f.campaign !== campaign || f.group !== group || f.seat !== seat) throw new SeatKeyError('KEY_FILE_OTHER_SEAT', `这是 ${f.campaign} 第 ${f.group} 组第 ${f.seat} 席的密钥文件,不是本席位的`);
  let ikm: Uint8Array;
  try {
    ikm = fromB64url(f.ikm);
  } catch {
    throw new SeatKeyError('KEY_FILE_UNREADABLE', '席位密钥文件中的密钥编码不规范');
  }
  if (ikm.length !== 32) throw new SeatKeyError('KEY_FILE_UNREADABLE', '席位密钥文件中的密钥长度不对');
  const pair = await seatKeyFromIkm(ikm);
  ikm.fill(0);
  if (f.publicKey !== undefined && f.publicKey !== pair.publicKey) throw new SeatKeyError('KEY_FILE_UNREADABLE', '席位密钥文件已损坏:公钥与密钥不符');
  return pair;
}
