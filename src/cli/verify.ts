// npm run verify -- <published-result.json> — checks a group's published result: the root over
// the receipts, every ciphertext against its receipt, the decryptions (when the file carries the
// private key: the audit edition), and the tally recomputed from the decrypted ballots.
// Exit 0 when everything matches, 1 on a mismatch (the reason names it), 2 on usage.
import { readFile } from 'node:fs/promises';
import { verifyPublishedResult } from '../tally/verify.core';

const file = process.argv.slice(2).find((a) => a !== '--');
if (!file) {
  console.error('usage: npm run verify -- <published-result.json>');
  process.exit(2);
}

let data: unknown;
try {
  data = JSON.parse(await readFile(file, 'utf8'));
} catch (err) {
  console.error(`result MISMATCH: cannot read ${file} as JSON (${(err as Error).message})`);
  process.exit(1);
}

const verdict = await verifyPublishedResult(data);
if (verdict.ok) {
  const r = data as { campaign: string; group: number; commitment: { root: string } };
  console.log(
    `result verified: campaign ${r.campaign} group ${r.group}, ${verdict.ballots} ballots, root ${r.commitment.root}, tally recomputed; ` +
      (verdict.decryptionChecked ? 'every ciphertext re-decrypted with the published key' : 'decryption not re-checked (public edition has no key; use the audit edition)'),
  );
} else {
  console.error(`result MISMATCH: ${verdict.reason}`);
  process.exitCode = 1;
}
