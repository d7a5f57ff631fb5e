import type { Context } from 'hono';
import { sql } from 'drizzle-orm';
import { hitRateLimit } from '../auth/auth.service';
import { rateLimits } from '../db/schema';
import type { Campaign } from '../campaigns/campaigns.service';
import type { Db } from '../db/client';
import type { AppEnv } from '../env';
import { AppError } from '../lib/errors';
import { groupCommit } from '../db/group-commit';
import { cachedIntakeContext, createSuggestion, type IntakeResult } from './suggestions.service';
import { validateSuggestion } from './suggestions.core';
import { mobileKeyOf } from './author-contact.service';
import { requireAtRest } from '../lib/at-rest';

/** Per address and per mobile number, counted in the database so every isolate shares them. */
export const INTAKE_LIMITS = {
  perIp: { max: 30, windowMs: 60 * 60 * 1000 },
  perMobile: { max: 10, windowMs: 24 * 60 * 60 * 1000 },
} as const;

export const rateLimited = () => new AppError(429, 'RATE_LIMITED', '提交过于频繁,请稍后再试;如需提交多条建议,请间隔一段时间');

/**
 * Counts one hit against several fixed windows in one statement (a multi-row upsert, run in the
 * group commit) and returns each key's count so far; atomic on libSQL and D1 alike.
 */
export async function hitRateLimits(db: Db, hits: { key: string; windowMs: number }[], now = Date.now()): Promise<Map<string, number>> {
  const [rows] = (await groupCommit(db, [
    db
      .insert(rateLimits)
    .values(hits.map((h) => ({ key: h.key, windowStart: now - (now % h.windowMs), count: 1 })))
    .onConflictDoUpdate({
      target: rateLimits.key,
      set: {
        count: sql`CASE WHEN ${rateLimits.windowStart} = excluded.window_start THEN ${rateLimits.count} + 1 ELSE 1 END`,
        windowStart: sql`excluded.window_start`,
      },
    })
      .returning({ key: rateLimits.key, count: rateLimits.count }),
  ])) as [{ key: string; count: number }[]];
  return new Map(rows.map((r) => [r.key, r.count]));
}

export function intakeClosed(campaign: Campaign): string | undefined {
  return campaign.status === 'closed' ? '本年度活动已结束,建议征集已截止。' : undefined;
}

export type PublicIntake =
  | { kind: 'honeypot' }
  | { kind: 'invalid'; errors: Record<string, string> }
  | IntakeResult;

/**
 * A citizen's suggestion from the form or the JSON API: rate limits (address first, then the
 * mobile number once it is known to be one), honeypot, validation, duplicates, insert.
 */
export async function publicIntake(c: Context<AppEnv>, campaign: Campaign, raw: Record<string, unknown>, source: 'online' | 'open311' = 'online'): Promise<PublicIntake> {
  const db = c.var.db;
  const closed = intakeClosed(campaign);
  if (closed) throw new AppError(409, 'INTAKE_CLOSED', closed);
  const ipKey = `suggest:ip:${c.var.clientIp}`;
  // a filled honeypot is a bot: answer as if accepted, store nothing
  if (typeof raw['website'] === 'string' && raw['website'] !== '') {
    if ((await hitRateLimit(db, ipKey, INTAKE_LIMITS.perIp.windowMs)) > INTAKE_LIMITS.perIp.max) throw rateLimited();
    return { kind: 'honeypot' };
  }
  const ctx = await cachedIntakeContext(db, campaign.id);
  const checked = validateSuggestion(raw, ctx);
  if (!checked.ok) {
    // every attempt counts against the address, valid or not
    if ((await hitRateLimit(db, ipKey, INTAKE_LIMITS.perIp.windowMs)) > INTAKE_LIMITS.perIp.max) throw rateLimited();
    return { kind: 'invalid', errors: checked.errors };
  }
  // contacts are never stored in the clear: without the data-encryption key, no intake (503)
  const atRest = requireAtRest(c.var.atRest);
  // the per-mobile counter is keyed by the number's keyed hash, not the number
  const mobileKey = `suggest:mobile:${await mobileKeyOf(atRest, checked.value.mobile)}`;
  const counts = await hitRateLimits(db, [
    { key: ipKey, windowMs: INTAKE_LIMITS.perIp.windowMs },
    { key: mobileKey, windowMs: INTAKE_LIMITS.perMobile.windowMs },
  ]);
  if ((counts.get(ipKey) ?? 0) > INTAKE_LIMITS.perIp.max || (counts.get(mobileKey) ?? 0) > INTAKE_LIMITS.perMobile.max) throw rateLimited();
  return createSuggestion(db, { campaignId: campaign.id, source, input: checked.value, atRest });
}
