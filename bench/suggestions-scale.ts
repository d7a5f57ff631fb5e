// npx tsx bench/suggestions-scale.ts [--json] [--n 20000] [--single-connection] — suggestions at the scale of a campaign.
// 1. seeds N suggestions (default 20,000) into a fresh temporary database through the repo's
//    batch inserts, dispatches 70% of them and publishes answers for 40%;
// 2. times intake through the real app (app.request → POST /api/suggestions: rate limits,
//    validation, duplicate detection, insert) with 32 requests in flight;
// 3. times public search (GET /api/suggestions through the app) for 3+ character phrases (FTS5
//    trigram), 2-character words (LIKE) and filters, and the routing preview.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { loadSecretKey, nodeApp, prepareDatabase } from '../src/node/boot';
import { atRestCipher } from '../src/lib/at-rest';
import { defaultCampaign } from '../src/campaigns/campaigns.service';
import { parseLabelled } from '../src/suggestions/routing.core';
import { batchInsertStatements, dispatchStatements, loadIntakeContext, reindexPublic, setSuggestion } from '../src/suggestions/suggestions.service';
import { suggestions } from '../src/db/schema';
import type { BatchItem } from 'drizzle-orm/batch';
import { createClient } from '@libsql/client';
import { drizzle } from 'drizzle-orm/libsql';
import { schema, type Db } from '../src/db/client';
import { mulberry32 } from '../src/lib/prng.core';

const json = process.argv.includes('--json');
const singleConnection = process.argv.includes('--single-connection');
const nArg = process.argv.indexOf('--n');
const N = nArg > 0 ? Number(process.argv[nArg + 1]) : 20_000;
const INTAKE = 2_000;
const CONCURRENCY = 32;
const log = (...a: unknown[]) => {
  if (!json) console.log(...a);
};

const rnd = mulberry32(2018);
const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)]!;

const labelled = parseLabelled(readFileSync(new URL('../test/fixtures/routing-labelled.tsv', import.meta.url), 'utf8'));
const PLACES = ['市南区', '市北区', '李沧区', '崂山区', '城阳区', '黄岛区', '即墨区', '胶州市', '平度市', '莱西市'];
const STREETS = ['香港中路', '延安三路', '辽阳西路', '黑龙江路', '长江路', '重庆路', '青威路', '李村河', '银川路', '海尔路'];
const TAILS = ['希望尽快解决。', '恳请相关部门重视。', '这个问题已经存在多年。', '周边居民反映强烈。', '建议广泛听取市民意见。', '希望明年能看到变化。'];
const SURNAMES = [...'王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗'];
const GIVEN = [...'伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华'];

function synthetic(i: number) {
  const base = pick(labelled);
  const place = `${pick(PLACES)}${pick(STREETS)}`;
  return {
    department: base.department,
    input: {
      authorName: pick(SURNAMES) + pick(GIVEN) + (rnd() < 0.5 ? pick(GIVEN) : ''),
      mobile: `13${String(100_000_000 + i).slice(-9)}`,
      email: null,
      theme: pick(['创新', '协调', '绿色', '开放', '共享']),
      area: pick(['创新引领', '动能转换', '城市治理', '文化创新', '生态文明', '民生保障', '政府建设']),
      title: base.title,
      body: `${place}一带,${base.body}${pick(TAILS)}(第${i}号)`,
      targetDepartment: null,
      organisation: null,
      notify: "none" as const,
    },
  };
}

const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
};
const round = (x: number) => Math.round(x * 100) / 100;

