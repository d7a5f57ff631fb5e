/**
 * What the voting and survey devices share: their unsent work in localStorage, a status line,
 * and JSON calls that retry on network failures and 5xx until the server answers (the server's
 * idempotency makes that safe); refusals (4xx) end the loop with the server's Chinese message.
 */
import { blindRequest, finalizeCredential, type Credential } from '../hearing/credential.core';
import { b64url, fromB64url } from '../tally/seal.core';

export const $ = <T extends HTMLElement>(sel: string) => document.querySelector(sel) as T | null;

export function storage<T extends object>(key: string) {
  return {
    load(): Partial<T> {
      try {
        return JSON.parse(localStorage.getItem(key) ?? '{}') as Partial<T>;
      } catch {
        return {};
      }
    },
    save: (value: Partial<T>) => localStorage.setItem(key, JSON.stringify(value)),
    clear: () => localStorage.removeItem(key),
  };
}

export function statusLine(selector: string) {
  return (text: string, kind: 'ok' | 'err' | 'warn' = 'warn') => {
    const el = $(selector);
    if (!el) return;
    el.className = `flash ${kind}`;
    el.textContent = text;
    el.hidden = !text;
    // a refusal must be seen: the line sits above a long form, out of view on a phone
    if (text && kind === 'err') el.scrollIntoView({ block: 'center' });
  };
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fields: Record<string, string> = {},
  ) {
    super(message);
  }
}

export async function api<T>(path: string, body: unknown): Promise<T> {
  const res = await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), credentials: 'omit' });
  const data = (await res.json().catch(() => ({}))) as { error?: { code: string; message: string; fields?: Record<string, string> } } & T;
  if (!res.ok) throw new ApiError(res.status, data.error?.code ?? 'HTTP', data.error?.message ?? `服务器返回 ${res.status}`, data.error?.fields ?? {});
  return data;
}

/** Calls until the server answers; `onWait` tells the person what is happening meanwhile. */
export async function persist<T>(path: string, body: unknown, onWait: (attempt: number, waitMs: number) => void): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await api<T>(path, body);
    } catch (err) {
      if (err instanceof ApiError && err.status < 500) throw err;
      const wait = Math.min(10_000, 1000 * 2 ** Math.min(attempt, 4));
      onWait(attempt, wait);
      await new Promise((r) => setTimeout(r, wait));
    }
  }
}

/** What a device keeps while it turns a one-time code into an anonymous credential. */
export interface CredentialWork {
  publicKey?: string;
  blind?: { prepared: string; inv: string; blindedMsg: string };
  credential?: Credential;
}

/**
 * Blinds on the device, trades the blinded message for a signature at `redeem`, unblinds. The
 * blinding is saved before sending, so a lost answer is fetched again with the same blinded
 * message (the server re-signs it); `spend` then drops the one-time code from the saved state.
 */
export async function obtainCredential<S extends CredentialWork>(s: S, save: (s: S) => void, redeem: (blindedMsg: string) => Promise<{ blindSig: string }>, spend: (s: S) => void) {
  if (!s.blind) {
    const req = await blindRequest(s.publicKey!);
    s.blind = { prepared: b64url(req.prepared), inv: b64url(req.inv), blindedMsg: req.blindedMsg };
    save(s);
  }
  const { blindSig } = await redeem(s.blind.blindedMsg);
  s.credential = await finalizeCredential(s.publicKey!, { prepared: fromB64url(s.blind.prepared), inv: fromB64url(s.blind.inv), blindedMsg: s.blind.blindedMsg }, blindSig);
  delete s.blind;
  spend(s); // the code is spent: the device now holds only the anonymous credential
  save(s);
}
