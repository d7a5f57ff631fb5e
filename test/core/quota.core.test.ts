import { describe, expect, it } from 'vitest';
import campaign2018 from '../../seed/2018/campaign.json';
import { apportionCell, apportionQuotas, quotaMatrixTotals, roundingMoves, type QuotaTables, type QuotaVenue, type VenueAllocation } from '../../src/delegates/quota.core';

const tables: QuotaTables = {
  main: { baseSize: 100, categories: campaign2018.quotas.main },
  sub: { baseSize: 210, categories: campaign2018.quotas.sub },
};
const venues: QuotaVenue[] = campaign2018.venues.map((v) => ({
  name: v.name,
  kind: v.kind as 'main' | 'sub',
  seats: Object.fromEntries(v.seats.map((n, i) => [i + 1, n])),
}));
const allocation = apportionQuotas(tables, venues);
const cell = (venue: string, group: number) => allocation.find((a) => a.venue === venue && a.group === group)!;
const seatsOf = (a: VenueAllocation) => Object.fromEntries(a.categories.map((c) => [c.category, c.seats]));

describe('the 2018 quota matrix', () => {
  it('covers all 12 venues in all 4 groups', () => {
    expect(allocation).toHaveLength(48);
  });

  it('fills every venue and group exactly, 市北区 280, 青岛西海岸新区 380 and 青岛高新区 60 included', () => {
    for (const a of allocation) {
      expect(a.categories.reduce((s, c) => s + c.seats, 0), `${a.venue} 第${a.group}组`).toBe(a.seats);
    }
    for (const g of [1, 2, 3, 4]) {
      expect(cell('市北区', g).seats).toBe(280);
      expect(cell('青岛西海岸新区', g).seats).toBe(380);
      expect(cell('青岛高新区', g).seats).toBe(60);
    }
  });

  it('keeps every cell within one seat of its exact proportional quota', () => {
    for (const a of allocation) {
      for (const c of a.categories) {
        expect(Math.abs(c.seats - c.exact), `${a.venue} 第${a.group}组 ${c.category}`).toBeLessThan(1);
        expect(c.seats === Math.floor(c.exact) + 1).toBe(c.moved);
      }
    }
  });

  it('seats 2,500 delegates per group across the city, 10,000 in all', () => {
    const totals = quotaMatrixTotals(allocation);
    expect(totals.columns).toEqual([1, 2, 3, 4].map((group) => ({ group, seats: 2500 })));
    expect(totals.total).toBe(10_000);
    expect(totals.rows.find((r) => r.venue === '青岛西海岸新区' && r.group === 4)).toEqual({ venue: '青岛西海岸新区', group: 4, seats: 380 });
    expect(totals.venues.find((v) => v.venue === '市北区')).toEqual({ venue: '市北区', seats: 1120 });
  });

  it('gives a 210-seat sub-venue and the 100-seat main venue the published base exactly, nothing moved', () => {
    for (const g of [1, 2, 3, 4]) {
      const shinan = cell('市南区', g);
      expect(shinan.categories.map((c) => c.seats)).toEqual(campaign2018.quotas.sub.map((c) => c.seats[g - 1]));
      expect(shinan.categories.some((c) => c.moved)).toBe(false);
      expect(cell('市级主会场', g).categories.map((c) => c.seats)).toEqual(campaign2018.quotas.main.map((c) => c.seats[g - 1]));
    }
    expect(roundingMoves(allocation).some((m) => m.venue === '市南区' || m.venue === '市级主会场')).toBe(false);
  });

  it('gives group 4 of 市北区 80 residents (60 × 280 / 210, no rounding needed)', () => {
    expect(seatsOf(cell('市北区', 4))['服务对象代表/社区或村居民代表']).toBe(80);
  });

  it('reports where rounding moved a seat, with the exact quota beside the final one', () => {
    const moves = roundingMoves(allocation).filter((m) => m.venue === '市北区' && m.group === 1);
    // 280/210 = 4/3: five categories sit at x.67 and two more seats go to x.33 cells, the
    // larger 区(市)部门 (53.33) first, then one of six 13.33 cells chosen by name
    expect(moves).toHaveLength(7);
    for (const m of moves) expect(m.seats).toBe(m.floor + 1);
    expect(moves.find((m) => m.category === '服务对象代表/重点项目单位代表')).toMatchObject({ floor: 26, seats: 27 });
    expect(moves.find((m) => m.category === '服务对象代表/区(市)部门、镇街代表')).toMatchObject({ floor: 53, seats: 54 });
  });
});

