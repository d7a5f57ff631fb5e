/**
 * Key ceremony and closing commitment: pure crypto and decisions, no database.
 *
 * - The ceremony runs on an offline machine (`npm run ceremony`, later a browser page), never in
 *   the server: `runCeremonyCore` generates the group's X25519 key pair, splits the private key
 *   with Shamir (shamir-secret-sharing: 33-byte shares), seals each share with HPKE to its seat's
 *   public key (the custodian keeps the private half: src/tally/seat-key.core.ts), zeroes the key
 *   and the shares, and returns what the statistician uploads: public key, sealed shares,
 *   fingerprints, a digest over all of it and a printable record. The server checks and stores it.
 * - A share's fingerprint = SHA-256("sanmin-share-v1|<campaign>|<group>|<seat>|<share hex>"),
 *   published; a custodian recomputes it locally from the printed code.
 * - The commitment root = SHA-256 of "sanmin-commitment-v1\n<campaign>\n<group>\n<count>\n"
 *   followed by the receipts sorted ascending, joined by "\n" (a hash over the sorted list: every
 *   receipt is published anyway, so inclusion proofs of a Merkle tree would add nothing).
 */
import { Aes128Gcm, CipherSuite, DhkemX25519HkdfSha256, HkdfSha256 } from '@hpke/core';
import { bytesToHex, hexToBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import { combine, split } from 'shamir-secret-sharing';
import { sha256Hex } from '../lib/crypto';
import { b64url, fromB64url } from './seal.core';
import { canonicalTypedHex } from '../lib/codes.core';
import { fromHex, isCanonicalB64url } from '../lib/bytes.core';
import { canonicalJson } from '../lib/crypto';
import { generateTallyKeyPair, isRawPublicKey } from './seal.core';

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

// ---- the ceremony on the custodians' side (pure; the CLI and the rehearsal run it, a browser page can) ----

/** What the server publishes for a group before its ceremony (GET …/tally/seats): the input of the ceremony. */
export interface SeatsDocument {
  v: 1;
  kind: 'sanmin-tally-seats';
  campaign: string;
  group: number;
  shareCount: number;
  threshold: number;
  /** The public key of the ceremony this one would replace (null for the first): a replacement names it, so two racing uploads land once. */
  replaces: string | null;
  seats: { seat: number; custodian: string; seatKey: string }[];
}

export interface CeremonySeat {
  seat: number;
  custodian: string;
  seatKey: string;
  sealedShare: string;
  fingerprint: string;
}

/** What the ceremony machine writes and the statistician uploads. */
export interface CeremonyFile {
  v: 1;
  kind: 'sanmin-tally-ceremony';
  campaign: string;
  group: number;
  shareCount: number;
  threshold: number;
  replaces: string | null;
  publicKey: string;
  publicKeyFingerprint: string;
  seats: CeremonySeat[];
  createdAt: string;
  /** SHA-256 of "sanmin-ceremony-v1\n" + canonical JSON of every field but `digest` and `record`: printed on the record, checked at upload. */
  digest: string;
  record: string;
}

/** enc (32) ‖ AEAD(33-byte share) ‖ tag (16) = 81 bytes, 108 base64url characters. */
export const SEALED_SHARE_BYTES = ENC_LENGTH + 33 + 16;

export const publicKeyFingerprint = (publicKey: string) => sha256Hex(`sanmin-tally-key-v1|${publicKey}`);

function ceremonyDigest(f: Omit<CeremonyFile, 'digest' | 'record'>): string {
  const { v, kind, campaign, group, shareCount, threshold, replaces, publicKey, publicKeyFingerprint: pkf, seats, createdAt } = f;
  return sha256Hex(
    'sanmin-ceremony-v1\n' +
      canonicalJson({
        v,
        kind,
        campaign,
        group,
        shareCount,
        threshold,
        replaces,
        publicKey,
        publicKeyFingerprint: pkf,
        seats: seats.map(({ seat, custodian, seatKey, sealedShare, fingerprint }) => ({ seat, custodian, seatKey, sealedShare, fingerprint })),
        createdAt,
      }),
  );
}

const groupsOf = (hex: string) => hex.match(/.{1,8}/g)!.join(' ');

/** The paper record of the ceremony: who was present, the key and share fingerprints, blank signature lines. */
export function ceremonyRecordText(f: Omit<CeremonyFile, 'record'>): string {
  const lines = [
    `三民 计票密钥仪式记录`,
    // group 0 is a survey's ceremony, its scope string in place of the campaign
    f.group === 0 ? `问卷:${f.campaign}  门限:${f.threshold} / ${f.shareCount}` : `评议活动:${f.campaign}  评议组:第 ${f.group} 组  门限:${f.threshold} / ${f.shareCount}`,
    `时间:${f.createdAt}`,
    ``,
    `计票公钥:${f.publicKey}`,
    `公钥指纹:${groupsOf(f.publicKeyFingerprint)}`,
    `仪式文件摘要:${groupsOf(f.digest)}`,
    ``,
    `到场保管人与分片指纹:`,
    ...f.seats.map((s) => `  第 ${s.seat} 席 ${s.custodian}  分片指纹 ${groupsOf(s.fingerprint)}`),
    ``,
    `私钥已在本机生成、拆分并清零;各分片已分别封存给各席位公钥,本机不保留。`,
    ``,
    ...f.seats.map((s) => `第 ${s.seat} 席 ${s.custodian} 签字:____________________`),
    `统计人员签字:____________________`,
    `监督人员签字:____________________`,
  ];
  return lines.join('\n') + '\n';
}

export class CeremonyError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** What is wrong with a seats document as the ceremony's input (null when nothing). */
export function seatsDocumentProblem(d: unknown): string | null {
  const s = d as Partial<SeatsDocument> | null;
  if (!s || typeof s !== 'object' || s.kind !== 'sanmin-tally-seats' || s.v !== 1) return '这不是三民席位文件(seats.json)';
  if (typeof s.campaign !== 'string' || !Number.isInteger(s.group)) return '席位文件缺少评议活动或组别';
  const problem = ceremonyParamsProblem(s.shareCount as number, s.threshold as number);
  if (problem) return problem;
  if (!Array.isArray(s.seats) || s.seats.length !== s.shareCount) return `席位文件应有 ${String(s.shareCount)} 个席位`;
  for (const [i, seat] of s.seats.entries()) {
    if (!seat || seat.seat !== i + 1 || typeof seat.custodian !== 'string' || !isRawPublicKey(seat.seatKey)) return `第 ${i + 1} 席的席位或公钥不正确`;
  }
  if (new Set(s.seats.map((x) => x.seatKey)).size !== s.seats.length) return '两个席位使用了同一把公钥';
  if (s.replaces !== null && !isRawPublicKey(s.replaces)) return '席位文件中的原公钥不正确';
  return null;
}

/**
 * The ceremony: a fresh group key pair, split k of n, each share sealed to its seat's public key
 * and fingerprinted, the private key and shares zeroed. Nothing secret leaves this function.
 */
export async function runCeremonyCore(seatsDoc: SeatsDocument, now: Date = new Date()): Promise<CeremonyFile> {
  const problem = seatsDocumentProblem(seatsDoc);
  if (problem) throw new CeremonyError('SEATS_INVALID', problem);
  const { campaign, group, shareCount, threshold } = seatsDoc;
  const pair = await generateTallyKeyPair();
  const shares = await splitKey(pair.privateKey, campaign, group, shareCount, threshold);
  pair.privateKey.fill(0);
  try {
    const seats: CeremonySeat[] = [];
    for (const s of shares) {
      const seat = seatsDoc.seats[s.seat - 1]!;
      seats.push({ seat: s.seat, custodian: seat.custodian, seatKey: seat.seatKey, sealedShare: await sealShare(seat.seatKey, campaign, group, s.seat, s.share), fingerprint: s.fingerprint });
    }
    const body = {
      v: 1 as const,
      kind: 'sanmin-tally-ceremony' as const,
      campaign,
      group,
      shareCount,
      threshold,
      replaces: seatsDoc.replaces,
      publicKey: pair.publicKey,
      publicKeyFingerprint: publicKeyFingerprint(pair.publicKey),
      seats,
      createdAt: now.toISOString(),
    };
    const withDigest = { ...body, digest: ceremonyDigest(body) };
    return { ...withDigest, record: ceremonyRecordText(withDigest) };
  } finally {
    for (const s of shares) s.share.fill(0);
  }
}

/**
 * What the server checks of an uploaded ceremony file against the seats it published (null when
 * nothing): the shape, k and n, every seat with its registered seat key, each sealed share in its
 * one spelling and length and distinct, fingerprints, the public key, and the digest (a sealed
 * share altered after the ceremony no longer matches the digest printed on the paper record).
 * What it cannot check: that a sealed share opens, which only its custodian can.
 */
export function ceremonyProblem(data: unknown, expected: SeatsDocument): { code: string; message: string } | null {
  const bad = (code: string, message: string) => ({ code, message });
  const f = data as Partial<CeremonyFile> | null;
  if (!f || typeof f !== 'object' || f.kind !== 'sanmin-tally-ceremony' || f.v !== 1) return bad('CEREMONY_UNREADABLE', '这不是三民密钥仪式文件');
  if (f.campaign !== expected.campaign || f.group !== expected.group) return bad('CEREMONY_OTHER_GROUP', `这是 ${String(f.campaign)} 第 ${String(f.group)} 组的仪式文件,不是本组的`);
  if (f.shareCount !== expected.shareCount || f.threshold !== expected.threshold) return bad('CEREMONY_PARAMS', `仪式文件的门限 ${String(f.threshold)}/${String(f.shareCount)} 与本组设置 ${expected.threshold}/${expected.shareCount} 不符`);
  if ((f.replaces ?? null) !== expected.replaces) return bad('CEREMONY_STALE', '仪式文件是按旧的席位文件生成的(本组密钥已变化),请重新下载席位文件再举行仪式');
  if (!isRawPublicKey(f.publicKey)) return bad('CEREMONY_UNREADABLE', '仪式文件中的计票公钥格式不正确');
  if (f.publicKeyFingerprint !== publicKeyFingerprint(f.publicKey)) return bad('CEREMONY_ALTERED', '仪式文件中的公钥指纹与公钥不符');
  if (!Array.isArray(f.seats) || f.seats.length !== expected.seats.length) return bad('CEREMONY_SEATS', `仪式文件应有 ${expected.seats.length} 个席位`);
  for (const [i, want] of expected.seats.entries()) {
    const got = f.seats[i] as Partial<CeremonySeat> | undefined;
    if (!got || got.seat !== want.seat) return bad('CEREMONY_SEATS', `仪式文件第 ${i + 1} 项不是第 ${want.seat} 席`);
    if (got.seatKey !== want.seatKey) return bad('CEREMONY_SEATS', `第 ${want.seat} 席的分片没有封存给该席位登记的公钥`);
    if (typeof got.sealedShare !== 'string' || !isCanonicalB64url(got.sealedShare) || fromB64url(got.sealedShare).length !== SEALED_SHARE_BYTES) {
      return bad('SEALED_SHARE_MALFORMED', `第 ${want.seat} 席的封存分片编码或长度不正确`);
    }
    if (typeof got.fingerprint !== 'string' || !/^[0-9a-f]{64}$/.test(got.fingerprint)) return bad('CEREMONY_UNREADABLE', `第 ${want.seat} 席的分片指纹格式不正确`);
    if (typeof got.custodian !== 'string') return bad('CEREMONY_UNREADABLE', `第 ${want.seat} 席缺少保管人姓名`);
  }
  const seats = f.seats as CeremonySeat[];
  if (new Set(seats.map((s) => s.sealedShare)).size !== seats.length) return bad('CEREMONY_ALTERED', '两个席位的封存分片相同');
  if (new Set(seats.map((s) => s.fingerprint)).size !== seats.length) return bad('CEREMONY_ALTERED', '两个席位的分片指纹相同');
  if (typeof f.createdAt !== 'string' || typeof f.digest !== 'string') return bad('CEREMONY_UNREADABLE', '仪式文件缺少时间或摘要');
  if (ceremonyDigest(f as CeremonyFile) !== f.digest) return bad('CEREMONY_ALTERED', '仪式文件的摘要与内容不符:文件在仪式之后被改动过');
  return null;
}

/** What a custodian downloads: their share, still sealed to their seat key. */
export interface SealedShareFile {
  v: 1;
  kind: 'sanmin-tally-sealed-share';
  campaign: string;
  group: number;
  seat: number;
  shareCount: number;
  threshold: number;
  publicKey: string;
  sealedShare: string;
  fingerprint: string;
}

/**
 * Opens a sealed share with the seat's private key, on the custodian's side, and checks it
 * against its published fingerprint. The share file it returns never goes to the server.
 */
export async function openSealedShare(sealed: SealedShareFile, seatPrivateKey: Uint8Array): Promise<ShareFile> {
  if (sealed?.kind !== 'sanmin-tally-sealed-share' || sealed.v !== 1) throw new CeremonyError('SEALED_SHARE_UNREADABLE', '这不是三民封存分片文件');
  let share: Uint8Array;
  try {
    share = await openShare(seatPrivateKey, sealed.campaign, sealed.group, sealed.seat, sealed.sealedShare);
  } catch {
    throw new CeremonyError('WRONG_SEAT_KEY', '无法打开分片:口令或密钥文件不对,或这不是您席位的分片');
  }
  const shareHex = bytesToHex(share);
  share.fill(0);
  if (shareFingerprint(sealed.campaign, sealed.group, sealed.seat, shareHex) !== sealed.fingerprint) {
    throw new CeremonyError('FINGERPRINT_MISMATCH', '分片打开了,但与公布的分片指纹不符:请联系监督人员');
  }
  return { v: 1, kind: 'sanmin-tally-share', campaign: sealed.campaign, group: sealed.group, seat: sealed.seat, shareCount: sealed.shareCount, threshold: sealed.threshold, publicKey: sealed.publicKey, share: shareHex, fingerprint: sealed.fingerprint };
}
