import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../../src/audit/audit.service';
import { Browser, testApp } from '../helpers/app';

let t: Awaited<ReturnType<typeof testApp>>;
beforeAll(async () => {
  t = await testApp();
});
afterAll(() => t.close());

function run(script: string, args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', script, ...args], {
    env: { ...process.env, DATABASE_URL: t.url, ...env },
    encoding: 'utf8',
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('npm run admin -- create-user', () => {
  it('creates the first organiser, who can then log in', async () => {
    const r = run('src/cli/admin.ts', ['create-user', '--username', 'chief', '--name', '总协调', '--role', 'organiser'], { SANMIN_PASSWORD: 'first organiser password' });
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('created organiser chief');
    const b = new Browser(t.app);
    await b.login('chief', 'first organiser password');
    expect((await b.get('/staff/users')).status).toBe(200);
  });

  it('generates and prints a password when none is given', () => {
    const r = run('src/cli/admin.ts', ['create-user', '--username', 'aud1', '--name', '审计', '--role', 'auditor'], { SANMIN_PASSWORD: '' });
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/password: \S{12,}/);
  });

  it('explains a bad role or a missing venue and exits non-zero', () => {
    const r = run('src/cli/admin.ts', ['create-user', '--username', 'v1', '--role', 'venue_staff'], { SANMIN_PASSWORD: 'long enough password' });
    expect(r.code).toBe(1);
    expect(r.err).toContain('会场工作人员须绑定一个会场');
    const bad = run('src/cli/admin.ts', ['create-user', '--username', 'v2', '--role', 'king'], { SANMIN_PASSWORD: 'long enough password' });
    expect(bad.code).toBe(1);
    expect(bad.err).toContain('请选择角色');
  });
});

describe('the audit log', () => {
  it('refuses updates and deletes inside the database', async () => {
    await expect(t.client.execute("UPDATE audit_log SET actor_name = 'x' WHERE seq = 1")).rejects.toThrow(/append-only/);
    await expect(t.client.execute('DELETE FROM audit_log WHERE seq = 1')).rejects.toThrow(/append-only/);
  });

  it('npm run audit:verify passes, then names the row someone with file access tampered with', async () => {
    const ok = run('src/cli/audit-verify.ts', []);
    expect(ok.code, ok.err).toBe(0);
    expect(ok.out).toMatch(/audit chain OK: \d+ entries/);

    // an attacker with the raw file drops the guard and rewrites who created an account
    await t.client.execute('DROP TRIGGER audit_log_no_update');
    await t.client.execute("UPDATE audit_log SET actor_name = 'someone-else' WHERE seq = 2");
    const verdict = await verifyAuditChain(t.db);
    expect(verdict).toMatchObject({ ok: false, brokenAt: 2 });
    const broken = run('src/cli/audit-verify.ts', []);
    expect(broken.code).toBe(1);
    expect(broken.err).toContain('BROKEN at seq 2');

    const b = new Browser(t.app);
    await b.login('chief', 'first organiser password');
    expect((await b.get('/staff/audit')).body).toContain('哈希链断裂');
  });
});
