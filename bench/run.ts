// npm run bench [-- --json] [-- --profile] [-- --quick] [-- --at100k]  (npx tsx bench/run.ts …)
// --quick: the README check's form (npm run check:readme): only group 1's venues opened, a 1 s HTTP
// ceiling, 20 warm-up casts and a burst of 200 of group 1, as --burst-only; proves the bench runs,
// measures nothing to quote.
//
// The hearing day under load on this machine. Starts the real Node server (bench/server.ts) in
// its own process on a fresh WAL file database with the 2018 campaign, 10,000 delegates and an
// organiser, opens voting at every venue of groups 1–3, prepares credentials over HTTP the way
// voting devices do (check-in, ticket, blind, redeem, unblind; untimed), then drives it from
// this process with autocannon on 127.0.0.1:
//   ceiling   HTTP: a trivial route (/healthz) for 5 s, 100 connections
//   burst     group 1's 2,500 ballots cast by 100 connections, each request a distinct credential
//   turnout   group 2's 2,500 ballots the same way while 200 organiser screens hold the live
//             turnout page's event stream; staleness sampled on every screen against a timeline
//             of acknowledged casts
//   intake    20,000 suggestions then keyword searches (skipped while the API answers 404)
//   ceiling   storage: the cast's three statements through @libsql/client, no HTTP, same pragmas
//   draw / unseal: bench/draw.ts and bench/tally.ts --json as subprocesses, when present
//   device:   bench/device-seal.ts --json (a tablet's blind, unblind, seal and receipt in Chromium)
//   custodians: bench/unseal-browser.ts --json (the unsealing page's code on 2,500 ballots in Chromium)
// Prints a table; with --json the last stdout line is the figures as one JSON object.
// --profile runs the server under `node --cpu-prof` and keeps the .cpuprofile (path on stderr).
// Bounded: everything is torn down after BENCH_DEADLINE_S (default 330 s) whatever happens.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { blindRequest, finalizeCredential, verifyCredential, type Credential } from '../src/hearing/credential.core';
import { sealBallotFast } from '../src/tally/hpke-fast.core';
import { benchTicket, delegateCode } from './shared';
import { storageCeiling } from './storage';
import { suggestionScenario } from './suggestions';
import { apiClient, type ApiResponse } from '../src/cli/api-client';

const JSON_OUT = process.argv.includes('--json');
const PROFILE = process.argv.includes('--profile');
// --at100k: suggestions at 100,000 only (see at100k below); it seeds for minutes, so its bound is longer
const AT100K = process.argv.includes('--at100k');
const DEADLINE_S = Number(process.env['BENCH_DEADLINE_S'] ?? (AT100K ? 1800 : 330));
const GROUP_SIZE = 2_500;
const CONNECTIONS = 100;
const VIEWERS = 200;
const QUICK = process.argv.includes('--quick');
const WARMUP = QUICK ? 20 : 300;
const QUICK_BURST = 200;
const CHECKIN_CONCURRENCY = Number(process.env['BENCH_CHECKIN_CONCURRENCY'] ?? 2);
const here = dirname(fileURLToPath(import.meta.url));
const root = dirname(here);

const log = (...a: unknown[]) => console.error(...a);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const round = (n: number, d = 1) => Number(n.toFixed(d));

// ---------------------------------------------------------------- the server process

const dir = mkdtempSync(join(tmpdir(), 'sanmin-bench-'));
const password = `bench-${crypto.randomUUID()}`;
const ticketSecret = crypto.randomUUID();
const SINGLE = process.argv.includes('--single-connection');
const HTTP_SETUP = process.argv.includes('--http-setup');
// --burst-only: the HTTP ceiling and the ballot burst, nothing else (for profiling the cast path)
const BURST_ONLY = QUICK || process.argv.includes('--burst-only');
// --intake-only: the suggestion intake and searches, nothing else (for profiling the intake)
const INTAKE_ONLY = process.argv.includes('--intake-only');
let server: ChildProcess | undefined;
let serverExited: Promise<void> = Promise.resolve();

interface Ready {
  port: number;
  delegates: number;
  layout: { venue: string; group: number; seats: number }[];
  journalMode: string;
  seedSeconds: number;
  /** server processes answering (SANMIN_WORKERS); 1 when absent */
  workers?: number;
}

async function startServer(): Promise<Ready> {
  const args = ['--import', 'tsx'];
  if (PROFILE) args.push('--cpu-prof', `--cpu-prof-dir=${join(root, 'bench', 'profiles')}`);
  args.push(join(here, 'server.ts'));
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: {
      ...process.env,
      BENCH_DB: join(dir, 'bench.db'),
      BENCH_PASSWORD: password,
      BENCH_TICKET_SECRET: ticketSecret,
      BENCH_PRECHECKIN_GROUPS: '1,2',
      BENCH_SINGLE_CONNECTION: SINGLE ? '1' : '0',
      NODE_ENV: 'production',
    },
    stdio: ['pipe', 'pipe', 'inherit', 'ipc'],
  });
  server = child;
  serverExited = new Promise((r) => child.once('exit', () => r()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('server did not start within 90 s')), 90_000);
    child.once('exit', (code) => reject(new Error(`server exited early (${code})`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line.startsWith('READY ')) {
        clearTimeout(timer);
        resolve(JSON.parse(line.slice(6)));
      } else log(`[server] ${line}`);
    });
  });
}

async function stopServer() {
  if (!server || server.exitCode !== null || server.signalCode !== null) return;
  server.kill('SIGTERM');
  const t = setTimeout(() => server?.kill('SIGKILL'), 8_000);
  await serverExited;
  clearTimeout(t);
}

