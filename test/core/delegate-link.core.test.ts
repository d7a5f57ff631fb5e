import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { delegateLinksFor, isLinkToken } from '../../src/delegates/link.core';

const KEY = '5a'.repeat(32);
const links = delegateLinksFor(KEY);

describe('delegates’ personal-link tokens', () => {
  it('derives the same 24-character token for a delegate every time, a different one per delegate and per key', () => {
    const a = links.token('0b6e1c2a-delegate-a');
    expect(a).toMatch(/^[0-9A-HJKMNP-TV-Z]{24}$/);
    expect(links.token('0b6e1c2a-delegate-a')).toBe(a);
    expect(links.token('0b6e1c2a-delegate-b')).not.toBe(a);
    expect(delegateLinksFor('a5'.repeat(32)).token('0b6e1c2a-delegate-a')).not.toBe(a);
    // upper- and lower-case spellings of one key are one key
    expect(delegateLinksFor(KEY.toUpperCase()).token('0b6e1c2a-delegate-a')).toBe(a);
  });

  it('follows its definition: HMAC-SHA256 under a sub-key of the data-encryption key, 120 bits in Crockford base32', () => {
    const linkKey = createHmac('sha256', Buffer.from(KEY, 'hex')).update('sanmin-delegate-link-key-v1').digest();
    const mac = createHmac('sha256', linkKey).update('sanmin-delegate-link-v1:d-1').digest().subarray(0, 15);
    const bits = [...mac].map((b) => b.toString(2).padStart(8, '0')).join('');
    const expected = bits.match(/.{5}/g)!.map((b) => '0123456789ABCDEFGHJKMNPQRSTVWXYZ'[parseInt(b, 2)]).join('');
    expect(links.token('d-1')).toBe(expected);
    const stored = createHmac('sha256', linkKey).update(`sanmin-delegate-link-lookup-v1:${expected}`).digest('hex');
    expect(links.storedFor('d-1')).toBe(stored);
    expect(links.lookupHash(expected)).toBe(stored);
  });

  it('hashes only the one canonical spelling; every other spelling is no token', () => {
    const token = links.token('d-2');
    for (const other of [token.toLowerCase(), `${token.slice(0, 4)}-${token.slice(4)}`, ` ${token}`, `${token}=`, token.slice(1), `${token}A`, token.replace(/./, 'O'), token.replace(/./, 'I'), token.replace(/./, 'L'), token.replace(/./, 'U'), '', 'x'.repeat(24)]) {
      expect(isLinkToken(other), other).toBe(false);
      expect(links.lookupHash(other), other).toBeNull();
    }
    expect(isLinkToken(token)).toBe(true);
  });

  it('the stored value is not the token and reveals nothing of it', () => {
    const token = links.token('d-3');
    const stored = links.storedFor('d-3');
    expect(stored).toMatch(/^[0-9a-f]{64}$/);
    expect(stored).not.toContain(token.toLowerCase());
    expect(isLinkToken(stored)).toBe(false); // a stored value presented as a token opens nothing
  });
});
