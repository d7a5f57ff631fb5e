import { formatRate, round1 } from '../lib/number.core';
/**
 * Each department's handling of suggestions, per campaign, as published beside its ballot
 * result: pure, from plain rows. The composite score's weights are campaign data
 * (`campaigns.handling_formula`, JSON); `formulaText` says it in plain Chinese.
 */
import { csvCell } from '../lib/csv.core';
import type { Adoption, AssignmentStatus, Rating } from './states.core';
import { median } from './suggestions.core';

const DAY = 24 * 60 * 60 * 1000;

export interface HandlingAssignment {
  suggestionSeq: number;
  departmentName: string;
  status: AssignmentStatus;
  round: number;
  assignedAt: number;
  deadlineAt: number;
  answeredAt: number | null;
  adoption: Adoption;
}

export interface HandlingRating {
  suggestionSeq: number;
  round: number;
  rating: Rating;
}

/** Weights (percent, summing to 100) of the composite: answered on time, 回访 satisfaction, not reopened. */
export interface HandlingFormula {
  onTime: number;
  satisfaction: number;
  notReopened: number;
}

export const DEFAULT_FORMULA: HandlingFormula = { onTime: 40, satisfaction: 40, notReopened: 20 };

export interface HandlingScore {
  department: string;
  /** Distinct suggestions routed to the department (not sent back). */
  received: number;
  /** Handlings whose deadline has passed or that were answered. */
  due: number;
  answeredOnTime: number;
  /** answeredOnTime / due, 0..1; null when nothing was due. */
  onTimeRate: number | null;
  /** Median days from assignment to answer; null when nothing was answered. */
  medianDays: number | null;
  ratings: number;
  /** (满意 + 基本满意) / ratings; null without ratings. */
  satisfactionRate: number | null;
  /** Answers the citizen found unsatisfactory (reopened) / answers; null without answers. */
  reopenedRate: number | null;
  /** Suggestions adopted into next year's plan or the government work report. */
  adopted: number;
  /** The composite 0..100 (one decimal) over the components that have data; null when none has. */
  score: number | null;
}


/** Reads a campaign's formula; anything malformed falls back to the default (and says so via `valid`). */
export function parseFormula(json: string | null | undefined): { formula: HandlingFormula; valid: boolean } {
  if (!json) return { formula: DEFAULT_FORMULA, valid: true };
  try {
    const f = JSON.parse(json) as Partial<HandlingFormula>;
    const parts = [f.onTime, f.satisfaction, f.notReopened];
    if (parts.every((p) => typeof p === 'number' && Number.isFinite(p) && p >= 0) && parts.reduce((a, b) => a! + b!, 0) === 100) return { formula: f as HandlingFormula, valid: true };
  } catch {
    // fall through
  }
  return { formula: DEFAULT_FORMULA, valid: false };
}

export function formulaText(f: HandlingFormula): string {
  return `办理得分 = 按期答复率 × ${f.onTime}% + 回访满意率 × ${f.satisfaction}% + (1 − 重新交办率) × ${f.notReopened}%,满分 100。按期答复率 = 在期限内答复的件次 ÷ 已到期或已答复的件次;回访满意率 = (满意 + 基本满意)÷ 回访评价数;重新交办率 = 市民不满意而重新交办的答复 ÷ 全部答复。某项没有数据时不计入,其余各项按权重比例折算。`;
}

export function handlingScores(departments: readonly string[], assignments: readonly HandlingAssignment[], ratings: readonly HandlingRating[], formula: HandlingFormula, now: number): HandlingScore[] {
  const ratingOf = new Map(ratings.map((r) => [`${r.suggestionSeq}:${r.round}`, r.rating]));
  return departments.map((department) => {
    const mine = assignments.filter((a) => a.departmentName === department && a.status !== 'returned');
    const answered = mine.filter((a) => a.answeredAt !== null);
    const due = mine.filter((a) => a.answeredAt !== null || a.deadlineAt < now);
    const onTime = due.filter((a) => a.answeredAt !== null && a.answeredAt <= a.deadlineAt);
    // a rating judges the answers of its round: every department that answered in it
    const rated = answered.map((a) => ratingOf.get(`${a.suggestionSeq}:${a.round}`)).filter((r): r is Rating => r !== undefined);
    const satisfied = rated.filter((r) => r !== 'unsatisfied').length;
    const reopened = mine.filter((a) => a.status === 'reopened').length;
    const adopted = new Set(mine.filter((a) => a.adoption !== 'none').map((a) => a.suggestionSeq)).size;
    const onTimeRate = due.length ? onTime.length / due.length : null;
    const satisfactionRate = rated.length ? satisfied / rated.length : null;
    const reopenedRate = answered.length ? reopened / answered.length : null;
    const parts: [number | null, number][] = [
      [onTimeRate, formula.onTime],
      [satisfactionRate, formula.satisfaction],
      [reopenedRate === null ? null : 1 - reopenedRate, formula.notReopened],
    ];
    const known = parts.filter((p): p is [number, number] => p[0] !== null && p[1] > 0);
    const weight = known.reduce((s, [, w]) => s + w, 0);
    const score = weight ? round1((known.reduce((s, [v, w]) => s + v * w, 0) / weight) * 100) : null;
    const days = median(answered.map((a) => (a.answeredAt! - a.assignedAt) / DAY));
    return {
      department,
      received: new Set(mine.map((a) => a.suggestionSeq)).size,
      due: due.length,
      answeredOnTime: onTime.length,
      onTimeRate,
      medianDays: days === null ? null : round1(days),
      ratings: rated.length,
      satisfactionRate,
      reopenedRate,
      adopted,
      score,
    };
  });
}

/** Scores are public once the campaign's handling period has closed (or the campaign is closed). */
export function handlingPeriodClosed(c: { status: string; handlingClosesAt: number | null }, now: number): boolean {
  return c.status === 'closed' || (c.handlingClosesAt !== null && now >= c.handlingClosesAt);
}

const pct = formatRate;

/** The CSV beside the results CSV: one row per department. */
export const HANDLING_COLUMNS = ['收到建议', '按期答复率', '答复中位天数', '回访满意率', '回访评价数', '重新交办率', '采纳为下一年度计划', '办理得分'] as const;
/** One department's handling figures, in HANDLING_COLUMNS order. */
export const handlingCells = (s: HandlingScore) => [s.received, pct(s.onTimeRate), s.medianDays ?? '—', pct(s.satisfactionRate), s.ratings, pct(s.reopenedRate), s.adopted, s.score ?? '—'];

export function handlingCsv(scores: readonly HandlingScore[]): string {
  const header = ['部门', ...HANDLING_COLUMNS];
  const rows = scores.map((s) => [s.department, ...handlingCells(s)].map(csvCell).join(','));
  return `\ufeff${[header.map(csvCell).join(','), ...rows].join('\r\n')}\r\n`;
}

export { pct as formatRate };
