import { constants, createPrivateKey, createPublicKey, privateDecrypt, publicEncrypt, verify, type KeyObject } from 'node:crypto';
import { fromB64url } from '../tally/seal.core';

const keys = new Map<string, { priv: KeyObject; pub: KeyObject; size: number }>();

/**
 * RSASP1 through OpenSSL (raw RSA, no padding) for blind signing on Node, then RSAVP1 to check
 * the result as RFC 9474 §4.3 requires. The input is the blinded message, already a full-size
 * integer below the modulus; anything else is left to blindrsa-ts, which rejects it.
 */
export async function nodeRawSign(pkcs8: string, blinded: Uint8Array): Promise<Uint8Array | undefined> {
  let k = keys.get(pkcs8);
  if (!k) {
    const priv = createPrivateKey({ key: Buffer.from(fromB64url(pkcs8)), format: 'der', type: 'pkcs8' });
    const size = (priv.asymmetricKeyDetails?.modulusLength ?? 0) / 8;
    k = { priv, pub: createPublicKey(priv), size };
    keys.set(pkcs8, k);
  }
  if (blinded.length !== k.size) return undefined;
  let s: Buffer;
  try {
    s = privateDecrypt({ key: k.priv, padding: constants.RSA_NO_PADDING }, blinded);
  } catch {
    return undefined; // e.g. not below the modulus: the portable path raises the proper error
  }
  const back = publicEncrypt({ key: k.pub, padding: constants.RSA_NO_PADDING }, s);
  if (!back.equals(Buffer.from(blinded))) throw new Error('blind signature failed verification');
  return new Uint8Array(s);
}

const publicKeys = new Map<string, KeyObject>();

/**
 * RSASSA-PSS-VERIFY (SHA-384, MGF1-SHA-384, 48-byte salt: RSABSSA-SHA384-PSS-Randomized of
 * RFC 9474 §6) through OpenSSL, synchronously. Undefined for a key OpenSSL will not read, so
 * the portable path decides.
 */
export function nodePssVerify(spki: string, msg: Uint8Array, sig: Uint8Array): boolean | undefined {
  let key = publicKeys.get(spki);
  if (!key) {
    try {
      key = createPublicKey({ key: Buffer.from(fromB64url(spki)), format: 'der', type: 'spki' });
    } catch {
      return undefined;
    }
    if (publicKeys.size > 1000) publicKeys.clear();
    publicKeys.set(spki, key);
  }
  try {
    return verify('sha384', msg, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 48 }, sig);
  } catch {
    return false;
  }
}
