import type { Context } from 'hono';
import { hitRateLimit } from '../auth/auth.repo';
import { defaultCampaign, findCampaign, type Campaign } from '../campaigns/campaigns.repo';
import type { Db } from '../db/client';
import type { AppEnv } from '../env';
import { AppError, notFound } from '../lib/errors';
import { cachedIntakeContext, createSuggestion, type IntakeResult } from './suggestions.repo';
import { validateSuggestion } from './suggestions.core';

/** Per address and per mobile number, counted in the database so every isolate shares them. */
export const INTAKE_LIMITS = {
  perIp: { max: 30, windowMs: 60 * 60 * 1000 },
  perMobile: { max: 10, windowMs: 24 * 60 * 60 * 1000 },
} as const;

export const rateLimited = () => new AppError(429, 'RATE_LIMITED', '提交过于频繁,请稍后再试;如需提交多条建议,请间隔一段时间');

/** The campaign named, or the one in force. */
export async function campaignOrDefault(db: Db, code: string | undefined): Promise<Campaign> {
  const c = code ? await findCampaign(db, code) : await defaultCampaign(db);
  if (!c) throw notFound('年度活动');
  return c;
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
export async function publicIntake(c: Context<AppEnv>, campaign: Campaign, raw: Record<string, unknown>): Promise<PublicIntake> {
  const db = c.var.db;
  const closed = intakeClosed(campaign);
  if (closed) throw new AppError(409, 'INTAKE_CLOSED', closed);
  if ((await hitRateLimit(db, `suggest:ip:${c.var.clientIp}`, INTAKE_LIMITS.perIp.windowMs)) > INTAKE_LIMITS.perIp.max) throw rateLimited();
  // a filled honeypot is a bot: answer as if accepted, store nothing
  if (typeof raw['website'] === 'string' && raw['website'] !== '') return { kind: 'honeypot' };
  const ctx = await cachedIntakeContext(db, campaign.id);
  const checked = validateSuggestion(raw, ctx);
  if (!checked.ok) return { kind: 'invalid', errors: checked.errors };
  if ((await hitRateLimit(db, `suggest:mobile:${checked.value.mobile}`, INTAKE_LIMITS.perMobile.windowMs)) > INTAKE_LIMITS.perMobile.max) throw rateLimited();
  return createSuggestion(db, { campaignId: campaign.id, source: 'online', input: checked.value });
}