/**
 * CPU time the server process has used, in ms (Linux /proc; undefined elsewhere). Divided by the
 * ops of a scenario it gives the server's CPU cost per op, which the machine's other load does
 * not inflate the way it inflates wall-clock throughput.
 */
function serverCpuMs(): number | undefined {
  try {
    // the server and, with SANMIN_WORKERS, its cluster workers (children of the server's pid)
    const stats = new Map<number, string[]>();
    for (const name of readdirSync('/proc')) {
      if (!/^\d+$/.test(name)) continue;
      try {
        const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
        stats.set(Number(name), stat.slice(stat.lastIndexOf(')') + 2).split(' '));
      } catch {
        // the process ended while we read
      }
    }
    const tree = new Set([server!.pid!]);
    for (let grew = true; grew; ) {
      grew = false;
      for (const [pid, f] of stats) if (!tree.has(pid) && tree.has(Number(f[1]))) (tree.add(pid), (grew = true));
    }
    if (!stats.has(server!.pid!)) return undefined;
    let ticks = 0;
    for (const pid of tree) ticks += Number(stats.get(pid)![11]) + Number(stats.get(pid)![12]); // utime + stime
    return (ticks * 1000) / 100; // USER_HZ = 100
  } catch {
    return undefined;
  }
}
async function withCpu<T extends { ops: number }>(run: Promise<T> | (() => Promise<T>)): Promise<T & { cpuMsPerOp?: number }> {
  const c0 = serverCpuMs();
  const r = await (typeof run === 'function' ? run() : run);
  const c1 = serverCpuMs();
  return c0 === undefined || c1 === undefined || !r.ops ? r : { ...r, cpuMsPerOp: (c1 - c0) / r.ops };
}

let cleaned = false;
function cleanupSync() {
  if (cleaned) return;
  cleaned = true;
  if (server && server.exitCode === null && server.signalCode === null) server.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
}
process.on('exit', cleanupSync);
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    cleanupSync();
    process.exit(130);
  });
}
const deadline = setTimeout(() => {
  log(`bench: over the ${DEADLINE_S} s bound, stopping`);
  cleanupSync();
  process.exit(3);
}, DEADLINE_S * 1000);
deadline.unref();

// ---------------------------------------------------------------- HTTP helpers

let base = '';
let token = '';

// base is only known once the server is up, so the client is made per call (it is a closure, cheap)
async function call(method: string, path: string, body?: unknown, auth = false): Promise<ApiResponse> {
  return apiClient(base)(path, { method, body, ...(auth ? { token } : {}) });
}

async function must(method: string, path: string, body: unknown, auth: boolean, status: number, retries = 5) {
  for (let attempt = 0; ; attempt++) {
    const r = await call(method, path, body, auth);
    if (r.status === status) return r.json;
    if (attempt >= retries || r.status < 500) throw new Error(`${method} ${path}: ${r.status} ${r.text.slice(0, 300)}`);
    await sleep(20 * (attempt + 1));
  }
}

async function pool<T, R>(items: readonly T[], concurrency: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]!, i);
      }
    }),
  );
  return out;
}

// ---------------------------------------------------------------- setup: credentials

interface Seat {
  group: number;
  venue: string;
  code: string;
}

function seatsOf(ready: Ready, group: number, limit = Infinity): Seat[] {
  const venues = ready.layout.filter((l) => l.group === group);
  const out: Seat[] = [];
  // round-robin over the venues, so a partial list still spreads over every venue
  for (let i = 0; out.length < limit; i++) {
    let any = false;
    venues.forEach((v, vi) => {
      if (i < v.seats && out.length < limit) {
        out.push({ group, venue: v.venue, code: delegateCode(group, vi, i) });
        any = true;
      }
    });
    if (!any) break;
  }
  return out;
}

/** The desk: check-in with the organiser token, which issues the one-time ticket. */
async function checkIn(seat: Seat): Promise<string> {
  const { ticket } = await must('POST', '/api/campaigns/2018/checkins', { delegateCode: seat.code, group: seat.group, venue: seat.venue }, true, 201);
  return ticket;
}

/** What a voting device does with a ticket: venue key, blind, redeem, unblind. */
async function credentialFor(seat: Seat, ticket: string): Promise<Credential> {
  const info = await must('POST', '/api/ballot/ticket', { ticket }, false, 200);
  // the library's client side (blindrsa-ts, ~100 ms a credential in JS bignums): only the
  // warm-up credentials take this path; the burst's are issued in the server process
  const req = await blindRequest(info.publicKey);
  const { blindSig } = await must('POST', '/api/ballot/redeem', { ticket, blindedMsg: req.blindedMsg }, false, 200);
  const credential = await finalizeCredential(info.publicKey, req, blindSig);
  httpKeyIds.set(seat.code, info.keyId);
  tallyKeys.set(seat.group, info.tallyPublicKey);
  // the first credential of every venue key is checked as the server will check it
  if (!checkedKeys.has(info.publicKey)) {
    checkedKeys.add(info.publicKey);
    if (!(await verifyCredential(info.publicKey, credential))) throw new Error(`credential for ${seat.venue} does not verify`);
  }
  return credential;
}
const checkedKeys = new Set<string>();
const httpKeyIds = new Map<string, string>();

