import { Hono, type Context } from 'hono';
import { deleteCookie, setCookie } from 'hono/cookie';
import { LoginPage } from '../../views/auth/login';
import { audited } from '../audit/audit.service';
import type { AppEnv } from '../env';
import { sha256Hex } from '../lib/crypto';
import { AppError } from '../lib/errors';
import { DUMMY_HASH, verifyPassword } from '../lib/password';
import { readJson } from '../lib/input';
import { formFields, page } from '../lib/render';
import { LOGIN_LIMITS, safeNext, SESSION_TTL_MS } from './auth.core';
import { cookieOptions, SESSION_COOKIE } from './auth.middleware';
import { clearRateLimit, hitRateLimit, limitAddress, rateLimitedError } from '../lib/rate-limit.service';
import { deleteSession, findUserByUsername, newSession } from './auth.service';

export const authRoutes = new Hono<AppEnv>();

authRoutes.get('/login', (c) => {
  if (c.var.user) return c.redirect(safeNext(c.req.query('next'), new URL(c.req.url).origin), 302);
  return page(c, { title: '工作人员登录' }, <LoginPage csrfToken={c.var.csrfToken} next={safeNext(c.req.query('next'), new URL(c.req.url).origin)} />);
});

/** Checks a login attempt under the rate limits; on success records it and returns the new session token. */
async function attemptLogin(c: Context<AppEnv>, username: string, password: string): Promise<{ token: string } | { error: string }> {
  const db = c.var.db;
  // Counted before checking the password, so guessing costs attempts whether or not it succeeds;
  // per address and per (username, address), so nobody elsewhere can lock the account's owner out.
  const address = limitAddress(c);
  // the username is hashed: a password typed into the wrong field never sits in the counters
  const pairKey = `login:pair:${address}|${sha256Hex(username.toLowerCase())}`;
  const [byIp, byPair] = await Promise.all([
    hitRateLimit(db, `login:ip:${address}`, LOGIN_LIMITS.perIp.windowMs),
    hitRateLimit(db, pairKey, LOGIN_LIMITS.perUsernameAndAddress.windowMs),
  ]);
  if (byIp > LOGIN_LIMITS.perIp.max || byPair > LOGIN_LIMITS.perUsernameAndAddress.max) {
    throw rateLimitedError(c, LOGIN_LIMITS.perIp, '登录尝试过于频繁,请 15 分钟后再试');
  }

  const user = await findUserByUsername(db, username);
  const ok = await verifyPassword(password, user?.passwordHash ?? DUMMY_HASH);
  if (!user || !ok || !user.active) return { error: '用户名或密码错误,或账号已停用' };

  const session = newSession(db, user.id);
  await audited(db, { id: user.id, name: user.username }, 'auth.login', `user:${user.username}`, { ip: c.var.clientIp }, [
    session.insert,
    clearRateLimit(db, pairKey),
  ]);
  return { token: session.token };
}

authRoutes.post('/login', async (c) => {
  const form = await formFields(c);
  const username = (form['username'] ?? '').trim();
  const password = form['password'] ?? '';
  const next = safeNext(form['next'], new URL(c.req.url).origin);
  const again = (status: 401 | 422, error: string) =>
    page(c, { title: '工作人员登录', status }, <LoginPage csrfToken={c.var.csrfToken} next={next} username={username} error={error} />);

  if (!username || !password) return again(422, '请填写用户名和密码');
  const result = await attemptLogin(c, username, password);
  if ('error' in result) return again(401, result.error);
  setCookie(c, SESSION_COOKIE, result.token, cookieOptions(c, SESSION_TTL_MS / 1000));
  return c.redirect(next, 303);
});

/** Token login for API clients (rehearsal, load drivers): the token goes in `Authorization: Bearer`. */
authRoutes.post('/api/login', async (c) => {
  const body = await readJson(c);
  const username = typeof body['username'] === 'string' ? body['username'].trim() : '';
  const password = typeof body['password'] === 'string' ? body['password'] : '';
  if (!username || !password) throw new AppError(422, 'VALIDATION_FAILED', '请提供用户名和密码');
  const result = await attemptLogin(c, username, password);
  if ('error' in result) throw new AppError(401, 'LOGIN_FAILED', result.error);
  return c.json({ token: result.token, expiresInSeconds: SESSION_TTL_MS / 1000 });
});

authRoutes.post('/logout', async (c) => {
  const { user, sessionToken } = c.var;
  if (user && sessionToken) {
    await audited(c.var.db, { id: user.id, name: user.username }, 'auth.logout', `user:${user.username}`, {}, [
      deleteSession(c.var.db, sessionToken),
    ]);
  }
  deleteCookie(c, SESSION_COOKIE, { path: '/' });
  return c.redirect('/', 303);
});
