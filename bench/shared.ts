import { createHash } from 'node:crypto';

// Shared by bench/server.ts (which inserts the delegates) and bench/run.ts (which checks them in).

/** A delegate's code from group, venue index and seat; no O, I or L, which normaliseCode rewrites. */
export const delegateCode = (group: number, venueIndex: number, seat: number) =>
  `BD${group}-${String(venueIndex).padStart(2, '0')}-${String(seat).padStart(4, '0')}`;

/**
 * The ticket the desk would have printed for a delegate checked in by bench/server.ts: derived
 * from a per-run secret, so only the driver that chose the secret can redeem it.
 */
export function benchTicket(secret: string, code: string): string {
  return `${code}-${createHash('sha256').update(`${secret}:${code}`).digest('hex').slice(0, 24).toUpperCase()}`;
}
