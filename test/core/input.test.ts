import { describe, expect, it } from 'vitest';
import { isStorageFull } from '../../src/lib/validation';
import { hasControlChars, normaliseText } from '../../src/lib/text';
import { chineseIssueMessage } from '../../src/lib/zod-zh';
import { z } from 'zod';

describe('a full disk is recognised from libSQL and D1 alike', () => {
  it('libSQL: SQLITE_FULL as the code of the batch error or of its cause', () => {
    expect(isStorageFull(Object.assign(new Error('SQLITE_FULL: database or disk is full'), { code: 'SQLITE_FULL' }))).toBe(true);
    expect(isStorageFull(new Error('batch failed', { cause: Object.assign(new Error('x'), { code: 'SQLITE_FULL' }) }))).toBe(true);
  });

  it('D1: "D1_ERROR: database or disk is full: SQLITE_FULL", also inside drizzle’s "Failed query" wrapper', () => {
    const d1 = new Error('D1_ERROR: database or disk is full: SQLITE_FULL');
    expect(isStorageFull(d1)).toBe(true);
    expect(isStorageFull(new Error('Failed query: insert into "suggestions" ...\nparams: 1', { cause: d1 }))).toBe(true);
  });

  it('other errors are not storage errors, even when a user’s text in the quoted statement says so', () => {
    expect(isStorageFull(new Error('UNIQUE constraint failed: suggestions.code'))).toBe(false);
    expect(isStorageFull(new Error('Failed query: insert ...\nparams: database or disk is full', { cause: new Error('UNIQUE constraint failed') }))).toBe(false);
    expect(isStorageFull(null)).toBe(false);
    expect(isStorageFull('SQLITE_FULL')).toBe(false);
  });
});

describe('text is stored in one form', () => {
  it('NFC, without bidi controls; control characters other than tab and line breaks are flagged', () => {
    expect(normaliseText('Cafe\u0301\u202E\u2066\u200F\u061C')).toBe('Caf\u00e9');
    expect(hasControlChars('第一行\r\n第二行\t')).toBe(false);
    for (const ch of ['\u0000', '\u0007', '\u001B', '\u007F', '\u0085']) expect(hasControlChars(`a${ch}b`)).toBe(true);
  });

  it('zod’s default messages are plain Chinese without type names', () => {
    const schema = z.object({ a: z.string(), b: z.number().int().min(1), c: z.enum(['x', 'y']), d: z.string().max(3), e: z.email() });
    const r = schema.safeParse({ b: 0.5, c: 'z', d: 'abcd', e: 'x' });
    const messages = r.error!.issues.map((i) => i.message);
    expect(messages).toEqual(['此项必填', '请填写整数', '请从给定的选项中选择', '不能超过 3 个字', '电子邮箱格式不正确']);
    expect(chineseIssueMessage({ code: 'too_small', origin: 'number', minimum: 1, inclusive: true, input: 0 } as never)).toBe('数值不能小于 1');
  });
});
