import { describe, expect, it } from 'vitest';
import { canonicalCode } from '../../src/lib/codes.core';
import { maskId, maskMobile, nextReserve, randomCode, recommendationCategories, reservesFor } from '../../src/delegates/delegates.core';

describe('categories a recommendation may name', () => {
  it('accepts full names and unambiguous last parts, never the volunteer seats', () => {
    const m = recommendationCategories(['服务对象代表/新市民代表', '社会各界代表/党代表', '服务对象代表/自愿报名市民代表', 'A/代表', 'B/代表', '媒体代表']);
    expect(m.get('新市民代表')).toBe('服务对象代表/新市民代表');
    expect(m.get('服务对象代表/新市民代表')).toBe('服务对象代表/新市民代表');
    expect(m.get('党代表')).toBe('社会各界代表/党代表');
    expect(m.get('媒体代表')).toBe('媒体代表');
    expect(m.has('代表')).toBe(false); // two categories end in 代表: ambiguous
    expect(m.has('自愿报名市民代表')).toBe(false);
    expect(m.has('服务对象代表/自愿报名市民代表')).toBe(false);
  });
});

describe('seats, reserves and codes', () => {
  it('keeps a fifth of the seats (at least one) as reserves', () => {
    expect([0, 1, 4, 5, 6, 30, 109].map(reservesFor)).toEqual([0, 1, 1, 1, 2, 6, 22]);
  });

  it('promotes the lowest-ranked waiting reserve', () => {
    const cell = [
      { id: 'a', state: 'declined' as const, drawnAs: 'selected' as const, reserveRank: null },
      { id: 'r2', state: 'reserve' as const, drawnAs: 'reserve' as const, reserveRank: 2 },
      { id: 'r1', state: 'selected' as const, drawnAs: 'reserve' as const, reserveRank: 1 },
      { id: 'r3', state: 'reserve' as const, drawnAs: 'reserve' as const, reserveRank: 3 },
    ];
    expect(nextReserve(cell)?.id).toBe('r2');
    expect(nextReserve(cell.slice(0, 1))).toBeUndefined();
  });

  it('makes delegate codes without look-alike letters, and reads them back however typed', () => {
    const code = randomCode('D');
    expect(code).toMatch(/^D[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/);
    expect(canonicalCode('delegate', code.toLowerCase())).toBe(code);
    expect(canonicalCode('delegate', ' dk0o1-il2a ')).toBe('DK001-112A');
  });

  it('masks an ID to its last 4 and a mobile to its ends', () => {
    expect(maskId('123X')).toBe('**************123X');
    expect(maskMobile('13812345678')).toBe('138****5678');
  });
});
