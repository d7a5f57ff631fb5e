import { eq } from 'drizzle-orm';
import type { Campaign } from '../campaigns/campaigns.service';
import type { Db } from '../db/client';
import { and, inArray, isNotNull } from 'drizzle-orm';
import { surveys, tallyKeys, votingSessions } from '../db/schema';
import { deviceBundleHashes } from '../lib/bundles';
import { publishedKeys } from './keys.core';

/** The campaign's public key list as published (keys page, keys.json, posters, closing sheets). */
export async function loadPublishedKeys(db: Db, campaign: Pick<Campaign, 'id' | 'code'>) {
  const [tally, sessions, questionnaires] = await Promise.all([
    db.select({ group: tallyKeys.groupNo, publicKey: tallyKeys.publicKey }).from(tallyKeys).where(eq(tallyKeys.campaignId, campaign.id)),
    db.select({ group: votingSessions.groupNo, venue: votingSessions.venueName, publicKey: votingSessions.publicKey, state: votingSessions.state }).from(votingSessions).where(eq(votingSessions.campaignId, campaign.id)),
    // a draft's key may still be replaced by a repeated ceremony: published once the questionnaire opens
    db
      .select({ survey: surveys.id, title: surveys.title, publicKey: surveys.sealKey })
      .from(surveys)
      .where(and(eq(surveys.campaignId, campaign.id), isNotNull(surveys.sealKey), inArray(surveys.state, ['open', 'closed']))),
  ]);
  return publishedKeys({ campaign: campaign.code, tally, venues: sessions, surveys: questionnaires.map((q) => ({ ...q, publicKey: q.publicKey! })), bundles: deviceBundleHashes() });
}
