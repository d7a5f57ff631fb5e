/**
 * A survey response as the respondent's device makes it and the unsealing reads it, pure (no
 * hono, no drizzle), so the device bundle imports exactly what the server checks against:
 * the HPKE `info` that binds a ciphertext to its survey, the padded plaintext, the shape a
 * ciphertext must have to be stored, and the reading of a decrypted plaintext.
 *
 * The device seals; the server never sees the answers. So the server cannot check them: it
 * checks the ciphertext's shape only, and a response that decrypts to garbage or to answers the
 * definition does not allow is counted as invalid when the survey is unsealed.
 */
import { fromB64url } from '../lib/bytes.core';
import { allQuestions, checkResponse, optionLabels, type Answers, type SurveyDefinition } from './survey.core';

/** The scope string the ceremony core and the sealing `info` use for a survey (in place of campaign|group). */
export const surveyScope = (campaignCode: string, surveyId: string) => `sanmin-survey:${campaignCode}:${surveyId}`;
export const responseInfo = (campaignCode: string, surveyId: string) => new TextEncoder().encode(`sanmin-survey-response-v1|${surveyScope(campaignCode, surveyId)}`);

/** Plaintexts are padded to whole 1 KiB blocks so a ciphertext's length says little about what was written. */
export const RESPONSE_BLOCK = 1024;
/** HPKE overhead: the X25519 encapsulated key (32 bytes) before, the AES-GCM tag (16 bytes) after. */
export const CIPHERTEXT_OVERHEAD = 32 + 16;
/**
 * The most blocks any response may take, whatever its definition allows: 40 blocks are a
 * 41,008-byte ciphertext, 54,678 base64url characters, which with the credential (under 1.5 KB)
 * stays inside the 64 KiB body limit of every JSON route.
 */
export const MAX_RESPONSE_BLOCKS = 40;

export interface ResponseContent {
  v: 1;
  survey: string;
  answers: Answers;
}

export function encodeResponse(content: ResponseContent): Uint8Array {
  const raw = new TextEncoder().encode(JSON.stringify({ v: 1, survey: content.survey, answers: content.answers }));
  const out = new Uint8Array(Math.max(1, Math.ceil(raw.length / RESPONSE_BLOCK)) * RESPONSE_BLOCK).fill(0x20);
  out.set(raw);
  return out;
}

const digits = (n: number) => String(n).length;

/**
 * The longest `encodeResponse` text (before padding) of any response `checkResponse` accepts for
 * this definition: every question answered at its longest, a text answer at its maximum length
 * with each character at its most expensive in JSON (6 bytes: `\u0001` or a lone surrogate).
 */
export function maxResponseBytes(def: SurveyDefinition, surveyId: string): number {
  let n = JSON.stringify({ v: 1, survey: surveyId, answers: {} }).length;
  for (const q of allQuestions(def)) {
    const options = optionLabels(def, q).length;
    const value =
      q.kind === 'text'
        ? 2 + 6 * (q.maxLength ?? 500)
        : q.kind === 'multiple'
          ? 2 + Math.min(q.maxChoices ?? options, options) * (digits(options) + 1)
          : digits(options);
    // "id":value, — the key's quotes, the colon and the comma
    n += JSON.stringify(q.id).length + 2 + Math.max(4, value);
  }
  return n;
}

/** K: the most blocks a ciphertext for this survey may have (its largest response, at most MAX_RESPONSE_BLOCKS). */
export const responseBlockLimit = (def: SurveyDefinition, surveyId: string) =>
  Math.min(MAX_RESPONSE_BLOCKS, Math.max(1, Math.ceil(maxResponseBytes(def, surveyId) / RESPONSE_BLOCK)));

/**
 * Why a ciphertext cannot be stored for a survey whose responses take at most `maxBlocks`
 * blocks, or null: strict base64url (no padding, no '+' or '/', no stray bits in the last
 * character) of 32 + 1024·k + 16 bytes, 1 ≤ k ≤ maxBlocks.
 */
export function ciphertextProblem(ciphertext: unknown, maxBlocks: number): string | null {
  if (typeof ciphertext !== 'string' || !ciphertext) return '缺少加密答卷';
  // a length check first, so an oversized text is refused before it is decoded
  if (ciphertext.length > Math.ceil(((CIPHERTEXT_OVERHEAD + maxBlocks * RESPONSE_BLOCK) * 4) / 3)) return '加密答卷长度不正确';
  let bytes: Uint8Array;
  try {
    bytes = fromB64url(ciphertext);
  } catch {
    return '加密答卷不是规范的 base64url 编码';
  }
  const body = bytes.length - CIPHERTEXT_OVERHEAD;
  if (body < RESPONSE_BLOCK || body % RESPONSE_BLOCK !== 0 || body / RESPONSE_BLOCK > maxBlocks) return '加密答卷长度不正确';
  return null;
}

/**
 * What one decrypted response counts as: its normalised answers, or null (invalid) when it is
 * not JSON of this survey's response format, belongs to another survey, or holds answers
 * `checkResponse` refuses. `plaintext` null: it did not decrypt.
 */
export function readResponse(def: SurveyDefinition, surveyId: string, plaintext: Uint8Array | null): Answers | null {
  if (!plaintext) return null;
  let content: unknown;
  try {
    content = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(plaintext).trimEnd());
  } catch {
    return null;
  }
  if (typeof content !== 'object' || content === null) return null;
  const c = content as Partial<ResponseContent>;
  if (c.v !== 1 || c.survey !== surveyId) return null;
  const checked = checkResponse(def, c.answers);
  return checked.ok ? checked.answers : null;
}
