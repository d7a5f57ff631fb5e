import { describe, expect, it } from 'vitest';
import { hexToBytes, bytesToHex } from '@noble/hashes/utils.js';
import { checkRecord, sealOnDevice, sealWithSeed, useKem, verifyCheck } from '../../src/tally/device-seal.core';
import { b64url, fromB64url } from '../../src/lib/bytes.core';
import { openBallots } from '../../src/tally/verify.core';
import { ballotShapeDigest, generateTallyKeyPair, openBallot } from '../../src/tally/seal.core';

// RFC 9180 Appendix A.1.1: DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-128-GCM, base mode, sequence 0
const A1 = {
  info: '4f6465206f6e2061204772656369616e2055726e',
  ikmE: '7268600d403fce431561aef583ee1613527cff655c1343f29812e66706df3234',
  pkRm: '3948cfe0ad1ddb695d780e59077195da6c56506b027329794ab02bca80815c4d',
  enc: '37fda3567bdbd628e88668c3c8d7e97d1d1253b6d4ea6d44c150f741f1bf4431',
  pt: '4265617574792069732074727574682c20747275746820626561757479',
  aad: '436f756e742d30',
  ct: 'f938558b5d72f1a23810b4be2ab4f84331acc02fc97babc53a52ae8218a355a96d8770ac83d07bea87e13c512a',
};

const departments = ['市发展改革委', '市经济信息化委', '市科技局'];
const scale = ['满意', '比较满意', '不太满意', '不满意', '不了解'];

describe('sealing on the device with a chosen ikmE (@hpke/core 1.9.0 ekm)', () => {
  it('reproduces RFC 9180 A.1.1: the same enc and the same ciphertext from the same ikmE', async () => {
    const sealed = fromB64url(await sealWithSeed(b64url(hexToBytes(A1.pkRm)), hexToBytes(A1.info), hexToBytes(A1.pt), hexToBytes(A1.ikmE), hexToBytes(A1.aad)));
    expect(bytesToHex(sealed.slice(0, 32))).toBe(A1.enc);
    expect(bytesToHex(sealed.slice(32))).toBe(A1.ct);
  });

  it('the portable KEM (@hpke/dhkem-x25519, for tablets without X25519 in WebCrypto) reproduces the same vector and the same ballots', async () => {
    const { DhkemX25519HkdfSha256: Portable } = await import('@hpke/dhkem-x25519');
    const { DhkemX25519HkdfSha256: Native } = await import('@hpke/core');
    const pair = await generateTallyKeyPair();
    const content = { v: 1 as const, campaign: '2018', group: 1, answers: [3, null, 1] };
    const ikmE = new Uint8Array(32).fill(7);
    const native = await sealOnDevice(pair.publicKey, content, ikmE);
    try {
      useKem(new Portable());
      const sealed = fromB64url(await sealWithSeed(b64url(hexToBytes(A1.pkRm)), hexToBytes(A1.info), hexToBytes(A1.pt), hexToBytes(A1.ikmE), hexToBytes(A1.aad)));
      expect(bytesToHex(sealed.slice(0, 32))).toBe(A1.enc);
      expect(bytesToHex(sealed.slice(32))).toBe(A1.ct);
      const portable = await sealOnDevice(pair.publicKey, content, ikmE);
      expect(portable.ciphertext).toBe(native.ciphertext);
      expect(await openBallot(pair.privateKey, '2018', 1, portable.ciphertext)).toEqual(content);
    } finally {
      useKem(new Native());
    }
  });

  it('seals a ballot the tally key opens, and fresh randomness gives a different ciphertext and receipt each time', async () => {
    const pair = await generateTallyKeyPair();
    const content = { v: 1 as const, campaign: '2018', group: 1, answers: [1, null, 4] };
    const a = await sealOnDevice(pair.publicKey, content);
    const b = await sealOnDevice(pair.publicKey, content);
    expect(a.ciphertext).not.toBe(b.ciphertext);
    expect(a.receipt).not.toBe(b.receipt);
    expect(await openBallot(pair.privateKey, '2018', 1, a.ciphertext)).toEqual(content);
  });
});

