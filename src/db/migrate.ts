import { fileURLToPath } from 'node:url';
import { migrate } from 'drizzle-orm/libsql/migrator';
import type { LibSQLDatabase } from 'drizzle-orm/libsql';
import type { Db } from './client';

export const migrationsFolder = fileURLToPath(new URL('../../drizzle', import.meta.url));

/** Applies drizzle/ migrations (the same files wrangler applies to D1). */
export async function applyMigrations(db: Db): Promise<void> {
  await migrate(db as unknown as LibSQLDatabase, { migrationsFolder });
}
