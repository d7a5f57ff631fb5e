/**
 * The check record as text small enough for a QR code a phone reads off a tablet screen, and the
 * one reader of every form of it (the /check page's paste box, its file input and
 * `npm run verify -- --check`).
 *
 * The full record (src/tally/device-seal.core.ts) carries the 560-byte ciphertext, ~1,400 bytes of
 * JSON for a 12-department ballot: a version-30 QR. The compact form leaves the ciphertext out and
 * keeps its receipt: the receipt is SHA-256 of the ciphertext, so recomputing the ciphertext from
 * the revealed choices, key and seed and hashing it checks exactly what comparing ciphertexts
 * would (a device that sealed anything else would need a SHA-256 collision). It is a JSON array,
 * so any department name (quotes, `|`, line breaks) survives, and the receipt stays in hex, the
 * spelling the tablet shows:
 *
 *   ["sanmin-check",1,tallyPublicKey,ikmE,receipt,campaign,group,answers,departments,scale]
 */
import { ballotInfo, ballotReceipt, ballotShapeDigest, decodeBallot, encodeBallot, type BallotContent } from './seal.core';
import { sealWithSeed, verifyCheck, type BallotCheck, type CheckVerdict } from './device-seal.core';
import { fromB64url } from '../lib/bytes.core';

export const CHECK_TEXT_TAG = 'sanmin-check';

/** The compact text of a check record (what the check QR carries). */
export function compactCheckText(r: BallotCheck): string {
  return JSON.stringify([CHECK_TEXT_TAG, 1, r.tallyPublicKey, r.ikmE, r.receipt, r.ballot.campaign, r.ballot.group, r.ballot.answers, r.departments, r.scale]);
}

const NOT_A_RECORD = '不是选票检查记录:请打开平板给出的检查文件,或粘贴扫描检查二维码得到的全部文字';

/**
 * Verifies a check record given as text: the full JSON record or its compact form. Never throws:
 * garbage, truncated scans and altered records all end in `{ ok: false, reason }` in Chinese.
 */
export async function verifyCheckText(text: string): Promise<CheckVerdict> {
  if (typeof text !== 'string' || text.trim() === '') return { ok: false, reason: '没有内容:请选择检查文件或粘贴扫描得到的文字' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text.trim());
  } catch {
    return { ok: false, reason: `${NOT_A_RECORD}(内容不是完整的 JSON,可能扫描或复制不全)` };
  }
  try {
    if (Array.isArray(parsed)) return await verifyCompact(parsed);
    if (parsed && typeof parsed === 'object') return await verifyCheck(parsed);
  } catch {
    // verifyCheck validates before it computes; this is the last guard against a crash on odd input
    return { ok: false, reason: '记录格式不正确,无法验证' };
  }
  return { ok: false, reason: NOT_A_RECORD };
}

async function verifyCompact(a: unknown[]): Promise<CheckVerdict> {
  if (a[0] !== CHECK_TEXT_TAG || a[1] !== 1) return { ok: false, reason: `${NOT_A_RECORD}(标记或版本不符)` };
  if (a.length !== 10) return { ok: false, reason: '检查记录的项数不对,可能扫描不全' };
  const [, , tallyPublicKey, ikmE, receipt, campaign, group, answers, departments, scale] = a;
  if (typeof tallyPublicKey !== 'string' || typeof ikmE !== 'string' || typeof receipt !== 'string') return { ok: false, reason: '记录缺少公钥、种子或回执' };
  if (!/^[0-9a-f]{64}$/.test(receipt)) return { ok: false, reason: '回执不是 64 位小写十六进制' };
  let ballot: BallotContent;
  let ciphertext: string;
  try {
    // the same checks verifyCheck makes, first, so nothing odd reaches the HPKE code
    if (!Array.isArray(departments) || !Array.isArray(scale) || ![...departments, ...scale].every((n) => typeof n === 'string')) throw new Error('names');
    // the shape is not carried: it is the digest of the names printed, as the device sealed it
    ballot = decodeBallot(encodeBallot({ v: 1, campaign, group, shape: ballotShapeDigest(departments as string[], scale as string[]), answers } as BallotContent));
    if (fromB64url(tallyPublicKey).length !== 32 || fromB64url(ikmE).length !== 32) throw new Error('key');
    ciphertext = await sealWithSeed(tallyPublicKey, ballotInfo(ballot.campaign, ballot.group), encodeBallot(ballot), fromB64url(ikmE));
  } catch {
    return { ok: false, reason: '记录中的选票、种子或公钥格式不正确' };
  }
  // the ciphertext is recomputed, so only its hash can differ: name that failure in the compact form's terms
  if (ballotReceipt(ciphertext) !== receipt) return { ok: false, reason: '用种子重新加密得到的密文与回执不符:设备封存的不是显示的选择,或记录被改动' };
  const record: BallotCheck = { kind: 'sanmin-ballot-check', v: 1, tallyPublicKey, ballot, ikmE, ciphertext, receipt, departments: departments as string[], scale: scale as string[] };
  return verifyCheck(record);
}
