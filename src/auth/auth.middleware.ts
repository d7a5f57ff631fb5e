import type { Context } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { createMiddleware } from 'hono/factory';
import type { Role } from '../db/schema';
import type { AppEnv, SessionUser } from '../env';
import { constantTimeEqual, randomToken, sha256Hex } from '../lib/crypto';
import { AppError, forbidden } from '../lib/errors';
import { readForm } from '../lib/input';
import { sessionUser } from './auth.service';

export const SESSION_COOKIE = 'sanmin_session';
export const CSRF_COOKIE = 'sanmin_csrf';

export function isHttps(c: Context<AppEnv>): boolean {
  return new URL(c.req.url).protocol === 'https:' || c.req.header('x-forwarded-proto') === 'https';
}

export function cookieOptions(c: Context<AppEnv>, maxAgeSeconds?: number) {
  return {
    httpOnly: true,
    secure: isHttps(c),
    sameSite: 'Lax' as const,
    path: '/',
    ...(maxAgeSeconds === undefined ? {} : { maxAge: maxAgeSeconds }),
  };
}

/**
 * Loads the staff member behind the session cookie, or behind `Authorization: Bearer <token>`
 * on /api (scripts and rehearsal drivers; a header is never sent ambiently, so no CSRF risk).
 */
export const loadSession = createMiddleware<AppEnv>(async (c, next) => {
  const bearer = c.req.path.startsWith('/api/') ? /^Bearer\s+(\S+)$/i.exec(c.req.header('authorization') ?? '')?.[1] : undefined;
  const token = getCookie(c, SESSION_COOKIE) ?? bearer ?? null;
  const user = token ? await sessionUser(c.var.db, token) : undefined;
  c.set('user', user ?? null);
  c.set('sessionToken', user ? token : null);
  await next();
});

/** The CSRF token a form must echo: bound to the session when logged in, else a cookie nonce. */
export function csrfTokenFor(sessionToken: string | null, nonce: string): string {
  return sessionToken ? sha256Hex(`${sessionToken}:csrf`) : nonce;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Every state-changing request that rides on cookies must carry the token, as the `_csrf`
 * form field or the X-CSRF-Token header (htmx sends it from the layout). API calls without
 * cookies carry no ambient authority and are exempt.
 */
export const csrfProtection = createMiddleware<AppEnv>(async (c, next) => {
  let nonce = getCookie(c, CSRF_COOKIE);
  if (!nonce) {
    nonce = randomToken(18);
    setCookie(c, CSRF_COOKIE, nonce, cookieOptions(c));
  }
  const expected = csrfTokenFor(c.var.sessionToken, nonce);
  c.set('csrfToken', expected);
  if (SAFE_METHODS.has(c.req.method)) return next();
  const hasCookies = Boolean(getCookie(c, SESSION_COOKIE) || getCookie(c, CSRF_COOKIE));
  if ((c.req.path.startsWith('/api/') || c.req.path.startsWith('/open311/')) && !hasCookies) return next();
  let sent = c.req.header('x-csrf-token');
  const type = c.req.header('content-type') ?? '';
  if (!sent && (type.startsWith('application/x-www-form-urlencoded') || type.startsWith('multipart/form-data'))) {
    sent = (await readForm(c))['_csrf'];
  }
  if (!sent || !constantTimeEqual(sent, expected)) {
    throw new AppError(403, 'CSRF_FAILED', '页面已过期或来源不明,请刷新页面后重新提交');
  }
  return next();
});

/** Staff only: anonymous visitors go to the login page (or get 401 on the API); other roles get 403. */
export function requireRole(...roles: Role[]) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const user = c.var.user;
    if (!user) {
      if (c.req.path.startsWith('/api/')) throw new AppError(401, 'UNAUTHENTICATED', '请先登录');
      const url = new URL(c.req.url);
      return c.redirect(`/login?next=${encodeURIComponent(url.pathname + url.search)}`, 302);
    }
    if (roles.length && !roles.includes(user.role)) throw forbidden();
    await next();
  });
}

/**
 * The signed-in staff member, for handlers behind `requireRole` (typed, so no non-null assertion on `c.var.user`):
 * 401 if somehow reached without one, as `requireRole` would answer on the API.
 */
export function staffUser(c: Context<AppEnv>): SessionUser {
  const user = c.var.user;
  if (!user) throw new AppError(401, 'UNAUTHENTICATED', '请先登录');
  return user;
}
