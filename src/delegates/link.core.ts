/**
 * Delegates' personal links (`/d/{token}`). The token is never stored: it is derived from the
 * delegate's id under a key that does not live in the database (a sub-key of the
 * data-encryption key), so it can be printed again on a notice or a CSV export at any time; the
 * database holds only a keyed hash of it, for the lookup. A copy of the database files therefore
 * holds nothing that opens a delegate's page, and nothing from which a token can be computed.
 *
 *   linkKey = HMAC-SHA256(secretKey, "sanmin-delegate-link-key-v1")
 *   token   = Crockford base32 of the first 15 bytes of HMAC-SHA256(linkKey, "sanmin-delegate-link-v1:" ‖ id)
 *   stored  = hex HMAC-SHA256(linkKey, "sanmin-delegate-link-lookup-v1:" ‖ token)
 *
 * 15 bytes are 120 bits, exactly 24 base32 characters: every bit of the text is used, so each
 * token has one spelling only. A presented token is hashed only if it is that spelling (upper
 * case, no separators, no look-alike letters); anything else is no token at all.
 */
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, hexToBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import { CODE_ALPHABET } from '../lib/codes.core';

export const LINK_TOKEN_LENGTH = 24;
const LINK_TOKEN = new RegExp(`^[${CODE_ALPHABET}]{${LINK_TOKEN_LENGTH}}$`);
/** What the column holds once a link is issued: a lookup hash, never a token. */
export const LINK_HASH = /^[0-9a-f]{64}$/;

export interface DelegateLinks {
  /** The token of a delegate's personal link, as printed (24 characters). */
  token(delegateId: string): string;
  /** The stored lookup value of a presented token, or null when it is not a token's one spelling. */
  lookupHash(token: string): string | null;
  /** The stored lookup value of a delegate's link (what a new delegate row holds). */
  storedFor(delegateId: string): string;
}

function base32(bytes: Uint8Array): string {
  let out = '';
  let acc = 0;
  let bits = 0;
  for (const b of bytes) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += CODE_ALPHABET[(acc >>> bits) & 31];
    }
    acc &= (1 << bits) - 1;
  }
  return out; // 15 bytes leave no bits over
}

/** Whether a presented token is a token's one canonical spelling. */
export const isLinkToken = (token: unknown): token is string => typeof token === 'string' && LINK_TOKEN.test(token);

/** The personal-link functions for a 64-hex data-encryption key. */
export function delegateLinksFor(secretKeyHex: string): DelegateLinks {
  const linkKey = hmac(sha256, hexToBytes(secretKeyHex.toLowerCase()), utf8ToBytes('sanmin-delegate-link-key-v1'));
  const mac = (message: string) => hmac(sha256, linkKey, utf8ToBytes(message));
  const token = (delegateId: string) => base32(mac(`sanmin-delegate-link-v1:${delegateId}`).slice(0, 15));
  const lookupHash = (presented: string) => (isLinkToken(presented) ? bytesToHex(mac(`sanmin-delegate-link-lookup-v1:${presented}`)) : null);
  return { token, lookupHash, storedFor: (delegateId) => lookupHash(token(delegateId))! };
}
