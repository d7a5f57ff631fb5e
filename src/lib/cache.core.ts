/**
 * The one in-process cache: a bounded LRU with an optional time to live, on an injected clock
 * (tests move time instead of sleeping). Per process on Node, per isolate on Workers: a cache
 * never holds the only copy of anything.
 */
export interface CacheOptions {
  /** Most entries kept; the least recently used goes first. */
  max: number;
  /** How long an entry stays fresh (ms); no TTL when absent. */
  ttlMs?: number;
  now?: () => number;
}

export class LruCache<K, V> {
  // a Map iterates in insertion order: re-inserting on a hit keeps the oldest use first
  private readonly entries = new Map<K, { value: V; at: number }>();
  private readonly max: number;
  private readonly ttlMs: number | undefined;
  private readonly now: () => number;

  constructor(options: CacheOptions) {
    if (!(options.max >= 1)) throw new RangeError('cache max must be at least 1');
    this.max = options.max;
    this.ttlMs = options.ttlMs;
    // read Date.now at each call, so a faked clock in tests is seen
    this.now = options.now ?? (() => Date.now());
  }

  get size(): number {
    return this.entries.size;
  }

  /** The fresh value under `key` (and marks it as just used); undefined when absent or expired. */
  get(key: K): V | undefined {
    const hit = this.entries.get(key);
    if (!hit) return undefined;
    if (this.expired(hit.at)) {
      this.entries.delete(key);
      return undefined;
    }
    this.entries.delete(key);
    this.entries.set(key, hit);
    return hit.value;
  }

  has(key: K): boolean {
    return this.get(key) !== undefined;
  }

  set(key: K, value: V): this {
    this.entries.delete(key);
    this.entries.set(key, { value, at: this.now() });
    while (this.entries.size > this.max) this.entries.delete(this.entries.keys().next().value as K);
    return this;
  }

  delete(key: K): boolean {
    return this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }

  /** The cached value, or `make()`'s, stored (a promise is stored as is, so concurrent callers share it). */
  getOrSet(key: K, make: () => V): V {
    const hit = this.get(key);
    if (hit !== undefined) return hit;
    const value = make();
    this.set(key, value);
    return value;
  }

  private expired(at: number): boolean {
    return this.ttlMs !== undefined && this.now() - at >= this.ttlMs;
  }
}
