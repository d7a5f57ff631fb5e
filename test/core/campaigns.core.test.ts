import { describe, expect, it } from 'vitest';
import { agendaSlots, assertEditable, copySnapshot, moveInOrder, seatTotals, shiftYears, snapshotFromSeed } from '../../src/campaigns/campaigns.core';
import { seed2018 } from '../../seed/load';

let n = 0;
const ids = () => `id-${++n}`;

describe('the 2018 seed', () => {
  const s = snapshotFromSeed(seed2018, ids);
  const publicDepts = s.departments.filter((d) => d.groupId !== null);

  it('has 45 public departments in groups of 12/11/12/10 and two internal-only ones', () => {
    expect(publicDepts).toHaveLength(45);
    expect(s.groups.map((g) => publicDepts.filter((d) => d.groupId === g.id).length)).toEqual([12, 11, 12, 10]);
    expect(s.departments.filter((d) => d.internalOnly).map((d) => d.name).sort()).toEqual(['市人防办', '市政府研究室']);
  });

  it('seats 2,500 delegates per group across 12 venues', () => {
    expect(s.venues).toHaveLength(12);
    expect([...seatTotals(s.venueSeats).values()]).toEqual([2500, 2500, 2500, 2500]);
  });

  it('keeps the quota base tables: main venue 100 per group, sub-venue 210 per group', () => {
    for (const kind of ['main', 'sub'] as const) {
      const cats = new Set(s.quotaCategories.filter((q) => q.venueKind === kind).map((q) => q.id));
      const perGroup = seatTotals(s.quotaBase.filter((q) => cats.has(q.categoryId)));
      expect([...perGroup.values()]).toEqual(kind === 'main' ? [100, 100, 100, 100] : [210, 210, 210, 210]);
    }
    expect(s.quotaCategories.filter((q) => q.venueKind === 'main')).toHaveLength(20);
    expect(s.quotaCategories.filter((q) => q.venueKind === 'sub')).toHaveLength(18);
  });

  it('carries the default ballot scale as data, 不了解 excluded from the base', () => {
    expect(s.scaleOptions.map((o) => [o.label, o.weight, o.valid])).toEqual([
      ['满意', 100, true],
      ['比较满意', 80, true],
      ['不满意', 0, true],
      ['不了解', null, false],
    ]);
  });

  it('gives every public department its published duties, goals and report', () => {
    for (const d of s.departments) {
      expect(d.duties.length, d.name).toBeGreaterThan(50);
      expect(d.goals.split('\n').length, d.name).toBeGreaterThanOrEqual(3);
      expect(d.report.length, d.name).toBeGreaterThan(100);
    }
  });
});

describe('copying a campaign into a new year', () => {
  const source = snapshotFromSeed(seed2018, ids);
  const copy = copySnapshot(source, { code: '2019', name: '2019年三民活动', year: 2019 }, ids);

  it('uses fresh ids everywhere and keeps every reference inside the copy', () => {
    const oldIds = new Set([source.campaign.id, ...source.groups.map((g) => g.id), ...source.departments.map((d) => d.id), ...source.venues.map((v) => v.id)]);
    expect([copy.campaign.id, ...copy.groups.map((g) => g.id), ...copy.departments.map((d) => d.id)].some((id) => oldIds.has(id))).toBe(false);
    const groupIds = new Set(copy.groups.map((g) => g.id));
    expect(copy.departments.every((d) => d.groupId === null || groupIds.has(d.groupId))).toBe(true);
    const venueIds = new Set(copy.venues.map((v) => v.id));
    expect(copy.venueSeats.every((s) => venueIds.has(s.venueId))).toBe(true);
    const catIds = new Set(copy.quotaCategories.map((q) => q.id));
    expect(copy.quotaBase.every((q) => catIds.has(q.categoryId))).toBe(true);
  });

  it('moves dates by one year and starts as a draft copied from the source', () => {
    expect(copy.groups.map((g) => g.date)).toEqual(source.groups.map((g) => g.date.replace('2018', '2019')));
    expect(copy.campaign).toMatchObject({ code: '2019', year: 2019, status: 'draft', copiedFromId: source.campaign.id });
    expect(copy.departments.map((d) => d.name)).toEqual(source.departments.map((d) => d.name));
  });
});

describe('agenda slots', () => {
  it('gives each department 10 minutes from the group start, in order', () => {
    const slots = agendaSlots('09:00', 10, 12);
    expect(slots[0]).toEqual({ start: '09:00', end: '09:10' });
    expect(slots[11]).toEqual({ start: '10:50', end: '11:00' });
  });
  it('crosses the hour correctly', () => {
    expect(agendaSlots('14:55', 10, 2)).toEqual([
      { start: '14:55', end: '15:05' },
      { start: '15:05', end: '15:15' },
    ]);
  });
});

describe('moving a department in the report order', () => {
  const items = [
    { id: 'a', position: 1 },
    { id: 'b', position: 2 },
    { id: 'c', position: 5 },
  ];
  it('swaps positions with the neighbour', () => {
    expect(moveInOrder(items, 'c', 'up')).toEqual([
      { id: 'c', position: 2 },
      { id: 'b', position: 5 },
    ]);
  });
  it('does nothing at either end', () => {
    expect(moveInOrder(items, 'a', 'up')).toEqual([]);
    expect(moveInOrder(items, 'c', 'down')).toEqual([]);
  });
});

describe('freezing', () => {
  it('refuses edits to a started campaign with a stable code', () => {
    expect(() => assertEditable({ status: 'started', code: '2018' })).toThrowError(/已冻结/);
    expect(() => assertEditable({ status: 'draft', code: '2018' })).not.toThrow();
  });
});

describe('shifting dates by years', () => {
  it('keeps 29 February valid', () => {
    expect(shiftYears('2020-02-29', 1)).toBe('2021-02-28');
    expect(shiftYears('2018-12-11', 1)).toBe('2019-12-11');
  });
});
