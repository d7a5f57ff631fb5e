import { describe, expect, it } from 'vitest';
import { AT_REST_PREFIX, atRestCipher, openText, sealText, secretRows } from '../../src/lib/at-rest';

const key = 'ab'.repeat(32);
const other = 'cd'.repeat(32);
const row = secretRows.tallyShare('campaign-1', 2, 3);

describe('secrets sealed at rest (AES-256-GCM, WebCrypto)', () => {
  it('stores a versioned ciphertext that opens only with the same key and the same row', async () => {
    const cipher = atRestCipher(key)!;
    const stored = await sealText(cipher, row, 'a share in hex');
    expect(stored.startsWith(AT_REST_PREFIX)).toBe(true);
    expect(stored).not.toContain('share');
    expect(await openText(cipher, row, stored)).toBe('a share in hex');
    expect(await sealText(cipher, row, 'a share in hex')).not.toBe(stored); // a fresh IV each time
    await expect(openText(atRestCipher(other)!, row, stored)).rejects.toMatchObject({ status: 503, code: 'SECRET_KEY_MISMATCH' });
    await expect(openText(cipher, secretRows.tallyShare('campaign-1', 2, 4), stored)).rejects.toMatchObject({ code: 'SECRET_KEY_MISMATCH' });
    await expect(openText(cipher, secretRows.surveyShare('campaign-1', 3), stored)).rejects.toMatchObject({ code: 'SECRET_KEY_MISMATCH' });
  });

  it('refuses an edited ciphertext, a non-canonical spelling of it and a secret still in the clear', async () => {
    const cipher = atRestCipher(key)!;
    const stored = await sealText(cipher, row, 'x'.repeat(40));
    const last = stored.at(-1)!;
    const flipped = stored.slice(0, -1) + (last === 'A' ? 'B' : 'A');
    await expect(openText(cipher, row, flipped)).rejects.toMatchObject({ code: 'SECRET_KEY_MISMATCH' });
    await expect(openText(cipher, row, `${stored}=`)).rejects.toMatchObject({ code: 'SECRET_KEY_MISMATCH' });
    await expect(openText(cipher, row, 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASC')).rejects.toMatchObject({ status: 503, code: 'SECRET_NOT_ENCRYPTED' });
  });

  it('has no cipher without a well-formed 64-hex key', () => {
    expect(atRestCipher(undefined)).toBeUndefined();
    expect(atRestCipher('')).toBeUndefined();
    expect(atRestCipher('ab'.repeat(31))).toBeUndefined();
    expect(atRestCipher(key.toUpperCase())).toBe(atRestCipher(key));
  });
});