let rand = 2018;
const rnd = () => ((rand = (rand * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);

/** Credentials the server issued itself for pre-checked-in groups (bench/server.ts, issueCredentials). */
function directCredentials(groups: number[]): Promise<Record<string, Credential>> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: { credentials?: Record<string, Credential>; error?: string }) => {
      server!.off('message', onMessage);
      if (m.error) reject(new Error(m.error));
      else resolve(m.credentials!);
    };
    server!.on('message', onMessage);
    server!.send({ issue: groups });
  });
}

/**
 * Credentials for `seats` and one pre-made cast body each. `http`: the devices' path (desk
 * check-in unless pre-checked-in, ticket, blind, redeem, unblind); otherwise `direct` holds them.
 */
async function ballotBodies(seats: Seat[], departments: Map<number, number>, how: { http: true; viaDesk: boolean } | { http: false; direct: Record<string, Credential> }): Promise<CastBody[]> {
  const t = performance.now();
  let creds: Credential[];
  if (how.http) {
    // check-ins append to the audit hash chain, so concurrent ones collide and retry: few at a time
    const tickets = how.viaDesk ? await pool(seats, CHECKIN_CONCURRENCY, checkIn) : seats.map((s) => benchTicket(ticketSecret, s.code));
    const t1 = performance.now();
    creds = await pool(seats, 16, (seat, i) => credentialFor(seat, tickets[i]!));
    log(`  group ${seats[0]!.group}: ${seats.length} check-ins in ${((t1 - t) / 1000).toFixed(1)} s, credentials over HTTP in ${((performance.now() - t1) / 1000).toFixed(1)} s`);
  } else {
    creds = seats.map((s) => how.direct[s.code]!);
    if (creds.some((c) => !c)) throw new Error('a seat has no credential');
    // check a sample as the server will check them at cast
    for (let i = 0; i < 3; i++) {
      const info = await must('POST', '/api/ballot/ticket', { ticket: benchTicket(ticketSecret, seats[i]!.code) }, false, 200);
      if (!(await verifyCredential(info.publicKey, creds[i]!))) throw new Error(`direct credential for ${seats[i]!.code} does not verify`);
    }
  }
  // the venue key's id and the group's tally key, as a device has them from its ticket
  const keyIds = new Map<string, string>();
  for (const [i, seat] of seats.entries()) {
    const k = `${seat.group}|${seat.venue}`;
    if (keyIds.has(k)) continue;
    const ticket = how.http ? undefined : benchTicket(ticketSecret, seat.code);
    if (ticket) {
      const info = await must('POST', '/api/ballot/ticket', { ticket }, false, 200);
      keyIds.set(k, info.keyId);
      tallyKeys.set(seat.group, info.tallyPublicKey);
    } else keyIds.set(k, httpKeyIds.get(seats[i]!.code) ?? '');
  }
  // sealed here, untimed, as each tablet seals its own ballot before it casts (same format as the
  // device's sealOnDevice; node:crypto's sealer because 5,000 seals in @hpke/core would take a while)
  return Promise.all(
    creds.map(async (credential, i) => {
      const group = seats[i]!.group;
      const answers = Array.from({ length: departments.get(group)! }, () => (rnd() < 0.03 ? null : 1 + Math.floor(rnd() * 4)));
      const keyId = keyIds.get(`${group}|${seats[i]!.venue}`) || undefined;
      const tallyKey = tallyKeys.get(group);
      if (!tallyKey) throw new Error(`group ${group} has no tally key on its ticket`);
      const ciphertext = await sealBallotFast(tallyKey, { v: 1, campaign: '2018', group, answers });
      const common = { campaign: '2018', group, credential, ...(keyId ? { keyId } : {}) };
      return { device: JSON.stringify({ ...common, ciphertext, tallyKey }), server: JSON.stringify({ ...common, answers }) };
    }),
  );
}
const tallyKeys = new Map<number, string>();

/** One cast body per seat, in both forms of /api/ballot/cast: sealed on the device, or answers the server seals. */
interface CastBody {
  device: string;
  server: string;
}

/**
 * Which form the server takes: the device-sealed body first (a server that only takes answers
 * refuses it with 422, having written nothing), then the answers. Casts the probe's ballot.
 */
async function castForm(probe: CastBody): Promise<'device' | 'server'> {
  for (const form of ['device', 'server'] as const) {
    const r = await call('POST', '/api/ballot/cast', JSON.parse(probe[form]));
    if (r.status === 201) return form;
    if (r.status !== 422) throw new Error(`probe cast (${form}): ${r.status} ${r.text.slice(0, 300)}`);
  }
  throw new Error('the server took neither form of /api/ballot/cast');
}

// ---------------------------------------------------------------- load

interface Load {
  ops: number;
  seconds: number;
  opsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  statuses: Record<string, number>;
  acks: number[]; // performance.now() of each acknowledged request, in order
}

