import type { Context } from 'hono';
import type { Db } from '../db/client';
import type { AppEnv } from '../env';
import { AppError, httpError } from './errors';
import { addressBucket, LOOKUP_LIMIT, retryAfterSeconds } from '../auth/auth.core';
import * as repo from './rate-limit.repo';
import { hitRateLimits, refundRateLimit, type Hit } from './rate-limit.repo';

export interface Limit {
  max: number;
  windowMs: number;
}

/** The caller's address as budgets count it (an IPv6 /64 as one). */
export const limitAddress = (c: Context<AppEnv>) => addressBucket(c.var.clientIp);

/** 429 `RATE_LIMITED` with a Chinese message and `Retry-After` (seconds until the window ends). */
export function rateLimitedError(c: Context<AppEnv>, limit: Limit, message: string, now = Date.now()): AppError {
  c.header('Retry-After', String(retryAfterSeconds(now, limit.windowMs)));
  return new AppError(429, 'RATE_LIMITED', message);
}

/** Counts one hit in the database (one atomic upsert) and refuses once the window's budget is spent. */
export async function spendBudget(c: Context<AppEnv>, key: string, limit: Limit, message: string, now = Date.now()): Promise<void> {
  if ((await hitRateLimit(c.var.db, key, limit.windowMs, now)) > limit.max) throw rateLimitedError(c, limit, message, now);
}

/** Counts one hit and returns the window's count so far (for callers that weigh several budgets). */
export const hitRateLimit = (db: Db, key: string, windowMs: number, now = Date.now()) => repo.hitRateLimit(db, key, windowMs, now);

/** The statement that forgets a key's counter (batched by the caller, e.g. with a successful login). */
export const clearRateLimit = (db: Db, key: string) => repo.clearRateLimit(db, key);

/**
 * Several budgets spent by one statement (run in the group commit); refuses when any is spent,
 * with Retry-After for the longest of the spent windows (the one the caller waits for).
 */
export async function spendBudgets(c: Context<AppEnv>, budgets: readonly (Hit & Limit)[], message: string, now = Date.now()): Promise<void> {
  const counts = await hitRateLimits(c.var.db, budgets, now, { groupCommit: true });
  const spent = budgets.filter((b) => (counts.get(b.key) ?? 0) > b.max);
  if (!spent.length) return;
  const worst = spent.reduce((a, b) => (retryAfterSeconds(now, b.windowMs) > retryAfterSeconds(now, a.windowMs) ? b : a));
  throw rateLimitedError(c, worst, message, now);
}

const LOOKUP_MESSAGE = '查询过于频繁,请稍后再试;请核对输入的编码是否正确';

/**
 * A lookup by a code someone types, under the per-address budget of failed lookups
 * (`LOOKUP_LIMIT`): the hit is counted before the lookup runs (so a burst of concurrent guesses
 * cannot outrun the counter), and given back when the code turns out to exist: the lookup
 * returned something, or refused for another reason than 404 (a used ticket is not a guess).
 */
export async function limitedLookup<T>(c: Context<AppEnv>, scope: string, lookup: () => Promise<T>, now = Date.now()): Promise<T> {
  const key = `lookup:${scope}:${limitAddress(c)}`;
  await spendBudget(c, key, LOOKUP_LIMIT, LOOKUP_MESSAGE, now);
  const refund = () => refundRateLimit(c.var.db, key, LOOKUP_LIMIT.windowMs, now);
  let found: T;
  try {
    found = await lookup();
  } catch (caught) {
    const err = httpError(caught) ?? caught; // a domain error, as HTTP
    if (!(err instanceof AppError && err.status === 404)) await refund();
    throw err;
  }
  if (found !== undefined && found !== null) await refund();
  return found;
}
