// The proposed fix for src/db/libsql.ts, used by the bench under --single-connection only.
//
// @libsql/client 0.18 keeps a pool of up to `concurrency` (default 20) connections per client.
// openLibsql sets synchronous=NORMAL, busy_timeout and foreign_keys with client.execute, which
// reaches ONE pooled connection; as soon as two requests are in flight the pool opens more,
// and those run with synchronous=FULL (an fsync per commit), busy_timeout=0 and no foreign
// keys. Every libSQL call on a file is synchronous on the main thread anyway, so a single
// connection loses no parallelism, and the pragmas then hold for every statement.
import { createClient } from '@libsql/client';
import { drizzle } from 'drizzle-orm/libsql';
import { seedCampaign } from '../seed/load';
import { schema, type Db } from '../src/db/client';
import type { LibsqlHandle } from '../src/db/libsql';
import { applyMigrations } from '../src/db/migrate';

/** openLibsql + prepareDatabase with `concurrency: 1`: the same pragmas, on the only connection. */
export async function openSingle(url: string): Promise<LibsqlHandle> {
  const client = createClient({ url, concurrency: 1 });
  await client.execute('PRAGMA journal_mode=WAL');
  await client.execute('PRAGMA synchronous=NORMAL');
  await client.execute('PRAGMA busy_timeout=5000');
  await client.execute('PRAGMA foreign_keys=ON');
  const db = drizzle(client, { schema }) as unknown as Db;
  await applyMigrations(db);
  await seedCampaign(db);
  return { url, client, db };
}
