import type { Campaign } from '../campaigns/campaigns.service';
import { loadAgenda, loadVenues } from '../campaigns/campaigns.service';
import type { Db } from '../db/client';
import { reservesFor } from './delegates.core';
import { loadQuotaTables } from './delegates.service';
import type { DrawCell } from './draw.core';
import { apportionQuotas, type QuotaTables, type VenueAllocation } from './quota.core';

export type { VenueAllocation };

/** Base size of each venue kind's table, as the plan publishes them. */
export const BASE_SIZE = { main: 100, sub: 210 } as const;

/** Loads a campaign's base tables and venues and apportions every venue × group × category. */
export async function campaignQuotas(db: Db, campaign: Campaign) {
  const [{ groups }, venues] = await Promise.all([loadAgenda(db, campaign.id), loadVenues(db, campaign.id)]);
  const groupNos = groups.map((g) => g.no);
  const stored = await loadQuotaTables(db, campaign.id, groupNos);
  const tables: QuotaTables = {
    main: { baseSize: BASE_SIZE.main, categories: stored.main.categories.map((c) => ({ name: c.name, seats: c.seats })) },
    sub: { baseSize: BASE_SIZE.sub, categories: stored.sub.categories.map((c) => ({ name: c.name, seats: c.seats })) },
  };
  const allocation = apportionQuotas(
    tables,
    venues.map((v) => ({ name: v.name, kind: v.kind, seats: new Map(groupNos.map((g) => [g, v.seats.get(g) ?? 0])) })),
  );
  return { groupNos, venues, tables, allocation };
}

/** The draw's cells: every venue × group × category with at least one seat, with its reserve length. */
export function drawCells(q: { allocation: readonly VenueAllocation[] }): DrawCell[] {
  return q.allocation.flatMap((a) =>
    a.categories
      .filter((c) => c.seats > 0)
      .map((c) => ({ venue: a.venue, group: a.group, category: c.category, seats: c.seats, reserves: reservesFor(c.seats) })),
  );
}