function percentile(sorted: number[], p: number) {
  if (!sorted.length) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/**
 * Runs `bodies` (one request each) over `connections` kept-alive connections opened beforehand,
 * or a fixed-duration GET through autocannon; counts anything but `okStatus` as an error.
 *
 * Why bodies do not go through autocannon: it opens its connections as the run starts, and a
 * busy Node server accepts about one new connection per event-loop turn (libuv), so the first
 * request of each of the 100 connections waited for up to 100 turns (1–2 s at the burst's
 * rate), which is the cost of a connection storm, not of casting. The clients here are tablets
 * that have just loaded the ballot page from the same server, so their connection is open
 * (the server keeps idle connections 75 s: see src/node/boot.ts).
 */
function load(opts: LoadOptions): Promise<Load> {
  return opts.bodies ? bodyLoad({ ...opts, bodies: opts.bodies }) : cannonLoad(opts);
}

interface LoadOptions {
  path: string;
  method?: 'GET' | 'POST';
  bodies?: string[];
  seconds?: number;
  connections?: number;
  okStatus: number | number[];
  headers?: Record<string, string>;
  capSeconds?: number;
}

async function bodyLoad(opts: LoadOptions & { bodies: string[] }): Promise<Load> {
  const isOk = (status: number) => (Array.isArray(opts.okStatus) ? opts.okStatus.includes(status) : status === opts.okStatus);
  const connections = opts.connections ?? CONNECTIONS;
  const agent = new Agent({ keepAlive: true, maxSockets: connections, maxFreeSockets: connections });
  const url = new URL(base);
  const send = (method: string, path: string, body?: string) =>
    new Promise<number>((resolve, reject) => {
      const req = httpRequest(
        { agent, host: url.hostname, port: url.port, method, path, headers: { 'content-type': 'application/json', ...(opts.headers ?? {}), ...(body ? { 'content-length': Buffer.byteLength(body) } : {}) } },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.setTimeout(30_000, () => req.destroy(new Error('timeout')));
      req.end(body);
    });
  // every connection open before the clock starts
  await Promise.all(Array.from({ length: connections }, () => send('GET', '/healthz')));
  const statuses: Record<string, number> = {};
  const acks: number[] = [];
  const lat: number[] = [];
  let next = 0;
  let failed = 0;
  const stopAt = performance.now() + (opts.capSeconds ?? 90) * 1000;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (next < opts.bodies.length && performance.now() < stopAt) {
        const body = opts.bodies[next++]!;
        const t = performance.now();
        try {
          const status = await send(opts.method ?? 'POST', opts.path, body);
          const at = performance.now();
          lat.push(at - t);
          statuses[status] = (statuses[status] ?? 0) + 1;
          if (isOk(status)) acks.push(at);
        } catch {
          failed++;
        }
      }
    }),
  );
  agent.destroy();
  const seconds = ((acks.length ? acks[acks.length - 1]! : performance.now()) - t0) / 1000;
  lat.sort((a, b) => a - b);
  if (process.env['BENCH_DEBUG']) log(`${opts.path}: slowest ${lat.slice(-5).map((x) => x.toFixed(0)).join(', ')} ms`);
  const errors = Object.entries(statuses).reduce((a, [st, n]) => a + (isOk(Number(st)) ? 0 : n), 0) + failed + (opts.bodies.length - lat.length - failed);
  return { ops: acks.length, seconds, opsPerSec: acks.length / seconds, p50Ms: round(percentile(lat, 50), 1), p99Ms: round(percentile(lat, 99), 1), errors, statuses, acks };
}

/** A fixed-duration GET through autocannon (the HTTP ceiling). */
function cannonLoad(opts: LoadOptions): Promise<Load> {
  const isOk = (status: number) => (Array.isArray(opts.okStatus) ? opts.okStatus.includes(status) : status === opts.okStatus);
  const statuses: Record<string, number> = {};
  const acks: number[] = [];
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const instance = autocannon(
      {
        url: base,
        connections: opts.connections ?? CONNECTIONS,
        pipelining: 1,
        timeout: 30,
        duration: opts.seconds ?? 5,
        requests: [
          {
            method: opts.method ?? 'GET',
            path: opts.path,
            headers: { 'content-type': 'application/json', ...(opts.headers ?? {}) },
            onResponse: (status: number) => {
              statuses[status] = (statuses[status] ?? 0) + 1;
              if (isOk(status)) acks.push(performance.now());
            },
          },
        ],
      },
      (err, result) => {
        clearTimeout(cap);
        if (err) return reject(err);
        const errors = Object.entries(statuses).reduce((a, [st, n]) => a + (isOk(Number(st)) ? 0 : n), 0) + result.errors + result.timeouts;
        resolve({
          ops: result.requests.total,
          seconds: (performance.now() - t0) / 1000,
          opsPerSec: result.requests.average,
          p50Ms: result.latency.p50,
          p99Ms: result.latency.p99,
          errors,
          statuses,
          acks,
        });
      },
    );
    const cap = setTimeout(() => (instance as unknown as { stop(): void }).stop(), (opts.capSeconds ?? 90) * 1000);
  });
}

// ---------------------------------------------------------------- turnout viewers

interface ViewerStats {
  polls: number;
  errors: number;
  p99Ms: number;
  seen: { screen: number; at: number; cast: number }[];
}

/**
 * `n` organiser screens on the live turnout page until `stop` resolves: each holds the page's
 * event stream (/staff/c/2018/turnout/stream, what its EventSource opens) and records every
 * table pushed to it. `p99Ms` is the time to the first table after connecting.
 */
function viewers(n: number, stop: Promise<void>): Promise<ViewerStats> {
  const lat: number[] = [];
  const seen: { screen: number; at: number; cast: number }[] = [];
  let errors = 0;
  const aborter = new AbortController();
  void stop.then(() => aborter.abort());
  const one = async (screen: number) => {
    await sleep(Math.random() * 1000);
    const t = performance.now();
    try {
      const res = await fetch(`${base}/staff/c/2018/turnout/stream`, { headers: { cookie: `sanmin_session=${token}` }, signal: aborter.signal });
      if (res.status !== 200 || !res.body) {
        errors++;
        return;
      }
      const decoder = new TextDecoder();
      let buffer = '';
      let first = true;
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
          const event = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const at = performance.now();
          if (first) lat.push(at - t);
          first = false;
          const cast = totalCast(event);
          if (cast === undefined) errors++;
          else seen.push({ screen, at, cast });
        }
      }
    } catch {
      if (!aborter.signal.aborted) errors++;
    }
  };
  return Promise.all(Array.from({ length: n }, (_, i) => one(i))).then(() => {
    lat.sort((a, b) => a - b);
    return { polls: seen.length, errors, p99Ms: percentile(lat, 99), seen };
  });
}

