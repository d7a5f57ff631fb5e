// npm run verify -- <published-result.json> [--root <hex>] — checks a group's published result:
// the root over the receipts (and, with --root, that it is the root published at closing, before
// unsealing), every ciphertext against its receipt, the decryptions (when the file carries the
// private key: the audit edition), and the tally recomputed from the decrypted ballots.
// Exit 0 when everything matches, 1 on a mismatch (the reason names it), 2 on usage.
import { readFile } from 'node:fs/promises';
import { verifyPublishedResult } from '../tally/verify.core';

const args = process.argv.slice(2).filter((a) => a !== '--');
const rootAt = args.indexOf('--root');
const expectedRoot = rootAt >= 0 ? args[rootAt + 1]?.toLowerCase() : undefined;
const file = args.find((a, i) => !a.startsWith('--') && (rootAt < 0 || i !== rootAt + 1));
if (!file || (rootAt >= 0 && !/^[0-9a-f]{64}$/.test(expectedRoot ?? ''))) {
  console.error('usage: npm run verify -- <published-result.json> [--root <64-hex root published at closing>]');
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
const r = data as { campaign: string; group: number; commitment?: { root?: string } };
if (verdict.ok && expectedRoot && r.commitment?.root !== expectedRoot) {
  console.error(`result MISMATCH: the file's root ${r.commitment?.root} is not the root published at closing ${expectedRoot}`);
  process.exitCode = 1;
} else if (verdict.ok) {
  console.log(
    `result verified: campaign ${r.campaign} group ${r.group}, ${verdict.ballots} ballots, root ${r.commitment!.root}` +
      (expectedRoot ? ' (= the root published at closing)' : '') +
      ', tally recomputed; ' +
      (verdict.decryptionChecked ? 'every ciphertext re-decrypted with the published key' : 'decryption not re-checked (public edition has no key; use the audit edition)'),
  );
} else {
  console.error(`result MISMATCH: ${verdict.reason}`);
  process.exitCode = 1;
}
