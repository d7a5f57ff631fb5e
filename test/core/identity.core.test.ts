import { describe, expect, it } from 'vitest';
import { b64url, fromB64url, fromHex, toHex } from '../../src/lib/bytes.core';
import { canonicalCode, canonicalReceipt, canonicalTypedHex } from '../../src/lib/codes.core';
import { parseShareInput } from '../../src/tally/ceremony.core';

const bytes = (n: number, seed = 7) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 255);

describe('machine identities have one spelling', () => {
  it('the table decoder accepts exactly the texts the encoder makes (20,000 random texts of every length 0–9, and every byte string of 1–2 bytes)', () => {
    const A = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    // the reference definition: what atob reads, re-encoded, is the text itself
    const canonical = (t: string) => {
      try {
        return b64url(Uint8Array.from(atob(t.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (t.length % 4)) % 4)), (c) => c.charCodeAt(0))) === t;
      } catch {
        return false;
      }
    };
    let seed = 7;
    const next = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff), seed);
    for (let k = 0; k < 20_000; k++) {
      const len = k % 10;
      let t = '';
      for (let i = 0; i < len; i++) t += A[next() % 64];
      let decoded: Uint8Array | undefined;
      try {
        decoded = fromB64url(t);
      } catch {
        decoded = undefined;
      }
      expect(decoded !== undefined, t).toBe(canonical(t));
      if (decoded) expect(b64url(decoded)).toBe(t);
    }
    for (let a = 0; a < 256; a++) {
      expect(fromB64url(b64url(new Uint8Array([a])))).toEqual(new Uint8Array([a]));
      for (let b = 0; b < 256; b += 17) expect(fromB64url(b64url(new Uint8Array([a, b])))).toEqual(new Uint8Array([a, b]));
    }
    for (const bad of ['A=', 'A+', 'A/', 'AB\u00e9', '\u0100AAA', 'AAAAA']) expect(() => fromB64url(bad)).toThrow();
  });

  it('round-trips every length and refuses each re-spelling of the unused bits', () => {
    for (let n = 0; n < 70; n++) {
      const b = bytes(n);
      const text = b64url(b);
      expect(fromB64url(text)).toEqual(b);
      const unused = (6 - ((n * 8) % 6)) % 6;
      if (!unused || !text) continue;
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
      const last = alphabet.indexOf(text.at(-1)!);
      for (let low = 1; low < 1 << unused; low++) {
        const respelled = text.slice(0, -1) + alphabet[last | low]!;
        expect(() => fromB64url(respelled), `${n} bytes, low bits ${low}`).toThrow();
      }
    }
  });

  it.each([
    ['padding', `${b64url(bytes(64))}==`],
    ['standard alphabet', b64url(bytes(64)).replace(/-/g, '+').replace(/_/g, '/') + '+/'],
    ['whitespace', ` ${b64url(bytes(64))}`],
    ['a line break inside', `${b64url(bytes(64)).slice(0, 20)}\n${b64url(bytes(64)).slice(20)}`],
    ['an impossible length', 'AAAAA'],
    ['full-width letters', 'ＡＡＡＡ'],
  ])('refuses base64url with %s', (_, text) => {
    expect(() => fromB64url(text)).toThrow();
  });

  it('takes hex only in lower case and of the stated length', () => {
    const b = bytes(33);
    expect(fromHex(toHex(b), 33)).toEqual(b);
    expect(() => fromHex(toHex(b).toUpperCase())).toThrow();
    expect(() => fromHex(`${toHex(b)}0`)).toThrow();
    expect(() => fromHex(toHex(b), 32)).toThrow();
    expect(() => fromHex(` ${toHex(b)}`)).toThrow();
  });
});

describe('codes people type map to one canonical spelling', () => {
  it.each([
    ['delegate', 'D7K3M-9QXA', 'D7K3M-9QXA'],
    ['delegate', 'd7k3m9qxa', 'D7K3M-9QXA'],
    ['delegate', 'D 7K3M 9QXA', 'D7K3M-9QXA'],
    ['delegate', 'Ｄ７Ｋ３Ｍ－９ＱＸＡ', 'D7K3M-9QXA'],
    ['delegate', 'D7K3M—9QXA', 'D7K3M-9QXA'],
    ['delegate', '7K3M9QXA', 'D7K3M-9QXA'],
    ['delegate', 'DOIL0-1111', 'D0110-1111'],
    ['ticket', 'abcd-efgh-jkmn', 'ABCD-EFGH-JKMN'],
    ['ticket', 'ABCDEFGHJKMN', 'ABCD-EFGH-JKMN'],
    ['ticket', 'ＡＢＣＤ　ＥＦＧＨ　ＪＫＭＮ', 'ABCD-EFGH-JKMN'],
    ['ticket', 'AB\u200bCD-EFGH-JKMN', 'ABCD-EFGH-JKMN'],
    ['tracking', 'jy7k3m-9qxa', 'JY7K3M-9QXA'],
    ['tracking', 'ＪＹ７Ｋ３Ｍ９ＱＸＡ', 'JY7K3M-9QXA'],
    ['invitation', 'abcd efgh jkmn', 'ABCD-EFGH-JKMN'],
  ] as const)('%s code typed as %j is %s', (kind, typed, canonical) => {
    expect(canonicalCode(kind, typed)).toBe(canonical);
  });

  it.each([
    ['ticket', 'ABCD-EFGH-JKM'],
    ['ticket', 'ABCD-EFGH-JKMNP'],
    ['ticket', 'ABCD-EFGH-JKMU'],
    ['delegate', 'X7K3M-9QXA'],
    ['tracking', 'JY7K3M-9QX!'],
    ['ticket', ''],
  ] as const)('%s code %j is no code at all', (kind, typed) => {
    expect(canonicalCode(kind, typed)).toBeNull();
  });

  it('reads receipts and printed shares however they are typed', () => {
    const receipt = 'ab'.repeat(32);
    expect(canonicalReceipt(receipt.toUpperCase().replace(/(.{4})/g, '$1 '))).toBe(receipt);
    expect(canonicalReceipt([...receipt].map((ch) => String.fromCharCode(ch.charCodeAt(0) + 0xfee0)).join(''))).toBe(receipt);
    expect(canonicalReceipt(receipt.slice(1))).toBeNull();
    const share = toHex(bytes(33));
    const printed = `2-3:${share.match(/.{1,6}/g)!.join('-')}`;
    const fullWidth = [...printed].map((ch) => (/[0-9a-f:]/.test(ch) ? String.fromCharCode(ch.charCodeAt(0) + 0xfee0) : ch === '-' ? '－' : ch)).join('');
    for (const typed of [printed, printed.toUpperCase(), fullWidth, printed.replace(/-/g, ' ')]) {
      expect(parseShareInput(typed), typed).toEqual({ shareHex: share, seat: 3, group: 2 });
    }
    expect(canonicalTypedHex('12 ab-CD')).toBe('12abcd');
  });
});
