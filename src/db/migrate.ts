import { fileURLToPath } from 'node:url';
import { migrate } from 'drizzle-orm/libsql/migrator';
import type { LibSQLDatabase } from 'drizzle-orm/libsql';
import type { Db } from './client';

export const migrationsFolder = fileURLToPath(new URL('../../drizzle', import.meta.url));

/**
 * Another process applying the same migrations at the same moment: its batch committed between
 * our read of `__drizzle_migrations` and our batch (so ours finds a table it was about to create),
 * or it still holds the write lock after busy_timeout.
 */
function lostMigrationRace(err: unknown): boolean {
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    const code = (e as { code?: unknown }).code;
    if (/already exists|database is locked/i.test(e.message) || code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') return true;
  }
  return false;
}

/**
 * Applies drizzle/ migrations (the same files wrangler applies to D1). Safe when several
 * processes start at once on the same file: drizzle applies every pending migration and records
 * it in one atomic batch, so a process whose batch fails because another's committed first just
 * re-reads the applied migrations and finds nothing left to do.
 */
export async function applyMigrations(db: Db, attempts = 5): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await migrate(db as unknown as LibSQLDatabase, { migrationsFolder });
      return;
    } catch (err) {
      if (attempt >= attempts || !lostMigrationRace(err)) throw err;
      await new Promise((resolve) => setTimeout(resolve, 20 * attempt));
    }
  }
}