const dir = mkdtempSync(join(tmpdir(), 'sanmin-bench-sg-'));
try {
  const url = `file:${join(dir, 'bench.db')}`;
  let handle = await prepareDatabase(url);
  if (singleConnection) {
    // @libsql/client 0.18 pools up to 20 connections and src/db/libsql.ts sets its pragmas
    // (synchronous=NORMAL, busy_timeout) on the first one only; under concurrency the others
    // commit with synchronous=FULL. This reopens the file with one connection, as a comparison.
    handle.client.close();
    const client = createClient({ url, concurrency: 1 });
    for (const p of ['PRAGMA journal_mode=WAL', 'PRAGMA synchronous=NORMAL', 'PRAGMA busy_timeout=5000', 'PRAGMA foreign_keys=ON']) await client.execute(p);
    handle = { url, client, db: drizzle(client, { schema }) as unknown as Db };
  }
  const db = handle.db;
  const app = nodeApp(handle, '0'.repeat(64));
  const campaign = (await defaultCampaign(db))!;
  const ctx = await loadIntakeContext(db, campaign.id);
  const deptId = new Map(ctx.departmentList.map((d) => [d.name, d.id]));

  // ---- 1. seed
  let t0 = performance.now();
  const items = Array.from({ length: N }, (_, i) => synthetic(i));
  const now = Date.now();
  for (let i = 0; i < N; i += 500) {
    const chunk = items.slice(i, i + 500);
    const { statements } = await batchInsertStatements(db, campaign.id, chunk.map((c) => c.input), atRestCipher(loadSecretKey(url))!, now - (N - i) * 60_000);
    await db.batch(statements as [BatchItem<'sqlite'>]);
  }
  const seeded = performance.now() - t0;
  log(`seeded ${N} suggestions in ${(seeded / 1000).toFixed(1)} s (${Math.round(N / (seeded / 1000))}/s through batchInsertStatements)`);

  t0 = performance.now();
  const rows = await db.select().from(suggestions).where(eq(suggestions.campaignId, campaign.id));
  const byCode = new Map(items.map((it, i) => [it.input.body, i]));
  let statements: BatchItem<'sqlite'>[] = [];
  let dispatched = 0;
  let published = 0;
  for (const row of rows) {
    const r = rnd();
    if (r > 0.7) continue;
    const dept = items[byCode.get(row.body)!]!.department;
    const at = row.createdAt + 86_400_000;
    statements.push(...dispatchStatements(db, row, [], [{ id: deptId.get(dept)!, name: dept, score: null }], at, r < 0.4 ? 'published' : 'dispatched'));
    dispatched++;
    if (r < 0.4) {
      published++;
      const answer = `【${dept}】关于“${row.title}”的建议已研究办理,已列入年度重点工作,将于明年上半年完成。`;
      statements.push(...reindexPublic(db, row, answer));
      statements.push(
        setSuggestion(db, row.seq, {
          publicAnswer: answer,
          answeredAt: at + 5 * 86_400_000,
          publishedAt: at + 6 * 86_400_000,
        }),
      );
    }
    if (statements.length >= 400) {
      await db.batch(statements as [BatchItem<'sqlite'>]);
      statements = [];
    }
  }
  if (statements.length) await db.batch(statements as [BatchItem<'sqlite'>]);
  log(`dispatched ${dispatched}, published ${published} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  // ---- 2. intake through the app
  const intakeItems = Array.from({ length: INTAKE }, (_, i) => synthetic(N + i));
  let next = 0;
  const cpu0 = process.cpuUsage();
  const latencies: number[] = [];
  const statuses = new Map<number, number>();
  t0 = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      for (;;) {
        const i = next++;
        if (i >= INTAKE) return;
        const start = performance.now();
        const res = await app.request(
          'http://localhost/api/suggestions',
          { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(intakeItems[i]!.input) },
          { incoming: { socket: { remoteAddress: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}` } } },
        );
        await res.arrayBuffer();
        latencies.push(performance.now() - start);
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      }
    }),
  );
  const intakeSeconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  // CPU time per request (this process: app + embedded SQLite), independent of what else runs on the machine
  const cpuMsPerIntake = round((cpu.user + cpu.system) / 1000 / INTAKE);
  const intake = { requests: INTAKE, concurrency: CONCURRENCY, opsPerSecond: Math.round(INTAKE / intakeSeconds), cpuMsPerIntake, opsPerCpuSecond: Math.round(1000 / cpuMsPerIntake), p50ms: round(percentile(latencies, 50)), p99ms: round(percentile(latencies, 99)), statuses: Object.fromEntries(statuses) };
  log(`intake: ${intake.opsPerSecond} suggestions/s through POST /api/suggestions (${CONCURRENCY} in flight), p50 ${intake.p50ms} ms, p99 ${intake.p99ms} ms, statuses ${JSON.stringify(intake.statuses)}`);
  log(`        ${cpuMsPerIntake} ms CPU per intake → ${intake.opsPerCpuSecond} per CPU-second (load average now ${loadavg()[0]!.toFixed(1)} on ${cpus().length} cores)`);

  // ---- 3. search
  const queries = [
    'q=信号灯配时',
    'q=公交线路',
    'q=垃圾分类',
    'q=幼儿园&area=民生保障',
    'q=公交',
    'q=停车',
    'q=养老',
    'area=城市治理',
    'department=市教育局',
    'department=市交通运输委&q=公交',
    'q=明年上半年',
    'status=all&q=学位',
    'q=不存在的关键词组合',
    'page=50',
  ];
  const searchTimes: Record<string, number[]> = {};
  const totals: Record<string, number> = {};
  for (let round_ = 0; round_ < 15; round_++) {
    for (const q of queries) {
      const start = performance.now();
      const res = await app.request(`http://localhost/api/suggestions?${encodeURI(q)}`);
      const body = (await res.json()) as { total: number };
      (searchTimes[q] ??= []).push(performance.now() - start);
      totals[q] = body.total;
    }
  }
  const all = Object.values(searchTimes).flat();
  const search = {
    requests: all.length,
    loadAverage: round(loadavg()[0]!),
    p50ms: round(percentile(all, 50)),
    p99ms: round(percentile(all, 99)),
    maxms: round(Math.max(...all)),
    perQuery: Object.fromEntries(Object.entries(searchTimes).map(([q, xs]) => [q, { p50ms: round(percentile(xs, 50)), maxms: round(Math.max(...xs)), total: totals[q] }])),
  };
  log(`search: ${search.requests} GET /api/suggestions, p50 ${search.p50ms} ms, p99 ${search.p99ms} ms, max ${search.maxms} ms`);
  for (const [q, r] of Object.entries(search.perQuery)) log(`  ${decodeURIComponent(q).padEnd(28)} ${String(r.total).padStart(6)} hits  p50 ${r.p50ms} ms  max ${r.maxms} ms`);

  // ---- routing preview
  const previewTimes: number[] = [];
  // the first preview builds the model (history of the latest 3,000 dispatches): timed apart
  const first = performance.now();
  await (await app.request('http://localhost/api/routing/preview', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ title: labelled[0]!.title, body: labelled[0]!.body }) })).json();
  const firstMs = performance.now() - first;
  for (let i = 0; i < 200; i++) {
    const it = pick(labelled);
    const start = performance.now();
    const res = await app.request('http://localhost/api/routing/preview', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ title: it.title, body: it.body }) });
    await res.json();
    previewTimes.push(performance.now() - start);
  }
  const preview = { firstMs: round(firstMs), p50ms: round(percentile(previewTimes, 50)), p99ms: round(percentile(previewTimes, 99)) };
  log(`routing preview: first (model build over ${Math.min(dispatched, 3000)} dispatched items) ${preview.firstMs} ms, then p50 ${preview.p50ms} ms, p99 ${preview.p99ms} ms`);

  // one line: bench/run.ts --at100k reads the last line
  if (json) console.log(JSON.stringify({ suggestions: N + INTAKE, singleConnection, seedSeconds: round(seeded / 1000), intake, search, preview }));
  handle.client.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