describe('the rounding rule', () => {
  it('matches a hand-computed example: 7 seats over bases 5/3/2 of 10', () => {
    // exact 3.5 / 2.1 / 1.4 → floors 3/2/1 (6), the one seat left goes to the largest remainder (.5)
    const out = apportionCell(
      [
        { name: 'A', base: 5 },
        { name: 'B', base: 3 },
        { name: 'C', base: 2 },
      ],
      10,
      7,
    );
    expect(out).toEqual([
      { category: 'A', seats: 4, exact: 3.5, moved: true },
      { category: 'B', seats: 2, exact: 2.1, moved: false },
      { category: 'C', seats: 1, exact: 1.4, moved: false },
    ]);
  });

  it('breaks equal remainders by the larger category, then by name, whatever the listing order', () => {
    // 2 seats over bases 1/1/2 of 4: exact .5/.5/1 → C gets 1, one seat left between A and B
    const forward = apportionCell([{ name: 'A', base: 1 }, { name: 'B', base: 1 }, { name: 'C', base: 2 }], 4, 2);
    const backward = apportionCell([{ name: 'C', base: 2 }, { name: 'B', base: 1 }, { name: 'A', base: 1 }], 4, 2);
    const byName = (cells: typeof forward) => Object.fromEntries(cells.map((c) => [c.category, c.seats]));
    expect(byName(forward)).toEqual({ A: 1, B: 0, C: 1 });
    expect(byName(backward)).toEqual(byName(forward));
    // 3 seats over 3/1 of 4 → 2.25/0.75: not a tie, the bigger remainder wins over the bigger category
    expect(byName(apportionCell([{ name: 'big', base: 3 }, { name: 'small', base: 1 }], 4, 3))).toEqual({ big: 2, small: 1 });
    // 5 seats over 1/3/2 of 6: exact .83/2.5/1.67 → floors 0/2/1, two left: .83 then .67
    expect(byName(apportionCell([{ name: 'x', base: 1 }, { name: 'y', base: 3 }, { name: 'z', base: 2 }], 6, 5))).toEqual({ x: 1, y: 2, z: 2 });
  });

  it('gives the same seats per category when the 2018 sub-venue table is listed in another order', () => {
    const shuffled: QuotaTables = { ...tables, sub: { baseSize: 210, categories: [...campaign2018.quotas.sub].reverse() } };
    const again = apportionQuotas(shuffled, venues);
    for (const a of allocation) {
      const b = again.find((x) => x.venue === a.venue && x.group === a.group)!;
      expect(seatsOf(b)).toEqual(seatsOf(a));
    }
  });

  it('never gives a seat to a category whose base is 0, and gives nothing to a venue of size 0', () => {
    const table = { baseSize: 10, categories: [{ name: '有', seats: [7, 10] }, { name: '无', seats: [0, 0] }, { name: '少', seats: [3, 0] }] };
    const out = apportionQuotas({ main: table, sub: table }, [
      { name: '小会场', kind: 'sub', seats: new Map([[1, 3], [2, 7]]) },
      { name: '空会场', kind: 'sub', seats: { 1: 0, 2: 0 } },
    ]);
    expect(out.map((a) => [a.venue, a.group, a.categories.map((c) => c.seats)])).toEqual([
      ['小会场', 1, [2, 0, 1]],
      ['小会场', 2, [7, 0, 0]],
      ['空会场', 1, [0, 0, 0]],
      ['空会场', 2, [0, 0, 0]],
    ]);
  });
});

describe('refusing malformed quota input', () => {
  it('refuses a base table whose group does not sum to its base size, naming the group', () => {
    const broken: QuotaTables = { ...tables, main: { baseSize: 100, categories: campaign2018.quotas.main.map((c, i) => (i === 0 ? { ...c, seats: [6, 5, 6, 6] } : c)) } };
    expect(() => apportionQuotas(broken, venues)).toThrow('主会场基础构成表第 2 组合计 99,应为 100');
  });

  it('refuses negative or fractional seats, duplicate categories and groups the table lacks', () => {
    const table = { baseSize: 2, categories: [{ name: 'a', seats: [1] }, { name: 'b', seats: [1] }] };
    const venue = (seats: Record<number, number>): QuotaVenue[] => [{ name: 'v', kind: 'sub', seats }];
    expect(() => apportionQuotas({ main: table, sub: table }, venue({ 1: -1 }))).toThrow('非负整数');
    expect(() => apportionQuotas({ main: table, sub: table }, venue({ 1: 2.5 }))).toThrow('非负整数');
    expect(() => apportionQuotas({ main: table, sub: table }, venue({ 2: 4 }))).toThrow('没有第 2 组');
    const dup = { baseSize: 2, categories: [{ name: 'a', seats: [1] }, { name: 'a', seats: [1] }] };
    expect(() => apportionQuotas({ main: dup, sub: dup }, venue({ 1: 4 }))).toThrow('重复');
  });
});
