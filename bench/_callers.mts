import { readFileSync } from 'node:fs';
const [file, fn, lastS] = process.argv.slice(2);
const prof = JSON.parse(readFileSync(file!, 'utf8'));
const byId = new Map(prof.nodes.map((n: any) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const total = prof.timeDeltas.reduce((a: number, b: number) => a + b, 0);
const from = total - Number(lastS ?? 1e9) * 1e6;
let clock = 0; const by = new Map<string, number>();
prof.samples.forEach((id: number, i: number) => {
  clock += prof.timeDeltas[i]; if (clock < from) return;
  const chain: string[] = [];
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) chain.push((byId.get(cur) as any).callFrame.functionName);
  const k = chain.indexOf(fn!); if (k < 0) return;
  const key = chain.slice(k, k + 4).join(' < ');
  by.set(key, (by.get(key) ?? 0) + prof.timeDeltas[i]);
});
for (const [k, v] of [...by].sort((a, b) => b[1] - a[1]).slice(0, 15)) console.log((v / 1000).toFixed(0).padStart(6), 'ms', k);
