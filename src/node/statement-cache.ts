/**
 * Prepared statements kept per connection on the embedded libSQL database.
 *
 * @libsql/client prepares every statement it runs afresh (its `executeStmt` calls
 * `Database.prepare` each time), and with drizzle's stable SQL text the same few dozen
 * statements are prepared over and over: 8–14% of the server's CPU in the ballot and intake
 * benchmarks. This wraps `prepare` of the `libsql` module that @libsql/client itself loads with
 * a small least-recently-used cache keyed by the SQL text. Reuse is safe there: executeStmt
 * runs a statement to completion (`all` or `run`) synchronously before anything else can use it,
 * and SQLite re-prepares a statement by itself after a schema change.
 */
import { createRequire } from 'node:module';

const MAX_STATEMENTS = 256;
let installed = false;

interface PreparingDatabase {
  prepare(sql: string): unknown;
}

export function cacheLibsqlStatements(): void {
  if (installed) return;
  installed = true;
  const fromClient = createRequire(createRequire(import.meta.url).resolve('@libsql/client'));
  const Database = fromClient('libsql') as { prototype: PreparingDatabase };
  const prepare = Database.prototype.prepare;
  const caches = new WeakMap<object, Map<string, unknown>>();
  Database.prototype.prepare = function (this: object, sql: string) {
    let cache = caches.get(this);
    if (!cache) caches.set(this, (cache = new Map()));
    let stmt = cache.get(sql);
    if (stmt) {
      cache.delete(sql); // re-inserted below: Map order is the recency order
    } else {
      stmt = prepare.call(this, sql);
      if (cache.size >= MAX_STATEMENTS) cache.delete(cache.keys().next().value!);
    }
    cache.set(sql, stmt);
    return stmt;
  };
}
