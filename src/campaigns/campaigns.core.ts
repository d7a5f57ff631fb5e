import type { CampaignStatus, MaterialKind, VenueKind } from './states.core';
import { DomainError } from '../lib/domain-error.core';

/** Everything that defines a campaign's structure, as plain rows: seeded, copied and inserted as one. */
export interface CampaignSnapshot {
  campaign: {
    id: string;
    code: string;
    name: string;
    year: number;
    status: CampaignStatus;
    minutesPerDepartment: number;
    ballotsPerGroup: number;
    copiedFromId: string | null;
  };
  groups: { id: string; no: number; title: string; date: string; startTime: string }[];
  departments: {
    id: string;
    groupId: string | null;
    position: number;
    name: string;
    internalOnly: boolean;
    duties: string;
    goals: string;
    report: string;
  }[];
  materials: { id: string; departmentId: string; kind: MaterialKind; title: string; url: string; position: number }[];
  venues: { id: string; name: string; kind: VenueKind; position: number }[];
  venueSeats: { venueId: string; groupNo: number; seats: number }[];
  quotaCategories: { id: string; venueKind: VenueKind; name: string; position: number }[];
  quotaBase: { categoryId: string; groupNo: number; seats: number }[];
  scaleOptions: { id: string; position: number; label: string; weight: number | null; valid: boolean; satisfied: boolean }[];
  suggestionTerms: { id: string; kind: 'theme' | 'area'; name: string; position: number }[];
}

/** The shape of seed/<year>/campaign.json plus departments.json. */
export interface CampaignSeed {
  campaign: { code: string; name: string; year: number; minutesPerDepartment: number; ballotsPerGroup: number };
  groups: { no: number; title: string; date: string; startTime: string }[];
  venues: { name: string; kind: VenueKind; seats: number[] }[];
  quotas: Record<VenueKind, { name: string; seats: number[] }[]>;
  scale: { label: string; weight: number | null; valid: boolean; satisfied: boolean }[];
  suggestionThemes: string[];
  suggestionAreas: string[];
  departments: {
    name: string;
    group: number | null;
    duties: string;
    goals: string[];
    report: string;
    materials?: { kind: MaterialKind; title: string; url: string }[];
  }[];
}

type NewId = () => string;

export function snapshotFromSeed(seed: CampaignSeed, newId: NewId): CampaignSnapshot {
  const campaignId = newId();
  const groups = seed.groups.map((g) => ({ id: newId(), ...g }));
  const groupIdByNo = new Map(groups.map((g) => [g.no, g.id]));
  const positionInGroup = new Map<number | null, number>();
  const departments = seed.departments.map((d) => {
    const position = (positionInGroup.get(d.group) ?? 0) + 1;
    positionInGroup.set(d.group, position);
    const groupId = d.group === null ? null : groupIdByNo.get(d.group);
    if (groupId === undefined) throw new Error(`seed: department ${d.name} names unknown group ${d.group}`);
    return {
      id: newId(),
      groupId,
      position,
      name: d.name,
      internalOnly: d.group === null,
      duties: d.duties,
      goals: d.goals.join('\n'),
      report: d.report,
      materials: d.materials ?? [],
    };
  });
  const venues = seed.venues.map((v, i) => ({ id: newId(), name: v.name, kind: v.kind, position: i + 1, seats: v.seats }));
  const quotaCategories: CampaignSnapshot['quotaCategories'] = [];
  const quotaBase: CampaignSnapshot['quotaBase'] = [];
  for (const venueKind of ['main', 'sub'] as const) {
    seed.quotas[venueKind].forEach((q, i) => {
      const id = newId();
      quotaCategories.push({ id, venueKind, name: q.name, position: i + 1 });
      q.seats.forEach((seats, g) => quotaBase.push({ categoryId: id, groupNo: g + 1, seats }));
    });
  }
  return {
    campaign: { id: campaignId, ...seed.campaign, status: 'draft', copiedFromId: null },
    groups,
    departments: departments.map(({ materials: _m, ...d }) => d),
    materials: departments.flatMap((d) =>
      d.materials.map((m, i) => ({ id: newId(), departmentId: d.id, position: i + 1, ...m })),
    ),
    venues: venues.map(({ seats: _s, ...v }) => v),
    venueSeats: venues.flatMap((v) => v.seats.map((seats, g) => ({ venueId: v.id, groupNo: g + 1, seats }))),
    quotaCategories,
    quotaBase,
    scaleOptions: seed.scale.map((o, i) => ({ id: newId(), position: i + 1, ...o })),
    suggestionTerms: [
      ...seed.suggestionThemes.map((name, i) => ({ id: newId(), kind: 'theme' as const, name, position: i + 1 })),
      ...seed.suggestionAreas.map((name, i) => ({ id: newId(), kind: 'area' as const, name, position: i + 1 })),
    ],
  };
}

