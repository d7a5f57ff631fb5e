import { and, asc, desc, eq, inArray, max, sql } from 'drizzle-orm';
import type { BatchItem } from 'drizzle-orm/batch';
import { chunkRows, type Db } from '../db/client';
import {
  campaigns,
  departmentMaterials,
  departments,
  groups,
  quotaBase,
  quotaCategories,
  scaleOptions,
  suggestionTerms,
  venueSeats,
  venues,
} from '../db/schema';
import { editConflict, notFound } from '../lib/errors';
import { stillHolds, type Precondition } from '../audit/audit.service';
import { frozenCampaign, type CampaignSnapshot } from './campaigns.core';

export type Campaign = typeof campaigns.$inferSelect;
export type Group = typeof groups.$inferSelect;
export type Department = typeof departments.$inferSelect;
export type Material = typeof departmentMaterials.$inferSelect;
export type Venue = typeof venues.$inferSelect;

export async function listCampaigns(db: Db): Promise<Campaign[]> {
  return db.select().from(campaigns).orderBy(desc(campaigns.year), desc(campaigns.createdAt));
}

/** The campaign in force: the most recent year. */
/**
 * The campaign in force, where a visitor lands and an undirected suggestion goes: the newest one
 * that has started (or closed). A draft is still being prepared, so a draft copy of next year
 * never takes over; before any campaign has started (a fresh install), the newest draft that is
 * not a copy (the seeded campaign being prepared), and only then a copy.
 */
export async function defaultCampaign(db: Db): Promise<Campaign | undefined> {
  const [c] = await db
    .select()
    .from(campaigns)
    .orderBy(
      sql`CASE WHEN ${campaigns.status} = 'draft' THEN 1 ELSE 0 END`,
      sql`CASE WHEN ${campaigns.status} = 'draft' AND ${campaigns.copiedFromId} IS NOT NULL THEN 1 ELSE 0 END`,
      desc(campaigns.year),
      desc(campaigns.createdAt),
    )
    .limit(1);
  return c;
}

export async function findCampaign(db: Db, code: string): Promise<Campaign | undefined> {
  const [c] = await db.select().from(campaigns).where(eq(campaigns.code, code));
  return c;
}

export async function getCampaign(db: Db, code: string): Promise<Campaign> {
  const c = await findCampaign(db, code);
  if (!c) throw notFound('年度活动');
  return c;
}

const campaignCaches = new WeakMap<Db, Map<string, { at: number; campaign: Campaign }>>();
const CAMPAIGN_CACHE_MS = 15_000;

/**
 * The campaign named, or the one in force, read at most every 15 s per isolate: for the hot
 * public paths (a cast, an intake), whose state checks are made by their own statements, so a
 * briefly stale status cannot let a write through. Unknown codes are not cached.
 */
export async function cachedCampaign(db: Db, code: string | undefined, now = Date.now()): Promise<Campaign> {
  const key = code ?? '';
  let campaignCache = campaignCaches.get(db);
  if (!campaignCache) campaignCaches.set(db, (campaignCache = new Map()));
  const hit = campaignCache.get(key);
  if (hit && now - hit.at < CAMPAIGN_CACHE_MS) return hit.campaign;
  const c = code ? await findCampaign(db, code) : await defaultCampaign(db);
  if (!c) throw notFound('年度活动');
  if (campaignCache.size > 16) campaignCache.clear();
  campaignCache.set(key, { at: now, campaign: c });
  return c;
}

export interface AgendaGroup extends Group {
  departments: Department[];
}

/** Groups in order, each with its departments in report order; plus the internal-only ones. */
export async function loadAgenda(db: Db, campaignId: string): Promise<{ groups: AgendaGroup[]; internal: Department[] }> {
  const [gs, ds] = await Promise.all([
    db.select().from(groups).where(eq(groups.campaignId, campaignId)).orderBy(asc(groups.no)),
    db.select().from(departments).where(eq(departments.campaignId, campaignId)).orderBy(asc(departments.position), asc(departments.name)),
  ]);
  return {
    groups: gs.map((g) => ({ ...g, departments: ds.filter((d) => d.groupId === g.id) })),
    internal: ds.filter((d) => d.groupId === null),
  };
}

export async function getGroup(db: Db, campaignId: string, no: number): Promise<Group> {
  const [g] = await db.select().from(groups).where(and(eq(groups.campaignId, campaignId), eq(groups.no, no)));
  if (!g) throw notFound('分组');
  return g;
}

export async function getDepartment(db: Db, campaignId: string, id: string): Promise<Department> {
  const [d] = await db.select().from(departments).where(and(eq(departments.campaignId, campaignId), eq(departments.id, id)));
  if (!d) throw notFound('部门');
  return d;
}

export async function listMaterials(db: Db, departmentId: string): Promise<Material[]> {
  return db.select().from(departmentMaterials).where(eq(departmentMaterials.departmentId, departmentId)).orderBy(asc(departmentMaterials.position));
}

export interface VenueWithSeats extends Venue {
  seats: Map<number, number>;
}

export async function loadVenues(db: Db, campaignId: string): Promise<VenueWithSeats[]> {
  const vs = await db.select().from(venues).where(eq(venues.campaignId, campaignId)).orderBy(asc(venues.position));
  const seats = vs.length
    ? await db.select().from(venueSeats).where(inArray(venueSeats.venueId, vs.map((v) => v.id)))
    : [];
  return vs.map((v) => ({
    ...v,
    seats: new Map(seats.filter((s) => s.venueId === v.id).map((s) => [s.groupNo, s.seats])),
  }));
}

