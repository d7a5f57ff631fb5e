import { createRequire } from 'node:module';
import { createClient } from '@libsql/client';
import { describe, expect, it } from 'vitest';
import { cacheLibsqlStatements } from '../../src/node/statement-cache';

// the libsql module @libsql/client itself loads, as statement-cache.ts finds it
const fromClient = createRequire(createRequire(import.meta.url).resolve('@libsql/client'));
const Database = fromClient('libsql') as { prototype: { prepare(sql: string): unknown } };

describe('statement cache', () => {
  it('prepares a statement once across identical calls on a real libSQL client (fails if bypassed)', async () => {
    // count the native prepares under the cache: installed first, the cache wraps this counter
    const native = Database.prototype.prepare;
    const prepared: string[] = [];
    Database.prototype.prepare = function (this: object, sql: string) {
      prepared.push(sql);
      return native.call(this, sql);
    };
    try {
      cacheLibsqlStatements();
      const client = createClient({ url: ':memory:' });
      await client.execute('CREATE TABLE t (x INTEGER)');
      const sql = 'SELECT count(*) AS n FROM t WHERE x > ?';
      const a = await client.execute({ sql, args: [0] });
      const b = await client.execute({ sql, args: [0] });
      expect(a.rows[0]!['n']).toBe(0);
      expect(b.rows[0]!['n']).toBe(0);
      expect(prepared.filter((s) => s === sql)).toHaveLength(1);
      client.close();
    } finally {
      Database.prototype.prepare = native;
    }
  });
});