/** The city total of cast ballots from the fragment's footer row (seats, checked in, issued, cast, …). */
function totalCast(html: string): number | undefined {
  const foot = /<tfoot>([\s\S]*?)<\/tfoot>/.exec(html)?.[1];
  if (!foot) return undefined;
  const nums = [...foot.matchAll(/<td class="num">(\d+)<\/td>/g)].map((m) => Number(m[1]));
  return nums[3];
}

/**
 * How old the figure on the screens is, sampled every 50 ms from `from` to `to` on every screen:
 * a screen showing `cast` (of this burst) lacks the (cast+1)-th acknowledged ballot; if the
 * server acknowledged it at t before the sample time s, the screen is s − t behind (0 when
 * nothing acknowledged is missing). Sampling, not reading at each push, also counts the time a
 * screen waits between pushes.
 */
function staleness(seen: { screen: number; at: number; cast: number }[], acks: number[], baseCast: number, from: number, to: number): number[] {
  const byScreen = new Map<number, { at: number; cast: number }[]>();
  for (const s of seen) byScreen.set(s.screen, [...(byScreen.get(s.screen) ?? []), s]);
  const out: number[] = [];
  for (const series of byScreen.values()) {
    let i = -1;
    for (let t = from; t <= to; t += 50) {
      while (i + 1 < series.length && series[i + 1]!.at <= t) i++;
      if (i < 0) continue; // no table on this screen yet
      const missing = acks[Math.max(0, series[i]!.cast - baseCast)];
      out.push(missing !== undefined && missing < t ? t - missing : 0);
    }
  }
  return out;
}

// ---------------------------------------------------------------- subprocess benches

async function subBench(file: string, args: string[] = [], timeoutMs = 120_000): Promise<Record<string, any> | undefined> {
  const path = join(here, file);
  if (!existsSync(path)) return undefined;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path, '--json', ...args], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    const t = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('exit', () => {
      clearTimeout(t);
      const last = out.trim().split('\n').pop() ?? '';
      try {
        resolve(JSON.parse(last));
      } catch {
        log(`bench/${file}: no JSON on its last line`);
        resolve(undefined);
      }
    });
  });
}

// ---------------------------------------------------------------- main

const results: Record<string, Record<string, number>> = {};
let sealedBy: 'device' | 'server' | undefined;
/** The figures for --json, in this order; the burst says who sealed its ballots. */
function jsonFigures(order: string[]) {
  const out: Record<string, unknown> = Object.fromEntries(order.filter((k) => results[k]).map((k) => [k, results[k]]));
  if (out['ballotBurst'] && sealedBy) out['ballotBurst'] = { ...(out['ballotBurst'] as object), sealedBy };
  return out;
}
const table: [string, string, string, string, string, string][] = [];
const fmt = (n: number | undefined, d = 0) => (n === undefined || Number.isNaN(n) ? '—' : n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d }));

/**
 * --at100k: suggestions at five years' scale, alone (bench/suggestions-scale.ts --n 100000 in its own
 * process: 100,000 seeded, 70% dispatched, 40% published; 2,000 intakes through the app with 32 in
 * flight; 210 keyword searches; 200 routing previews after the model is built).
 */
async function at100k() {
  const r = await subBench('suggestions-scale.ts', ['--n', '100000'], (DEADLINE_S - 10) * 1000);
  if (!r) throw new Error('bench/suggestions-scale.ts gave no figures');
  const figures = { previewP99Ms: r['preview'].p99ms, searchP99Ms: r['search'].p99ms, intakeOpsPerSec: r['intake'].opsPerSecond };
  log(`at 100,000 suggestions (seeded in ${r['seedSeconds']} s): routing preview p99 ${figures.previewP99Ms} ms (< 30; first, building the model, ${r['preview'].firstMs} ms), keyword search p99 ${figures.searchP99Ms} ms (< 100), intake ${figures.intakeOpsPerSec}/s (≥ 500)`);
  if (JSON_OUT) console.log(JSON.stringify({ suggestionsAt100k: figures }));
}

