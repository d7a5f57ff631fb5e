import { eq } from 'drizzle-orm';
import type { Campaign } from '../campaigns/campaigns.repo';
import type { Db } from '../db/client';
import { tallyKeys, votingSessions } from '../db/schema';
import { deviceBundleHashes } from '../lib/assets';
import { publishedKeys } from './keys.core';

/** The campaign's public key list as published (keys page, keys.json, posters, closing sheets). */
export async function loadPublishedKeys(db: Db, campaign: Pick<Campaign, 'id' | 'code'>) {
  const [tally, sessions] = await Promise.all([
    db.select({ group: tallyKeys.groupNo, publicKey: tallyKeys.publicKey }).from(tallyKeys).where(eq(tallyKeys.campaignId, campaign.id)),
    db.select({ group: votingSessions.groupNo, venue: votingSessions.venueName, publicKey: votingSessions.publicKey, state: votingSessions.state }).from(votingSessions).where(eq(votingSessions.campaignId, campaign.id)),
  ]);
  return publishedKeys({ campaign: campaign.code, tally, venues: sessions, bundles: deviceBundleHashes() });
}