/** Shifts a YYYY-MM-DD date by whole years (29 Feb falls back to 28 Feb). */
export function shiftYears(date: string, years: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const ny = y + years;
  const lastDay = new Date(Date.UTC(ny, m, 0)).getUTCDate();
  return `${String(ny).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(Math.min(d, lastDay)).padStart(2, '0')}`;
}

/**
 * Next year's campaign from this one: same structure under fresh ids, dates moved by the
 * difference in years, back in draft so organisers can change what changed.
 */
export function copySnapshot(
  source: CampaignSnapshot,
  meta: { code: string; name: string; year: number },
  newId: NewId,
): CampaignSnapshot {
  const ids = new Map<string, string>();
  const remap = (old: string) => {
    let id = ids.get(old);
    if (!id) ids.set(old, (id = newId()));
    return id;
  };
  const years = meta.year - source.campaign.year;
  return {
    campaign: { ...source.campaign, ...meta, id: remap(source.campaign.id), status: 'draft', copiedFromId: source.campaign.id },
    groups: source.groups.map((g) => ({ ...g, id: remap(g.id), date: shiftYears(g.date, years) })),
    departments: source.departments.map((d) => ({ ...d, id: remap(d.id), groupId: d.groupId && remap(d.groupId) })),
    materials: source.materials.map((m) => ({ ...m, id: remap(m.id), departmentId: remap(m.departmentId) })),
    venues: source.venues.map((v) => ({ ...v, id: remap(v.id) })),
    venueSeats: source.venueSeats.map((s) => ({ ...s, venueId: remap(s.venueId) })),
    quotaCategories: source.quotaCategories.map((q) => ({ ...q, id: remap(q.id) })),
    quotaBase: source.quotaBase.map((q) => ({ ...q, categoryId: remap(q.categoryId) })),
    scaleOptions: source.scaleOptions.map((o) => ({ ...o, id: remap(o.id) })),
    suggestionTerms: source.suggestionTerms.map((t) => ({ ...t, id: remap(t.id) })),
  };
}

export interface Slot {
  start: string;
  end: string;
}

function addMinutes(hhmm: string, minutes: number): string {
  const [h, m] = hhmm.split(':').map(Number) as [number, number];
  const total = h * 60 + m + minutes;
  return `${String(Math.floor(total / 60) % 24).padStart(2, '0')}:${String(total % 60).padStart(2, '0')}`;
}

/** The time slot of each department of a group, in report order. */
export function agendaSlots(startTime: string, minutesPerDepartment: number, count: number): Slot[] {
  return Array.from({ length: count }, (_, i) => ({
    start: addMinutes(startTime, i * minutesPerDepartment),
    end: addMinutes(startTime, (i + 1) * minutesPerDepartment),
  }));
}

/** A started campaign's structure is frozen: delegates, ballots and tallies depend on it. */
export function assertEditable(campaign: { status: CampaignStatus; code: string }): void {
  if (campaign.status !== 'draft') throw frozenCampaign(campaign);
}

/** The refusal of any structure edit once the campaign has started (also when it started while the edit was in flight). */
export function frozenCampaign(campaign: { code: string }): DomainError {
  return new DomainError('conflict', 'CAMPAIGN_FROZEN', `${campaign.code} 年度活动已开始,部门、分组、会场和材料均已冻结,不能修改`);
}

/** Seats per group across venues, e.g. {1: 2500, 2: 2500, ...}. */
export function seatTotals(seats: readonly { groupNo: number; seats: number }[]): Map<number, number> {
  const totals = new Map<number, number>();
  for (const s of seats) totals.set(s.groupNo, (totals.get(s.groupNo) ?? 0) + s.seats);
  return totals;
}

/**
 * New positions after moving one item up or down within its ordered list; returns only the
 * items whose position changed (none at either end).
 */
export function moveInOrder<T extends { id: string; position: number }>(
  items: readonly T[],
  id: string,
  direction: 'up' | 'down',
): { id: string; position: number }[] {
  const ordered = [...items].sort((a, b) => a.position - b.position);
  const i = ordered.findIndex((x) => x.id === id);
  const j = direction === 'up' ? i - 1 : i + 1;
  if (i < 0 || j < 0 || j >= ordered.length) return [];
  const a = ordered[i]!;
  const b = ordered[j]!;
  return [
    { id: a.id, position: b.position },
    { id: b.id, position: a.position },
  ];
}

