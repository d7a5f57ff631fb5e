// npm run draw:verify -- <file> — recomputes a published draw file (draw-2018.json) from its
// seed and candidate list; exit 0 when it matches, 1 on a mismatch or unreadable file, 2 on usage.
import { readFile } from 'node:fs/promises';
import { verifyDraw } from '../delegates/draw.core';

const file = process.argv.slice(2).find((a) => a !== '--');
if (!file) {
  console.error('usage: npm run draw:verify -- <draw file.json>');
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
  console.log(`draw verified: ${verdict.seats} seats in ${verdict.cells} cells, ${verdict.shortfall} shortfall`);
} else {
  console.error(`draw MISMATCH: ${verdict.reason}`);
  process.exitCode = 1;
}
