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
  const client = createClient(authToken ? { url, authToken } : { url });
  if (url.startsWith('file:')) {
    // WAL persists in the file; synchronous and busy_timeout are per connection.
    await client.execute('PRAGMA journal_mode=WAL');
    await client.execute('PRAGMA synchronous=NORMAL');
    await client.execute('PRAGMA busy_timeout=5000');
    await client.execute('PRAGMA foreign_keys=ON');
  }
  const db = drizzle(client, { schema }) as unknown as Db;
  return { url, client, db };
}