export async function getVenue(db: Db, campaignId: string, id: string): Promise<VenueWithSeats> {
  const v = (await loadVenues(db, campaignId)).find((x) => x.id === id);
  if (!v) throw notFound('会场');
  return v;
}

export async function loadScale(db: Db, campaignId: string) {
  return db.select().from(scaleOptions).where(eq(scaleOptions.campaignId, campaignId)).orderBy(asc(scaleOptions.position));
}

export async function loadSuggestionTerms(db: Db, campaignId: string) {
  return db.select().from(suggestionTerms).where(eq(suggestionTerms.campaignId, campaignId)).orderBy(asc(suggestionTerms.kind), asc(suggestionTerms.position));
}

export async function nextPositionInGroup(db: Db, campaignId: string, groupId: string | null): Promise<number> {
  const [row] = await db
    .select({ p: max(departments.position) })
    .from(departments)
    .where(and(eq(departments.campaignId, campaignId), groupId ? eq(departments.groupId, groupId) : undefined));
  return (row?.p ?? 0) + 1;
}

/** Reads the whole structure of a campaign, for copying it into a new year. */
export async function loadSnapshot(db: Db, campaignId: string): Promise<CampaignSnapshot> {
  const [campaign] = await db.select().from(campaigns).where(eq(campaigns.id, campaignId));
  if (!campaign) throw notFound('年度活动');
  const [gs, ds, vs, qc, so, st] = await Promise.all([
    db.select().from(groups).where(eq(groups.campaignId, campaignId)),
    db.select().from(departments).where(eq(departments.campaignId, campaignId)),
    db.select().from(venues).where(eq(venues.campaignId, campaignId)),
    db.select().from(quotaCategories).where(eq(quotaCategories.campaignId, campaignId)),
    db.select().from(scaleOptions).where(eq(scaleOptions.campaignId, campaignId)),
    db.select().from(suggestionTerms).where(eq(suggestionTerms.campaignId, campaignId)),
  ]);
  const [ms, seats, qb] = await Promise.all([
    ds.length ? db.select().from(departmentMaterials).where(inArray(departmentMaterials.departmentId, ds.map((d) => d.id))) : [],
    vs.length ? db.select().from(venueSeats).where(inArray(venueSeats.venueId, vs.map((v) => v.id))) : [],
    qc.length ? db.select().from(quotaBase).where(inArray(quotaBase.categoryId, qc.map((q) => q.id))) : [],
  ]);
  const { createdAt: _c, ...meta } = campaign;
  const strip = <T extends { campaignId: string }>({ campaignId: _x, ...rest }: T) => rest;
  return {
    campaign: meta,
    groups: gs.map(strip),
    departments: ds.map(strip),
    materials: ms,
    venues: vs.map(strip),
    venueSeats: seats,
    quotaCategories: qc.map(strip),
    quotaBase: qb,
    scaleOptions: so.map(strip),
    suggestionTerms: st.map(strip),
  };
}

/** The inserts that create a campaign from a snapshot; run them in one batch. */
export function snapshotInserts(db: Db, s: CampaignSnapshot): BatchItem<'sqlite'>[] {
  const campaignId = s.campaign.id;
  const withCampaign = <T extends object>(rows: T[]) => rows.map((r) => ({ ...r, campaignId }));
  return [
    db.insert(campaigns).values(s.campaign),
    ...chunkRows(withCampaign(s.groups), groups).map((rows) => db.insert(groups).values(rows)),
    ...chunkRows(withCampaign(s.departments), departments).map((rows) => db.insert(departments).values(rows)),
    ...chunkRows(s.materials).map((rows) => db.insert(departmentMaterials).values(rows)),
    ...chunkRows(withCampaign(s.venues), venues).map((rows) => db.insert(venues).values(rows)),
    ...chunkRows(s.venueSeats).map((rows) => db.insert(venueSeats).values(rows)),
    ...chunkRows(withCampaign(s.quotaCategories)).map((rows) => db.insert(quotaCategories).values(rows)),
    ...chunkRows(s.quotaBase).map((rows) => db.insert(quotaBase).values(rows)),
    ...chunkRows(withCampaign(s.scaleOptions)).map((rows) => db.insert(scaleOptions).values(rows)),
    ...chunkRows(withCampaign(s.suggestionTerms)).map((rows) => db.insert(suggestionTerms).values(rows)),
  ];
}

/** The campaign is still a draft when the edit's batch runs (not only when the request began). */
export function campaignStillDraft(db: Db, campaign: { id: string; code: string }): Precondition {
  return stillHolds(db, campaigns, and(eq(campaigns.id, campaign.id), eq(campaigns.status, 'draft')), frozenCampaign(campaign));
}

type Versioned = typeof groups | typeof departments | typeof venues;

/** The row is still at the version the form was read at; otherwise the second writer gets EDIT_CONFLICT. */
export function stillAtVersion(db: Db, table: Versioned, id: string, version: number): Precondition {
  return stillHolds(db, table, and(eq(table.id, id), eq(table.version, version)), editConflict());
}
