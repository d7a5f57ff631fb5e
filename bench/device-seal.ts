// npx tsx bench/device-seal.ts [--json] [--runs N] — what a voting tablet computes for one ballot,
// in Debian's Chromium (playwright-core, as the browser tests launch it): blind the credential
// request (RFC 9474, blindrsa-ts), unblind the venue's signature, seal a 12-department ballot
// (sealOnDevice: HPKE X25519/HKDF-SHA256/AES-128-GCM) and compute its receipt. The venue's blind
// signature is made here in Node and not counted: on the day it is the server's part of a round trip.
// Timed per ballot in the page after 5 warm-ups, first with @hpke/core's X25519 (WebCrypto), then with
// the portable @hpke/dhkem-x25519 a tablet without X25519 in WebCrypto installs (useKem). Exits 0 with
// {"deviceSealMs":{"skipped":1}} when Chromium is missing.
import { existsSync } from 'node:fs';
import { build } from 'esbuild';
import { blindSign, generateVenueKey, useNativeRsa } from '../src/hearing/credential.core';
import { b64url, fromB64url } from '../src/lib/bytes.core';
import { nodePssVerify, nodeRawSign } from '../src/node/native-rsa';
import { ballotReceipt, generateTallyKeyPair, openBallot } from '../src/tally/seal.core';
import type { DeviceRound } from './device-seal.client';
import { CHROMIUM, launchBrowser } from '../test/helpers/browser';

const JSON_OUT = process.argv.includes('--json');
const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 50;
const WARMUPS = 5;
const DEPARTMENTS = 12;
const ORIGIN = 'http://127.0.0.1:8720'; // answered by page.route, nothing listens (a secure context for WebCrypto)

useNativeRsa(nodeRawSign, nodePssVerify);

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
const r1 = (n: number) => Number(n.toFixed(1));

async function main() {
  if (!existsSync(CHROMIUM)) {
    console.error(`bench/device-seal.ts: no Chromium at ${CHROMIUM}, skipped`);
    if (JSON_OUT) console.log(JSON.stringify({ deviceSealMs: { skipped: 1 } }));
    return;
  }
  const bundle = (
    await build({ entryPoints: [new URL('./device-seal.client.ts', import.meta.url).pathname], bundle: true, format: 'iife', target: 'es2020', minify: true, write: false, legalComments: 'none' })
  ).outputFiles[0]!.text;
  const venue = await generateVenueKey();
  const tally = await generateTallyKeyPair();
  const browser = await launchBrowser({ width: 800, height: 1280 });
  try {
    const page = await browser.context.newPage();
    await page.route(`${ORIGIN}/**`, (route) =>
      route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: `<!doctype html><meta charset="utf-8"><title>device seal</title><script>${bundle.replace(/<\/script/g, '<\\/script')}</script>` }),
    );
    await page.exposeFunction('benchSign', async (blindedMsg: string) => b64url(await blindSign(venue.privateKey, fromB64url(blindedMsg))));
    await page.goto(`${ORIGIN}/device-seal`);
    const out: Record<string, { median: number; p95: number; blind: number; finalize: number; seal: number }> = {};
    for (const kem of ['webcrypto', 'portable'] as const) {
      await page.evaluate((k) => window.deviceKem(k), kem);
      const rounds: DeviceRound[] = [];
      for (let i = 0; i < WARMUPS + RUNS; i++) {
        const r = await page.evaluate(([v, t, d]) => window.deviceRound(v, t, d), [venue.publicKey, tally.publicKey, DEPARTMENTS] as const);
        if (i >= WARMUPS) rounds.push(r);
      }
      // the last ballot opens with the tally key to what was sealed, under its receipt
      const last = rounds.at(-1)!;
      const opened = await openBallot(tally.privateKey, '2018', 1, last.ciphertext);
      if (opened.answers.length !== DEPARTMENTS || ballotReceipt(last.ciphertext) !== last.receipt) throw new Error(`${kem}: the sealed ballot does not open to its ${DEPARTMENTS} answers under its receipt`);
      const med = (f: (r: (typeof rounds)[number]) => number) => r1(pct(rounds.map(f).sort((a, b) => a - b), 50));
      const totals = rounds.map((r) => r.totalMs).sort((a, b) => a - b);
      out[kem] = { median: r1(pct(totals, 50)), p95: r1(pct(totals, 95)), blind: med((r) => r.blindMs), finalize: med((r) => r.finalizeMs), seal: med((r) => r.sealMs) };
      console.error(`${kem === 'webcrypto' ? "@hpke/core's X25519 (WebCrypto)" : 'portable @hpke/dhkem-x25519'}: ${RUNS} ballots, median ${out[kem]!.median} ms, p95 ${out[kem]!.p95} ms (medians: blind ${out[kem]!.blind}, unblind ${out[kem]!.finalize}, seal + receipt ${out[kem]!.seal} ms)`);
    }
    const version = await browser.context.browser()?.version();
    console.error(`Chromium ${version ?? '?'}, ${DEPARTMENTS} departments, ${WARMUPS} warm-ups then ${RUNS} runs per KEM`);
    const w = out['webcrypto']!;
    const p = out['portable']!;
    const figures = {
      median: w.median, p95: w.p95, blindMedian: w.blind, finalizeMedian: w.finalize, sealMedian: w.seal,
      portableMedian: p.median, portableP95: p.p95, portableSealMedian: p.seal, runs: RUNS,
    };
    if (JSON_OUT) console.log(JSON.stringify({ deviceSealMs: figures }));
    else console.log(`deviceSealMs: median ${w.median} ms, p95 ${w.p95} ms (target p95 < 300); portable KEM median ${p.median} ms, p95 ${p.p95} ms`);
  } finally {
    await browser.close();
  }
}

main().catch((err) => {
  console.error('bench/device-seal.ts failed:', err);
  process.exitCode = 1;
});
