/** Numbers as pages and exports print them. */

/** One decimal place, half away from zero as the city's tables round. */
export const round1 = (x: number) => Math.round(x * 10) / 10;

/** A rate in [0, 1] as `87.5%`; `—` when there is nothing to rate. */
export const formatRate = (x: number | null) => (x === null ? '—' : `${round1(x * 100)}%`);