describe('the cast-as-intended check (Benaloh)', () => {
  it('an honest device: the check recomputes the ciphertext and reads out the choices the screen showed', async () => {
    const pair = await generateTallyKeyPair();
    const content = { v: 1 as const, campaign: '2018', group: 2, shape: ballotShapeDigest(departments, scale), answers: [2, null, 5] };
    const sealed = await sealOnDevice(pair.publicKey, content);
    const v = await verifyCheck(JSON.parse(JSON.stringify(checkRecord(pair.publicKey, content, sealed, departments, scale))));
    expect(v).toEqual({
      ok: true,
      receipt: sealed.receipt,
      choices: [
        { department: '市发展改革委', choice: '比较满意' },
        { department: '市经济信息化委', choice: '(空白)' },
        { department: '市科技局', choice: '不了解' },
      ],
    });
  });

  it('a device that sealed another choice than it showed is caught by the check', async () => {
    const pair = await generateTallyKeyPair();
    const shown = { v: 1 as const, campaign: '2018', group: 2, shape: ballotShapeDigest(departments, scale), answers: [1, 1, 1] };
    const cheated = await sealOnDevice(pair.publicKey, { ...shown, answers: [4, 4, 4] });
    const v = await verifyCheck(checkRecord(pair.publicKey, shown, cheated, departments, scale));
    expect(v.ok).toBe(false);
  });

  it('a device that swapped two departments\' answers and swapped their names in the record to match is caught', async () => {
    const pair = await generateTallyKeyPair();
    // the delegate chose 满意 for 市发展改革委 and 不了解 for 市科技局; the device sealed them the other way round
    const sealedContent = { v: 1 as const, campaign: '2018', group: 2, shape: ballotShapeDigest(departments, scale), answers: [5, null, 1] };
    const sealed = await sealOnDevice(pair.publicKey, sealedContent);
    const swappedNames = [departments[2]!, departments[1]!, departments[0]!];
    // printed with the names swapped, each department shows the choice the delegate made
    const v = await verifyCheck(checkRecord(pair.publicKey, sealedContent, sealed, swappedNames, scale));
    expect(v.ok).toBe(false);
    if (!v.ok) expect(v.reason).toContain('部门或选项名称');
    // and claiming the swapped names' shape in the plaintext makes the ballot invalid at the tally instead
    const claimed = { ...sealedContent, shape: ballotShapeDigest(swappedNames, scale) };
    const rec = checkRecord(pair.publicKey, claimed, await sealOnDevice(pair.publicKey, claimed), swappedNames, scale);
    expect((await verifyCheck(rec)).ok).toBe(true);
    const opened = await openBallots(pair.privateKey, '2018', 2, [rec.ciphertext, sealed.ciphertext], 3, new Set([1, 2, 3, 4, 5]), { shape: ballotShapeDigest(departments, scale) });
    expect(opened).toEqual([null, [5, null, 1]]);
  });

  it('a check record altered afterwards (receipt, group, key, one bit of the seed) fails', async () => {
    const pair = await generateTallyKeyPair();
    const other = await generateTallyKeyPair();
    const content = { v: 1 as const, campaign: '2018', group: 2, shape: ballotShapeDigest(departments, scale), answers: [1, 2, 3] };
    const rec = checkRecord(pair.publicKey, content, await sealOnDevice(pair.publicKey, content), departments, scale);
    const seed = fromB64url(rec.ikmE);
    seed[0] = seed[0]! ^ 1;
    for (const altered of [
      { ...rec, receipt: rec.receipt.replace(/^./, (c) => (c === '0' ? '1' : '0')) },
      { ...rec, ballot: { ...content, group: 3 } },
      { ...rec, tallyPublicKey: other.publicKey },
      { ...rec, ikmE: b64url(seed) },
      { ...rec, ikmE: rec.ikmE + 'A' },
      { ...rec, kind: 'other' },
      null,
    ]) {
      expect((await verifyCheck(altered)).ok).toBe(false);
    }
  });
});
