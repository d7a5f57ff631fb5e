import { createRequire } from 'node:module';
import { createClient, type Client } from '@libsql/client';
import { drizzle } from 'drizzle-orm/libsql';
import { schema, type Db } from './client';

export interface LibsqlHandle {
  url: string;
  client: Client;
  db: Db;
}

/**
 * What every connection to an embedded file runs before its first statement. synchronous,
 * busy_timeout, foreign_keys and secure_delete are per connection; @libsql/client opens a
 * connection whenever its pool has none idle (at start, and again after one is dropped), so
 * setting them once through `client.execute` would reach only the connection that ran it.
 * secure_delete=ON makes SQLite overwrite deleted content with zeros (a deleted share or key
 * does not survive in a free page or a freed cell); its cost on the ballot burst is in the README.
 */
export const CONNECTION_PRAGMAS = ['PRAGMA busy_timeout=5000', 'PRAGMA synchronous=NORMAL', 'PRAGMA foreign_keys=ON', 'PRAGMA secure_delete=ON'] as const;

interface PreparingDatabase {
  prepare(sql: string): { all(): unknown };
}
let pragmasInstalled = false;

/** Runs CONNECTION_PRAGMAS on each libSQL connection of this process the first time it prepares a statement. */
export function installConnectionPragmas(): void {
  if (pragmasInstalled) return;
  pragmasInstalled = true;
  const fromClient = createRequire(createRequire(import.meta.url).resolve('@libsql/client'));
  const Database = fromClient('libsql') as { prototype: PreparingDatabase };
  const prepare = Database.prototype.prepare;
  const ready = new WeakSet<object>();
  Database.prototype.prepare = function (this: PreparingDatabase, sql: string) {
    if (!ready.has(this)) {
      ready.add(this);
      for (const pragma of CONNECTION_PRAGMAS) prepare.call(this, pragma).all();
    }
    return prepare.call(this, sql);
  };
}

/** Opens a libSQL database (embedded file or remote URL) with the pragmas a file database needs. */
export async function openLibsql(url: string, authToken?: string): Promise<LibsqlHandle> {
  const file = url.startsWith('file:');
  if (file) installConnectionPragmas();
  // One connection for a file: calls on an embedded file are synchronous anyway, so a pool
  // gains nothing, and a single connection keeps one statement cache warm.
  const client = createClient({ url, ...(authToken ? { authToken } : {}), ...(file ? { concurrency: 1 } : {}) });
  // WAL persists in the file (busy_timeout is already set, so two processes starting at once wait
  // for each other here); wal_autocheckpoint stays at SQLite's default of 1,000 pages.
  if (file) await client.execute('PRAGMA journal_mode=WAL');
  const db = drizzle(client, { schema }) as unknown as Db;
  return { url, client, db };
}

/**
 * Copies the WAL into the database file and truncates it to zero bytes, so old frames holding
 * rows since deleted or overwritten are gone from disk. busy_timeout is 0 for the checkpoint so
 * that a reader in another process can never stall this one's event loop: a busy WAL is left for
 * the next call (one `exec` on one connection, so no other statement runs with the zero timeout).
 */
export async function checkpointWal(client: Client): Promise<void> {
  try {
    await client.executeMultiple('PRAGMA busy_timeout=0; PRAGMA wal_checkpoint(TRUNCATE); PRAGMA busy_timeout=5000;');
  } catch {
    await client.execute('PRAGMA busy_timeout=5000'); // e.g. the file is read-only: leave it for the next call
  }
}
