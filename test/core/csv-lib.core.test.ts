import { describe, expect, it } from 'vitest';
import { csvCell, csvDocument, mapHeader, parseCsv } from '../../src/lib/csv.core';

describe('one CSV cell writer defuses spreadsheet formulas typed by the public', () => {
  it.each([
    ['=cmd|/C calc!A0', "'=cmd|/C calc!A0"],
    ['+1', "'+1"],
    ['-1', "'-1"],
    ['@SUM(A1:A2)', "'@SUM(A1:A2)"],
    ['\t=1+1', "'\t=1+1"],
  ])('prefixes %j with a quote mark', (input, out) => {
    expect(csvCell(input)).toBe(out);
  });

  it('prefixes a leading CR and then quotes the cell, since it holds a line break', () => {
    expect(csvCell('\r=1+1')).toBe(`"'\r=1+1"`);
  });

  it('prefixes before quoting, so the quote mark sits inside the quotes', () => {
    expect(csvCell('=HYPERLINK("http://x","y")')).toBe(`"'=HYPERLINK(""http://x"",""y"")"`);
  });

  it('doubles quotes and quotes cells with commas, quotes, CR or LF', () => {
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('a\nb')).toBe('"a\nb"');
    expect(csvCell('a\r\nb')).toBe('"a\r\nb"');
  });

  it('leaves plain text, inner signs, full-width ＝ and numbers alone', () => {
    expect(csvCell('张三')).toBe('张三');
    expect(csvCell('a=b')).toBe('a=b');
    expect(csvCell('＝SUM(A1)')).toBe('＝SUM(A1)');
    expect(csvCell(-1)).toBe('-1');
    expect(csvCell(3)).toBe('3');
    expect(csvCell(null)).toBe('');
    expect(csvCell(undefined)).toBe('');
  });

  it('writes a document with a BOM and CRLF line ends, and reads it back', () => {
    const doc = csvDocument([['姓名', '备注'], ['张三', '=1,2']]);
    expect(doc).toBe('\uFEFF姓名,备注\r\n张三,"\'=1,2"\r\n');
    expect(parseCsv(doc).map((r) => r.cells)).toEqual([['姓名', '备注'], ['张三', "'=1,2"]]);
  });

  it('maps a header by title or alias and reports missing and repeated columns', () => {
    const m = mapHeader([' 手机 ', '姓名', '姓名'], { name: '姓名', mobile: '手机号', venue: '会场' } as const, { 手机: 'mobile' });
    expect([...m.index]).toEqual([['mobile', 0], ['name', 1]]);
    expect(m.missing).toEqual(['venue']);
    expect(m.duplicates).toEqual(['姓名']);
  });
});
