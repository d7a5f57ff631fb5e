// The server side of `npm run bench`, run in its own process by bench/run.ts:
//   node --import tsx [--cpu-prof] bench/server.ts
// Environment: BENCH_DB (database file path), BENCH_PASSWORD (organiser password).
// Opens a fresh file database the way src/node/boot.ts does (WAL, synchronous=NORMAL), lets the
// app migrate and seed 2018, then adds what the hearing day needs and the draw would have made:
// the campaign started, a tally key per group, 10,000 confirmed delegates (each venue × group
// filled to its seats) and one organiser. It serves the real app on 127.0.0.1 (port 0) and prints
// one line `READY {"port":…}` on stdout. SIGTERM or SIGINT (or the parent going away) stops it.
import cluster from 'node:cluster';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { eq } from 'drizzle-orm';
import { serve } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import { v7 as uuidv7 } from 'uuid';
import { insertUser } from '../src/auth/auth.service';
import { loadVenues } from '../src/campaigns/campaigns.service';
import { campaigns, candidates, checkins, delegates, tallyKeys } from '../src/db/schema';
import { ticketHash } from '../src/hearing/hearing.service';
import { openSingle } from './single';
import { hashPassword } from '../src/lib/password';
import { keepIdleConnections, loadSecretKey, nodeApp, prepareDatabase } from '../src/node/boot';
import { delegateLinks, requireLinks } from '../src/delegates/links.service';
import { generateTallyKeyPair } from '../src/tally/seal.core';
import { benchTicket, delegateCode } from './shared';

const dbPath = process.env['BENCH_DB'];
const password = process.env['BENCH_PASSWORD'];
const ticketSecret = process.env['BENCH_TICKET_SECRET'] ?? '';
// groups whose delegates are checked in here, as if at the desk (the bench's setup shortcut)
const preCheckedIn = new Set((process.env['BENCH_PRECHECKIN_GROUPS'] ?? '').split(',').filter(Boolean).map(Number));
// BENCH_SINGLE_CONNECTION=1: the proposed fix of src/db/libsql.ts, for comparison (see README)
const singleConnection = process.env['BENCH_SINGLE_CONNECTION'] === '1';
if (!dbPath || !password) {
  console.error('bench/server.ts: BENCH_DB and BENCH_PASSWORD are required');
  process.exit(2);
}

const t0 = performance.now();
const handle = singleConnection ? await openSingle(`file:${dbPath}`) : await prepareDatabase(`file:${dbPath}`);
const { db, client } = handle;
const links = requireLinks(delegateLinks(loadSecretKey(`file:${dbPath}`)));
const [campaign] = await db.select().from(campaigns).where(eq(campaigns.code, '2018'));
if (!campaign) throw new Error('2018 campaign was not seeded');
await db.update(campaigns).set({ status: 'started' }).where(eq(campaigns.id, campaign.id));

const groupNos = [1, 2, 3, 4];
for (const g of groupNos) {
  const kp = await generateTallyKeyPair();
  await db.insert(tallyKeys).values({ campaignId: campaign.id, groupNo: g, publicKey: kp.publicKey, createdAt: Date.now() });
}

await insertUser(db, {
  id: uuidv7(),
  username: 'bench-organiser',
  displayName: '压测组织者',
  passwordHash: await hashPassword(password),
  role: 'organiser',
  venueName: null,
  departmentName: null,
});

