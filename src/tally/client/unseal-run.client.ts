/**
 * The unsealing as the custodians' page runs it (and bench/unseal-browser.ts times it): the pure
 * unsealWithShares, decrypting in chunks of 50 ballots and yielding a task between chunks, so the
 * page repaints its progress (ballots opened / total) and stays responsive.
 */
import type { GroupCommitment } from '../commitment.core';
import { unsealWithShares, type BallotsFile } from '../unseal.core';

export const UNSEAL_CHUNK = 50;
const nextTask = () => new Promise<void>((r) => setTimeout(r, 0));

export function unsealInPage(commitment: GroupCommitment, ballots: BallotsFile, shares: readonly string[], onProgress: (done: number, total: number) => void) {
  return unsealWithShares(commitment, ballots, shares, new Date(), {
    chunk: UNSEAL_CHUNK,
    report: async (done, total) => {
      onProgress(done, total);
      await nextTask();
    },
  });
}
