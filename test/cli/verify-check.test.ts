import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkRecord, sealOnDevice } from '../../src/tally/device-seal.core';
import { checkQrText } from '../../src/lib/qr';
import { generateTallyKeyPair, ballotShapeDigest } from '../../src/tally/seal.core';

const dir = mkdtempSync(join(tmpdir(), 'sanmin-check-'));
const run = (file: string) => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/verify.ts', '--check', file], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
};

describe('npm run verify -- --check', () => {
  it('prints the choices a checked ballot seals, and exits 1 for a device that sealed something else', async () => {
    const pair = await generateTallyKeyPair();
    const shown = { v: 1 as const, campaign: '2018', group: 1, shape: ballotShapeDigest(['市公安局', '市司法局'], ['满意', '比较满意', '不太满意', '不满意']), answers: [1, 4] };
    const honest = join(dir, 'honest.json');
    writeFileSync(honest, JSON.stringify(checkRecord(pair.publicKey, shown, await sealOnDevice(pair.publicKey, shown), ['市公安局', '市司法局'], ['满意', '比较满意', '不太满意', '不满意'])));
    const ok = run(honest);
    expect(ok.code, ok.err).toBe(0);
    expect(ok.out).toContain('市公安局: 满意');
    expect(ok.out).toContain('市司法局: 不满意');

    const cheat = join(dir, 'cheat.json');
    writeFileSync(cheat, JSON.stringify(checkRecord(pair.publicKey, shown, await sealOnDevice(pair.publicKey, { ...shown, answers: [4, 1] }), ['市公安局', '市司法局'], ['满意', '比较满意', '不太满意', '不满意'])));
    const bad = run(cheat);
    expect(bad.code).toBe(1);
    expect(bad.err).toContain('check MISMATCH');
  });

  it('accepts the text of the check QR (what a phone reader gives, saved to a file), and refuses it altered', async () => {
    const pair = await generateTallyKeyPair();
    const shown = { v: 1 as const, campaign: '2018', group: 1, shape: ballotShapeDigest(['市公安局', '市司法局'], ['满意', '比较满意', '不太满意', '不满意']), answers: [2, null] };
    const text = checkQrText(checkRecord(pair.publicKey, shown, await sealOnDevice(pair.publicKey, shown), ['市公安局', '市司法局'], ['满意', '比较满意', '不太满意', '不满意']));
    const scanned = join(dir, 'scanned.txt');
    writeFileSync(scanned, `${text}\n`);
    const ok = run(scanned);
    expect(ok.code, ok.err).toBe(0);
    expect(ok.out).toContain('市公安局: 比较满意');
    expect(ok.out).toContain('市司法局: (空白)');

    const altered = join(dir, 'altered.txt');
    writeFileSync(altered, text.replace('[2,null]', '[1,null]'));
    const bad = run(altered);
    expect(bad.code).toBe(1);
    expect(bad.err).toContain('check MISMATCH');

    const garbage = join(dir, 'garbage.txt');
    writeFileSync(garbage, 'not a record');
    expect(run(garbage).code).toBe(1);
  });
});
