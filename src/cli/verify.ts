// npm run verify -- <result.json> --commitment <commitment.json> [--root <hex>]
// npm run verify -- <result.json> --no-commitment [--root <hex>]
// Checks a group's published result against the commitment file published at closing
// (/c/{code}/results/{n}/commitment.json, before unsealing): the commitment on its own (root over
// its receipts, count, digest), the result on its own (root, every ciphertext against its
// receipt, decryptions when the file carries the key, the tally recomputed), then every input the
// commitment fixes (campaign, group, tally key, custodians, departments in order, scale with its
// weights and valid/satisfied options, ballot count, receipts, root). --root additionally checks
// the root against one read out or printed at closing.
// npm run verify -- --check <check.json>
// Checks a ballot a delegate chose to check instead of casting (the Benaloh challenge): recomputes
// its ciphertext from the revealed plaintext, tally key and seed, and prints the choices it holds.
// The file is the full record or the text of the check QR (src/tally/check-text.core.ts).
// Exit 0 when everything matches; 1 on a mismatch (the reason names the first); 2 on usage;
// 3 when the file is consistent but no commitment was given (only with --no-commitment is that 0).
import { readFile } from 'node:fs/promises';
import { verifyCheckText } from '../tally/check-text.core';
import { verifyAgainstCommitment, verifyPublishedResult, type PublishedResult } from '../tally/verify.core';

const usage =
  'usage: npm run verify -- <result.json> --commitment <commitment.json> [--root <64-hex root published at closing>]\n' +
  '       npm run verify -- <result.json> --no-commitment [--root <hex>]   (internal consistency only)';
const args = process.argv.slice(2).filter((a) => a !== '--');
if (args[0] === '--check') {
  const path = args[1];
  if (!path || args.length !== 2) {
    console.error('usage: npm run verify -- --check <check.json>');
    process.exit(2);
  }
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    console.error(`check MISMATCH: cannot read ${path} (${(err as Error).message})`);
    process.exit(1);
  }
  const v = await verifyCheckText(text);
  if (!v.ok) {
    console.error(`check MISMATCH: ${v.reason}`);
    process.exit(1);
  }
  console.log(`check OK: this ciphertext (receipt ${v.receipt.slice(0, 16)}) seals exactly these choices; it was not cast and must not be`);
  for (const c of v.choices) console.log(`  ${c.department}: ${c.choice}`);
  process.exit(0);
}
const valueOf = (flag: string) => {
  const at = args.indexOf(flag);
  return at < 0 ? undefined : (args[at + 1] ?? '');
};
const expectedRoot = valueOf('--root')?.toLowerCase();
const commitmentPath = valueOf('--commitment');
const noCommitment = args.includes('--no-commitment');
const flagValues = new Set(['--root', '--commitment'].map((f) => args.indexOf(f) + 1).filter((i) => i > 0));
const positional = args.filter((a, i) => !a.startsWith('--') && !flagValues.has(i));
const file = positional[0];
if (!file || positional.length > 1 || (expectedRoot !== undefined && !/^[0-9a-f]{64}$/.test(expectedRoot)) || commitmentPath === '' || (commitmentPath !== undefined && noCommitment)) {
  console.error(usage);
  process.exit(2);
}

async function readJson(path: string, what: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(path, 'utf8'));
  } catch (err) {
    console.error(`result MISMATCH: cannot read the ${what} ${path} as JSON (${(err as Error).message})`);
    process.exit(1);
  }
}

const data = await readJson(file, 'result');
const commitment = commitmentPath === undefined ? undefined : await readJson(commitmentPath, 'commitment');
const verdict = commitment === undefined ? await verifyPublishedResult(data) : await verifyAgainstCommitment(data, commitment);
const r = data as PublishedResult;
const c = commitment as { root?: string } | undefined;

if (!verdict.ok) {
  console.error(`result MISMATCH: ${verdict.reason}`);
  process.exit(1);
}
if (expectedRoot && (r.commitment.root !== expectedRoot || (c && c.root !== expectedRoot))) {
  console.error(`result MISMATCH: the root ${r.commitment.root} is not the root published at closing ${expectedRoot}`);
  process.exit(1);
}

const n = verdict.ballots;
const checked = [
  ...(commitment !== undefined
    ? [
        `the commitment file on its own: its root over its ${n} receipts, its ballot count and its digest`,
        `against the commitment: campaign, group, tally public key, custodians (k of n), the ${r.departments.length} departments in report order, the scale (${r.scale.map((o) => o.label).join('/')}: labels, weights, which options are valid and satisfied), ballot count, receipts and root`,
      ]
    : []),
  `every ciphertext hashes to its receipt, and the ${n} receipts hash to the root${expectedRoot ? ' (= the root given with --root)' : ''}`,
  'the tally recomputed from the decrypted ballots (counts, satisfaction rates, scores, ranks)',
  ...(verdict.decryptionChecked ? ['every ciphertext re-decrypted with the key in the file (audit edition): the decrypted ballots are exactly what the ciphertexts hold'] : []),
];
const notChecked = [
  ...(commitment === undefined
    ? [
        `the departments, scale, tally key, ballot count and root against what was published at closing: this file could have been re-tallied with departments or options swapped, sealed to a new key, or stripped of a ballot with its root recomputed, and still pass. Download /c/${r.campaign}/results/${r.group}/commitment.json and pass it with --commitment`,
      ]
    : []),
  ...(verdict.decryptionChecked
    ? []
    : ['that the decrypted ballots are what the ciphertexts hold: this is the public edition, without the key, so a decrypted ballot edited in the file (or marked invalid) cannot be caught by anyone without the key; auditors re-check it on the audit edition']),
  `that every receipt belongs to a delegate: each delegate looks up their own receipt at /c/${r.campaign}/receipt`,
];
const report = `checked:\n${checked.map((x) => `  - ${x}`).join('\n')}\nnot checked:\n${notChecked.map((x) => `  - ${x}`).join('\n')}`;

if (commitment !== undefined) {
  const digest = 'commitmentDigest' in verdict ? verdict.commitmentDigest : '';
  console.log(`result verified: campaign ${r.campaign} group ${r.group}, ${n} ballots, root ${r.commitment.root}, against the commitment published at closing (digest ${digest})\n${report}`);
} else if (noCommitment) {
  console.log(`result internally consistent: campaign ${r.campaign} group ${r.group}, ${n} ballots, root ${r.commitment.root}; only internal consistency was checked (--no-commitment)\n${report}`);
} else {
  console.error(
    `result NOT VERIFIED against a commitment: campaign ${r.campaign} group ${r.group}, ${n} ballots; only internal consistency was checked.\n` +
      `Give the commitment published at closing with --commitment <commitment.json>, or --no-commitment to accept an internal check only.\n${report}`,
  );
  process.exitCode = 3;
}
