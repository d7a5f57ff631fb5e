import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'sanmin-rehearse-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(script: string, args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, ['--import', 'tsx', script, ...args], { env: process.env });
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (err += d));
    p.on('close', (code) => resolve({ code, out, err }));
  });
}

describe('npm run rehearse', () => {
  it('runs a group from check-in to a published result that npm run verify accepts, and verify names a tampered ballot', async () => {
    const resultFile = join(dir, 'result.json');
    const recordFile = join(dir, 'requests.jsonl');
    const r = await run('src/cli/rehearse.ts', ['--group', '4', '--delegates', '40', '--seed', 'ci', '--db', `file:${join(dir, 'r.db')}`, '--out', resultFile, '--record', recordFile, '--verbose']);
    expect(r.code, r.err).toBe(0);
    const summary = JSON.parse(r.out.trim().split('\n').pop()!);
    expect(summary).toMatchObject({ group: 4, resultFile, verified: true, checked: 1 });
    expect(summary.ballots + summary.voided).toBe(40);
    const result = JSON.parse(readFileSync(resultFile, 'utf8'));
    expect(result.ballots).toHaveLength(summary.ballots);

    // the server never received a plaintext ballot: every request body it got, the database files and the logs
    const requests = readFileSync(recordFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { method: string; path: string; body: string });
    const casts = requests.filter((q) => q.path === '/api/ballot/cast');
    expect(casts.length).toBeGreaterThanOrEqual(summary.ballots);
    for (const q of casts) {
      const body = JSON.parse(q.body);
      expect(Object.keys(body).sort()).toEqual(['campaign', 'ciphertext', 'credential', 'group', 'keyId', 'tallyKey']);
    }
    // the canonical plaintext of a ballot begins {"v":1,"campaign":"2018","group":4,"answers":[
    const plaintext = /"group":4,"answers"|"v":1,"campaign":"2018"/;
    // (except the custodians' result after unsealing: the decrypted ballots, unlinked from receipts, for publication)
    expect(requests.filter((q) => (/answers/.test(q.body) || plaintext.test(q.body)) && !q.path.endsWith('/tally/result')).map((q) => q.path)).toEqual([]);
    // the database files as copied just before unsealing (after it, the published result holds the opened ballots)
    const files = readdirSync(dir).filter((f) => f.startsWith('requests.jsonl.db'));
    expect(files).toContain('requests.jsonl.db');
    for (const f of files) expect(readFileSync(join(dir, f)).toString('latin1'), f).not.toMatch(plaintext);
    expect(r.out + r.err).not.toMatch(plaintext);

    // the tally key stayed with the custodians: no private key and no share in the clear in any request body,
    // the database files (before unsealing and after publication) or the logs, in hex, base64url or base64
    const held = JSON.parse(readFileSync(`${recordFile}.custodians.json`, 'utf8')) as { shares: string[]; privateKey: string };
    expect(held.shares).toHaveLength(5);
    const keyBytes = Buffer.from(held.privateKey, 'base64url');
    const secrets = [held.privateKey, keyBytes.toString('hex'), keyBytes.toString('base64'), ...held.shares.flatMap((h) => [h, h.toUpperCase(), Buffer.from(h, 'hex').toString('base64url'), Buffer.from(h, 'hex').toString('base64')])];
    const bodies = requests.map((q) => q.body ?? '').join('\n');
    expect(requests.some((q) => q.path.endsWith('/tally/ceremony'))).toBe(true);
    expect(requests.some((q) => q.path.endsWith('/tally/result'))).toBe(true);
    const dbFiles = readdirSync(dir).filter((f) => f.startsWith('requests.jsonl.db') || f.startsWith('requests.jsonl.after.db'));
    expect(dbFiles).toContain('requests.jsonl.after.db');
    const raw = [keyBytes, ...held.shares.map((h) => Buffer.from(h, 'hex'))];
    for (const f of dbFiles) {
      const bytes = readFileSync(join(dir, f));
      for (const secret of secrets) expect(bytes.includes(Buffer.from(secret)), `${f} holds a secret`).toBe(false);
      for (const secret of raw) expect(bytes.includes(secret), `${f} holds raw key bytes`).toBe(false);
    }
    for (const secret of secrets) {
      expect(bodies.includes(secret), 'a request body holds a secret').toBe(false);
      expect((r.out + r.err).includes(secret), 'the logs hold a secret').toBe(false);
    }

    // the checked ballot: anyone can recompute it from the record and see its choices; it was never cast
    const check = JSON.parse(readFileSync(summary.checkFile, 'utf8'));
    expect(check.credential).toBeUndefined();
    expect(JSON.stringify(check)).not.toMatch(/市南区|崂山区|venue|sig/);
    const checked = await run('src/cli/verify.ts', ['--check', summary.checkFile]);
    expect(checked.code, checked.err).toBe(0);
    expect(checked.out).toContain(check.departments[0]);
    expect(result.ballots.map((b: { receipt: string }) => b.receipt)).not.toContain(check.receipt);
    // no venue anywhere in what is published (P2)
    expect(JSON.stringify(result)).not.toMatch(/市南区|崂山区|venue/);

    // the commitment file was downloaded before unsealing; the result verifies against it
    expect(summary.commitmentFile).toMatch(/\.json$/);
    const commitment = JSON.parse(readFileSync(summary.commitmentFile, 'utf8'));
    expect(commitment).toMatchObject({ kind: 'sanmin-tally-commitment', group: 4, ballotCount: summary.ballots, root: result.commitment.root });
    const ok = await run('src/cli/verify.ts', [resultFile, '--commitment', summary.commitmentFile]);
    expect(ok.code, ok.err).toBe(0);
    expect(ok.out).toContain('against the commitment published at closing');
    const tampered = structuredClone(result);
    const victim = tampered.ballots[0];
    victim.ciphertext = victim.ciphertext.slice(0, -4) + (victim.ciphertext.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    const bad = join(dir, 'tampered.json');
    writeFileSync(bad, JSON.stringify(tampered));
    const no = await run('src/cli/verify.ts', [bad, '--commitment', summary.commitmentFile]);
    expect(no.code).not.toBe(0);
    expect(no.err + no.out).toContain(victim.receipt.slice(0, 12));
  }, 180_000);
});
