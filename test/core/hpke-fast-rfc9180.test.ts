import { describe, expect, it } from 'vitest';
import * as nc from 'node:crypto';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { keySchedule } from '../../src/tally/hpke-fast.core';

// RFC 9180 Appendix A.1.1: DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-128-GCM, base mode, sequence 0
const A1 = {
  info: '4f6465206f6e2061204772656369616e2055726e',
  skRm: '4612c550263fc8ad58375df3f557aac531d26850903e55a9f23f21d8534e8ac8',
  pkRm: '3948cfe0ad1ddb695d780e59077195da6c56506b027329794ab02bca80815c4d',
  enc: '37fda3567bdbd628e88668c3c8d7e97d1d1253b6d4ea6d44c150f741f1bf4431',
  key: '4531685d41d65f03dc48f6b8302c05b0',
  baseNonce: '56d890e5accaaf011cff4b7d',
  pt: '4265617574792069732074727574682c20747275746820626561757479',
  aad: '436f756e742d30',
  ct: 'f938558b5d72f1a23810b4be2ab4f84331acc02fc97babc53a52ae8218a355a96d8770ac83d07bea87e13c512a',
};
const PKCS8_X25519 = hexToBytes('302e020100300506032b656e04220420');

describe("the project's own HPKE key schedule (hpke-fast.core) against RFC 9180", () => {
  it('derives A.1.1 key and base_nonce from the recipient key and enc, and they open the vector ciphertext', () => {
    const sk = nc.createPrivateKey({ key: Buffer.from([...PKCS8_X25519, ...hexToBytes(A1.skRm)]), format: 'der', type: 'pkcs8' });
    const ephemeral = nc.createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: Buffer.from(hexToBytes(A1.enc)).toString('base64url') }, format: 'jwk' });
    const dh = nc.diffieHellman({ privateKey: sk, publicKey: ephemeral });
    const { key, nonce } = keySchedule(nc, hexToBytes(A1.info))(dh, hexToBytes(A1.enc), hexToBytes(A1.pkRm));
    expect(bytesToHex(key)).toBe(A1.key);
    expect(bytesToHex(nonce)).toBe(A1.baseNonce);
    // sequence 0 uses base_nonce itself; the vector's AAD is "Count-0" (the ballots use an empty one)
    const ct = hexToBytes(A1.ct);
    const decipher = nc.createDecipheriv('aes-128-gcm', key, nonce);
    decipher.setAAD(hexToBytes(A1.aad));
    decipher.setAuthTag(ct.subarray(ct.length - 16));
    const pt = Buffer.concat([decipher.update(ct.subarray(0, ct.length - 16)), decipher.final()]);
    expect(bytesToHex(pt)).toBe(A1.pt);
  });

  it('a different info gives a different key (the info is bound into the schedule)', () => {
    const dh = new Uint8Array(32).fill(1);
    const a = keySchedule(nc, hexToBytes(A1.info))(dh, hexToBytes(A1.enc), hexToBytes(A1.pkRm));
    const b = keySchedule(nc, new Uint8Array([1]))(dh, hexToBytes(A1.enc), hexToBytes(A1.pkRm));
    expect(bytesToHex(a.key)).not.toBe(bytesToHex(b.key));
  });
});
