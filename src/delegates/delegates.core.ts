import type { DelegateState, ReviewState } from './states.core';

import { CODE_ALPHABET } from '../lib/codes.core';
import { DELEGATE_STATE_LABELS, REVIEW_LABELS } from './states.core';
// the vocabulary lives beside the states it names (views read it from there)
export { DELEGATE_STATE_LABELS, REVIEW_LABELS };

/** A random code like K7F3-9QXA (prefix + groups of 4), from crypto.getRandomValues. */
export function randomCode(prefix: string, groups = 2): string {
  const bytes = crypto.getRandomValues(new Uint8Array(groups * 4));
  const chars = [...bytes].map((b) => CODE_ALPHABET[b & 31]!);
  const parts: string[] = [];
  for (let i = 0; i < chars.length; i += 4) parts.push(chars.slice(i, i + 4).join(''));
  return `${prefix}${parts.join('-')}`;
}

/** The seats of a venue kind's quota table that volunteers (自愿报名) fill. */
export function volunteerCategory(categories: readonly string[]): string | undefined {
  return categories.find((c) => c.includes('自愿报名'));
}

/** Reserve list length per cell: a fifth of the seats, at least one where there are seats. */
export function reservesFor(seats: number): number {
  return seats <= 0 ? 0 : Math.max(1, Math.ceil(seats / 5));
}

export function parseGroups(value: string): number[] {
  return value
    .split(',')
    .map((s) => Number(s.trim()))
    .filter((n) => Number.isInteger(n) && n > 0);
}

export const formatGroups = (groups: readonly number[]) => [...new Set(groups)].sort((a, b) => a - b).join(',');

export { maskId, maskMobile } from '../lib/pii.core';

/** A candidate enters the draw only when both the qualification check and the district review passed. */
export function isEligible(c: { qualification: ReviewState; districtReview: ReviewState }): boolean {
  return c.qualification === 'passed' && c.districtReview === 'passed';
}

export interface CellSeat {
  id: string;
  state: DelegateState;
  drawnAs: 'selected' | 'reserve';
  reserveRank: number | null;
}

/** When a seat is declined, the cell's first waiting reserve (lowest rank) takes it. */
export function nextReserve(cell: readonly CellSeat[]): CellSeat | undefined {
  return cell
    .filter((d) => d.state === 'reserve')
    .sort((a, b) => (a.reserveRank ?? Infinity) - (b.reserveRank ?? Infinity))[0];
}



/**
 * Category names a recommendation may use, mapped to the stored (full) name: the full name
 * ("服务对象代表/新市民代表") and, when no other category shares it, its last part ("新市民代表").
 * The 自愿报名 category is left out: its seats are for volunteers who sign up themselves.
 */
export function recommendationCategories(categories: readonly string[]): Map<string, string> {
  const eligible = categories.filter((c) => !c.includes('自愿报名'));
  const out = new Map<string, string>(eligible.map((c) => [c, c]));
  const lastParts = new Map<string, string[]>();
  for (const c of eligible) {
    const last = c.split('/').pop()!;
    if (last !== c) lastParts.set(last, [...(lastParts.get(last) ?? []), c]);
  }
  for (const [last, full] of lastParts) if (full.length === 1 && !out.has(last)) out.set(last, full[0]!);
  return out;
}
