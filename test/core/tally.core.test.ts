import { describe, expect, it } from 'vitest';
import { tallyCsv, tallyGroup, type ScaleOption } from '../../src/tally/tally.core';

const scale: ScaleOption[] = [
  { position: 1, label: '满意', weight: 100, valid: true, satisfied: true },
  { position: 2, label: '比较满意', weight: 80, valid: true, satisfied: true },
  { position: 3, label: '不满意', weight: 0, valid: true, satisfied: false },
  { position: 4, label: '不了解', weight: null, valid: false, satisfied: false },
];
const departments = [
  { position: 1, name: '甲局' },
  { position: 2, name: '乙局' },
  { position: 3, name: '丙局' },
];
const tally = (ballots: unknown[], depts = departments) => tallyGroup({ campaign: '2018', group: 1, departments: depts, scale, ballots });

describe('the tally of a group', () => {
  // hand-computed: see the comments beside each figure
  const t = tally([
    [1, 2, 4],
    [1, 3, null],
    [2, 2, 4],
    [null, null, null], // blank ballot
    [1, 5, 1], // invalid: 5 is not on the scale
    [1, 1], // invalid: too short
    null, // invalid: did not decrypt
    [3, 1, 4],
  ]);

  it('counts ballots: 8 in all, 3 invalid, 5 counted of which 1 blank', () => {
    expect(t.ballots).toEqual({ total: 8, counted: 5, invalid: 3, blank: 1 });
  });

  it('counts each option, blanks, valid answers, satisfaction rate and score per department', () => {
    const [a, b] = t.departments;
    // 甲局: 满意 2, 比较满意 1, 不满意 1; 1 blank; rate 3/4 = 75%; score (100+100+80+0)/4 = 70
    expect(a).toMatchObject({ name: '甲局', counts: [2, 1, 1, 0], blank: 1, valid: 4, satisfied: 3, satisfactionRate: 75, score: 70 });
    // 乙局: 满意 1, 比较满意 2, 不满意 1; rate 75%; score (100+80+80+0)/4 = 65
    expect(b).toMatchObject({ name: '乙局', counts: [1, 2, 1, 0], blank: 1, valid: 4, satisfied: 3, satisfactionRate: 75, score: 65 });
  });

  it('leaves a department answered only 不了解 without a rate, a score or a rank', () => {
    expect(t.departments[2]).toMatchObject({ name: '丙局', counts: [0, 0, 0, 3], blank: 2, valid: 0, satisfactionRate: null, score: null, rank: null });
  });

  it('ranks by rate, then by score: equal rates are split by the score', () => {
    expect(t.departments.map((d) => d.rank)).toEqual([1, 2, null]);
  });

  it('gives departments equal on rate and score the same rank and skips the next', () => {
    const four = [...departments, { position: 4, name: '丁局' }];
    const r = tally([[1, 1, 3, 2], [2, 2, 3, 2]], four);
    // 甲 乙: 100%, 90; 丁: 100%, 80; 丙: 0%, 0
    expect(r.departments.map((d) => [d.name, d.satisfactionRate, d.score, d.rank])).toEqual([
      ['甲局', 100, 90, 1],
      ['乙局', 100, 90, 1],
      ['丙局', 0, 0, 4],
      ['丁局', 100, 80, 3],
    ]);
  });

  it('compares rates exactly, not as rounded numbers', () => {
    // 甲: 2 of 3 satisfied = 66.666…%; 乙: 6667 of 10000 = 66.67%: both print 66.67, 乙 is higher
    const ballots = Array.from({ length: 10_000 }, (_, i) => [i < 2 ? 1 : i === 2 ? 3 : 4, i < 6667 ? 1 : 3, 4]);
    const r = tally(ballots);
    expect(r.departments[0]!.satisfactionRate).toBe(66.67);
    expect(r.departments[1]!.satisfactionRate).toBe(66.67);
    expect(r.departments.map((d) => d.rank)).toEqual([2, 1, null]);
  });

  it('reports an empty group with zero ballots and no rates', () => {
    const e = tally([]);
    expect(e.ballots).toEqual({ total: 0, counted: 0, invalid: 0, blank: 0 });
    expect(e.departments.every((d) => d.valid === 0 && d.satisfactionRate === null && d.rank === null)).toBe(true);
  });

  it('treats all-不了解 ballots as counted but without a valid answer', () => {
    const r = tally([[4, 4, 4], [4, 4, 4]]);
    expect(r.ballots).toEqual({ total: 2, counted: 2, invalid: 0, blank: 0 });
    expect(r.departments.map((d) => [d.counts[3], d.valid, d.satisfactionRate, d.rank])).toEqual([
      [2, 0, null, null],
      [2, 0, null, null],
      [2, 0, null, null],
    ]);
  });

  it('writes a CSV with a header in Chinese and one line per department', () => {
    const csv = tallyCsv([t]);
    const lines = csv.replace('\ufeff', '').trim().split('\r\n');
    expect(lines[0]).toBe('组别,报告顺序,部门,满意,比较满意,不满意,不了解,未填,有效票,满意票,满意率(%),加权得分,组内排名');
    expect(lines[1]).toBe('1,1,甲局,2,1,1,0,1,4,3,75,70,1');
    expect(lines[3]).toBe('1,3,丙局,0,0,0,3,2,0,0,,,');
  });
});
