import { vi } from 'vitest';

/**
 * Moves Date.now() forward without waiting, so a test can outlive an internal TTL (say the 0.5 s
 * turnout cache) instantly. The offset only grows, so time never runs backwards for caches that
 * stored a timestamp; restore() puts the real clock back (call it in afterAll).
 */
export function steppedClock() {
  const real = Date.now.bind(Date);
  let offset = 0;
  const spy = vi.spyOn(Date, 'now').mockImplementation(() => real() + offset);
  return {
    advance(ms: number) {
      offset += ms;
    },
    restore: () => spy.mockRestore(),
  };
}
