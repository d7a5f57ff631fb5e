// One of SANMIN_WORKERS server processes of bench/server.ts (node:cluster): opens the same WAL
// file the primary seeded and serves the real app on the primary's port (the primary accepts the
// connections and hands them round-robin to its workers). Each worker has its own group commit,
// caches and libSQL connections; SQLite serialises their writers (busy_timeout waits for the lock).
import cluster from 'node:cluster';
import { serve } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import { keepIdleConnections, loadSecretKey, nodeApp, prepareDatabase } from '../src/node/boot';

const dbPath = process.env['BENCH_DB']!;
const id = cluster.worker?.id ?? 0;
// no second seeding: the primary has migrated and seeded the file
const handle = await prepareDatabase(`file:${dbPath}`, undefined, { seed: false, secretKey: loadSecretKey(`file:${dbPath}`) });
// every request from its own address, as in bench/server.ts, with this worker's own first octet
let nextAddress = 0;
const app = nodeApp(handle, undefined, undefined, () => `${10 + id}.${(++nextAddress >> 16) & 255}.${(nextAddress >> 8) & 255}.${nextAddress & 255}`);
const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) => {
  process.send!({ listening: info.port });
});
keepIdleConnections(server as import('node:http').Server);

function stop() {
  const force = setTimeout(() => process.exit(0), 3000);
  force.unref();
  server.close(() => {
    handle.client.close();
    process.exit(0); // exit normally so --cpu-prof writes its profile
  });
  (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.on('disconnect', stop);
