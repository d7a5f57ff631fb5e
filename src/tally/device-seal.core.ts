/**
 * Sealing as the voting device does it, and the cast-as-intended check (Benaloh challenge).
 *
 * The device seals with HPKE base mode (RFC 9180) through @hpke/core, choosing the 32-byte
 * ephemeral input keying material `ikmE` of DeriveKeyPair itself (@hpke/core's `ekm`). Sealing is
 * then a deterministic function of (tally public key, info, plaintext, ikmE), so revealing ikmE
 * with the plaintext lets anyone recompute the ciphertext and see that it seals exactly the
 * choices the screen showed. A checked ciphertext is discarded: its ikmE is public, so it could be
 * opened by anyone, and it must never be cast (the device seals afresh with new randomness).
 * A check record never carries the credential or the venue: it proves what one ciphertext holds,
 * not who made it.
 */
import { Aes128Gcm, CipherSuite, DhkemX25519HkdfSha256, HkdfSha256 } from '@hpke/core';
import { b64url, fromB64url } from '../lib/bytes.core';
import { ballotInfo, ballotReceipt, ballotShapeDigest, decodeBallot, encodeBallot, type BallotContent } from './seal.core';

type Kem = ConstructorParameters<typeof CipherSuite>[0]['kem'];
const suiteWith = (kem: Kem) => new CipherSuite({ kem, kdf: new HkdfSha256(), aead: new Aes128Gcm() });
let suite = suiteWith(new DhkemX25519HkdfSha256());

/** A device whose WebCrypto lacks X25519 installs a portable KEM of the same suite (e.g. @hpke/dhkem-x25519). */
export function useKem(kem: Kem): void {
  suite = suiteWith(kem);
}

const ENC_LENGTH = 32;
export const IKM_LENGTH = 32;

/** base64url(enc || ciphertext) of `plaintext` sealed to `publicKey` under `info`, with the ephemeral key derived from `ikmE`. */
export async function sealWithSeed(publicKey: string, info: Uint8Array, plaintext: Uint8Array, ikmE: Uint8Array, aad?: Uint8Array): Promise<string> {
  if (ikmE.length !== IKM_LENGTH) throw new Error('ikmE must be 32 bytes');
  const pk = await suite.kem.deserializePublicKey(fromB64url(publicKey).slice().buffer as ArrayBuffer);
  const sender = await suite.createSenderContext({ recipientPublicKey: pk, info, ekm: ikmE.slice().buffer as ArrayBuffer });
  const ct = new Uint8Array(await sender.seal(plaintext.slice().buffer as ArrayBuffer, aad?.slice().buffer as ArrayBuffer | undefined));
  const out = new Uint8Array(ENC_LENGTH + ct.length);
  out.set(new Uint8Array(sender.enc), 0);
  out.set(ct, ENC_LENGTH);
  return b64url(out);
}

export interface SealedBallot {
  ciphertext: string;
  receipt: string;
  /** Kept on the device only until the delegate casts (then erased) or checks (then revealed). */
  ikmE: Uint8Array;
}

/** What the device does when the delegate has chosen: seal with fresh randomness and compute the receipt. */
export async function sealOnDevice(tallyPublicKey: string, content: BallotContent, ikmE = crypto.getRandomValues(new Uint8Array(IKM_LENGTH))): Promise<SealedBallot> {
  const ciphertext = await sealWithSeed(tallyPublicKey, ballotInfo(content.campaign, content.group), encodeBallot(content), ikmE);
  return { ciphertext, receipt: ballotReceipt(ciphertext), ikmE };
}

/** A revealed ballot: everything needed to recompute its ciphertext, and the names to show its choices. */
export interface BallotCheck {
  kind: 'sanmin-ballot-check';
  v: 1;
  tallyPublicKey: string;
  ballot: BallotContent;
  ikmE: string; // base64url, 32 bytes
  ciphertext: string;
  receipt: string;
  departments: string[];
  scale: string[];
}

export function checkRecord(tallyPublicKey: string, content: BallotContent, sealed: SealedBallot, departments: string[], scale: string[]): BallotCheck {
  return { kind: 'sanmin-ballot-check', v: 1, tallyPublicKey, ballot: content, ikmE: b64url(sealed.ikmE), ciphertext: sealed.ciphertext, receipt: sealed.receipt, departments, scale };
}

export type CheckVerdict =
  | { ok: true; receipt: string; choices: { department: string; choice: string }[] }
  | { ok: false; reason: string };

/**
 * Recomputes a revealed ballot's ciphertext from its plaintext, key and ikmE, and reads out its
 * choices. A device that sealed anything other than what it showed fails here; so does a record
 * whose receipt, ballot or key was altered after the fact.
 */
export async function verifyCheck(input: unknown): Promise<CheckVerdict> {
  const r = input as Partial<BallotCheck>;
  if (!r || typeof r !== 'object' || r.kind !== 'sanmin-ballot-check' || r.v !== 1) return { ok: false, reason: '不是选票检查记录(kind/v 不符)' };
  if (typeof r.tallyPublicKey !== 'string' || typeof r.ikmE !== 'string' || typeof r.ciphertext !== 'string' || typeof r.receipt !== 'string') return { ok: false, reason: '记录缺少公钥、种子、密文或回执' };
  if (!Array.isArray(r.departments) || !Array.isArray(r.scale) || !r.departments.every((d) => typeof d === 'string') || !r.scale.every((s) => typeof s === 'string')) return { ok: false, reason: '记录缺少部门或评价选项名称' };
  let content: BallotContent;
  let ikmE: Uint8Array;
  try {
    content = decodeBallot(encodeBallot(r.ballot as BallotContent));
    ikmE = fromB64url(r.ikmE);
    if (fromB64url(r.tallyPublicKey).length !== 32) throw new Error('key');
    fromB64url(r.ciphertext);
  } catch {
    return { ok: false, reason: '记录中的选票、种子、公钥或密文格式不正确' };
  }
  if (ikmE.length !== IKM_LENGTH) return { ok: false, reason: '种子不是 32 字节' };
  if (content.answers.length !== r.departments.length) return { ok: false, reason: '选票的答案数与部门数不一致' };
  // the names printed below are the ones sealed (their digest is in the plaintext), so a device cannot swap departments in the record
  if (content.shape !== ballotShapeDigest(r.departments, r.scale)) return { ok: false, reason: '记录中的部门或选项名称与封存的选票不符:设备可能调换了部门或选项' };
  const recomputed = await sealWithSeed(r.tallyPublicKey, ballotInfo(content.campaign, content.group), encodeBallot(content), ikmE);
  if (recomputed !== r.ciphertext) return { ok: false, reason: '用种子重新加密得到的密文与设备给出的密文不同:设备封存的不是显示的选择' };
  if (ballotReceipt(r.ciphertext) !== r.receipt) return { ok: false, reason: '回执不是该密文的哈希' };
  const choices = content.answers.map((a, i) => ({ department: r.departments![i]!, choice: a === null ? '(空白)' : (r.scale![a - 1] ?? `无效选项 ${a}`) }));
  return { ok: true, receipt: r.receipt, choices };
}
