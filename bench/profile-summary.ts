// npx tsx bench/profile-summary.ts <file.cpuprofile> [top=30] [--last=S] — self and total time per function
// (--last=S: only the final S seconds, e.g. the burst at the end of `--burst-only`)
// from a V8 CPU profile (node --cpu-prof, which `bench/run.ts --profile` uses on the server).
import { readFileSync } from 'node:fs';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount: number;
  children?: number[];
}
const lastArg = process.argv.find((a) => a.startsWith('--last='));
const [file, topArg] = process.argv.slice(2).filter((a) => !a.startsWith('--'));
if (!file) {
  console.error('usage: bench/profile-summary.ts <file.cpuprofile> [top]');
  process.exit(2);
}
const prof = JSON.parse(readFileSync(file, 'utf8')) as { nodes: Node[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number };
const top = Number(topArg ?? 30);
const byId = new Map(prof.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const dt = new Map<number, number>();
const totalUs = prof.timeDeltas.reduce((a, b) => a + b, 0);
const fromUs = lastArg ? totalUs - Number(lastArg.slice(7)) * 1e6 : 0;
let clock = 0;
prof.samples.forEach((id, i) => {
  clock += prof.timeDeltas[i] ?? 0;
  if (clock >= fromUs) dt.set(id, (dt.get(id) ?? 0) + (prof.timeDeltas[i] ?? 0));
});
const label = (n: Node) => {
  const url = n.callFrame.url.replace(/^file:\/\//, '').replace(/.*\/node_modules\//, 'nm:').replace(/.*\/wt-[^/]+\//, '');
  return `${n.callFrame.functionName || '(anonymous)'} ${url}:${n.callFrame.lineNumber + 1}`;
};
const self = new Map<string, number>();
const total = new Map<string, number>();
for (const [id, t] of dt) {
  const n = byId.get(id)!;
  self.set(label(n), (self.get(label(n)) ?? 0) + t);
  const seen = new Set<string>();
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
    const l = label(byId.get(cur)!);
    if (seen.has(l)) continue;
    seen.add(l);
    total.set(l, (total.get(l) ?? 0) + t);
  }
}
const all = [...dt.values()].reduce((a, b) => a + b, 0);
const idle = [...dt].filter(([id]) => byId.get(id)!.callFrame.functionName === '(idle)').reduce((a, [, t]) => a + t, 0);
console.log(`profile ${(all / 1e6).toFixed(1)} s, idle ${(idle / 1e6).toFixed(1)} s, busy ${((all - idle) / 1e6).toFixed(1)} s`);
const show = (title: string, m: Map<string, number>) => {
  console.log(`\n${title}`);
  for (const [l, t] of [...m].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${((t / (all - idle)) * 100).toFixed(1).padStart(6)}%  ${(t / 1e3).toFixed(0).padStart(7)} ms  ${l}`);
};
show('self time (share of busy)', self);
show('total time (share of busy)', total);
