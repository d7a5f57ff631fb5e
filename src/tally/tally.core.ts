/**
 * The tally of one group: pure, no I/O. Input is the group's departments in report order, the
 * campaign's scale and the decrypted ballots (answers arrays, or null for a ballot that did not
 * decrypt to a well-formed ballot of this group). The same function runs when unsealing and in
 * the standalone verifier, so a published tally can be recomputed by anyone.
 *
 * Definitions (per department):
 * - blank: the ballot answered nothing for the department (null).
 * - counts[i]: answers choosing scale option i (in scale order).
 * - valid: answers choosing an option with `valid` set (不了解 and blanks are excluded).
 * - satisfied: answers choosing an option with `satisfied` set (满意 + 比较满意).
 * - satisfaction rate = satisfied / valid, in percent, rounded half-up to 2 decimals;
 *   null when valid = 0.
 * - score = Σ weight × count / number of valid answers whose option has a weight, rounded to
 *   2 decimals; null when there are none.
 * - rank within the group: by satisfaction rate (descending), then score (descending), compared
 *   exactly as fractions, not as rounded numbers; departments equal on both share a rank and the
 *   next rank is skipped (1, 2, 2, 4). Departments without valid answers get no rank (null).
 * Ballot level: invalid = malformed or undecryptable (excluded everywhere); blank = well-formed
 * but every answer null (counted, contributes blanks only).
 */
import { csvCell } from '../lib/csv.core';

export interface ScaleOption {
  position: number; // 1-based, what a ballot stores
  label: string;
  weight: number | null;
  valid: boolean;
  satisfied: boolean;
}

export interface DepartmentRef {
  position: number;
  name: string;
}

export interface DepartmentTally {
  position: number;
  name: string;
  counts: number[]; // per scale option, in scale order
  blank: number;
  valid: number;
  satisfied: number;
  weightSum: number;
  scoreBase: number;
  satisfactionRate: number | null; // percent, 2 decimals
  score: number | null; // 2 decimals
  rank: number | null;
}

export interface GroupTally {
  v: 1;
  campaign: string;
  group: number;
  scale: ScaleOption[];
  ballots: { total: number; counted: number; invalid: number; blank: number };
  departments: DepartmentTally[];
}

export type DecryptedBallot = (number | null)[] | null;

/** The answers of a well-formed ballot for this group, or null when it must count as invalid. */
export function wellFormed(ballot: unknown, departmentCount: number, positions: ReadonlySet<number>): (number | null)[] | null {
  if (!Array.isArray(ballot) || ballot.length !== departmentCount) return null;
  for (const a of ballot) if (a !== null && !(typeof a === 'number' && positions.has(a))) return null;
  return ballot as (number | null)[];
}

const round2 = (num: number, den: number) => Math.round((num * 100) / den) / 100;

/** a/b compared with c/d for non-negative integers with positive denominators. */
const cmpFraction = (a: number, b: number, c: number, d: number) => a * d - c * b;

export function tallyGroup(input: {
  campaign: string;
  group: number;
  departments: readonly DepartmentRef[];
  scale: readonly ScaleOption[];
  ballots: readonly unknown[];
}): GroupTally {
  const scale = [...input.scale].sort((a, b) => a.position - b.position);
  const departments = [...input.departments].sort((a, b) => a.position - b.position);
  const indexOf = new Map(scale.map((o, i) => [o.position, i]));
  const positions = new Set(indexOf.keys());
  const rows = departments.map((d) => ({ position: d.position, name: d.name, counts: scale.map(() => 0), blank: 0 }));
  let invalid = 0;
  let blank = 0;
  for (const raw of input.ballots) {
    const answers = wellFormed(raw, departments.length, positions);
    if (!answers) {
      invalid++;
      continue;
    }
    if (answers.every((a) => a === null)) blank++;
    answers.forEach((a, i) => {
      const row = rows[i]!;
      if (a === null) row.blank++;
      else row.counts[indexOf.get(a)!]!++;
    });
  }
  const tallied: DepartmentTally[] = rows.map((r) => {
    let valid = 0;
    let satisfied = 0;
    let weightSum = 0;
    let scoreBase = 0;
    scale.forEach((o, i) => {
      const n = r.counts[i]!;
      if (!o.valid) return;
      valid += n;
      if (o.satisfied) satisfied += n;
      if (o.weight !== null) {
        weightSum += o.weight * n;
        scoreBase += n;
      }
    });
    return {
      ...r,
      valid,
      satisfied,
      weightSum,
      scoreBase,
      satisfactionRate: valid ? round2(satisfied * 100, valid) : null,
      score: scoreBase ? round2(weightSum, scoreBase) : null,
      rank: null,
    };
  });
  const better = (x: DepartmentTally, y: DepartmentTally) => {
    const byRate = cmpFraction(x.satisfied, x.valid, y.satisfied, y.valid);
    if (byRate !== 0) return byRate > 0;
    if (x.scoreBase && y.scoreBase) return cmpFraction(x.weightSum, x.scoreBase, y.weightSum, y.scoreBase) > 0;
    return x.scoreBase > 0 && y.scoreBase === 0;
  };
  const ranked = tallied.filter((d) => d.valid > 0);
  for (const d of ranked) d.rank = 1 + ranked.filter((o) => better(o, d)).length;
  const total = input.ballots.length;
  return {
    v: 1,
    campaign: input.campaign,
    group: input.group,
    scale: scale.map(({ position, label, weight, valid, satisfied }) => ({ position, label, weight, valid, satisfied })),
    ballots: { total, counted: total - invalid, invalid, blank },
    departments: tallied,
  };
}

/** Rows of all groups' results in one table (for the campaign page and the CSV of the whole year). */
export function combinedRows(tallies: readonly GroupTally[]) {
  return [...tallies]
    .sort((a, b) => a.group - b.group)
    .flatMap((t) => t.departments.map((d) => ({ group: t.group, ...d })));
}

/** CSV of one or more groups: one line per department, counts per option in scale order. UTF-8 with BOM for Excel. */
/** `beside`: further columns per department (the campaign's results CSV carries each department's handling of suggestions). */
export function tallyCsv(tallies: readonly GroupTally[], beside?: { header: readonly string[]; cells: (department: string) => readonly (string | number | null)[] }): string {
  const scale = tallies[0]?.scale ?? [];
  const header = ['组别', '报告顺序', '部门', ...scale.map((o) => o.label), '未填', '有效票', '满意票', '满意率(%)', '加权得分', '组内排名', ...(beside?.header ?? [])];
  const lines = [header, ...combinedRows(tallies).map((d) => [d.group, d.position, d.name, ...d.counts, d.blank, d.valid, d.satisfied, d.satisfactionRate, d.score, d.rank, ...(beside?.cells(d.name) ?? [])])];
  return '\ufeff' + lines.map((l) => l.map(csvCell).join(',')).join('\r\n') + '\r\n';
}
