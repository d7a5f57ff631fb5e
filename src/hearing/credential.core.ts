/**
 * Anonymous ballot credentials: RSA blind signatures (RFC 9474, RSABSSA-SHA384-PSS-Randomized)
 * through @cloudflare/blindrsa-ts.
 *
 * The voter's device picks a random message, prepares and blinds it, and gets the blinded
 * message signed in exchange for its one-time check-in ticket. It unblinds the signature and
 * casts with (prepared message, signature). The server sees the blinded message at issue and
 * the unblinded pair at cast; without the device's blinding factor no computation links them.
 * One key pair per venue × group, so a credential proves where it was issued (for the per-venue
 * cast counter) while the stored ballot keeps no venue.
 */
import { RSABSSA } from '@cloudflare/blindrsa-ts';
import { b64url, fromB64url } from '../tally/seal.core';
import { sha256Hex } from '../lib/crypto';
import { LruCache } from '../lib/cache.core';

const suite = () => RSABSSA.SHA384.PSS.Randomized();
const RSA_PSS = { name: 'RSA-PSS', hash: 'SHA-384' } as const;

export interface VenueKeyPair {
  publicKey: string; // SPKI, base64url
  privateKey: string; // PKCS#8, base64url
}

export async function generateVenueKey(): Promise<VenueKeyPair> {
  const kp = await suite().generateKey({ modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]) });
  return {
    publicKey: b64url(new Uint8Array(await crypto.subtle.exportKey('spki', kp.publicKey))),
    privateKey: b64url(new Uint8Array(await crypto.subtle.exportKey('pkcs8', kp.privateKey))),
  };
}

const keyCache = new LruCache<string, Promise<CryptoKey>>({ max: 1000 });
function importKey(text: string, kind: 'spki' | 'pkcs8'): Promise<CryptoKey> {
  return keyCache.getOrSet(text, () => crypto.subtle.importKey(kind, fromB64url(text).slice().buffer as ArrayBuffer, RSA_PSS, true, [kind === 'spki' ? 'verify' : 'sign']));
}

type RawSigner = (pkcs8: string, blinded: Uint8Array) => Promise<Uint8Array | undefined>;
/** RSASSA-PSS-VERIFY with SHA-384 and a 48-byte salt, synchronously; undefined when it cannot tell. */
type NativeVerifier = (spki: string, msg: Uint8Array, sig: Uint8Array) => boolean | undefined;
let rawSigner: RawSigner | undefined;
let nativeVerifier: NativeVerifier | undefined;

/**
 * The RSA private operation in native code where the platform has it: blindrsa-ts's portable
 * path does it in JavaScript bignums (~300 ms a signature here). A platform may install a
 * native RSASP1 (Node: OpenSSL's raw RSA); the result is checked by RSAVP1 either way.
 */
export function useNativeRsa(signer: RawSigner, verifier?: NativeVerifier): void {
  rawSigner = signer;
  nativeVerifier = verifier;
}

/** BlindSign of RFC 9474 §4.3: the venue's signature on a blinded message. */
export async function blindSign(privateKey: string, blindedMsg: Uint8Array): Promise<Uint8Array> {
  const native = rawSigner ? await rawSigner(privateKey, blindedMsg) : undefined;
  if (native) return native;
  return suite().blindSign(await importKey(privateKey, 'pkcs8'), blindedMsg);
}

/** A credential as the voter presents it: the prepared message and the unblinded signature. */
export interface Credential {
  msg: string; // base64url
  sig: string; // base64url
}

/**
 * Verify of RFC 9474 §4.5, which is RSASSA-PSS-VERIFY of the prepared message. A platform may
 * install its native PSS verification (Node: OpenSSL, synchronous, no thread-pool round trip:
 * every cast verifies one credential); otherwise WebCrypto through blindrsa-ts.
 */
export async function verifyCredential(publicKey: string, cred: Credential | CredentialBytes): Promise<boolean> {
  try {
    const bytes = typeof cred.msg === 'string' ? decodeCredential(cred as Credential) : (cred as CredentialBytes);
    if (!bytes) return false;
    const native = nativeVerifier?.(publicKey, bytes.msg, bytes.sig);
    if (native !== undefined) return native;
    return await suite().verify(await importKey(publicKey, 'spki'), bytes.sig, bytes.msg);
  } catch {
    return false;
  }
}

/**
 * A credential's two byte strings, decoded strictly: a message or signature spelled in any
 * base64url other than its one canonical spelling is refused, never folded onto the same bytes
 * (otherwise one credential would be 16 credentials). Undefined when either is not canonical.
 */
export interface CredentialBytes {
  msg: Uint8Array;
  sig: Uint8Array;
}
export function decodeCredential(cred: Credential): CredentialBytes | undefined {
  try {
    return { msg: fromB64url(cred.msg), sig: fromB64url(cred.sig) };
  } catch {
    return undefined;
  }
}

const utf8 = (s: string) => new TextEncoder().encode(s);
const joined = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) out.set(p, at), (at += p.length);
  return out;
};

/** What is stored of a spent credential: a hash of its secret message's bytes, never the message. */
export const credentialHash = (msg: Uint8Array) => sha256Hex(joined(utf8('sanmin-credential-v2:'), msg));

/** Recognises an identical retry: equal only for the same credential bytes and the same ballot. */
export const ballotTag = (msg: Uint8Array, canonicalBallot: string) => sha256Hex(joined(utf8('sanmin-ballot-tag-v2:'), msg, utf8(`:${canonicalBallot}`)));

/** What is kept of the blinded message that won a ticket: a hash of its decoded bytes. */
export const blindedHash = (domain: string, blinded: Uint8Array) => sha256Hex(joined(utf8(`${domain}:`), blinded));

// ---- the voter's side (browser bundle, API clients, tests) ----

export interface BlindRequest {
  prepared: Uint8Array;
  blindedMsg: string; // base64url, sent to the server
  inv: Uint8Array; // stays on the device
}

export async function blindRequest(publicKey: string): Promise<BlindRequest> {
  const s = suite();
  const prepared = s.prepare(crypto.getRandomValues(new Uint8Array(32)));
  const { blindedMsg, inv } = await s.blind(await importKey(publicKey, 'spki'), prepared);
  return { prepared, blindedMsg: b64url(blindedMsg), inv };
}

export async function finalizeCredential(publicKey: string, req: BlindRequest, blindSig: string): Promise<Credential> {
  const sig = await suite().finalize(await importKey(publicKey, 'spki'), req.prepared, fromB64url(blindSig), req.inv);
  return { msg: b64url(req.prepared), sig: b64url(sig) };
}
