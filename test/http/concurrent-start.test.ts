import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { count, eq } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../../src/audit/audit.service';
import { openLibsql } from '../../src/db/libsql';
import { auditLog, campaigns, departments } from '../../src/db/schema';
import { prepareDatabase } from '../../src/node/boot';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
function freshUrl() {
  const dir = mkdtempSync(join(tmpdir(), 'sanmin-start-'));
  dirs.push(dir);
  return `file:${join(dir, 'sanmin.db')}`;
}
const migrationFiles = readdirSync(new URL('../../drizzle', import.meta.url)).filter((f) => f.endsWith('.sql')).length;

/** The schema and the 2018 seed are there exactly once, and the audit chain is whole. */
async function expectPreparedOnce(url: string) {
  const { client, db } = await openLibsql(url);
  try {
    const applied = await client.execute('SELECT count(*) AS n FROM __drizzle_migrations');
    expect(Number(applied.rows[0]!['n'])).toBe(migrationFiles);
    expect(await db.select().from(campaigns)).toHaveLength(1);
    const [{ n }] = (await db.select({ n: count() }).from(departments)) as [{ n: number }];
    expect(n).toBe(47);
    expect(await db.select().from(auditLog).where(eq(auditLog.action, 'campaign.seed'))).toHaveLength(1);
    expect((await verifyAuditChain(db)).ok).toBe(true);
  } finally {
    client.close();
  }
}

describe('two servers starting at once on a fresh file', () => {
  it('both prepare the database (no "table campaigns already exists"), and the schema and seed exist once', async () => {
    const url = freshUrl();
    const handles = await Promise.all([prepareDatabase(url), prepareDatabase(url), prepareDatabase(url)]);
    for (const h of handles) h.client.close();
    await expectPreparedOnce(url);
  });

  it('two real processes started at the same moment on one fresh file both succeed', async () => {
    const url = freshUrl();
    const start = () => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/prepare-database.ts'], {
        env: { ...process.env, DATABASE_URL: url },
        cwd: new URL('../..', import.meta.url).pathname,
      });
      let out = '';
      let err = '';
      child.stderr.on('data', (d) => (err += d));
      const ready = new Promise<void>((resolve) => child.stdout.on('data', (d) => ((out += d), out.includes('ready') && resolve())));
      const exited = new Promise<{ code: number | null; out: string; err: string }>((resolve) => child.on('close', (code) => resolve({ code, out, err })));
      return { child, ready, exited };
    };
    const procs = [start(), start()];
    await Promise.all(procs.map((p) => p.ready));
    for (const p of procs) p.child.stdin.write('go\n'); // both loaded: now migrate together
    const results = await Promise.all(procs.map((p) => p.exited));
    for (const r of results) {
      expect(r.err).not.toMatch(/error|already exists/i); // stderr may carry a runtime warning under load
      expect(r.code).toBe(0);
      expect(r.out).toContain('prepared');
    }
    // both read the same complete key files (one created them, the other found them whole)
    const keysSeen = results.map((r) => /keys (\S+)/.exec(r.out)?.[1]);
    expect(keysSeen[0]).toMatch(/^[0-9a-f]{64}:[0-9a-f]{64}$/);
    expect(keysSeen[1]).toBe(keysSeen[0]);
    await expectPreparedOnce(url);
  });
});
