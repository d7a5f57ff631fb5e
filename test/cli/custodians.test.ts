import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CeremonyFile, SealedShareFile, SeatsDocument } from '../../src/tally/ceremony.core';
import { buildCommitment } from '../../src/tally/commitment.core';
import { ballotReceipt, sealBallot } from '../../src/tally/seal.core';
import type { BallotsFile } from '../../src/tally/unseal.core';

const dir = mkdtempSync(join(tmpdir(), 'sanmin-custodians-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const path = (name: string) => join(dir, name);
const write = (name: string, data: unknown) => (writeFileSync(path(name), typeof data === 'string' ? data : JSON.stringify(data)), path(name));

function run(script: string, ...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', `src/cli/${script}.ts`, ...args], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('the custodians’ commands, offline (seat-key, ceremony, unseal, verify)', () => {
  it('seat keys from a passphrase and a key file, the ceremony, opening a share, unsealing with 2 of 3, and the result verifies', async () => {
    const weak = run('seat-key', '--campaign', '2018', '--group', '3', '--seat', '1', '--passphrase-file', write('weak.txt', 'abc123\n'));
    expect(weak.code).toBe(1);
    expect(weak.err).toContain('WEAK_PASSPHRASE');
    expect(weak.err).toMatch(/口令太短/);
    const p1 = write('p1.txt', '春江潮水连海平海上明月共潮生\n');
    const k1 = JSON.parse(run('seat-key', '--campaign', '2018', '--group', '3', '--seat', '1', '--passphrase-file', p1).out);
    const k2 = JSON.parse(run('seat-key', '--campaign', '2018', '--group', '3', '--seat', '2', '--new-key-file', path('k2.json')).out);
    const k3 = JSON.parse(run('seat-key', '--campaign', '2018', '--group', '3', '--seat', '3', '--new-key-file', path('k3.json')).out);
    expect(run('seat-key', '--campaign', '2018', '--group', '3', '--seat', '3', '--new-key-file', path('k3.json')).code).toBe(1); // never overwrites a key file
    const seats: SeatsDocument = {
      v: 1, kind: 'sanmin-tally-seats', campaign: '2018', group: 3, shareCount: 3, threshold: 2, replaces: null,
      seats: [k1, k2, k3].map((k, i) => ({ seat: i + 1, custodian: `保管人${i + 1}`, seatKey: k.seatKey })),
    };
    const made = run('ceremony', '--campaign', '2018', '--group', '3', '--seats', write('seats.json', seats), '--out', path('ceremony.json'));
    expect(made.code, made.err).toBe(0);
    const ceremony = JSON.parse(readFileSync(path('ceremony.json'), 'utf8')) as CeremonyFile;
    expect(readFileSync(path('ceremony.record.txt'), 'utf8')).toContain('保管人2 签字');
    expect(made.out).toContain(ceremony.publicKey);
    // what the server serves each custodian
    const sealed = ceremony.seats.map((s): SealedShareFile => ({ v: 1, kind: 'sanmin-tally-sealed-share', campaign: '2018', group: 3, seat: s.seat, shareCount: 3, threshold: 2, publicKey: ceremony.publicKey, sealedShare: s.sealedShare, fingerprint: s.fingerprint }));
    const sealedPaths = sealed.map((s, i) => write(`sealed${i + 1}.json`, s));
    const opened = run('unseal', '--open', sealedPaths[1]!, '--key-file', path('k2.json'), '--out', path('share2.json'));
    expect(opened.code, opened.err).toBe(0);
    expect(JSON.parse(opened.out)).toMatchObject({ seat: 2, fingerprint: ceremony.seats[1]!.fingerprint });
    const wrong = run('unseal', '--open', sealedPaths[0]!, '--passphrase-file', write('p-wrong.txt', '白日依山尽黄河入海流欲穷千里'), '--out', path('x.json'));
    expect(wrong.code).toBe(1);
    expect(wrong.err).toContain('WRONG_SEAT_KEY');

    // a committed group of 30 ballots, as the server would publish it
    const departments = [{ position: 1, name: '甲局' }, { position: 2, name: '乙局' }];
    const scale = [
      { position: 1, label: '满意', weight: 100, valid: true, satisfied: true },
      { position: 2, label: '不满意', weight: 0, valid: true, satisfied: false },
    ];
    const cts = await Promise.all(Array.from({ length: 30 }, (_, i) => sealBallot(ceremony.publicKey, { v: 1, campaign: '2018', group: 3, answers: [1 + (i % 2), i % 3 === 0 ? null : 1] })));
    const rows = cts.map((ciphertext) => ({ receipt: ballotReceipt(ciphertext), ciphertext })).sort((a, b) => (a.receipt < b.receipt ? -1 : 1));
    const commitment = buildCommitment({ campaign: '2018', group: 3, departments, scale, publicKey: ceremony.publicKey, shareCount: 3, threshold: 2, receipts: rows.map((r) => r.receipt), committedAt: '2026-12-02T09:00:00.000Z' });
    const ballots: BallotsFile = { v: 1, kind: 'sanmin-tally-ballots', campaign: '2018', group: 3, publicKey: ceremony.publicKey, root: commitment.root, ballotCount: 30, ballots: rows };
    const cPath = write('commitment.json', commitment);
    const bPath = write('ballots.json', ballots);

    const one = run('unseal', '--commitment', cPath, '--ballots', bPath, '--share', path('share2.json'), '--out', path('r1.json'));
    expect(one.code).toBe(1);
    expect(one.err).toContain('NOT_ENOUGH_SHARES');
    const tampered = structuredClone(ballots);
    tampered.ballots[4]!.ciphertext = tampered.ballots[4]!.ciphertext.slice(0, -2) + 'AA';
    const bad = run('unseal', '--commitment', cPath, '--ballots', write('tampered.json', tampered), '--share', path('share2.json'), '--share', sealedPaths[0]!, '--passphrase-file', p1, '--out', path('r2.json'));
    expect(bad.code).toBe(1);
    expect(bad.err).toContain(tampered.ballots[4]!.receipt);

    const done = run('unseal', '--commitment', cPath, '--ballots', bPath, '--share', sealedPaths[0]!, '--passphrase-file', p1, '--share', path('share2.json'), '--out', path('result.json'), '--audit-out', path('audit.json'));
    expect(done.code, done.err).toBe(0);
    expect(JSON.parse(done.out)).toMatchObject({ group: 3, ballots: 30, seats: [1, 2] });
    const result = JSON.parse(readFileSync(path('result.json'), 'utf8'));
    expect(result.privateKey).toBeUndefined();
    expect(result.tally.departments[0].counts).toEqual([15, 15]);
    const audit = JSON.parse(readFileSync(path('audit.json'), 'utf8'));
    expect(typeof audit.privateKey).toBe('string');
    const v1 = run('verify', path('result.json'), '--commitment', cPath);
    expect(v1.code, v1.err).toBe(0);
    const v2 = run('verify', path('audit.json'), '--commitment', cPath);
    expect(v2.code, v2.err).toBe(0);
    expect(v2.out).toContain('every ciphertext re-decrypted');
  }, 120_000);
});
