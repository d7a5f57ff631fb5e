// npm run draw:verify -- <file>  recomputes a published draw file (draw-2018.json, from
//   /c/{code}/draw.json) from its seed and candidate list; exit 0 when it matches, 1 on a
//   mismatch or an unreadable file, 2 on usage.
// npm run draw:verify -- --commitment <seed>  prints the commitment to publish for a seed made
//   outside the system (64 hex characters, e.g. drawn at a notary's office).
import { readFile } from 'node:fs/promises';
import { seedCommitment, verifyDraw } from '../delegates/draw.core';
import '../lib/zod-zh'; // the file's format errors in Chinese

const args = process.argv.slice(2).filter((a) => a !== '--');
const usage = 'usage: npm run draw:verify -- <draw file.json>\n       npm run draw:verify -- --commitment <64-hex seed>';

if (args[0] === '--commitment') {
  const seed = args[1] ?? '';
  if (!/^[0-9a-fA-F]{64}$/.test(seed)) {
    console.error(`the seed must be 64 hex characters\n${usage}`);
    process.exit(2);
  }
  console.log(seedCommitment(seed));
  process.exit(0);
}

const file = args[0];
if (!file || args.length > 1) {
  console.error(usage);
  process.exit(2);
}

let data: unknown;
try {
  data = JSON.parse(await readFile(file, 'utf8'));
} catch (err) {
  console.error(`draw MISMATCH: cannot read ${file} as JSON (${(err as Error).message})`);
  process.exit(1);
}

const verdict = verifyDraw(data);
if (verdict.ok) {
  console.log(`draw verified: ${verdict.selected} of ${verdict.seats} seats drawn in ${verdict.cells} cells, ${verdict.shortfall} short; the seed matches its commitment`);
} else {
  console.error(`draw MISMATCH: ${verdict.reason}`);
  process.exitCode = 1;
}
