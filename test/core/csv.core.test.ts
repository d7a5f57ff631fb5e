import { describe, expect, it } from 'vitest';
import { hexToBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import { decodeCsvBytes, parseCsv, parseGroupLabel, parseRecommendations, type RecommendationContext } from '../../src/delegates/csv.core';

function withCheck(first17: string): string {
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...first17].reduce((s, d, i) => s + Number(d) * weights[i]!, 0);
  return first17 + '10X98765432'[sum % 11];
}

const ID_A = withCheck('37020219850615123'); // 370202198506151230
const ID_B = withCheck('37020319900101002'); // ends in X
const ID_C = withCheck('37021219781120455');

const HEADER = '姓名,身份证号,手机号,会场,分组,类别,推荐单位';
const SUB = ['社区居民代表', '重点项目单位代表'];
const ctx: RecommendationContext = {
  venues: ['市级主会场', '市南区', '市北区'],
  groups: [1, 2, 3, 4],
  categoriesForVenue: (venue) => (venue === '市级主会场' ? ['媒体代表'] : SUB),
  today: '2018-11-01',
};

describe('decoding uploaded bytes', () => {
  it('drops a UTF-8 byte order mark and reads UTF-8', () => {
    const bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...utf8ToBytes(`${HEADER}\r\n`)]);
    expect(decodeCsvBytes(bytes)).toBe(`${HEADER}\r\n`);
  });

  it('reads a file Excel saved as GBK', () => {
    // 姓名 in GBK is D0 D5 C3 FB; the rest of this file was encoded with Python's gbk codec
    const gbk = hexToBytes(
      'd0d5c3fb2cc9edb7ddd6a4bac52ccad6bbfabac52cbbe1b3a12cb7d6d7e92cc0e0b1f02ccdc6bcf6b5a5cebb0d0a' +
        'cdf5d0a1c3f72c3337303230323139383530363135313233302c31333830353332313233342ccad0c4cfc7f82cb5dad2bbd7e92cc9e7c7f8bed3c3f1b4fab1ed2ccad0c4cfc7f8c3f1d5febed60d0a',
    );
    expect(decodeCsvBytes(gbk.subarray(0, 4))).toBe('姓名');
    const text = decodeCsvBytes(gbk);
    expect(text).toBe(`${HEADER}\r\n王小明,${ID_A},13805321234,市南区,第一组,社区居民代表,市南区民政局\r\n`);
    expect(parseRecommendations(text, ctx)).toMatchObject({ bad: [], good: [{ line: 2, name: '王小明', venue: '市南区', group: 1 }] });
  });
});

describe('parsing CSV', () => {
  it('handles quoted commas, doubled quotes and line breaks inside quotes, with the line each record starts on', () => {
    const text = 'a,b,c\r\n"x, y","say ""hi""","two\nlines"\r\nlast,,end';
    expect(parseCsv(text)).toEqual([
      { line: 1, cells: ['a', 'b', 'c'] },
      { line: 2, cells: ['x, y', 'say "hi"', 'two\nlines'] },
      { line: 4, cells: ['last', '', 'end'] },
    ]);
  });

  it('skips blank lines, accepts LF or CR endings and keeps an empty quoted field', () => {
    expect(parseCsv('a\n\nb\rc\n""\n')).toEqual([
      { line: 1, cells: ['a'] },
      { line: 3, cells: ['b'] },
      { line: 4, cells: ['c'] },
      { line: 5, cells: [''] },
    ]);
  });

  it('names the line of a quote that is never closed', () => {
    expect(() => parseCsv('a\n"open,\nmore')).toThrow('第 2 行开始的引号没有闭合');
  });
});

