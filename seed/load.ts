import { v7 as uuidv7 } from 'uuid';
import { audited, SYSTEM_ACTOR } from '../src/audit/audit.service';
import { snapshotFromSeed, type CampaignSeed } from '../src/campaigns/campaigns.core';
import { findCampaign, snapshotInserts } from '../src/campaigns/campaigns.service';
import type { Db } from '../src/db/client';
import campaign2018 from './2018/campaign.json';
import departments2018 from './2018/departments.json';

export const seed2018 = { ...campaign2018, departments: departments2018 } as CampaignSeed;

/**
 * Creates a campaign from seed data unless one with its code exists. Safe to run on every
 * start and from several processes at once: the insert is one batch, and a concurrent
 * loader's duplicate is refused by the unique code.
 */
export async function seedCampaign(db: Db, seed: CampaignSeed = seed2018): Promise<boolean> {
  if (await findCampaign(db, seed.campaign.code)) return false;
  const snapshot = snapshotFromSeed(seed, uuidv7);
  try {
    await audited(
      db,
      SYSTEM_ACTOR,
      'campaign.seed',
      `campaign:${seed.campaign.code}`,
      { code: seed.campaign.code, departments: snapshot.departments.length, venues: snapshot.venues.length },
      snapshotInserts(db, snapshot),
    );
    return true;
  } catch (err) {
    if (await findCampaign(db, seed.campaign.code)) return false;
    throw err;
  }
}
