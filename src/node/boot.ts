import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { getConnInfo } from '@hono/node-server/conninfo';
import { seedCampaign } from '../../seed/load';
import { createApp } from '../app';
import { openLibsql, type LibsqlHandle } from '../db/libsql';
import { applyMigrations } from '../db/migrate';
import type { NodeConfig } from '../env';

/** Creates the file's folder, opens the database, applies migrations and seeds 2018 once. */
export async function prepareDatabase(url: string, authToken?: string, opts: { seed?: boolean } = {}): Promise<LibsqlHandle> {
  if (url.startsWith('file:')) {
    const path = url.slice('file:'.length).split('?')[0]!;
    if (path && path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  }
  const handle = await openLibsql(url, authToken);
  await applyMigrations(handle.db);
  if (opts.seed !== false) await seedCampaign(handle.db);
  return handle;
}

const htmxSource = readFileSync(createRequire(import.meta.url).resolve('htmx.org/dist/htmx.min.js'), 'utf8');

export function nodeApp(handle: LibsqlHandle) {
  return createApp({
    db: () => handle.db,
    clientIp: (c) => {
      try {
        return getConnInfo(c).remote.address ?? 'unknown';
      } catch {
        return 'unknown'; // app.request() in tests has no socket
      }
    },
    htmxSource,
  });
}

export interface RunningServer {
  port: number;
  url: string;
  handle: LibsqlHandle;
  close(): Promise<void>;
}

export async function startServer(config: NodeConfig): Promise<RunningServer> {
  const handle = await prepareDatabase(config.DATABASE_URL, config.DATABASE_AUTH_TOKEN);
  const app = nodeApp(handle);
  return new Promise((resolve) => {
    const server = serve({ fetch: app.fetch, port: config.PORT, hostname: config.HOST }, (info: AddressInfo) => {
      resolve({
        port: info.port,
        url: `http://${config.HOST === '0.0.0.0' ? '127.0.0.1' : config.HOST}:${info.port}`,
        handle,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => {
              handle.client.close();
              done();
            });
          }),
      });
    });
  });
}
