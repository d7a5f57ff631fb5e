import { describe, expect, it } from 'vitest';
import { LruCache } from '../../src/lib/cache.core';

describe('one bounded LRU cache with a TTL on an injected clock', () => {
  it('evicts the least recently used entry beyond max', () => {
    const c = new LruCache<string, number>({ max: 2 });
    c.set('a', 1).set('b', 2);
    expect(c.get('a')).toBe(1); // a is now the most recently used
    c.set('c', 3);
    expect(c.get('b')).toBeUndefined();
    expect(c.get('a')).toBe(1);
    expect(c.get('c')).toBe(3);
    expect(c.size).toBe(2);
  });

  it('re-setting a key refreshes it and does not grow the cache', () => {
    const c = new LruCache<string, number>({ max: 2 });
    c.set('a', 1).set('b', 2).set('a', 10).set('c', 3);
    expect(c.get('a')).toBe(10);
    expect(c.get('b')).toBeUndefined();
  });

  it('expires entries after ttlMs, measured from when they were set', () => {
    let now = 1_000;
    const c = new LruCache<string, string>({ max: 10, ttlMs: 500, now: () => now });
    c.set('k', 'v');
    now += 499;
    expect(c.get('k')).toBe('v');
    now += 1;
    expect(c.get('k')).toBeUndefined();
    expect(c.size).toBe(0);
  });

  it('getOrSet makes a value once while it is fresh, and again after it expired', () => {
    let now = 0;
    let made = 0;
    const c = new LruCache<string, number>({ max: 4, ttlMs: 100, now: () => now });
    const make = () => ++made;
    expect(c.getOrSet('x', make)).toBe(1);
    expect(c.getOrSet('x', make)).toBe(1);
    now = 100;
    expect(c.getOrSet('x', make)).toBe(2);
  });

  it('refuses a cache that could hold nothing', () => {
    expect(() => new LruCache({ max: 0 })).toThrow(RangeError);
  });
});
