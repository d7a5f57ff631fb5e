// npx tsx bench/draw.ts [--json] [--out <file>] — times the full 2018 draw: 12 venues × 4 groups × their
// quota categories (10,000 seats, from quota.core) over 100,000 synthetic candidates.
// The time is one cold run, as on the day: the draw runs once per campaign.
import { writeFileSync } from 'node:fs';
import campaign2018 from '../seed/2018/campaign.json';
import { candidatesDigest, effectiveSeed, runDraw, seedCommitment, verifyDraw, type DrawCandidate, type DrawCell } from '../src/delegates/draw.core';
import { apportionQuotas, type QuotaVenue } from '../src/delegates/quota.core';
import { mulberry32 } from '../src/lib/prng.core';

const CANDIDATES = 100_000;
const json = process.argv.includes('--json');

const venues: QuotaVenue[] = campaign2018.venues.map((v) => ({
  name: v.name,
  kind: v.kind as 'main' | 'sub',
  seats: Object.fromEntries(v.seats.map((n, i) => [i + 1, n])),
}));
const allocation = apportionQuotas({ main: { baseSize: 100, categories: campaign2018.quotas.main }, sub: { baseSize: 210, categories: campaign2018.quotas.sub } }, venues);
const cells: DrawCell[] = allocation.flatMap((a) =>
  a.categories.map((c) => ({ venue: a.venue, group: a.group, category: c.category, seats: c.seats, reserves: c.seats === 0 ? 0 : Math.max(1, Math.ceil(c.seats / 5)) })),
);
const seats = cells.reduce((s, c) => s + c.seats, 0);

// candidates spread like the seats: pick a venue × category in proportion to its seats over all
// groups, then 1–4 groups the person can attend
// seeded, so every run draws from the same synthetic list (test data only; the draw itself is keyed by HMAC-SHA256)
const rand = mulberry32(2018);
const pairs = new Map<string, { venue: string; category: string; weight: number }>();
for (const c of cells) {
  const k = `${c.venue}|${c.category}`;
  const p = pairs.get(k) ?? { venue: c.venue, category: c.category, weight: 0 };
  p.weight += c.seats;
  pairs.set(k, p);
}
const pairList = [...pairs.values()].filter((p) => p.weight > 0);
const cumulative: number[] = [];
let acc = 0;
for (const p of pairList) cumulative.push((acc += p.weight));
function pickPair() {
  const r = rand() * acc;
  let lo = 0;
  let hi = cumulative.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cumulative[mid]! > r) hi = mid;
    else lo = mid + 1;
  }
  return pairList[lo]!;
}
const candidates: DrawCandidate[] = [];
for (let i = 0; i < CANDIDATES; i++) {
  const { venue, category } = pickPair();
  const groups = [1, 2, 3, 4].filter(() => rand() < 0.5);
  if (groups.length === 0) groups.push(1 + Math.floor(rand() * 4));
  candidates.push({ code: `K${i.toString(36).toUpperCase().padStart(6, '0')}`, venue, category, groups });
}

const seed = 'a3'.repeat(32);
// as on the day (version 2): the draw runs on the seed derived from the secret and the public value
const publicSource = '中国福利彩票双色球 第 2018140 期开奖号码';
const publicValue = '3.7.12.19.25.31./9./';
const t0 = performance.now();
const drawSeed = effectiveSeed(seed, publicSource, publicValue);
const result = runDraw({ seed: drawSeed, cells, candidates });
const seconds = (performance.now() - t0) / 1000;

const t1 = performance.now();
const drawFile = { version: 2 as const, seedCommitment: seedCommitment(seed), seed, publicSource, publicValue, effectiveSeed: drawSeed, candidatesDigest: candidatesDigest(candidates), cells, candidates, result };
const verdict = verifyDraw(drawFile);
const verifySeconds = (performance.now() - t1) / 1000;
if (!verdict.ok) throw new Error(`benchmark draw does not verify: ${verdict.reason}`);

console.log(`cells ${cells.length}, seats ${seats}, selected ${result.totals.selected}, shortfall ${result.totals.shortfall}`);
console.log(`verify (parse + digest + redraw + compare): ${verifySeconds.toFixed(2)} s`);
console.log(`draw 10k seats from 100k candidates: ${seconds.toFixed(2)} s`);
// --out <file>: keep the draw as a file `npm run draw:verify -- <file>` checks (the README check does)
const outAt = process.argv.indexOf('--out');
if (outAt > 0) {
  const out = process.argv[outAt + 1];
  if (!out) throw new Error('--out needs a file name');
  writeFileSync(out, JSON.stringify(drawFile));
  console.log(`draw file written to ${out}`);
}
if (json) console.log(JSON.stringify({ draw10kFrom100k: { seconds: Number(seconds.toFixed(3)) } }));