describe('organisational recommendation lists', () => {
  const row = (cells: string[]) => cells.join(',');
  const good = (name: string, id: string, extra: Partial<Record<'mobile' | 'venue' | 'group' | 'category' | 'org', string>> = {}) =>
    row([name, id, extra.mobile ?? '13805321234', extra.venue ?? '市南区', extra.group ?? '1', extra.category ?? '社区居民代表', extra.org ?? '市南区民政局']);

  it('returns every valid row, with groups written as 1 or 第一组 and columns in any order', () => {
    const text = [
      '推荐单位,类别,分组,会场,手机号,身份证号,姓名',
      row(['市北区工商联', '重点项目单位代表', '第三组', '市北区', '+86 139-0532-0000', ID_B.toLowerCase(), '李 娜']),
      row(['青岛日报社', '媒体代表', '4', '市级主会场', '13905320001', ID_C, '赵四']),
    ].join('\r\n');
    const out = parseRecommendations(text, ctx);
    expect(out.bad).toEqual([]);
    expect(out.good).toEqual([
      { line: 2, name: '李 娜', idNumber: ID_B, idLast4: ID_B.slice(14), birthDate: '1990-01-01', sex: 'F', mobile: '13905320000', venue: '市北区', group: 3, category: '重点项目单位代表', organisation: '市北区工商联' },
      { line: 3, name: '赵四', idNumber: ID_C, idLast4: ID_C.slice(14), birthDate: '1978-11-20', sex: 'M', mobile: '13905320001', venue: '市级主会场', group: 4, category: '媒体代表', organisation: '青岛日报社' },
    ]);
  });

  it('reports one error on line 1 naming every missing column, and imports nothing', () => {
    const out = parseRecommendations(`姓名,身份证号,会场,分组\n${good('王小明', ID_A)}`, ctx);
    expect(out).toEqual({ good: [], bad: [{ line: 1, reason: '表头缺少必填列:手机号、类别、推荐单位' }] });
  });

  it('reports each bad row with its line and all its reasons, counting lines inside quoted fields', () => {
    const text = [
      HEADER,
      good('王小明', ID_A, { org: '"市南区民政局\n(第二社区)"' }), // lines 2–3
      good('王', ID_A.slice(0, 17) + '9', { mobile: '0532-1234567' }), // line 4
      good('张三', ID_C, { venue: '黄岛区', group: '第五组' }), // line 5
      good('李四', ID_B, { venue: '市级主会场', category: '社区居民代表', org: '' }), // line 6
    ].join('\n');
    const out = parseRecommendations(text, ctx);
    expect(out.good.map((g) => [g.line, g.name, g.organisation])).toEqual([[2, '王小明', '市南区民政局\n(第二社区)']]);
    expect(out.bad).toEqual([
      { line: 4, reason: expect.stringContaining('姓名应为 2–20 个字') },
      { line: 5, reason: '会场“黄岛区”不存在;分组“第五组”无效,应为 1、2、3、4 之一' },
      { line: 6, reason: '类别“社区居民代表”不属于市级主会场的代表构成;请填写推荐单位' },
    ]);
    expect(out.bad[0]!.reason).toContain('身份证号码校验位不正确');
    expect(out.bad[0]!.reason).toContain('手机号码应为 11 位');
  });

  it('refuses a resident ID seen earlier in the file, on the later line only', () => {
    const text = [HEADER, good('王小明', ID_A), good('赵四', ID_C), good('王晓明', ID_A)].join('\n');
    const out = parseRecommendations(text, ctx);
    expect(out.good.map((g) => g.line)).toEqual([2, 3]);
    expect(out.bad).toEqual([{ line: 4, reason: '身份证号码与第 2 行重复' }]);
  });

  it('refuses someone under 18 on their group’s hearing date when the dates are known', () => {
    const minor = withCheck('37020220001212123'); // 18 on 2018-12-12, the day after group 1
    const text = [HEADER, good('小明', minor, { group: '1' }), good('小红', withCheck('37020220001211124'), { group: '1' })].join('\n');
    const out = parseRecommendations(text, { ...ctx, groupDates: new Map([[1, '2018-12-11']]) });
    expect(out.bad).toEqual([{ line: 2, reason: '被推荐人须在第 1 组评议当日年满 18 周岁' }]);
    expect(out.good.map((g) => g.name)).toEqual(['小红']);
  });

  it('reports an unclosed quote instead of guessing', () => {
    expect(parseRecommendations(`${HEADER}\n${good('王小明', ID_A)}\n"张三,${ID_C}`, ctx)).toEqual({ good: [], bad: [{ line: 3, reason: '第 3 行开始的引号没有闭合,请检查文件' }] });
  });
});

describe('group labels', () => {
  it('reads digits and Chinese numerals, with or without 第…组', () => {
    expect(['1', '第1组', '第一组', '二组', '三', '十', '十二', '二十'].map(parseGroupLabel)).toEqual([1, 1, 1, 2, 3, 10, 12, 20]);
    expect(['', '第组', 'A', '一二'].map(parseGroupLabel)).toEqual([undefined, undefined, undefined, undefined]);
  });
});
