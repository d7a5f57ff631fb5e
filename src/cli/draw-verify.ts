// npm run draw:verify -- <file>  recomputes a published draw file (draw-2018.json, from
//   /c/{code}/draw.json): the seed against its commitment, the effective seed against
//   HMAC-SHA256(seed, named public source, canonical public value) (RFC 3797), and the draw from
//   the effective seed and the candidate list; exit 0 when it matches, 1 on a mismatch or an
//   unreadable file, 2 on usage.
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
  const source = (data as { publicSource?: string }).publicSource;
  console.log(
    `draw verified: ${verdict.selected} of ${verdict.seats} seats drawn in ${verdict.cells} cells, ${verdict.shortfall} short; the seed matches its commitment` +
      (verdict.publicValue !== null
        ? `, and the effective seed is HMAC-SHA256(seed, source, public value ${verdict.publicValue}).\n` +
          `Not checked (no program can): that ${verdict.publicValue} is what the named source published: ${source}. Compare it with the source's official announcement.`
        : '.\nWARNING: a version 1 file: no public random source was named, so the seed alone decided the draw and whoever chose the seed could have tried seeds until the outcome suited them.'),
  );
} else {
  console.error(`draw MISMATCH: ${verdict.reason}`);
  process.exitCode = 1;
}