// 10,000 confirmed delegates: every venue × group filled to its seats
const venues = await loadVenues(db, campaign.id);
const layout: { venue: string; group: number; seats: number }[] = [];
const candRows: (typeof candidates.$inferInsert)[] = [];
const delRows: (typeof delegates.$inferInsert)[] = [];
const checkinRows: (typeof checkins.$inferInsert)[] = [];
let k = 0;
for (const g of groupNos) {
  venues.forEach((v, vi) => {
    const seats = v.seats.get(g) ?? 0;
    if (!seats) return;
    layout.push({ venue: v.name, group: g, seats });
    for (let i = 0; i < seats; i++) {
      k++;
      const candidateId = uuidv7();
      candRows.push({
        id: candidateId, campaignId: campaign.id, code: `BC${k}`, source: 'volunteer', name: `代表${k}`, idHash: `bench-${k}`, idLast4: '0000',
        mobile: `139${String(k).padStart(8, '0')}`, venueName: v.name, category: '自愿报名', groups: String(g), qualification: 'passed', districtReview: 'passed', createdAt: Date.now(),
      });
      const delegateId = uuidv7();
      const code = delegateCode(g, vi, i);
      delRows.push({
        id: delegateId, campaignId: campaign.id, candidateId, venueName: v.name, groupNo: g, category: '自愿报名', state: 'confirmed', drawnAs: 'selected', drawRank: i + 1,
        delegateCode: code, linkHash: links.storedFor(delegateId),
      });
      if (preCheckedIn.has(g)) {
        checkinRows.push({
          id: uuidv7(), campaignId: campaign.id, groupNo: g, venueName: v.name, delegateId, channel: 'venue', ticketHash: ticketHash(benchTicket(ticketSecret, code))!, state: 'issued', checkedInAt: Date.now(),
        });
      }
    }
  });
}
// libSQL on a file binds up to 32,766 parameters: 400 rows × 15 columns is well within
const CHUNK = 400;
const statements = [];
for (let i = 0; i < candRows.length; i += CHUNK) statements.push(db.insert(candidates).values(candRows.slice(i, i + CHUNK)));
for (let i = 0; i < delRows.length; i += CHUNK) statements.push(db.insert(delegates).values(delRows.slice(i, i + CHUNK)));
for (let i = 0; i < checkinRows.length; i += CHUNK) statements.push(db.insert(checkins).values(checkinRows.slice(i, i + CHUNK)));
await db.batch(statements as [(typeof statements)[number], ...typeof statements]);
const mode = (await client.execute('PRAGMA journal_mode')).rows[0]?.[0];
const seedSeconds = (performance.now() - t0) / 1000;

// 20,000 citizens send from 20,000 addresses, not all from 127.0.0.1: each request gets its own
// address, so the per-address intake limit does what it would on the day (per-mobile still applies)
// SANMIN_WORKERS=N (N ≥ 2): N server processes on this file through node:cluster (bench/server-worker.ts);
// this process then only seeds, issues the setup's credentials and hands connections round-robin
const workers = Math.max(1, Number(process.env['SANMIN_WORKERS'] ?? 1) || 1);
const ready = (port: number) =>
  process.stdout.write(`READY ${JSON.stringify({ port, delegates: delRows.length, checkedIn: checkinRows.length, singleConnection, layout, journalMode: mode, seedSeconds, pid: process.pid, workers })}\n`);
let server: { close(cb: () => void): void; closeAllConnections?: () => void };
if (workers > 1) {
  cluster.setupPrimary({ exec: join(dirname(fileURLToPath(import.meta.url)), 'server-worker.ts'), execArgv: process.execArgv, silent: false });
  cluster.schedulingPolicy = cluster.SCHED_RR;
  // every worker listens on port 0: in a cluster the primary binds once and they all get its port
  const ports = await Promise.all(
    Array.from({ length: workers }, () => {
      const w = cluster.fork();
      return new Promise<number>((resolve) => w.on('message', (m: { listening?: number }) => m.listening && resolve(m.listening)));
    }),
  );
  if (new Set(ports).size !== 1) throw new Error(`workers listen on different ports: ${ports.join(', ')}`);
  const port = ports[0]!;
  server = {
    close(cb) {
      let left = Object.keys(cluster.workers ?? {}).length;
      if (!left) return cb();
      for (const w of Object.values(cluster.workers ?? {})) {
        w!.once('exit', () => --left || cb());
        w!.process.kill('SIGTERM');
      }
    },
  };
  ready(port);
} else {
  // 20,000 citizens send from 20,000 addresses, not all from 127.0.0.1: each request gets its own
  // address, so the per-address intake limit does what it would on the day (per-mobile still applies)
  let nextAddress = 0;
  const app = nodeApp(handle, undefined, undefined, () => `10.${(++nextAddress >> 16) & 255}.${(nextAddress >> 8) & 255}.${nextAddress & 255}`);
  const http = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) => ready(info.port));
  keepIdleConnections(http as import('node:http').Server);
  server = http as unknown as typeof server;
}

