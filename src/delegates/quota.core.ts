/**
 * Quota apportionment: the plan publishes a base table per venue kind (main venue: categories
 * summing to 100 per group; sub-venue: categories summing to 210 per group). A venue of
 * another size (市北区 280, 青岛西海岸新区 380, 青岛高新区 60) gets the same proportions, rounded
 * by the largest remainder method (Hamilton) so that its categories sum exactly to its size.
 *
 * For one venue × group with size S and a base table of size B:
 *   exact(c)  = base(c) · S / B
 *   floor(c)  = ⌊exact(c)⌋; the S − Σ floor(c) seats left over go one each to the categories
 *   ranked first by:
 *     1. larger remainder exact(c) − floor(c) (compared exactly, as integers base(c)·S mod B);
 *     2. then larger exact quota (the bigger category);
 *     3. then category name, ascending by UTF-16 code units (plain `<` on strings).
 * The last rule uses the name, not the table's order, so listing the categories in another
 * order never moves a seat. Every cell ends at ⌊exact⌋ or ⌊exact⌋ + 1, so within 1 of exact;
 * a category with base 0 never gets a seat (its remainder is 0 and there are always enough
 * positive remainders to place the leftover seats); a venue of exactly B seats reproduces the
 * base with no rounding.
 *
 * Pure: plain data in, allocation out.
 */

export type VenueKind = 'main' | 'sub';

export interface QuotaBaseTable {
  /** What each group's column sums to: 100 for the main venue, 210 for a sub-venue. */
  baseSize: number;
  /** `seats[i]` is the base for group i + 1. */
  categories: { name: string; seats: number[] }[];
}

export type QuotaTables = Record<VenueKind, QuotaBaseTable>;

export interface QuotaVenue {
  name: string;
  kind: VenueKind;
  /** Seats per group number. */
  seats: Map<number, number> | Record<number, number>;
}

export interface CategoryAllocation {
  category: string;
  seats: number;
  /** Unrounded quota: base · venue seats / base size. */
  exact: number;
  /** True when rounding gave this cell its ⌊exact⌋ + 1 seat. */
  moved: boolean;
}

export interface VenueAllocation {
  venue: string;
  kind: VenueKind;
  group: number;
  seats: number;
  /** In the base table's order. */
  categories: CategoryAllocation[];
}

export interface RoundingMove {
  venue: string;
  group: number;
  category: string;
  exact: number;
  floor: number;
  seats: number;
}

export interface QuotaMatrixTotals {
  /** Per venue per group: the sum of its categories. */
  rows: { venue: string; group: number; seats: number }[];
  /** Per group: the sum over venues (2,500 per group in 2018). */
  columns: { group: number; seats: number }[];
  /** Per venue over all groups. */
  venues: { venue: string; seats: number }[];
  total: number;
}

const KIND_LABEL: Record<VenueKind, string> = { main: '主会场', sub: '分会场' };

const isCount = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;

/** Throws when a base table is malformed or a group's column does not sum to its base size. */
export function validateBaseTable(table: QuotaBaseTable, label = '基础构成表'): void {
  if (!Number.isSafeInteger(table.baseSize) || table.baseSize <= 0) throw new Error(`${label}的基数须为正整数(现为 ${table.baseSize})`);
  if (table.categories.length === 0) throw new Error(`${label}没有任何类别`);
  const names = new Set<string>();
  const groupCount = Math.max(...table.categories.map((c) => c.seats.length));
  for (const c of table.categories) {
    if (!c.name.trim()) throw new Error(`${label}中有类别名称为空`);
    if (names.has(c.name)) throw new Error(`${label}中类别“${c.name}”重复`);
    names.add(c.name);
    if (c.seats.length !== groupCount) throw new Error(`${label}中类别“${c.name}”应有 ${groupCount} 个分组的名额,实际 ${c.seats.length} 个`);
    c.seats.forEach((s, i) => {
      if (!isCount(s)) throw new Error(`${label}中类别“${c.name}”第 ${i + 1} 组的名额须为非负整数(现为 ${s})`);
    });
  }
  for (let i = 0; i < groupCount; i++) {
    const sum = table.categories.reduce((a, c) => a + (c.seats[i] ?? 0), 0);
    if (sum !== table.baseSize) throw new Error(`${label}第 ${i + 1} 组合计 ${sum},应为 ${table.baseSize}`);
  }
}

/**
 * Largest-remainder apportionment of `seats` over categories in proportion to `base`
 * (Σ base = baseSize). Returns the categories in the given order. See the module comment for
 * the tie-break.
 */
