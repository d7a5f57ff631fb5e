// Bundled by bench/unseal-browser.ts (with scripts/client-bundles.mjs's buildBundle, as the page
// is) for Chromium: the custodians' page's unsealing (unsealInPage) and seat key derivation, timed in the page.
import type { GroupCommitment } from '../src/tally/commitment.core';
import { seatKeyFromPassphrase } from '../src/tally/seat-key.core';
import type { BallotsFile } from '../src/tally/unseal.core';
import { unsealInPage } from '../src/tally/client/unseal-run.client';

declare global {
  interface Window {
    benchUnseal(commitment: GroupCommitment, ballots: BallotsFile, shares: string[]): Promise<{ ms: number; ballots: number; reports: number; total: number }>;
    benchScrypt(passphrase: string): Promise<{ ms: number; publicKey: string }>;
  }
}

window.benchUnseal = async (commitment, ballots, shares) => {
  let reports = 0;
  const t0 = performance.now();
  const { result } = await unsealInPage(commitment, ballots, shares, () => reports++);
  return { ms: performance.now() - t0, ballots: result.decrypted.length, reports, total: result.tally.ballots.total };
};

window.benchScrypt = async (passphrase) => {
  const t0 = performance.now();
  const pair = await seatKeyFromPassphrase(passphrase, '2018', 1, 1);
  pair.privateKey.fill(0);
  return { ms: performance.now() - t0, publicKey: pair.publicKey };
};
