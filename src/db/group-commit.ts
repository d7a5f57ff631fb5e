import type { BatchItem } from 'drizzle-orm/batch';
import type { Db } from './client';

interface PendingWrite {
  statements: BatchItem<'sqlite'>[];
  resolve: (results: unknown[]) => void;
  reject: (err: unknown) => void;
}
const writeQueues = new WeakMap<Db, { pending: PendingWrite[]; running: boolean }>();
const GROUP_MAX = 100;

/**
 * Group commit: writes that arrive while another is in flight are run together in the next
 * atomic batch, so the commit is paid once per group instead of once per request (SQLite has one
 * writer; under load this is what bounds intake). Each caller gets the results of its own
 * statements and learns whether its own rows landed: if a group fails, its writes are retried
 * one by one. Per database object, i.e. per process on Node; on Workers the database is built
 * per request, so every request writes alone.
 */
export function groupCommit(db: Db, statements: BatchItem<'sqlite'>[]): Promise<unknown[]> {
  let q = writeQueues.get(db);
  if (!q) {
    q = { pending: [], running: false };
    writeQueues.set(db, q);
  }
  const queue = q;
  return new Promise<unknown[]>((resolve, reject) => {
    queue.pending.push({ statements, resolve, reject });
    if (!queue.running) {
      // started on the next turn of the event loop, not now: an embedded database runs a batch
      // synchronously, so writes can only join a group while the requests of this turn are parsed
      queue.running = true;
      later(() => void drain(db, queue));
    }
  });
}

const later: (f: () => void) => void = typeof setImmediate === 'function' ? (f) => void setImmediate(f) : (f) => void setTimeout(f, 0);

async function drain(db: Db, q: { pending: PendingWrite[]; running: boolean }): Promise<void> {
  try {
    while (q.pending.length) {
      const group = q.pending.splice(0, GROUP_MAX);
      try {
        const results = (await db.batch(group.flatMap((g) => g.statements) as [BatchItem<'sqlite'>])) as unknown[];
        let at = 0;
        for (const g of group) {
          g.resolve(results.slice(at, at + g.statements.length));
          at += g.statements.length;
        }
      } catch (err) {
        if (group.length === 1) {
          group[0]!.reject(err);
          continue;
        }
        for (const g of group) {
          try {
            g.resolve((await db.batch(g.statements as [BatchItem<'sqlite'>])) as unknown[]);
          } catch (e) {
            g.reject(e);
          }
        }
      }
    }
  } finally {
    q.running = false;
  }
}
