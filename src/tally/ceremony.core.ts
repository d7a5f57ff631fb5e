/**
 * Key ceremony and closing commitment: pure crypto and decisions, no database.
 *
 * - The group's X25519 private key is generated in memory, split with Shamir (shamir-secret-
 *   sharing: 33-byte shares) and dropped. Each share is sealed with HPKE to its custodian's
 *   seat key, whose private half is derived from a secret the server does not keep (the
 *   custodian's login-session token), so the database never holds a share it can open.
 * - A share's fingerprint = SHA-256("sanmin-share-v1|<campaign>|<group>|<seat>|<share hex>"),
 *   published; a custodian recomputes it locally from the printed code.
 * - The commitment root = SHA-256 of "sanmin-commitment-v1\n<campaign>\n<group>\n<count>\n"
 *   followed by the receipts sorted ascending, joined by "\n" (a hash over the sorted list: every
 *   receipt is published anyway, so inclusion proofs of a Merkle tree would add nothing).
 */
import { Aes128Gcm, CipherSuite, DhkemX25519HkdfSha256, HkdfSha256 } from '@hpke/core';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, hexToBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import { combine, split } from 'shamir-secret-sharing';
import { sha256Hex } from '../lib/crypto';
import { b64url, fromB64url, publicKeyOf } from './seal.core';
import { canonicalTypedHex } from '../lib/codes.core';
import { fromHex } from '../lib/bytes.core';

const suite = new CipherSuite({ kem: new DhkemX25519HkdfSha256(), kdf: new HkdfSha256(), aead: new Aes128Gcm() });
const ENC_LENGTH = 32;
const buf = (u: Uint8Array) => u.slice().buffer as ArrayBuffer;

export const DEFAULT_SHARE_COUNT = 5;
export const DEFAULT_THRESHOLD = 3;

/** Shamir needs 2 ≤ k ≤ n ≤ 255; more than 15 custodians makes no sense for a city hearing. */
export function ceremonyParamsProblem(shareCount: number, threshold: number): string | null {
  if (!Number.isInteger(shareCount) || shareCount < 2 || shareCount > 15) return '保管人数须为 2 至 15 之间的整数';
  if (!Number.isInteger(threshold) || threshold < 2 || threshold > shareCount) return '开启门限须为不小于 2、不大于保管人数的整数';
  return null;
}

/** The seat key pair, derived from a secret the server does not store (the custodian's session token). */
export async function seatKeyFrom(secret: string, campaignId: string, groupNo: number): Promise<{ privateKey: Uint8Array; publicKey: string }> {
  const privateKey = sha256(utf8ToBytes(`sanmin-seat-v1|${campaignId}|${groupNo}|${secret}`));
  return { privateKey, publicKey: await publicKeyOf(privateKey) };
}

const shareInfo = (campaign: string, group: number, seat: number) => utf8ToBytes(`sanmin-share-seal-v1|${campaign}|${group}|${seat}`);

export async function sealShare(seatPublicKey: string, campaign: string, group: number, seat: number, share: Uint8Array): Promise<string> {
  const pk = await suite.kem.deserializePublicKey(buf(fromB64url(seatPublicKey)));
  const sender = await suite.createSenderContext({ recipientPublicKey: pk, info: shareInfo(campaign, group, seat) });
  const ct = new Uint8Array(await sender.seal(buf(share)));
  const out = new Uint8Array(ENC_LENGTH + ct.length);
  out.set(new Uint8Array(sender.enc), 0);
  out.set(ct, ENC_LENGTH);
  return b64url(out);
}

export async function openShare(seatPrivateKey: Uint8Array, campaign: string, group: number, seat: number, sealed: string): Promise<Uint8Array> {
  const bytes = fromB64url(sealed);
  const sk = await suite.kem.deserializePrivateKey(buf(seatPrivateKey));
  const recipient = await suite.createRecipientContext({ recipientKey: sk, enc: buf(bytes.slice(0, ENC_LENGTH)), info: shareInfo(campaign, group, seat) });
  return new Uint8Array(await recipient.open(buf(bytes.slice(ENC_LENGTH))));
}

export function shareFingerprint(campaign: string, group: number, seat: number, shareHex: string): string {
  return sha256Hex(`sanmin-share-v1|${campaign}|${group}|${seat}|${shareHex.toLowerCase()}`);
}

export interface CeremonyShare {
  seat: number;
  share: Uint8Array;
  shareHex: string;
  fingerprint: string;
}

