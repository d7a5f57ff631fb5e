import { describe, expect, it } from 'vitest';
import { DEFAULT_FORMULA, formulaText, handlingCsv, handlingPeriodClosed, handlingScores, parseFormula, type HandlingAssignment, type HandlingRating } from '../../src/suggestions/handling-score.core';

const DAY = 86_400_000;
const T0 = Date.UTC(2018, 11, 1);
const NOW = T0 + 60 * DAY;

/** An assignment to 甲局 made at day `at`, answered after `days` (null: not answered), due 15 days after. */
const a = (seq: number, at: number, days: number | null, over: Partial<HandlingAssignment> = {}): HandlingAssignment => ({
  suggestionSeq: seq,
  departmentName: '甲局',
  status: days === null ? 'dispatched' : 'answered',
  round: 0,
  assignedAt: T0 + at * DAY,
  deadlineAt: T0 + (at + 15) * DAY,
  answeredAt: days === null ? null : T0 + (at + days) * DAY,
  adoption: 'none',
  ...over,
});
const r = (seq: number, rating: HandlingRating['rating'], round = 0): HandlingRating => ({ suggestionSeq: seq, round, rating });

describe('handling scores, case by case', () => {
  it.each<[string, HandlingAssignment[], HandlingRating[], Partial<ReturnType<typeof handlingScores>[number]>]>([
    ['nothing routed: no rates, no score', [], [], { received: 0, due: 0, onTimeRate: null, medianDays: null, satisfactionRate: null, reopenedRate: null, score: null }],
    ['one answered on time, rated 满意: 100', [a(1, 0, 5)], [r(1, 'satisfied')], { received: 1, onTimeRate: 1, medianDays: 5, ratings: 1, satisfactionRate: 1, reopenedRate: 0, score: 100 }],
    ['基本满意 counts as satisfied', [a(1, 0, 5)], [r(1, 'basically_satisfied')], { satisfactionRate: 1 }],
    ['one late (day 20), unrated: on time 0, not reopened 1 → (0×40 + 1×20)/60', [a(1, 0, 20)], [], { onTimeRate: 0, satisfactionRate: null, reopenedRate: 0, score: 33.3 }],
    ['not answered, still within its deadline: not yet due', [a(1, 50, null)], [], { received: 1, due: 0, onTimeRate: null, reopenedRate: null, score: null }],
    ['not answered and past its deadline: due and late', [a(1, 0, null)], [], { due: 1, answeredOnTime: 0, onTimeRate: 0, score: 0 }],
    [
      '不满意 reopened, re-answered, then 满意: two answers, one reopened, satisfaction 1/2',
      [a(1, 0, 4, { status: 'reopened' }), a(1, 10, 6, { round: 1 })],
      [r(1, 'unsatisfied', 0), r(1, 'satisfied', 1)],
      { received: 1, due: 2, answeredOnTime: 2, medianDays: 5, ratings: 2, satisfactionRate: 0.5, reopenedRate: 0.5, score: 70 },
    ],
    ['a returned item is not the department’s', [a(1, 0, null, { status: 'returned' })], [], { received: 0, due: 0 }],
    ['adoption counts suggestions once', [a(1, 0, 5, { adoption: 'next_year_plan' }), a(2, 0, 5, { adoption: 'work_report' }), a(3, 0, 5)], [], { adopted: 2, medianDays: 5 }],
    ['median over three answers (2, 5, 30 days)', [a(1, 0, 2), a(2, 0, 5), a(3, 0, 30)], [], { medianDays: 5, onTimeRate: 2 / 3 }],
  ])('%s', (_name, assignments, ratings, expected) => {
    const [score] = handlingScores(['甲局'], assignments, ratings, DEFAULT_FORMULA, NOW);
    expect(score).toMatchObject({ department: '甲局', ...expected });
  });

  it('another department’s rows do not count', () => {
    const [mine, theirs] = handlingScores(['甲局', '乙局'], [a(1, 0, 5), a(2, 0, 5, { departmentName: '乙局' }), a(3, 0, 40, { departmentName: '乙局' })], [], DEFAULT_FORMULA, NOW);
    expect(mine!.received).toBe(1);
    expect(theirs).toMatchObject({ received: 2, onTimeRate: 0.5 });
  });

  it('the formula is campaign data: other weights give another score', () => {
    const rows = [a(1, 0, 20)];
    expect(handlingScores(['甲局'], rows, [r(1, 'satisfied')], { onTime: 100, satisfaction: 0, notReopened: 0 }, NOW)[0]!.score).toBe(0);
    expect(handlingScores(['甲局'], rows, [r(1, 'satisfied')], { onTime: 0, satisfaction: 100, notReopened: 0 }, NOW)[0]!.score).toBe(100);
  });
});

describe('the formula as stored', () => {
  it.each([
    [null, DEFAULT_FORMULA, true],
    ['{"onTime":50,"satisfaction":50,"notReopened":0}', { onTime: 50, satisfaction: 50, notReopened: 0 }, true],
    ['{"onTime":50,"satisfaction":60,"notReopened":0}', DEFAULT_FORMULA, false],
    ['{"onTime":-10,"satisfaction":90,"notReopened":20}', DEFAULT_FORMULA, false],
    ['not json', DEFAULT_FORMULA, false],
  ])('%s → %o (valid %s)', (json, formula, valid) => expect(parseFormula(json)).toEqual({ formula, valid }));

  it('is said in plain Chinese with its weights', () => {
    expect(formulaText(DEFAULT_FORMULA)).toContain('按期答复率 × 40% + 回访满意率 × 40% + (1 − 重新交办率) × 20%');
  });
});

describe('publication', () => {
  it.each([
    [{ status: 'started', handlingClosesAt: null }, false],
    [{ status: 'started', handlingClosesAt: NOW + 1 }, false],
    [{ status: 'started', handlingClosesAt: NOW }, true],
    [{ status: 'closed', handlingClosesAt: null }, true],
  ])('%o: handling period closed %s', (c, closed) => expect(handlingPeriodClosed(c, NOW)).toBe(closed));

  it('the CSV has one row per department with rates as percentages', () => {
    const csv = handlingCsv(handlingScores(['甲局'], [a(1, 0, 5)], [r(1, 'satisfied')], DEFAULT_FORMULA, NOW));
    expect(csv.split('\r\n')[1]).toBe('甲局,1,100%,5,100%,1,0%,0,100');
  });
});
