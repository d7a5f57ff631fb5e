import type { Context } from 'hono';
import { spendBudget, spendBudgets } from '../lib/rate-limit.service';
import type { Campaign } from '../campaigns/campaigns.service';
import type { AppEnv } from '../env';
import { AppError } from '../lib/errors';
import { cachedIntakeContext, createSuggestion, type IntakeResult } from './suggestions.service';
import { validateSuggestion } from './suggestions.core';
import { mobileKeyOf } from './author-contact.service';
import { requireAtRest } from '../lib/at-rest';

/** Per address and per mobile number, counted in the database so every isolate shares them. */
export const INTAKE_LIMITS = {
  perIp: { max: 30, windowMs: 60 * 60 * 1000 },
  perMobile: { max: 10, windowMs: 24 * 60 * 60 * 1000 },
} as const;

const RATE_LIMITED_MESSAGE = '提交过于频繁,请稍后再试;如需提交多条建议,请间隔一段时间';

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
    await spendBudget(c, ipKey, INTAKE_LIMITS.perIp, RATE_LIMITED_MESSAGE);
    return { kind: 'honeypot' };
  }
  const ctx = await cachedIntakeContext(db, campaign.id);
  const checked = validateSuggestion(raw, ctx);
  if (!checked.ok) {
    // every attempt counts against the address, valid or not
    await spendBudget(c, ipKey, INTAKE_LIMITS.perIp, RATE_LIMITED_MESSAGE);
    return { kind: 'invalid', errors: checked.errors };
  }
  // contacts are never stored in the clear: without the data-encryption key, no intake (503)
  const atRest = requireAtRest(c.var.atRest);
  // the per-mobile counter is keyed by the number's keyed hash, not the number
  const mobileKey = `suggest:mobile:${await mobileKeyOf(atRest, checked.value.mobile)}`;
  await spendBudgets(c, [{ key: ipKey, ...INTAKE_LIMITS.perIp }, { key: mobileKey, ...INTAKE_LIMITS.perMobile }], RATE_LIMITED_MESSAGE);
  return createSuggestion(db, { campaignId: campaign.id, source, input: checked.value, atRest });
}