/** Splits a private key into n shares (threshold k) with their fingerprints. */
export async function splitKey(privateKey: Uint8Array, campaign: string, group: number, shareCount: number, threshold: number): Promise<CeremonyShare[]> {
  const shares = await split(privateKey, shareCount, threshold);
  return shares.map((share, i) => {
    const shareHex = bytesToHex(share);
    return { seat: i + 1, share, shareHex, fingerprint: shareFingerprint(campaign, group, i + 1, shareHex) };
  });
}

/** Rebuilds the private key from share hex strings (at least k distinct ones). */
export async function combineShares(sharesHex: readonly string[]): Promise<Uint8Array> {
  return combine(sharesHex.map((h) => fromHex(h)));
}

/** The printable form of a share: "<group>-<seat>:" and the hex in groups of 6 characters. */
export function printableShare(group: number, seat: number, shareHex: string): string {
  return `${group}-${seat}:${shareHex.match(/.{1,6}/g)!.join('-')}`;
}

export interface ShareFile {
  v: 1;
  kind: 'sanmin-tally-share';
  campaign: string;
  group: number;
  seat: number;
  shareCount: number;
  threshold: number;
  publicKey: string;
  share: string; // hex
  fingerprint: string;
}

/**
 * Reads what a custodian hands in: the share file (JSON) or the printed code (with or without
 * the "<group>-<seat>:" prefix, any spacing or dashes). Returns the share hex and the seat if stated.
 */
export function parseShareInput(text: string): { shareHex: string; seat: number | null; group: number | null } | null {
  // full-width digits, colon and dashes from a Chinese IME read as their ASCII forms
  const t = text.normalize('NFKC').replace(/[\u200b-\u200f\u2060\ufeff]/g, '').trim();
  if (t.startsWith('{')) {
    try {
      const f = JSON.parse(t) as Partial<ShareFile>;
      if (f.kind !== 'sanmin-tally-share' || typeof f.share !== 'string' || !/^[0-9a-f]{66}$/i.test(f.share)) return null;
      return { shareHex: f.share.toLowerCase(), seat: Number.isInteger(f.seat) ? f.seat! : null, group: Number.isInteger(f.group) ? f.group! : null };
    } catch {
      return null;
    }
  }
  const m = t.match(/^(?:(\d+)\s*[-\u2010-\u2015\u2212\s]\s*(\d+)\s*:)?([0-9a-fA-F\s\-\u2010-\u2015\u2212_.]+)$/);
  if (!m) return null;
  const hex = canonicalTypedHex(m[3]!);
  if (!hex || hex.length !== 66) return null;
  return { shareHex: hex, seat: m[2] ? Number(m[2]) : null, group: m[1] ? Number(m[1]) : null };
}

/** Which seat a share belongs to, by its published fingerprint; null when it is nobody's. */
export function seatOfShare(campaign: string, group: number, shareHex: string, seats: readonly { seatNo: number; fingerprint: string | null }[]): number | null {
  for (const s of seats) if (s.fingerprint && s.fingerprint === shareFingerprint(campaign, group, s.seatNo, shareHex)) return s.seatNo;
  return null;
}

export const isReceipt = (r: unknown): r is string => typeof r === 'string' && /^[0-9a-f]{64}$/.test(r);

export function commitmentRoot(campaign: string, group: number, receipts: readonly string[]): string {
  const sorted = [...receipts].sort();
  return sha256Hex(`sanmin-commitment-v1\n${campaign}\n${group}\n${sorted.length}\n${sorted.join('\n')}`);
}

/**
 * Whether a group is closed at every venue: each venue with seats for the group has a session
 * in state 'closed'; a venue without a session counts as not closed. Returns the venues still open.
 */
export function closedEverywhere(venuesWithSeats: readonly string[], sessions: readonly { venueName: string; state: string }[]): { closed: boolean; notClosed: string[] } {
  const state = new Map(sessions.map((s) => [s.venueName, s.state]));
  const notClosed = venuesWithSeats.filter((v) => state.get(v) !== 'closed');
  return { closed: venuesWithSeats.length > 0 && notClosed.length === 0, notClosed };
}

/** Fisher–Yates with crypto randomness (rejection sampling, no modulo bias): the published order of decrypted ballots. */
export function shuffled<T>(items: readonly T[]): T[] {
  const out = [...items];
  const word = new Uint32Array(1);
  for (let i = out.length - 1; i > 0; i--) {
    const bound = i + 1;
    const limit = Math.floor(0x100000000 / bound) * bound;
    let r: number;
    do r = crypto.getRandomValues(word)[0]!;
    while (r >= limit);
    const j = r % bound;
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
