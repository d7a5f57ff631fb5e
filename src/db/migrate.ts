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
export const applyMigrations = (db: Db, attempts = 5): Promise<void> =>
  retryStartRace(() => migrate(db as unknown as LibSQLDatabase, { migrationsFolder }), attempts);

/**
 * Runs one idempotent start-up step (migrations, the seed, the index and sealing passes), again
 * when another process starting on the same file won the race or held the write lock: a lock
 * upgrade that would deadlock gets SQLITE_BUSY at once, without waiting for busy_timeout.
 */
export async function retryStartRace<T>(step: () => Promise<T>, attempts = 5): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await step();
    } catch (err) {
      if (attempt >= attempts || !lostMigrationRace(err)) throw err;
      await new Promise((resolve) => setTimeout(resolve, 20 * attempt));
    }
  }
}
