import { describe, expect, it } from 'vitest';
import { createHmac } from 'node:crypto';
import {
  canonicalPublicValue,
  candidatesDigest,
  effectiveSeed,
  drawKey,
  newSeed,
  runDraw,
  seedCommitment,
  verifyDraw,
  type DrawCandidate,
  type DrawCell,
  type DrawInput,
  type PublishedDraw,
} from '../../src/delegates/draw.core';

const SEED = '000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f';
const OTHER_SEED = 'ff'.repeat(32);

const VENUES = ['市南区', '市北区'];
const CATEGORIES = ['社区居民代表', '企业代表'];

const cells: DrawCell[] = VENUES.flatMap((venue) => [1, 2].flatMap((group) => CATEGORIES.map((category) => ({ venue, group, category, seats: 3, reserves: 2 }))));
// plus a cell nobody applied for enough: 5 seats, 2 people
cells.push({ venue: '市南区', group: 1, category: '专家学者代表', seats: 5, reserves: 1 });

const candidates: DrawCandidate[] = [];
let n = 0;
for (const venue of VENUES) {
  for (const category of CATEGORIES) {
    for (let i = 0; i < 12; i++) {
      // a third can attend only group 1, a third only group 2, a third either
      const groups = i % 3 === 0 ? [1] : i % 3 === 1 ? [2] : [1, 2];
      candidates.push({ code: `C${String(++n).padStart(4, '0')}`, venue, category, groups });
    }
  }
}
candidates.push({ code: 'E0001', venue: '市南区', category: '专家学者代表', groups: [1] }, { code: 'E0002', venue: '市南区', category: '专家学者代表', groups: [1, 2] });

const input: DrawInput = { seed: SEED, cells, candidates };