async function main() {
  const tStart = performance.now();
  if (AT100K) return at100k();
  const ready = await startServer();
  base = `http://127.0.0.1:${ready.port}`;
  log(`load average before: ${loadavg().map((x) => x.toFixed(2)).join(' ')} on ${cpus().length} CPUs${SINGLE ? '; server on ONE libSQL connection (--single-connection)' : ''}`);
  log(`server up on ${base}: ${ready.delegates} delegates seeded in ${ready.seedSeconds.toFixed(1)} s, journal_mode=${ready.journalMode}`);
  if (ready.journalMode !== 'wal') throw new Error(`expected WAL, got ${ready.journalMode}`);

  ({ token } = await must('POST', '/api/login', { username: 'bench-organiser', password }, false, 200));
  const campaign = await must('GET', '/api/campaigns/2018', undefined, false, 200);
  const departments = new Map<number, number>(campaign.groups.map((g: any) => [g.no, g.departments.length]));

  if (INTAKE_ONLY) {
    const only = await suggestionScenario({ base, token, load, campaign });
    if (only) console.log(`intake ${fmt(only.intake.opsPerSec)}/s, p50 ${only.intake.p50Ms} ms, p99 ${only.intake.p99Ms} ms, ${only.intake.errors} errors; search p99 ${only.search.p99Ms} ms`);
    await stopServer();
    return;
  }

  // voting open at every venue of groups 1–3 (3 is the warm-up)
  const t1 = performance.now();
  for (const g of QUICK ? [1] : [1, 2, 3]) {
    await pool(
      ready.layout.filter((l) => l.group === g),
      4,
      (l) => must('POST', `/api/campaigns/2018/groups/${g}/venues/${encodeURIComponent(l.venue)}/open`, {}, true, 201),
    );
  }
  const g1All = seatsOf(ready, 1);
  // --quick warms up on group 1 (already checked in by the server, so tickets without the desk)
  const warmSeats = QUICK ? g1All.slice(0, WARMUP) : seatsOf(ready, 3, WARMUP);
  const g1 = QUICK ? g1All.slice(WARMUP, WARMUP + QUICK_BURST) : g1All;
  const g2 = QUICK ? [] : seatsOf(ready, 2);
  if (g1All.length !== GROUP_SIZE || (!QUICK && g2.length !== GROUP_SIZE)) throw new Error(`groups have ${g1All.length} and ${g2.length} seats, expected ${GROUP_SIZE}`);
  const warmBodies = await ballotBodies(warmSeats, departments, { http: true, viaDesk: !QUICK });
  let g1Bodies: CastBody[];
  let g2Bodies: CastBody[];
  if (HTTP_SETUP) {
    g1Bodies = await ballotBodies(g1, departments, { http: true, viaDesk: false });
    g2Bodies = QUICK ? [] : await ballotBodies(g2, departments, { http: true, viaDesk: false });
  } else {
    const t = performance.now();
    const direct = await directCredentials(QUICK ? [1] : [1, 2]);
    log(`  ${QUICK ? 'group 1' : 'groups 1 and 2'}: ${Object.keys(direct).length} credentials issued in the server process in ${((performance.now() - t) / 1000).toFixed(1)} s (--http-setup for the HTTP path)`);
    g1Bodies = await ballotBodies(g1, departments, { http: false, direct });
    g2Bodies = QUICK ? [] : await ballotBodies(g2, departments, { http: false, direct });
  }
  log(`setup: ${ready.layout.filter((l) => (QUICK ? [1] : [1, 2, 3]).includes(l.group)).length} venues opened, ${warmBodies.length + g1Bodies.length + g2Bodies.length} credentials issued in ${((performance.now() - t1) / 1000).toFixed(1)} s`);

  // HTTP ceiling (also warms the server up)
  const http = await withCpu(() => load({ path: '/healthz', seconds: QUICK ? 1 : 5, okStatus: 200 }));
  results['httpCeiling'] = { opsPerSec: Math.round(http.opsPerSec) };
  table.push(['HTTP ceiling (GET /healthz)', fmt(http.opsPerSec), fmt(http.p50Ms, 1), fmt(http.p99Ms, 1), String(http.errors), '1.00 of itself']);

  // which form the cast takes (device-sealed, or answers sealed by the server), then warm-up casts (group 3), not reported
  const form = await castForm(warmBodies[0]!);
  log(`casts: ${form === 'device' ? 'sealed by the load generator as by tablets (ciphertext, tallyKey)' : 'answers, sealed by the server (it does not take device-sealed ballots)'}`);
  const warm = await load({ path: '/api/ballot/cast', bodies: warmBodies.slice(1).map((b) => b[form]), okStatus: 201 });
  if (warm.errors) log(`warm-up: ${warm.errors} errors`, warm.statuses);

  // 1. the burst: group 1, 100 connections
  const burst = await withCpu(() => load({ path: '/api/ballot/cast', bodies: g1Bodies.map((b) => b[form]), okStatus: 201 }));
  if (burst.errors) log('ballot burst statuses', burst.statuses);
  results['ballotBurst'] = {
    opsPerSec: Math.round(burst.opsPerSec),
    p50Ms: burst.p50Ms,
    p99Ms: burst.p99Ms,
    errors: burst.errors,
    ceilingRatio: round(burst.opsPerSec / http.opsPerSec, 3),
    groupSeconds: round(burst.seconds, 2),
    ...(burst.cpuMsPerOp === undefined ? {} : { cpuUsPerCast: Math.round(burst.cpuMsPerOp * 1000) }),
    workers: ready.workers ?? 1,
  };
  sealedBy = form;

  if (BURST_ONLY) {
    const sorted = burst.acks.map((a) => a - burst.acks[0]!);
    const perSecond = new Map<number, number>();
    for (const a of sorted) perSecond.set(Math.floor(a / 250), (perSecond.get(Math.floor(a / 250)) ?? 0) + 1);
    await stopServer();
    const storage = await storageCeiling(join(dir, 'storage.db'), { singleConnection: SINGLE, ...(QUICK ? { ops: 500 } : {}) });
    results['storageCeiling'] = { opsPerSec: Math.round(storage.opsPerSec) };
    results['ballotBurst']!['ofStorageCeiling'] = round(burst.opsPerSec / storage.opsPerSec, 3);
    console.log(
      // the README check (npm run check:readme) reads this line: keep `ballot burst: … N errors`
      `ballot burst: ${fmt(burst.opsPerSec)} ballots/s, p50 ${burst.p50Ms} ms, p99 ${burst.p99Ms} ms, ${burst.errors} errors, ${burst.seconds.toFixed(2)} s, server CPU ${burst.cpuMsPerOp === undefined ? '—' : Math.round(burst.cpuMsPerOp * 1000)} µs a ballot; ${(results['ballotBurst']!['ofStorageCeiling']! * 100).toFixed(0)}% of the storage ceiling (${fmt(storage.opsPerSec)}/s); ${form === 'device' ? 'sealed on the device' : 'sealed by the server'}${(ready.workers ?? 1) > 1 ? `, ${ready.workers} server processes` : ''}`,
    );
    console.log(`acknowledged per 250 ms: ${[...perSecond.values()].join(' ')}`);
    if (JSON_OUT) console.log(JSON.stringify(jsonFigures(['ballotBurst', 'httpCeiling', 'storageCeiling'])));
    return;
  }

  // 2. the same burst (group 2) under 200 turnout screens
  await sleep(1_000); // past the turnout cache's 500 ms, so the base figure is exact
  const before = await must('GET', '/api/campaigns/2018/turnout', undefined, true, 200);
  const baseCast: number = before.totals.cast;
  let endViewers!: () => void;
  const viewersStop = new Promise<void>((r) => (endViewers = r));
  const watching = viewers(VIEWERS, viewersStop);
  await sleep(2_000); // every screen connected before the burst starts
  const t2 = performance.now();
  const burst2 = await withCpu(() => load({ path: '/api/ballot/cast', bodies: g2Bodies.map((b) => b[form]), okStatus: 201 }));
  await sleep(1_500); // let the screens catch up with the last casts
  endViewers();
  const v = await watching;
  if (burst2.errors) log('burst with viewers: statuses', burst2.statuses);
  // staleness sampled on every screen while the burst ran (and the catch-up after it)
  const during = v.seen.filter((s) => s.at >= t2);
  const stale = staleness(v.seen, burst2.acks, baseCast, t2, performance.now()).sort((a, b) => a - b);
  const finalSeen = Math.max(...v.seen.map((s) => s.cast)) - baseCast;
  const slowdown = 1 - burst2.opsPerSec / burst.opsPerSec;
  results['turnoutViewers'] = { burstOpsPerSec: Math.round(burst2.opsPerSec), slowdown: round(slowdown, 3), staleMsP99: Math.round(percentile(stale, 99)) };
  log(
    `turnout: ${v.polls} tables pushed to ${VIEWERS} streaming screens, ${v.errors} errors, first table p99 ${v.p99Ms.toFixed(0)} ms; screens' last figure ${finalSeen} of ${burst2.acks.length} (${during.length} pushed during the burst, stale p50 ${percentile(stale, 50).toFixed(0)} ms, max ${(stale.at(-1) ?? 0).toFixed(0)} ms)`,
  );

  // 3. suggestion intake and search (skipped while the API is not there)
  const sugg = await suggestionScenario({ base, token, load, campaign });
  if (sugg) {
    results['suggestionIntake'] = { opsPerSec: Math.round(sugg.intake.opsPerSec), p99Ms: sugg.intake.p99Ms, errors: sugg.intake.errors };
    results['search'] = { p99Ms: sugg.search.p99Ms };
  }

  await stopServer();
  if (PROFILE) log(`server CPU profile written to ${join(root, 'bench', 'profiles')}`);

  // 4. the storage ceiling: the cast's statements straight into libSQL, same pragmas, no HTTP
  const storage = await storageCeiling(join(dir, 'storage.db'), { singleConnection: SINGLE });
  results['storageCeiling'] = { opsPerSec: Math.round(storage.opsPerSec) };
  results['ballotBurst']!['ofStorageCeiling'] = round(burst.opsPerSec / storage.opsPerSec, 3);

  const ratio = (x: number) => `${(x / http.opsPerSec).toFixed(2)} HTTP · ${(x / storage.opsPerSec).toFixed(2)} storage`;
  table.push(['Ballot burst (group 1, 100 conns)', fmt(burst.opsPerSec), fmt(burst.p50Ms, 1), fmt(burst.p99Ms, 1), String(burst.errors), ratio(burst.opsPerSec)]);
  table.push([`  + ${VIEWERS} turnout screens (group 2)`, fmt(burst2.opsPerSec), fmt(burst2.p50Ms, 1), fmt(burst2.p99Ms, 1), String(burst2.errors + v.errors), ratio(burst2.opsPerSec)]);
  if (sugg) {
    table.push(['Suggestion intake (20,000)', fmt(sugg.intake.opsPerSec), fmt(sugg.intake.p50Ms, 1), fmt(sugg.intake.p99Ms, 1), String(sugg.intake.errors), ratio(sugg.intake.opsPerSec)]);
    table.push(['Suggestion keyword search', fmt(sugg.search.opsPerSec), fmt(sugg.search.p50Ms, 1), fmt(sugg.search.p99Ms, 1), String(sugg.search.errors), `${(sugg.search.opsPerSec / http.opsPerSec).toFixed(2)} HTTP`]);
  }
  table.push(['Storage ceiling (cast batch, no HTTP)', fmt(storage.opsPerSec), fmt(storage.p50Ms, 1), fmt(storage.p99Ms, 1), '0', '1.00 of itself']);

  // 5. the one-off computations, in their own processes
  const draw = await subBench('draw.ts');
  if (draw?.['draw10kFrom100k']?.seconds !== undefined) results['draw10kFrom100k'] = { seconds: draw['draw10kFrom100k'].seconds };
  else log('draw10kFrom100k: omitted (bench/draw.ts absent or gave no figure)');
  const tally = await subBench('tally.ts');
  const unseal = tally?.['unsealTally10k']?.seconds ?? tally?.['unsealAndTallySeconds'];
  if (typeof unseal === 'number') results['unsealTally10k'] = { seconds: unseal };
  else log('unsealTally10k: omitted (bench/tally.ts is not on this branch yet: it comes with the sealed tally, branch `tally`)');

  const seal = await subBench('device-seal.ts');
  if (seal?.['deviceSealMs'] && !seal['deviceSealMs'].skipped) results['deviceSealMs'] = seal['deviceSealMs'];
  else log('deviceSealMs: omitted (bench/device-seal.ts found no Chromium or gave no figure)');
  const unsealPage = await subBench('unseal-browser.ts');
  if (unsealPage?.['browserUnseal2500'] && !unsealPage['browserUnseal2500'].skipped) results['browserUnseal2500'] = unsealPage['browserUnseal2500'];
  else log('browserUnseal2500: omitted (bench/unseal-browser.ts found no Chromium or gave no figure)');

  // ---- report
  const head = ['scenario', 'ops/s', 'p50 ms', 'p99 ms', 'errors', 'ratio of ceiling'] as const;
  const rows = [head as unknown as string[], ...table];
  const widths = head.map((_, i) => Math.max(...rows.map((r) => [...r[i]!].length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  const out: string[] = [line(rows[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...table.map(line)];
  out.push('');
  const b = results['ballotBurst']!;
  const tv = results['turnoutViewers']!;
  out.push(`group of ${GROUP_SIZE} accepted in ${b.groupSeconds} s (target < 3 s)   ${b.groupSeconds! < 3 ? 'met' : 'MISSED'}`);
  out.push(`burst ${b.opsPerSec} ballots/s (target ≥ 1,500)   ${b.opsPerSec! >= 1500 ? 'met' : 'MISSED'};  p99 ${b.p99Ms} ms (≤ 100)   ${b.p99Ms! <= 100 ? 'met' : 'MISSED'};  ${(b.ofStorageCeiling! * 100).toFixed(0)}% of the storage ceiling (≥ 50%)   ${b.ofStorageCeiling! >= 0.5 ? 'met' : 'MISSED'};  ${(b.ceilingRatio! * 100).toFixed(0)}% of HTTP`);
  out.push(`ballots ${sealedBy === 'device' ? 'sealed on the device (the load generator, untimed)' : 'sealed by the server'}${b.workers! > 1 ? `; ${b.workers} server processes` : ''}`);
  out.push(`turnout screens cost the burst ${(tv.slowdown! * 100).toFixed(0)}% (≤ 20%)   ${tv.slowdown! <= 0.2 ? 'met' : 'MISSED'};  figure on screen stale by ≤ ${tv.staleMsP99} ms at p99`);
  if (sugg) out.push(`intake ${Math.round(sugg.intake.opsPerSec)} suggestions/s (≥ 500)   ${sugg.intake.opsPerSec >= 500 ? 'met' : 'MISSED'};  search p99 ${sugg.search.p99Ms} ms (< 100)   ${sugg.search.p99Ms < 100 ? 'met' : 'MISSED'}`);
  if (results['draw10kFrom100k']) out.push(`draw 10k seats from 100k candidates: ${results['draw10kFrom100k'].seconds} s`);
  if (results['unsealTally10k']) out.push(`unseal + tally 10k ballots: ${results['unsealTally10k'].seconds} s`);
  const ds = results['deviceSealMs'];
  if (ds) out.push(`device: blind + unblind + seal + receipt of a 12-department ballot in Chromium, median ${ds['median']} ms, p95 ${ds['p95']} ms (< 300)   ${ds['p95']! < 300 ? 'met' : 'MISSED'};  portable KEM median ${ds['portableMedian']} ms, p95 ${ds['portableP95']} ms`);
  const bu = results['browserUnseal2500'];
  if (bu) out.push(`custodians' page: unseal 2,500 ballots in Chromium ${bu['seconds']} s (< 10 s)   ${bu['seconds']! < 10 ? 'met' : 'MISSED'};  scrypt of a seat key ${bu['scryptMs']} ms`);
  if (burst.cpuMsPerOp !== undefined) {
    out.push(
      `server CPU per ballot ${Math.round(burst.cpuMsPerOp * 1000)} µs (≈ ${Math.round(1000 / burst.cpuMsPerOp)} ballots/s per free core)` +
        `; with screens ${burst2.cpuMsPerOp?.toFixed(2)} ms per ballot incl. their streams; /healthz ${http.cpuMsPerOp?.toFixed(3)} ms per request`,
    );
  }
  out.push(`load average ${loadavg().map((x) => x.toFixed(2)).join(' ')} on ${cpus().length} CPUs${SINGLE ? '; server on one libSQL connection (--single-connection)' : ''}`);
  out.push(`(whole bench ${((performance.now() - tStart) / 1000).toFixed(0)} s)`);
  console.log(out.join('\n'));

  if (JSON_OUT) {
    console.log(JSON.stringify(jsonFigures(['ballotBurst', 'turnoutViewers', 'suggestionIntake', 'search', 'httpCeiling', 'storageCeiling', 'unsealTally10k', 'draw10kFrom100k', 'deviceSealMs', 'browserUnseal2500'])));
  }
  const errors = (results['ballotBurst']?.errors ?? 0) + burst2.errors + v.errors + (results['suggestionIntake']?.errors ?? 0);
  if (errors) process.exitCode = 1;
}

main()
  .catch((err) => {
    log('bench failed:', err);
    process.exitCode = 1;
  })
  .finally(async () => {
    await stopServer().catch(() => undefined);
    cleanupSync();
    clearTimeout(deadline);
    process.exit(); // keep-alive sockets and timers of the load generators must not hold the run open
  });

export type { Load, LoadOptions };

