import { describe, expect, it } from 'vitest';
import { openSealedShare, runCeremonyCore, type SeatsDocument } from '../../src/tally/ceremony.core';
import { newSeatKeyFile, passphraseProblem, SCRYPT_PARAMS, seatKeyFromFile, seatKeyFromPassphrase } from '../../src/tally/seat-key.core';
import { isRawPublicKey } from '../../src/tally/seal.core';

describe('seat keys the custodian keeps', () => {
  it('refuses short, repetitive or guessable passphrases with a Chinese reason, and takes a long sentence in Chinese or Latin', () => {
    for (const weak of ['', 'password', '123456789012', 'aaaaaaaaaaaaaaaa', 'abababababababab', 'qwertyuiopas']) {
      const problem = passphraseProblem(weak);
      expect(problem, weak).not.toBeNull();
      expect(problem!).toMatch(/[\u4e00-\u9fff]/);
    }
    for (const ok of ['春江潮水连海平海上明月共潮生', 'correct horse battery staple 42', 'Tr0ub4dor&3-seat-two']) expect(passphraseProblem(ok), ok).toBeNull();
  });

  it('derives the same key pair from the same passphrase on any device, and another on another seat; scrypt N=2^17, r=8, p=1', async () => {
    expect(SCRYPT_PARAMS).toMatchObject({ N: 2 ** 17, r: 8, p: 1 });
    const t0 = performance.now();
    const a = await seatKeyFromPassphrase('correct horse battery staple 42', '2018', 1, 2);
    const ms = performance.now() - t0;
    expect(ms).toBeGreaterThan(100); // a guess costs real work (about 0.75 s on the test machine)
    const again = await seatKeyFromPassphrase('correct horse battery staple 42', '2018', 1, 2);
    expect(again.publicKey).toBe(a.publicKey);
    expect(isRawPublicKey(a.publicKey)).toBe(true);
    expect((await seatKeyFromPassphrase('correct horse battery staple 42', '2018', 1, 3)).publicKey).not.toBe(a.publicKey);
    expect((await seatKeyFromPassphrase('correct horse battery staple 42', '2018', 2, 2)).publicKey).not.toBe(a.publicKey);
    await expect(seatKeyFromPassphrase('short', '2018', 1, 2)).rejects.toMatchObject({ code: 'WEAK_PASSPHRASE' });
  }, 30_000);

  it('a key file derives its key and is refused on another seat or when edited', async () => {
    const f = await newSeatKeyFile('2018', 1, 4);
    expect((await seatKeyFromFile(JSON.stringify(f), '2018', 1, 4)).publicKey).toBe(f.publicKey);
    await expect(seatKeyFromFile(JSON.stringify(f), '2018', 1, 5)).rejects.toMatchObject({ code: 'KEY_FILE_OTHER_SEAT' });
    await expect(seatKeyFromFile(JSON.stringify({ ...f, ikm: `${f.ikm}=` }), '2018', 1, 4)).rejects.toMatchObject({ code: 'KEY_FILE_UNREADABLE' });
    await expect(seatKeyFromFile(JSON.stringify({ ...f, publicKey: (await newSeatKeyFile('2018', 1, 4)).publicKey }), '2018', 1, 4)).rejects.toMatchObject({ code: 'KEY_FILE_UNREADABLE' });
  });
});

describe('the ceremony core (offline)', () => {
  it('seals each share to its seat; only that seat key opens it, and it matches its fingerprint', async () => {
    const files = await Promise.all([1, 2, 3].map((s) => newSeatKeyFile('2018', 5, s)));
    const seats: SeatsDocument = { v: 1, kind: 'sanmin-tally-seats', campaign: '2018', group: 5, shareCount: 3, threshold: 2, replaces: null, seats: files.map((f, i) => ({ seat: i + 1, custodian: `保管人${i + 1}`, seatKey: f.publicKey })) };
    const c = await runCeremonyCore(seats, new Date('2026-12-02T08:00:00Z'));
    expect(c.record).toContain('保管人3');
    expect(c.record).toContain(c.publicKeyFingerprint.slice(0, 8));
    expect(c.record).toContain('签字');
    const sealedFor = (i: number) => ({ v: 1 as const, kind: 'sanmin-tally-sealed-share' as const, campaign: '2018', group: 5, seat: i + 1, shareCount: 3, threshold: 2, publicKey: c.publicKey, sealedShare: c.seats[i]!.sealedShare, fingerprint: c.seats[i]!.fingerprint });
    for (const i of [0, 1, 2]) {
      const key = await seatKeyFromFile(JSON.stringify(files[i]), '2018', 5, i + 1);
      const share = await openSealedShare(sealedFor(i), key.privateKey);
      expect(share.fingerprint).toBe(c.seats[i]!.fingerprint);
      const other = await seatKeyFromFile(JSON.stringify(files[(i + 1) % 3]), '2018', 5, ((i + 1) % 3) + 1);
      await expect(openSealedShare(sealedFor(i), other.privateKey)).rejects.toMatchObject({ code: 'WRONG_SEAT_KEY' });
    }
    // seat 1's sealed share presented as seat 2's: the seat is bound in the seal, it does not open
    const k2 = await seatKeyFromFile(JSON.stringify(files[1]), '2018', 5, 2);
    await expect(openSealedShare({ ...sealedFor(1), sealedShare: c.seats[0]!.sealedShare }, k2.privateKey)).rejects.toMatchObject({ code: 'WRONG_SEAT_KEY' });
  });
});
