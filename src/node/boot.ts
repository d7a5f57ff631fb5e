import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { getConnInfo } from '@hono/node-server/conninfo';
import { seedCampaign } from '../../seed/load';
import { createApp } from '../app';
import { openLibsql, type LibsqlHandle } from '../db/libsql';
import { applyMigrations } from '../db/migrate';
import { reindexPublicSuggestions } from '../suggestions/suggestions.repo';
import type { Context } from 'hono';
import type { AppEnv, NodeConfig } from '../env';
import { useNativeRsa } from '../hearing/credential';
import { nodeRawSign, nodePssVerify } from './native-rsa';
import { cacheLibsqlStatements } from './statement-cache';

// blind signatures through OpenSSL's raw RSA instead of JavaScript bignums
useNativeRsa(nodeRawSign, nodePssVerify);

function filePath(url: string): string | undefined {
  if (!url.startsWith('file:')) return undefined;
  const path = url.slice('file:'.length).split('?')[0]!;
  return path && path !== ':memory:' ? path : undefined;
}

/**
 * The ID-hash key: SANMIN_ID_KEY, or for a file database a key file created beside it on first
 * start (back it up with the database: without it, duplicate sign-ups can no longer be found).
 */
export function loadIdKey(databaseUrl: string, fromEnv = process.env['SANMIN_ID_KEY']): string | undefined {
  if (fromEnv) return fromEnv.toLowerCase();
  const db = filePath(databaseUrl);
  if (!db) return undefined;
  const keyFile = join(dirname(db), 'sanmin-id.key');
  if (!existsSync(keyFile)) {
    const key = [...crypto.getRandomValues(new Uint8Array(32))].map((b) => b.toString(16).padStart(2, '0')).join('');
    try {
      writeFileSync(keyFile, `${key}\n`, { mode: 0o600, flag: 'wx' });
    } catch (err) {
      // another process created it first: use theirs
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  return readFileSync(keyFile, 'utf8').trim();
}

/** Creates the file's folder, opens the database, applies migrations, fills the search index and seeds 2018 once. */
export async function prepareDatabase(url: string, authToken?: string, opts: { seed?: boolean } = {}): Promise<LibsqlHandle> {
  const path = filePath(url);
  if (path) mkdirSync(dirname(path), { recursive: true });
  cacheLibsqlStatements();
  const handle = await openLibsql(url, authToken);
  await applyMigrations(handle.db);
  // public suggestions missing from the (masked) search index, e.g. after migration 0011
  await reindexPublicSuggestions(handle.db);
  if (opts.seed !== false) await seedCampaign(handle.db);
  return handle;
}

const htmxSource = readFileSync(createRequire(import.meta.url).resolve('htmx.org/dist/htmx.min.js'), 'utf8');

export function nodeApp(
  handle: LibsqlHandle,
  idHashKey = loadIdKey(handle.url),
  setupToken = process.env['SANMIN_SETUP_TOKEN'],
  clientIp?: (c: Context<AppEnv>) => string,
) {
  return createApp({
    idHashKey: () => idHashKey,
    setupToken: () => setupToken,
    db: () => handle.db,
    clientIp: clientIp ?? ((c) => {
      try {
        return getConnInfo(c).remote.address ?? 'unknown';
      } catch {
        return 'unknown'; // app.request() in tests has no socket
      }
    }),
    htmxSource,
  });
}

export interface RunningServer {
  port: number;
  url: string;
  handle: LibsqlHandle;
  close(): Promise<void>;
}

/**
 * Idle connections are kept 75 s instead of Node's 5 s: a tablet loads its ballot, the delegate
 * takes a minute or two, and the cast should reuse that connection. A busy Node process accepts
 * about one new connection per event-loop turn, so 2,500 tablets reconnecting at the end of a
 * hearing would queue at the accept, not at the cast.
 */
export function keepIdleConnections(server: { keepAliveTimeout: number; headersTimeout: number }): void {
  server.keepAliveTimeout = 75_000;
  server.headersTimeout = 76_000; // above keepAliveTimeout, as Node requires for reuse to be safe
}

export async function startServer(config: NodeConfig): Promise<RunningServer> {
  const handle = await prepareDatabase(config.DATABASE_URL, config.DATABASE_AUTH_TOKEN);
  const app = nodeApp(handle, loadIdKey(config.DATABASE_URL, config.SANMIN_ID_KEY), config.SANMIN_SETUP_TOKEN);
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
    keepIdleConnections(server as import('node:http').Server);
  });
}
