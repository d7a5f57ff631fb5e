import { createHash } from 'node:crypto';

// Shared by bench/server.ts (which inserts the delegates) and bench/run.ts (which checks them in).

/** A delegate's code from group, venue index and seat, in the canonical form of src/lib/codes.core.ts (DXXXX-XXXX). */
export const delegateCode = (group: number, venueIndex: number, seat: number) =>
  `D${group}${String(venueIndex).padStart(2, '0')}B-${String(seat).padStart(4, '0')}`;

/**
 * The ticket the desk would have printed for a delegate checked in by bench/server.ts: derived
 * from a per-run secret, so only the driver that chose the secret can redeem it.
 */
export function benchTicket(secret: string, code: string): string {
  const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
  const chars = [...createHash('sha256').update(`${secret}:${code}`).digest().subarray(0, 12)].map((b) => alphabet[b & 31]!);
  return [chars.slice(0, 4), chars.slice(4, 8), chars.slice(8, 12)].map((g) => g.join('')).join('-');
}