/**
 * The setup shortcut for the measured groups (message `{issue: [groups]}` from bench/run.ts):
 * every pre-checked-in delegate's ticket is redeemed here, as /api/ballot/redeem would, and the
 * credential is made with the venue key directly: a random 64-byte prepared message (RFC 9474
 * Randomized: 32-byte prefix || 32-byte message) and its RSA-PSS-SHA384 signature (salt 48),
 * which is exactly what unblinding yields. Through HTTP, 5,000 redeems took over two minutes
 * on this machine; the cast path, which is what is measured, is the same either way.
 */
async function issueCredentials(groups: number[]) {
  const { createPrivateKey, randomBytes, sign, constants } = await import('node:crypto');
  const { b64url, fromB64url } = await import('../src/tally/seal.core');
  const { votingSessions } = await import('../src/db/schema');
  const { venueSigningKey } = await import('../src/hearing/hearing.service');
  const { atRestCipher } = await import('../src/lib/at-rest');
  const { loadSecretKey } = await import('../src/node/boot');
  const atRest = atRestCipher(loadSecretKey(`file:${dbPath}`));
  const sessions = await db.select().from(votingSessions).where(eq(votingSessions.campaignId, campaign!.id));
  const keys = new Map<string, import('node:crypto').KeyObject>();
  for (const s of sessions) keys.set(`${s.groupNo}|${s.venueName}`, createPrivateKey({ key: Buffer.from(fromB64url(await venueSigningKey(atRest, s))), format: 'der', type: 'pkcs8' }));
  const byDelegate = new Map(delRows.map((d) => [d.id!, d]));
  const out: Record<string, { msg: string; sig: string }> = {};
  for (const c of checkinRows) {
    if (!groups.includes(c.groupNo)) continue;
    const key = keys.get(`${c.groupNo}|${c.venueName}`);
    if (!key) throw new Error(`no open session for group ${c.groupNo} at ${c.venueName}`);
    const msg = randomBytes(64);
    const sig = sign('sha384', msg, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 48 });
    out[byDelegate.get(c.delegateId)!.delegateCode!] = { msg: b64url(msg), sig: b64url(sig) };
  }
  for (const g of groups) {
    await client.execute({
      sql: `UPDATE checkins SET state = 'redeemed', blind_hash = 'bench-direct:' || id WHERE campaign_id = ? AND group_no = ? AND state = 'issued'`,
      args: [campaign!.id, g],
    });
  }
  return out;
}
process.on('message', (m: { issue?: number[] }) => {
  if (!m.issue) return;
  issueCredentials(m.issue).then(
    (credentials) => process.send!({ credentials }),
    (err) => process.send!({ error: String(err?.stack ?? err) }),
  );
});

let stopping = false;
function stop() {
  if (stopping) return;
  stopping = true;
  const force = setTimeout(() => process.exit(0), 3000);
  force.unref();
  server.close(() => {
    client.close();
    process.exit(0); // exit normally so --cpu-prof writes its profile
  });
  // keep-alive sockets of load generators would hold close() open
  server.closeAllConnections?.();
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
// the parent holds our stdin open: when it ends, for whatever reason, so do we
process.stdin.on('end', stop);
process.stdin.on('error', stop);
process.stdin.resume();
