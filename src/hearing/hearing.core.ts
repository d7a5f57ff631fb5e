/**
 * Hearing-day rules as plain functions: reconciliation per venue × group (P3), when a venue
 * may close, and what a ballot must look like. No I/O.
 */

/** What the database says about one venue × group, all counts. */
export interface VenueCounts {
  seats: number;
  /** Check-ins, each of which issued one ticket (one credential). */
  tickets: { issued: number; redeemed: number; voided: number };
  /** Ballots cast with credentials signed by this venue's key. */
  cast: number;
  /** Signed credentials voided by their holder (a tablet fault after signing). */
  voidedSpent: number;
}

export interface Reconciliation {
  seats: number;
  checkedIn: number;
  issued: number;
  cast: number;
  voided: number;
  unused: number;
  /** issued = cast + voided + unused with every term non-negative. */
  balanced: boolean;
  alarms: string[];
}

/**
 * issued = cast + voided + unused, where unused counts tickets not yet exchanged for a
 * credential plus signed credentials neither cast nor voided. Signed credentials are the only
 * ones that can cast, so more casts and holder-voids than signatures means a forged or
 * double-counted credential: an alarm, never a silently negative "unused".
 */
export function reconcile(v: VenueCounts): Reconciliation {
  const issued = v.tickets.issued + v.tickets.redeemed + v.tickets.voided;
  const signedOutstanding = v.tickets.redeemed - v.cast - v.voidedSpent;
  const alarms: string[] = [];
  if (signedOutstanding < 0) {
    alarms.push(`投出选票与作废凭证合计 ${v.cast + v.voidedSpent} 张,多于已签发的凭证 ${v.tickets.redeemed} 张`);
  }
  if (issued > v.seats) alarms.push(`签到 ${issued} 人,超过本会场名额 ${v.seats} 人`);
  const unused = v.tickets.issued + Math.max(0, signedOutstanding);
  const voided = v.tickets.voided + v.voidedSpent;
  return {
    seats: v.seats,
    checkedIn: issued,
    issued,
    cast: v.cast,
    voided,
    unused,
    balanced: issued === v.cast + voided + unused && signedOutstanding >= 0,
    alarms,
  };
}

export interface GroupCheck {
  /** Σ per-venue cast counters of the group. */
  castCounted: number;
  /** Ballots actually stored for the group. */
  ballotsStored: number;
}

/** The group-level cross-check: ballots carry no venue, but their number must equal the venues' counters. */
export function groupAlarms(g: GroupCheck): string[] {
  return g.castCounted === g.ballotsStored ? [] : [`各会场计数合计 ${g.castCounted} 张,票箱中实有 ${g.ballotsStored} 张`];
}

export type CloseDecision = { ok: true; noteRequired: false } | { ok: true; noteRequired: true } | { ok: false; reason: string };

/**
 * A venue closes cleanly when it balances with nothing outstanding; otherwise only with a
 * signed note explaining the gap (unused credentials, an alarm).
 */
export function closeDecision(r: Reconciliation, note: string | undefined): CloseDecision {
  const clean = r.balanced && r.unused === 0 && r.alarms.length === 0;
  if (clean) return { ok: true, noteRequired: false };
  if (!note || note.trim().length < 10) {
    return { ok: false, reason: `本会场尚有 ${r.unused} 张未使用凭证${r.alarms.length ? '且存在对账警报' : ''},须填写不少于 10 个字的情况说明并签名后才能结束投票` };
  }
  return { ok: true, noteRequired: true };
}

/**
 * Checks a ballot's answers against the group: one entry per department, each a scale position
 * or null (blank). Returns a Chinese reason, or undefined when it is well formed.
 */
export function ballotProblem(answers: unknown, departments: number, options: number): string | undefined {
  if (!Array.isArray(answers)) return '选票格式不正确';
  if (answers.length !== departments) return `选票应包含 ${departments} 个部门的评价,实际 ${answers.length} 个`;
  for (const [i, a] of answers.entries()) {
    if (a === null) continue;
    if (!Number.isInteger(a) || (a as number) < 1 || (a as number) > options) return `第 ${i + 1} 个部门的选项无效`;
  }
  return undefined;
}

/** City totals over venue rows. */
export function totals<T extends { seats: number; checkedIn: number; issued: number; cast: number; voided: number; unused: number }>(rows: readonly T[]) {
  const sum = (k: keyof T) => rows.reduce((a, r) => a + (r[k] as number), 0);
  return { seats: sum('seats'), checkedIn: sum('checkedIn'), issued: sum('issued'), cast: sum('cast'), voided: sum('voided'), unused: sum('unused') };
}
