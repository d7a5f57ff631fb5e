import { createClient, type Client } from '@libsql/client';
import { drizzle } from 'drizzle-orm/libsql';
import { schema, type Db } from './client';

export interface LibsqlHandle {
  url: string;
  client: Client;
  db: Db;
}

/** Opens a libSQL database (embedded file or remote URL) with the pragmas a file database needs. */
export async function openLibsql(url: string, authToken?: string): Promise<LibsqlHandle> {
  const file = url.startsWith('file:');
  // One connection for a file: @libsql/client pools up to 20, and the per-connection pragmas
  // below would reach only the first (the rest ran with synchronous=FULL, an fsync per commit,
  // and no busy_timeout). Calls on an embedded file are synchronous anyway, so nothing is lost.
  const client = createClient({ url, ...(authToken ? { authToken } : {}), ...(file ? { concurrency: 1 } : {}) });
  if (file) {
    // WAL persists in the file; synchronous and busy_timeout are per connection.
    await client.execute('PRAGMA journal_mode=WAL');
    await client.execute('PRAGMA synchronous=NORMAL');
    await client.execute('PRAGMA busy_timeout=5000');
    await client.execute('PRAGMA foreign_keys=ON');
  }
  const db = drizzle(client, { schema }) as unknown as Db;
  return { url, client, db };
}