function shuffled<T>(list: readonly T[], salt: number): T[] {
  // deterministic Fisher–Yates with a small LCG: the test only needs "another order"
  const out = [...list];
  let x = salt;
  for (let i = out.length - 1; i > 0; i--) {
    x = (x * 1103515245 + 12345) % 2147483648;
    const j = x % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

const byCode = new Map(candidates.map((c) => [c.code, c]));
const result = runDraw(input);

function publish(): PublishedDraw {
  return { version: 1, seedCommitment: seedCommitment(SEED), seed: SEED, cells, candidates, candidatesDigest: candidatesDigest(candidates), result: structuredClone(result) };
}

describe('the seed commitment', () => {
  it('is SHA-256 of the domain prefix and the seed bytes (checked against Python hashlib)', () => {
    expect(seedCommitment(SEED)).toBe('3bee88dccedc580b6a4e62c5b59a0f0a0c5e45dcfb753eb9c9b7a46a4e40d5b0');
    expect(seedCommitment(SEED.toUpperCase())).toBe(seedCommitment(SEED));
  });

  it('draws fresh 32-byte seeds', () => {
    const a = newSeed();
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(newSeed()).not.toBe(a);
  });

  it('refuses a seed that is not 64 hex characters', () => {
    expect(() => seedCommitment('abc')).toThrow('64 位十六进制');
    expect(() => runDraw({ ...input, seed: 'zz'.repeat(32) })).toThrow('64 位十六进制');
  });
});

describe('the stratified draw', () => {
  it('orders each pool by HMAC-SHA256 of the seed over group|venue|category|code (checked against Python hmac)', () => {
    expect(drawKey(SEED, { group: 1, venue: '市南区', category: '社区居民代表' }, 'C0001')).toBe('f2634f3d2709c9429ea5b600fd5aeed215351254d20fb9d01214150a3dc47e53');
    // the first cell in canonical order has no earlier exclusions: its selection is the lowest keys
    const first = result.cells[0]!;
    const pool = candidates.filter((c) => c.venue === first.venue && c.category === first.category && c.groups.includes(first.group));
    const ranked = pool.map((c) => ({ code: c.code, key: drawKey(SEED, first, c.code) })).sort((a, b) => (a.key < b.key ? -1 : 1));
    expect(first.selected).toEqual(ranked.slice(0, first.seats).map((x) => x.code));
    expect(first.reserve).toEqual(ranked.slice(first.seats, first.seats + 2).map((x) => x.code));
  });

  it('processes cells by group, then venue, then category', () => {
    const order = result.cells.map((c) => [c.group, c.venue, c.category]);
    const sorted = [...order].sort((a, b) => (a[0]! < b[0]! ? -1 : a[0]! > b[0]! ? 1 : a[1]! < b[1]! ? -1 : a[1]! > b[1]! ? 1 : a[2]! < b[2]! ? -1 : a[2]! > b[2]! ? 1 : 0));
    expect(order).toEqual(sorted);
  });

  it('gives the same result from the same seed and list, whatever order the list and cells are in', () => {
    expect(runDraw(input)).toEqual(result);
    expect(runDraw({ seed: SEED, cells: shuffled(cells, 7), candidates: shuffled(candidates, 11) })).toEqual(result);
    expect(runDraw({ seed: SEED, cells, candidates: [...candidates].reverse() })).toEqual(result);
  });

  it('selects other people under another seed', () => {
    const other = runDraw({ ...input, seed: OTHER_SEED });
    expect(other.cells.map((c) => c.selected)).not.toEqual(result.cells.map((c) => c.selected));
  });

  it('only draws people of the cell’s venue and category who can attend its group', () => {
    for (const cell of result.cells) {
      for (const code of [...cell.selected, ...cell.reserve]) {
        const c = byCode.get(code)!;
        expect(c.venue).toBe(cell.venue);
        expect(c.category).toBe(cell.category);
        expect(c.groups).toContain(cell.group);
      }
    }
  });

  it('never draws a person twice, across groups and between selected and reserve lists', () => {
    const all = result.cells.flatMap((c) => [...c.selected, ...c.reserve]);
    expect(new Set(all).size).toBe(all.length);
    for (const cell of result.cells) {
      expect(cell.selected.filter((code) => cell.reserve.includes(code))).toEqual([]);
    }
  });

  it('fills every cell that has enough people and keeps its reserve list', () => {
    for (const cell of result.cells.filter((c) => c.category !== '专家学者代表')) {
      expect(cell.selected).toHaveLength(3);
      expect(cell.reserve).toHaveLength(2);
      expect(cell.shortfall).toBe(0);
    }
  });

  it('reports a shortfall instead of filling seats from another category', () => {
    const experts = result.cells.find((c) => c.category === '专家学者代表')!;
    expect([...experts.selected].sort()).toEqual(['E0001', 'E0002']);
    expect(experts.reserve).toEqual([]);
    expect(experts.shortfall).toBe(3);
    expect(result.totals).toEqual({ seats: 8 * 3 + 5, selected: 8 * 3 + 2, shortfall: 3 });
  });

  it('refuses duplicate candidate codes and duplicate cells', () => {
    expect(() => runDraw({ ...input, candidates: [...candidates, candidates[0]!] })).toThrow('重复');
    expect(() => runDraw({ ...input, cells: [...cells, cells[0]!] })).toThrow('重复');
  });
});

describe('verifying a published draw', () => {
  it('accepts the genuine file and summarises it', () => {
    expect(verifyDraw(publish())).toEqual({ ok: true, cells: cells.length, seats: 29, selected: 26, shortfall: 3, publicValue: null });
  });

  it('accepts the file with its cells and result listed in another order, and extra fields', () => {
    const file = { ...publish(), campaign: '2018', cells: shuffled(cells, 3) };
    file.result.cells = shuffled(file.result.cells, 5);
    expect(verifyDraw(file)).toMatchObject({ ok: true });
  });

  it('rejects a file where a selected delegate was swapped for a reserve, naming the cell', () => {
    const file = publish();
    const cell = file.result.cells.find((c) => c.group === 2 && c.venue === '市北区' && c.category === '企业代表')!;
    const [a] = cell.selected;
    const [b] = cell.reserve;
    cell.selected[0] = b!;
    cell.reserve[0] = a!;
    const verdict = verifyDraw(file);
    expect(verdict.ok).toBe(false);
    expect(!verdict.ok && verdict.reason).toBe(`第 2 组 · 市北区 · 企业代表:入选名单第 1 位应为 ${a},公示为 ${b}`);
  });

  it('rejects a seed that does not match the published commitment', () => {
    const verdict = verifyDraw({ ...publish(), seed: OTHER_SEED });
    expect(verdict).toEqual({ ok: false, reason: '随机种子与公布的承诺值不符' });
  });

  it('rejects a result drawn with another seed even when the commitment was made to fit', () => {
    const verdict = verifyDraw({ ...publish(), seed: OTHER_SEED, seedCommitment: seedCommitment(OTHER_SEED) });
    expect(verdict.ok).toBe(false);
    expect(!verdict.ok && verdict.reason).toMatch(/^第 1 组 · 市北区 · 企业代表:入选名单/);
  });

  it('rejects a candidate list changed after its digest was published', () => {
    const file = publish();
    file.candidates = file.candidates.filter((c) => c.code !== 'E0002');
    expect(verifyDraw(file)).toEqual({ ok: false, reason: '候选名单与承诺时公布的名单摘要不符' });
  });

  it('rejects a file with a cell missing from the result, or that is not a draw file at all', () => {
    const file = publish();
    file.result.cells = file.result.cells.filter((c) => c.category !== '专家学者代表');
    expect(verifyDraw(file)).toEqual({ ok: false, reason: '第 1 组 · 市南区 · 专家学者代表:公示结果中缺少该格子' });
    expect(verifyDraw({ version: 2 })).toMatchObject({ ok: false, reason: expect.stringContaining('公示文件格式不正确') });
  });
});

describe('the public random value (RFC 3797) and the effective seed', () => {
  it('writes every way of typing the same lottery numbers as one canonical value: sorted per set, "." after each number, "/" after each set', () => {
    for (const typed of ['31 07 12 03 25 19 + 09', '03,07,12,19,25,31/09', '3.7.12.19.25.31./9./', '０３ ０７ １２ １９ ２５ ３１ ＋ ０９', '03、07、12、19、25、31 | 09\n']) {
      expect(canonicalPublicValue(typed)).toEqual({ value: '3.7.12.19.25.31./9./' });
    }
    // numeric order, not text order; leading zeros dropped, zero kept
    expect(canonicalPublicValue('100 9 0010 0')).toEqual({ value: '0.9.10.100./' });
  });

  it('refuses letters, empty sets and an empty value, in Chinese', () => {
    expect(canonicalPublicValue('红球 1 2 3 蓝球 4')).toEqual({ error: expect.stringContaining('只能包含数字和分隔符') });
    expect(canonicalPublicValue('1 2 / / 3')).toEqual({ error: expect.stringContaining('每一组号码至少要有一个数字') });
    expect(canonicalPublicValue(' ')).toEqual({ error: '请输入公共随机源公布的号码' });
  });

  it('derives the effective seed as HMAC-SHA256(seed, domain ‖ source ‖ value) (checked against node:crypto)', () => {
    const source = '中国福利彩票双色球 第 2018140 期开奖号码';
    const expected = createHmac('sha256', Buffer.from(SEED, 'hex')).update(`sanmin-draw-beacon-v1\n${source}\n3.7.12.19.25.31./9./`, 'utf8').digest('hex');
    expect(effectiveSeed(SEED, source, '3.7.12.19.25.31./9./')).toBe(expected);
    expect(effectiveSeed(SEED, source, '3.7.12.19.25.32./9./')).not.toBe(expected);
    expect(effectiveSeed(SEED, '另一个来源', '3.7.12.19.25.31./9./')).not.toBe(expected);
  });

  it('a version 2 file whose effective seed does not come from (secret, public value) is refused', () => {
    const source = '中国福利彩票双色球 第 2018140 期开奖号码';
    const value = '3.7.12.19.25.31./9./';
    const derived = effectiveSeed(SEED, source, value);
    const genuine = { ...publish(), version: 2 as const, publicSource: source, publicValue: value, effectiveSeed: derived, result: runDraw({ ...input, seed: derived }) };
    expect(verifyDraw(genuine)).toMatchObject({ ok: true, publicValue: value });
    // the organiser's own seed used directly (no public value), with a result drawn to match
    expect(verifyDraw({ ...genuine, effectiveSeed: SEED, result: runDraw(input) })).toEqual({ ok: false, reason: expect.stringContaining('有效种子与(随机种子, 公共随机源, 公共随机值)推导的结果不符') });
    expect(verifyDraw({ ...genuine, publicSource: undefined })).toEqual({ ok: false, reason: '公示文件缺少承诺时指定的公共随机源' });
  });
});