export function apportionCell(categories: readonly { name: string; base: number }[], baseSize: number, seats: number): CategoryAllocation[] {
  if (!isCount(seats)) throw new Error(`会场名额须为非负整数(现为 ${seats})`);
  const cells = categories.map((c, index) => {
    // integer arithmetic: remainders of equal cells compare equal, no floating-point drift
    const numerator = c.base * seats;
    return { index, name: c.name, base: c.base, floor: Math.floor(numerator / baseSize), remainder: numerator % baseSize, exact: numerator / baseSize };
  });
  let left = seats - cells.reduce((a, c) => a + c.floor, 0);
  const ranked = [...cells].sort((a, b) => b.remainder - a.remainder || b.base - a.base || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const extra = new Set<number>();
  for (const c of ranked) {
    if (left <= 0) break;
    if (c.remainder === 0) break; // only reachable if Σ base ≠ baseSize, which callers validate
    extra.add(c.index);
    left--;
  }
  if (left !== 0) throw new Error(`名额分配无法凑满 ${seats} 人:基础构成表合计应为 ${baseSize}`);
  return cells.map((c) => ({ category: c.name, seats: c.floor + (extra.has(c.index) ? 1 : 0), exact: c.exact, moved: extra.has(c.index) }));
}

function seatEntries(seats: QuotaVenue['seats']): [number, number][] {
  const entries: [number, number][] = seats instanceof Map ? [...seats.entries()] : Object.entries(seats).map(([g, n]) => [Number(g), n]);
  return entries.sort((a, b) => a[0] - b[0]);
}

/**
 * Every venue × group's seats per category. Venues in input order, groups ascending within a
 * venue, categories in base-table order. Throws a Chinese message on malformed input.
 */
export function apportionQuotas(tables: QuotaTables, venues: readonly QuotaVenue[]): VenueAllocation[] {
  for (const kind of ['main', 'sub'] as const) {
    if (venues.some((v) => v.kind === kind)) validateBaseTable(tables[kind], `${KIND_LABEL[kind]}基础构成表`);
  }
  const seen = new Set<string>();
  const out: VenueAllocation[] = [];
  for (const venue of venues) {
    if (venue.kind !== 'main' && venue.kind !== 'sub') throw new Error(`会场“${venue.name}”的类型无效`);
    if (seen.has(venue.name)) throw new Error(`会场“${venue.name}”重复`);
    seen.add(venue.name);
    const table = tables[venue.kind];
    for (const [group, seats] of seatEntries(venue.seats)) {
      if (!Number.isSafeInteger(group) || group < 1) throw new Error(`会场“${venue.name}”的分组编号无效(${group})`);
      if (!isCount(seats)) throw new Error(`会场“${venue.name}”第 ${group} 组的名额须为非负整数(现为 ${seats})`);
      if (group > (table.categories[0]?.seats.length ?? 0)) throw new Error(`${KIND_LABEL[venue.kind]}基础构成表没有第 ${group} 组`);
      const categories = apportionCell(
        table.categories.map((c) => ({ name: c.name, base: c.seats[group - 1] ?? 0 })),
        table.baseSize,
        seats,
      );
      out.push({ venue: venue.name, kind: venue.kind, group, seats, categories });
    }
  }
  return out;
}

/** The cells where rounding gave the ⌊exact⌋ + 1 seat, in allocation order. */
export function roundingMoves(result: readonly VenueAllocation[]): RoundingMove[] {
  return result.flatMap((a) =>
    a.categories.filter((c) => c.moved).map((c) => ({ venue: a.venue, group: a.group, category: c.category, exact: c.exact, floor: c.seats - 1, seats: c.seats })),
  );
}

/** Row totals (venue × group, recomputed from the categories), column totals per group, per venue and overall. */
export function quotaMatrixTotals(result: readonly VenueAllocation[]): QuotaMatrixTotals {
  const rows = result.map((a) => ({ venue: a.venue, group: a.group, seats: a.categories.reduce((s, c) => s + c.seats, 0) }));
  const columns = new Map<number, number>();
  const venues = new Map<string, number>();
  for (const r of rows) {
    columns.set(r.group, (columns.get(r.group) ?? 0) + r.seats);
    venues.set(r.venue, (venues.get(r.venue) ?? 0) + r.seats);
  }
  return {
    rows,
    columns: [...columns].sort((a, b) => a[0] - b[0]).map(([group, seats]) => ({ group, seats })),
    venues: [...venues].map(([venue, seats]) => ({ venue, seats })),
    total: rows.reduce((s, r) => s + r.seats, 0),
  };
}
