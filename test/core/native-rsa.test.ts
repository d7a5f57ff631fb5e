import { RSABSSA } from '@cloudflare/blindrsa-ts';
import { describe, expect, it } from 'vitest';
import { blindRequest, finalizeCredential, generateVenueKey } from '../../src/hearing/credential.core';
import { nodePssVerify, nodeRawSign } from '../../src/node/native-rsa';
import { b64url, fromB64url } from '../../src/tally/seal.core';

const suite = () => RSABSSA.SHA384.PSS.Randomized();
const importKey = (text: string, kind: 'spki' | 'pkcs8') =>
  crypto.subtle.importKey(kind, fromB64url(text).slice().buffer as ArrayBuffer, { name: 'RSA-PSS', hash: 'SHA-384' }, true, [kind === 'spki' ? 'verify' : 'sign']);

describe('RSA through OpenSSL on Node', () => {
  it('signs blinded messages and verifies credentials exactly as blindrsa-ts does', async () => {
    const key = await generateVenueKey();
    const other = await generateVenueKey();
    const pub = await importKey(key.publicKey, 'spki');
    for (const native of [true, false]) {
      const req = await blindRequest(key.publicKey);
      const blinded = fromB64url(req.blindedMsg);
      const blindSig = native ? (await nodeRawSign(key.privateKey, blinded))! : await suite().blindSign(await importKey(key.privateKey, 'pkcs8'), blinded);
      const cred = await finalizeCredential(key.publicKey, req, b64url(blindSig));
      const msg = fromB64url(cred.msg);
      const sig = fromB64url(cred.sig);
      const tamperedSig = sig.slice();
      tamperedSig[10]! ^= 1;
      const tamperedMsg = msg.slice();
      tamperedMsg[3]! ^= 1;
      const cases: [string, Uint8Array, Uint8Array, boolean][] = [
        [key.publicKey, msg, sig, true],
        [key.publicKey, msg, tamperedSig, false],
        [key.publicKey, tamperedMsg, sig, false],
        [other.publicKey, msg, sig, false],
      ];
      for (const [spki, m, s, expected] of cases) {
        expect(nodePssVerify(spki, m, s)).toBe(expected);
        const portable = await suite().verify(spki === key.publicKey ? pub : await importKey(spki, 'spki'), s, m);
        expect(portable).toBe(expected);
      }
    }
  });

  it('leaves an unreadable key to the portable path and refuses a short signature', async () => {
    const key = await generateVenueKey();
    expect(nodePssVerify('not-a-key', new Uint8Array(32), new Uint8Array(256))).toBeUndefined();
    expect(nodePssVerify(key.publicKey, new Uint8Array(32), new Uint8Array(12))).toBe(false);
    expect(await nodeRawSign(key.privateKey, new Uint8Array(12))).toBeUndefined();
  });
});
