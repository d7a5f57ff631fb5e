import { existsSync, linkSync, mkdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { getConnInfo } from '@hono/node-server/conninfo';
import { seedCampaign } from '../../seed/load';
import { createApp } from '../app';
import { checkpointWal, openLibsql, type LibsqlHandle } from '../db/libsql';
import { encryptPlaintextSecrets, reissueClearDelegateLinks } from '../db/encrypt-at-rest';
import { atRestCipher } from '../lib/at-rest';
import { delegateLinks } from '../delegates/links.service';
import { applyMigrations, retryStartRace } from '../db/migrate';
import { reindexPublicSuggestions } from '../suggestions/suggestions.service';
import { sealAuthorContacts } from '../suggestions/author-contact.service';
import type { Context } from 'hono';
import type { AppEnv, NodeConfig } from '../env';
import { useNativeRsa } from '../hearing/credential.core';
import { nodeRawSign, nodePssVerify } from './native-rsa';
import { cacheLibsqlStatements } from './statement-cache';
import { runSender, type Transport } from '../notifications/sender.service';
import { messageDomainOf, smsTransportFrom } from '../notifications/providers.service';
import { smtpTransport } from './smtp-transport';
import type { OutboxChannel } from '../db/schema';

// blind signatures through OpenSSL's raw RSA instead of JavaScript bignums
useNativeRsa(nodeRawSign, nodePssVerify);

function filePath(url: string): string | undefined {
  if (!url.startsWith('file:')) return undefined;
  const path = url.slice('file:'.length).split('?')[0]!;
  return path && path !== ':memory:' ? path : undefined;
}

/**
 * A key that must not live in the database: from the environment, or for a file database a key
 * file created beside it on first start (mode 0600; back it up apart from the database).
 */
function loadKeyFile(databaseUrl: string, fromEnv: string | undefined, fileName: string): string | undefined {
  if (fromEnv) return fromEnv.toLowerCase();
  const db = filePath(databaseUrl);
  if (!db) return undefined;
  const keyFile = join(dirname(db), fileName);
  if (!existsSync(keyFile)) {
    mkdirSync(dirname(keyFile), { recursive: true });
    const key = [...crypto.getRandomValues(new Uint8Array(32))].map((b) => b.toString(16).padStart(2, '0')).join('');
    // written whole under a private name, then linked into place: a process starting at the same
    // moment either links first or finds the complete file of the one that did (never a half-written one)
    const tmp = `${keyFile}.${process.pid}.${Date.now()}.tmp`;
    writeFileSync(tmp, `${key}\n`, { mode: 0o600, flag: 'wx' });
    try {
      linkSync(tmp, keyFile);
    } catch (err) {
      // another process created it first: use theirs
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    } finally {
      unlinkSync(tmp);
    }
  }
  return readFileSync(keyFile, 'utf8').trim();
}

/**
 * The ID-hash key: SANMIN_ID_KEY, or for a file database `sanmin-id.key` beside it (without it,
 * duplicate sign-ups can no longer be found).
 */
export function loadIdKey(databaseUrl: string, fromEnv = process.env['SANMIN_ID_KEY']): string | undefined {
  return loadKeyFile(databaseUrl, fromEnv, 'sanmin-id.key');
}

/**
 * The data-encryption key of the secrets stored in the database (venue and survey signing keys,
 * handed-in shares): SANMIN_SECRET_KEY, or for a file database `sanmin-secret.key` beside it.
 * Without it those secrets cannot be opened: voting cannot go on with the same venue keys.
 */
export function loadSecretKey(databaseUrl: string, fromEnv = process.env['SANMIN_SECRET_KEY']): string | undefined {
  return loadKeyFile(databaseUrl, fromEnv, 'sanmin-secret.key');
}

/**
 * Creates the file's folder, opens the database, applies migrations (safe with another process
 * starting at once), fills the search index, seeds 2018 once, and seals any secret still stored in the clear.
 */
export async function prepareDatabase(
  url: string,
  authToken?: string,
  opts: { seed?: boolean; secretKey?: string | undefined } = {},
): Promise<LibsqlHandle> {
  const path = filePath(url);
  if (path) mkdirSync(dirname(path), { recursive: true });
  cacheLibsqlStatements();
  const handle = await openLibsql(url, authToken);
  await applyMigrations(handle.db);
  // public suggestions missing from the (masked) search index, e.g. after migration 0011
  await retryStartRace(() => reindexPublicSuggestions(handle.db));
  if (opts.seed !== false) await retryStartRace(() => seedCampaign(handle.db));
  const secretKey = 'secretKey' in opts ? opts.secretKey : loadSecretKey(url);
  const atRest = atRestCipher(secretKey);
  const links = delegateLinks(secretKey);
  // secrets, and citizens' contacts stored in the clear by an older version, sealed
  const sealed = atRest ? (await retryStartRace(() => encryptPlaintextSecrets(handle.db, atRest))) + (await retryStartRace(() => sealAuthorContacts(handle.db, atRest))) : 0;
  const reissued = links ? await retryStartRace(() => reissueClearDelegateLinks(handle.db, links)) : 0;
  if (reissued > 0) console.warn(`re-issued ${reissued} delegates' personal links stored in the clear by an older version: export the list again and hand out the new links`);
  // what the clear values left in the WAL goes with the checkpoint (secure_delete zeroed the pages)
  if (sealed + reissued > 0 && path) await checkpointWal(handle.client);
  return handle;
}

/** How often the WAL of an idle embedded file is checkpointed and truncated. */
export const WAL_SCRUB_INTERVAL_MS = 60_000;

/**
 * After deleting secrets: on an embedded file, checkpoint and truncate the WAL (secure_delete
 * has zeroed the deleted cells in the pages; this removes the older page images the WAL still
 * holds). Elsewhere a no-op: D1 and Turso keep old pages out of our reach, which is why no
 * secret is ever written there in the clear.
 */
export function walScrubber(handle: Pick<LibsqlHandle, 'url' | 'client'>): () => Promise<void> {
  return filePath(handle.url) ? () => checkpointWal(handle.client) : async () => {};
}

/**
 * Every interval, if the WAL has not changed since the previous tick (no write for a whole
 * interval: the server is idle) and is not empty, checkpoint and truncate it. Returns the stop.
 */
export function scrubWalWhenIdle(handle: Pick<LibsqlHandle, 'url' | 'client'>, intervalMs = WAL_SCRUB_INTERVAL_MS): () => void {
  const path = filePath(handle.url);
  if (!path) return () => {};
  let last = '';
  const timer = setInterval(() => {
    let now = '';
    try {
      const st = statSync(`${path}-wal`);
      now = `${st.size}:${st.mtimeMs}`;
      if (st.size > 0 && now === last) void checkpointWal(handle.client).catch(() => {});
    } catch {
      // no WAL file yet
    }
    last = now;
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}

const htmxSource = readFileSync(createRequire(import.meta.url).resolve('htmx.org/dist/htmx.min.js'), 'utf8');

export function nodeApp(
  handle: LibsqlHandle,
  idHashKey = loadIdKey(handle.url),
  setupToken = process.env['SANMIN_SETUP_TOKEN'],
  clientIp?: (c: Context<AppEnv>) => string,
  secretKey = loadSecretKey(handle.url),
) {
  return createApp({
    idHashKey: () => idHashKey,
    secretKey: () => secretKey,
    scrubDeleted: walScrubber(handle),
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

/** The parsed configuration; the notification settings' defaults may be left out (tests, benches). */
export type ServerConfig = Omit<NodeConfig, 'SMTP_FROM' | 'SANMIN_PUBLIC_URL' | 'SANMIN_SENDER_INTERVAL_MS'> & Partial<Pick<NodeConfig, 'SMTP_FROM' | 'SANMIN_PUBLIC_URL' | 'SANMIN_SENDER_INTERVAL_MS'>>;

/** What an observer of the wire sees: every request as the server received it (the rehearsal's recorder). */
export type RequestRecorder = (method: string, path: string, body: string) => void;

export async function startServer(config: ServerConfig, record?: RequestRecorder): Promise<RunningServer> {
  const secretKey = loadSecretKey(config.DATABASE_URL, config.SANMIN_SECRET_KEY);
  const handle = await prepareDatabase(config.DATABASE_URL, config.DATABASE_AUTH_TOKEN, { secretKey });
  const app = nodeApp(handle, loadIdKey(config.DATABASE_URL, config.SANMIN_ID_KEY), config.SANMIN_SETUP_TOKEN, undefined, secretKey);
  const stopScrubbing = scrubWalWhenIdle(handle);
  const stopSender = startSender(handle, config, secretKey);
  return new Promise((resolve) => {
    const fetch: typeof app.fetch = record
      ? async (req, ...rest) => {
          record(req.method, new URL(req.url).pathname, await req.clone().text());
          return app.fetch(req, ...rest);
        }
      : app.fetch;
    const server = serve({ fetch, port: config.PORT, hostname: config.HOST }, (info: AddressInfo) => {
      resolve({
        port: info.port,
        url: `http://${config.HOST === '0.0.0.0' ? '127.0.0.1' : config.HOST}:${info.port}`,
        handle,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => {
              stopScrubbing();
              stopSender();
              handle.client.close();
              done();
            });
          }),
      });
    });
    keepIdleConnections(server as import('node:http').Server);
  });
}

/**
 * The outbox sender, in the server process: e-mail when SMTP_URL is set, SMS when the Alibaba
 * Cloud settings are; a channel without a provider keeps its messages in the outbox.
 */
export function startSender(handle: LibsqlHandle, config: ServerConfig, secretKey: string | undefined): () => void {
  const transports: Partial<Record<OutboxChannel, Transport>> = {};
  const from = config.SMTP_FROM ?? '三民活动组委会 <noreply@sanmin.local>';
  const smtp = config.SMTP_URL ? smtpTransport(config.SMTP_URL, from) : undefined;
  if (smtp) transports.email = smtp;
  const sms = smsTransportFrom(config);
  if (sms) transports.sms = sms;
  if (!smtp && !sms) return () => {};
  const stop = runSender(
    { db: handle.db, atRest: atRestCipher(secretKey), transports, publicUrl: config.SANMIN_PUBLIC_URL ?? 'http://localhost:8787', messageDomain: messageDomainOf(from) },
    config.SANMIN_SENDER_INTERVAL_MS ?? 5_000,
  );
  return () => {
    stop();
    smtp?.close();
  };
}
