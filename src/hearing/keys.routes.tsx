import { Hono, type Context } from 'hono';
import { KeysPage } from '../../views/hearing/keys';
import { getCampaign } from '../campaigns/campaigns.service';
import type { AppEnv } from '../env';
import { page } from '../lib/render';
import { loadPublishedKeys } from './keys.service';

/** The public key list: every group's tally key and every opened venue's signing key, with fingerprints, and the device bundles' hashes. */
export const keyRoutes = new Hono<AppEnv>();

async function load(c: Context<AppEnv>) {
  const campaign = await getCampaign(c.var.db, c.req.param('code') ?? '');
  return { campaign, list: await loadPublishedKeys(c.var.db, campaign) };
}

keyRoutes.get('/c/:code/keys.json', async (c) => {
  const { list } = await load(c);
  c.header('Cache-Control', 'no-cache');
  return c.json(list);
});

keyRoutes.get('/c/:code/keys', async (c) => {
  const { campaign, list } = await load(c);
  const venue = c.req.query('venue');
  return page(c, { title: `${campaign.name} · 公布的密钥`, campaignCode: campaign.code }, <KeysPage campaignName={campaign.name} list={list} poster={venue && list.venues.some((v) => v.venue === venue) ? venue : undefined} />);
});
