/**
 * Machine-made identities (credentials, blinded messages, keys, ciphertexts) travel as
 * base64url or hex text, but they are bytes. Decoders here accept exactly one spelling of any
 * byte string — the one the encoder produces — and refuse every other, so that no two texts
 * name the same bytes: `atob` ignores the unused low bits of the last character (a 64-byte
 * value has 16 base64url spellings) and case-insensitive hex has 2^n. Whatever is hashed as an
 * identity is hashed over the decoded bytes, never over the text it arrived as.
 */

export class NonCanonicalEncoding extends Error {
  constructor(what: string) {
    super(`not canonical ${what}`);
  }
}

export function b64url(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** Strict base64url without padding: throws unless `text` is what `b64url` makes of its bytes. */
export function fromB64url(text: string): Uint8Array {
  if (typeof text !== 'string' || text.length % 4 === 1) throw new NonCanonicalEncoding('base64url');
  const n = text.length;
  const out = new Uint8Array(Math.floor((n * 3) / 4));
  let o = 0;
  let acc = 0;
  for (let i = 0; i < n; i++) {
    const v = text.charCodeAt(i) < 128 ? DECODE[text.charCodeAt(i)]! : -1;
    if (v < 0) throw new NonCanonicalEncoding('base64url');
    acc = (acc << 6) | v;
    if ((i & 3) === 3) {
      out[o++] = acc >> 16;
      out[o++] = (acc >> 8) & 0xff;
      out[o++] = acc & 0xff;
      acc = 0;
    }
  }
  // a text of length 2 or 3 mod 4 ends in a character with 4 or 2 unused bits: only the
  // spelling with them all zero is the encoder's
  if (n % 4 === 2) {
    if (acc & 0x0f) throw new NonCanonicalEncoding('base64url');
    out[o++] = acc >> 4;
  } else if (n % 4 === 3) {
    if (acc & 0x03) throw new NonCanonicalEncoding('base64url');
    out[o++] = acc >> 10;
    out[o++] = (acc >> 2) & 0xff;
  }
  return out;
}

const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const DECODE = Int8Array.from({ length: 128 }, (_, c) => B64URL.indexOf(String.fromCharCode(c)));

const HEX = '0123456789abcdef';

export function toHex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += HEX[b >> 4]! + HEX[b & 15]!;
  return s;
}

/** Strict lowercase hex (optionally of an exact byte length): throws on any other spelling. */
export function fromHex(text: string, byteLength?: number): Uint8Array {
  if (typeof text !== 'string' || !/^(?:[0-9a-f]{2})*$/.test(text)) throw new NonCanonicalEncoding('hex');
  if (byteLength !== undefined && text.length !== byteLength * 2) throw new NonCanonicalEncoding('hex');
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(text.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** True when `text` is the canonical base64url spelling of some bytes. */
export function isCanonicalB64url(text: unknown): text is string {
  if (typeof text !== 'string') return false;
  try {
    fromB64url(text);
    return true;
  } catch {
    return false;
  }
}
