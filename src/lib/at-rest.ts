/**
 * Secrets at rest: private keys and custodians' shares that must sit in the database are stored
 * only as AES-256-GCM ciphertexts under a data-encryption key that does not live in the database
 * (`SANMIN_SECRET_KEY` or the key file `sanmin-secret.key` beside the file on Node, the secret
 * `SECRET_KEY` on Workers). WebCrypto only, so the same code runs on Node and workerd.
 *
 * Stored text: `sm-aes1.` ‖ base64url(12-byte random IV ‖ ciphertext ‖ 16-byte tag). The
 * associated data names the row (table, column and its identity), so a ciphertext copied into
 * another row (another venue, group, survey or seat) does not open there.
 */
import { AppError } from './errors';

export const AT_REST_PREFIX = 'sm-aes1.';

/** Encrypts and opens secrets bound to the identity of the row they are stored in. */
export interface AtRest {
  seal(row: RowIdentity, plain: Uint8Array): Promise<string>;
  open(row: RowIdentity, stored: string): Promise<Uint8Array>;
  /** A 128-bit MAC (base64url) of `data` under a key derived from this one, for tokens nothing stores (回访 links). */
  mac(label: string, data: string): Promise<string>;
}

/** The row a secret belongs to: table.column, then the row's key columns in order. */
export type RowIdentity = readonly [column: string, ...key: (string | number)[]];

export const secretRows = {
  venueKey: (campaignId: string, groupNo: number, venueName: string): RowIdentity => ['voting_sessions.private_key', campaignId, groupNo, venueName],
  surveyKey: (surveyId: string): RowIdentity => ['surveys.sign_private_key', surveyId],
  tallyShare: (campaignId: string, groupNo: number, seatNo: number): RowIdentity => ['tally_unseal_shares.share', campaignId, groupNo, seatNo],
  surveyShare: (surveyId: string, seatNo: number): RowIdentity => ['survey_unseal_shares.share', surveyId, seatNo],
};

export const isSealedSecret = (stored: string) => stored.startsWith(AT_REST_PREFIX);

const aad = (row: RowIdentity) => new TextEncoder().encode(JSON.stringify(['sanmin-at-rest-v1', ...row]));

function toB64url(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromB64urlStrict(text: string): Uint8Array | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) return undefined;
  const bytes = Uint8Array.from(atob(text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (text.length % 4)) % 4)), (c) => c.charCodeAt(0));
  return toB64url(bytes) === text ? bytes : undefined;
}

/** The key is configured but does not open what is stored (another key, or an edited row). */
export const secretUnreadable = () =>
  new AppError(503, 'SECRET_KEY_MISMATCH', '服务器保存的密钥无法用当前的数据加密密钥解开(密钥文件被更换,或数据被改动),暂不能使用;请联系技术保障组');

/** A stored secret in the clear, from before at-rest encryption: refused (see encryptPlaintextSecrets). */
export const secretInClear = () =>
  new AppError(503, 'SECRET_NOT_ENCRYPTED', '服务器保存的密钥尚未加密,暂不能使用;请重新启动服务以完成加密,或联系技术保障组');

const ciphers = new Map<string, AtRest>();

/** Voting, surveys and unsealing need the data-encryption key; without one they stop here. */
export function requireAtRest(atRest: AtRest | undefined): AtRest {
  if (!atRest) throw new AppError(503, 'SECRET_KEY_MISSING', '服务器未配置数据加密密钥,暂不能开启投票、领取凭证或保管密钥分片;请联系技术保障组');
  return atRest;
}

/** The at-rest cipher for a 64-hex key; undefined when none (or no well-formed one) is configured. */
export function atRestCipher(keyHex: string | undefined): AtRest | undefined {
  if (!keyHex || !/^[0-9a-f]{64}$/i.test(keyHex)) return undefined;
  const hex = keyHex.toLowerCase();
  let cipher = ciphers.get(hex);
  if (!cipher) ciphers.set(hex, (cipher = makeCipher(hex)));
  return cipher; // one object per key, so callers may cache what it opened by the cipher
}

function makeCipher(hex: string): AtRest {
  const raw = Uint8Array.from(hex.match(/../g)!, (h) => parseInt(h, 16));
  const cryptoKey = crypto.subtle.importKey('raw', raw, { name: 'AES-GCM' }, false, ['encrypt', 'decrypt']);
  // a separate key for MACs, derived from the data key (never the AES key used twice)
  const macKey = (async () => {
    const derive = await crypto.subtle.importKey('raw', raw, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    const derived = await crypto.subtle.sign('HMAC', derive, new TextEncoder().encode('sanmin-mac-key-v1'));
    return crypto.subtle.importKey('raw', derived, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  })();
  return {
    async mac(label, data) {
      const tag = new Uint8Array(await crypto.subtle.sign('HMAC', await macKey, new TextEncoder().encode(JSON.stringify([label, data]))));
      return toB64url(tag.slice(0, 16));
    },
    async seal(row, plain) {
      const iv = crypto.getRandomValues(new Uint8Array(12));
      const ct = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: aad(row) }, await cryptoKey, new Uint8Array(plain)));
      const out = new Uint8Array(iv.length + ct.length);
      out.set(iv);
      out.set(ct, iv.length);
      return AT_REST_PREFIX + toB64url(out);
    },
    async open(row, stored) {
      if (!isSealedSecret(stored)) throw secretInClear();
      const bytes = fromB64urlStrict(stored.slice(AT_REST_PREFIX.length));
      if (!bytes || bytes.length < 12 + 16) throw secretUnreadable();
      try {
        return new Uint8Array(await crypto.subtle.decrypt({ name: 'AES-GCM', iv: bytes.slice(0, 12), additionalData: aad(row) }, await cryptoKey, bytes.slice(12)));
      } catch {
        throw secretUnreadable();
      }
    },
  };
}

/** A secret kept as text (base64url PKCS#8, share hex), sealed to its row. */
export const sealText = (atRest: AtRest, row: RowIdentity, text: string) => atRest.seal(row, new TextEncoder().encode(text));
export const openText = async (atRest: AtRest, row: RowIdentity, stored: string) => new TextDecoder().decode(await atRest.open(row, stored));
