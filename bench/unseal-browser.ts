// npx tsx bench/unseal-browser.ts [--json] [--ballots N] — the custodians' unsealing page's code in
// Debian's Chromium (playwright-core, as the browser tests launch it): 2,500 ballots of 12
// departments sealed here in Node to a fresh key split 3 of 5, then in the page unsealInPage
// (src/tally/client/unseal-run.ts, what /staff/c/{code}/tally/{n}/unseal runs): rebuild the key
// from 3 shares, check it, check every ciphertext against the commitment, decrypt in chunks
// yielding to the UI, tally. Timed in the page from the shares to the result (the custodians'
// passphrases are timed apart: scrypt, once per custodian). Exits 0 with
// {"browserUnseal2500":{"skipped":1}} when Chromium is missing.
import { existsSync } from 'node:fs';
// @ts-expect-error plain ES module without types
import { buildBundle } from '../scripts/client-bundles.mjs';
import { splitKey } from '../src/tally/ceremony.core';
import { buildCommitment } from '../src/tally/commitment.core';
import { sealBallotFast } from '../src/tally/hpke-fast.core';
import { ballotReceipt, generateTallyKeyPair } from '../src/tally/seal.core';
import type { BallotsFile } from '../src/tally/unseal.core';
import { CHROMIUM, launchBrowser } from '../test/helpers/browser';

const JSON_OUT = process.argv.includes('--json');
const nArg = process.argv.indexOf('--ballots');
const N = nArg > 0 ? Number(process.argv[nArg + 1]) : 2500;
const DEPARTMENTS = 12;
const ORIGIN = 'http://127.0.0.1:8721'; // answered by page.route, nothing listens (a secure context for WebCrypto)
const r2 = (n: number) => Number(n.toFixed(2));

async function main() {
  if (!existsSync(CHROMIUM)) {
    console.error(`bench/unseal-browser.ts: no Chromium at ${CHROMIUM}, skipped`);
    if (JSON_OUT) console.log(JSON.stringify({ browserUnseal2500: { skipped: 1 } }));
    return;
  }
  const bundle: string = await buildBundle(new URL('./unseal-browser.client.ts', import.meta.url).pathname);
  const pair = await generateTallyKeyPair();
  const shares = (await splitKey(pair.privateKey, '2018', 1, 5, 3)).slice(0, 3).map((s) => JSON.stringify({ v: 1, kind: 'sanmin-tally-share', campaign: '2018', group: 1, seat: s.seat, shareCount: 5, threshold: 3, publicKey: pair.publicKey, share: s.shareHex, fingerprint: s.fingerprint }));
  const departments = Array.from({ length: DEPARTMENTS }, (_, i) => ({ position: i + 1, name: `部门${i + 1}` }));
  const scale = [
    { position: 1, label: '满意', weight: 100, valid: true, satisfied: true },
    { position: 2, label: '比较满意', weight: 80, valid: true, satisfied: true },
    { position: 3, label: '不满意', weight: 0, valid: true, satisfied: false },
    { position: 4, label: '不了解', weight: null, valid: false, satisfied: false },
  ];
  const cts = await Promise.all(Array.from({ length: N }, (_, i) => sealBallotFast(pair.publicKey, { v: 1, campaign: '2018', group: 1, answers: departments.map((_, j) => 1 + ((i + j) % 4)) })));
  const rows = cts.map((ciphertext) => ({ receipt: ballotReceipt(ciphertext), ciphertext })).sort((a, b) => (a.receipt < b.receipt ? -1 : 1));
  const commitment = buildCommitment({ campaign: '2018', group: 1, departments, scale, publicKey: pair.publicKey, shareCount: 5, threshold: 3, receipts: rows.map((r) => r.receipt), committedAt: new Date().toISOString() });
  const ballots: BallotsFile = { v: 1, kind: 'sanmin-tally-ballots', campaign: '2018', group: 1, publicKey: pair.publicKey, root: commitment.root, ballotCount: N, ballots: rows };
  const browser = await launchBrowser({ width: 1024, height: 1366 });
  try {
    const page = await browser.context.newPage();
    await page.route(`${ORIGIN}/**`, (route) =>
      route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: `<!doctype html><meta charset="utf-8"><title>unseal</title><script>${bundle.replace(/<\/script/g, '<\\/script')}</script>` }),
    );
    await page.goto(`${ORIGIN}/unseal`);
    const scrypt: number[] = [];
    for (let i = 0; i < 3; i++) scrypt.push((await page.evaluate((p) => window.benchScrypt(p), '春江潮水连海平海上明月共潮生')).ms);
    const r = await page.evaluate(([c, b, s]) => window.benchUnseal(c, b, s), [commitment, ballots, shares] as const);
    if (r.ballots !== N || r.total !== N) throw new Error(`the page opened ${r.ballots} of ${N} ballots`);
    const version = await browser.context.browser()?.version();
    const scryptMs = Math.round([...scrypt].sort((a, b) => a - b)[1]!);
    console.error(`Chromium ${version ?? '?'}: ${N} ballots of ${DEPARTMENTS} departments unsealed (3 of 5 shares) in ${r2(r.ms / 1000)} s, ${r.reports} progress reports; scrypt (N=2^17, r=8) median of 3: ${scryptMs} ms`);
    const figures = { seconds: r2(r.ms / 1000), ballots: N, perBallotMs: r2(r.ms / N), scryptMs };
    if (JSON_OUT) console.log(JSON.stringify({ browserUnseal2500: figures }));
    else console.log(`browserUnseal2500: ${figures.seconds} s (target < 10 s); scrypt ${scryptMs} ms a custodian`);
  } finally {
    await browser.close();
  }
}

main().catch((err) => {
  console.error('bench/unseal-browser.ts failed:', err);
  process.exitCode = 1;
});
