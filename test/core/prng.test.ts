import { describe, expect, it } from 'vitest';
import { mulberry32, mulberry32FromText, seedOfText } from '../../src/lib/prng.core';

// the sequences the copies in bench, rehearse and the tests produced before they shared this module
describe('mulberry32', () => {
  it('gives the same sequence for the same seed', () => {
    const a = mulberry32(2018);
    const b = mulberry32(2018);
    const xs = Array.from({ length: 5 }, () => a());
    expect(Array.from({ length: 5 }, () => b())).toEqual(xs);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
  });

  it('keeps the reference mulberry32 outputs (seed 1 starts 0.6270739405881613)', () => {
    const r = mulberry32(1);
    expect([r(), r(), r()].map((x) => Math.round(x * 4294967296))).toEqual([2693262067, 11749833, 2265367787]);
  });

  it('seeds from text as rehearse --seed does', () => {
    expect(seedOfText('2018')).toBe(617147598);
    const a = mulberry32FromText('2018');
    const b = mulberry32(seedOfText('2018'));
    expect(a()).toBe(b());
    expect(mulberry32FromText('2019')()).not.toBe(mulberry32FromText('2018')());
  });
});
