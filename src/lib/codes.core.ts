/**
 * Codes people read, print, say aloud and type: delegate codes, check-in tickets, survey
 * invitations, suggestion tracking codes, receipts and printed tally shares. However a code is
 * typed — hyphens or none, spaces, lower case, full-width characters from a Chinese IME,
 * look-alike letters — it maps to one canonical spelling, and that spelling is the identity
 * (what is looked up, hashed and stored). Anything that cannot be such a code maps to null.
 */

// Crockford base32 without I, L, O, U: what randomCode() draws from.
export const CODE_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

export const CODE_FORMATS = {
  delegate: { prefix: 'D', groups: 2 }, // DXXXX-XXXX
  ticket: { prefix: '', groups: 3 }, // XXXX-XXXX-XXXX
  invitation: { prefix: '', groups: 3 },
  tracking: { prefix: 'JY', groups: 2 }, // JYXXXX-XXXX
  candidate: { prefix: 'K', groups: 2 },
} as const;
export type CodeKind = keyof typeof CODE_FORMATS;

/** Separators a person may type between groups: ASCII and Unicode dashes, spaces, dots, underscores. */
const SEPARATORS = /[\s\u00a0\u3000_.·・\-\u2010-\u2015\u2212\ufe58\ufe63\uff0d\u30fc]/gu;

/** Full-width to ASCII (NFKC), upper case, separators and invisible format characters gone. */
export function foldTyped(input: string): string {
  return input.normalize('NFKC').replace(/[\u200b-\u200f\u2060\ufeff]/g, '').toUpperCase().replace(SEPARATORS, '');
}

/** The canonical spelling of a typed code of this kind (prefix, groups of 4 joined by '-'), or null. */
export function canonicalCode(kind: CodeKind, input: string): string | null {
  if (typeof input !== 'string' || input.length > 200) return null;
  const { prefix, groups } = CODE_FORMATS[kind];
  const n = groups * 4;
  let body = foldTyped(input);
  if (prefix && body.length === prefix.length + n && body.startsWith(prefix)) body = body.slice(prefix.length);
  if (body.length !== n) return null;
  body = body.replace(/[OIL]/g, (ch) => (ch === 'O' ? '0' : '1'));
  for (const ch of body) if (!CODE_ALPHABET.includes(ch)) return null;
  const parts: string[] = [];
  for (let i = 0; i < n; i += 4) parts.push(body.slice(i, i + 4));
  return prefix + parts.join('-');
}

/** A receipt (SHA-256 hex, 64 characters) as typed or pasted: lower-case hex, or null. */
export function canonicalReceipt(input: string): string | null {
  if (typeof input !== 'string' || input.length > 400) return null;
  const hex = foldTyped(input).toLowerCase();
  return /^[0-9a-f]{64}$/.test(hex) ? hex : null;
}

/** Hex as typed from a printed sheet (shares): lower-case, separators gone, or null when not hex. */
export function canonicalTypedHex(input: string): string | null {
  if (typeof input !== 'string' || input.length > 2000) return null;
  const hex = foldTyped(input).toLowerCase();
  return /^[0-9a-f]*$/.test(hex) && hex.length > 0 ? hex : null;
}
