import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedCommitment } from '../../src/delegates/draw.core';
import { addUser, testApp } from '../helpers/app';
import { drawWithSeed, PUBLIC_SOURCE, RESIDENTS, seedEligibleCandidates } from '../helpers/delegates';

let t: Awaited<ReturnType<typeof testApp>>;
const SEED = 'c0ffee'.repeat(10) + 'c0ff';
beforeAll(async () => {
  t = await testApp();
  await addUser(t.db, 'chief', 'organiser');
  await seedEligibleCandidates(t.db);
  await drawWithSeed(t, 'chief', SEED);
});
afterAll(() => t.close());

/** Exactly what a citizen types: `npm run draw:verify -- <file>`. */
function drawVerify(...args: string[]) {
  const r = spawnSync('npm', ['run', '--silent', 'draw:verify', '--', ...args], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('npm run draw:verify', () => {
  it('passes on the file downloaded from /c/2018/draw.json and fails with the reason on a tampered copy', async () => {
    const body = await (await t.app.request('/c/2018/draw.json')).text();
    const good = join(t.dir, 'draw-2018.json');
    writeFileSync(good, body);
    const ok = drawVerify(good);
    expect(ok.code, ok.err).toBe(0);
    expect(ok.out).toContain('draw verified: 37 of 10000 seats drawn');
    expect(ok.out).toContain('effective seed is HMAC-SHA256(seed, source, public value 3.7.12.19.25.31./9./)');
    expect(ok.out).toContain(`Not checked (no program can): that 3.7.12.19.25.31./9./ is what the named source published: ${PUBLIC_SOURCE}`);

    // someone swaps a reserve into the selected list of 市南区's residents
    const file = JSON.parse(body);
    const cell = file.result.cells.find((c: { venue: string; group: number; category: string }) => c.venue === '市南区' && c.group === 1 && c.category === RESIDENTS);
    [cell.selected[3], cell.reserve[0]] = [cell.reserve[0], cell.selected[3]];
    const bad = join(t.dir, 'tampered.json');
    writeFileSync(bad, JSON.stringify(file));
    const r = drawVerify(bad);
    expect(r.code).toBe(1);
    expect(r.err).toContain('draw MISMATCH: 第 1 组 · 市南区 · 服务对象代表/社区或村居民代表:入选名单第 4 位应为');

    const reseeded = join(t.dir, 'reseeded.json');
    writeFileSync(reseeded, JSON.stringify({ ...JSON.parse(body), seed: 'ab'.repeat(32) }));
    expect(drawVerify(reseeded)).toMatchObject({ code: 1, err: expect.stringContaining('随机种子与公布的承诺值不符') });
    // the effective seed replaced by one that does not come from (seed, public value)
    const regrind = join(t.dir, 'effective.json');
    writeFileSync(regrind, JSON.stringify({ ...JSON.parse(body), effectiveSeed: 'cd'.repeat(32) }));
    expect(drawVerify(regrind)).toMatchObject({ code: 1, err: expect.stringContaining('有效种子与(随机种子, 公共随机源, 公共随机值)推导的结果不符') });
    const revalued = join(t.dir, 'revalued.json');
    writeFileSync(revalued, JSON.stringify({ ...JSON.parse(body), publicValue: '1.2.3.4.5.6./7./' }));
    expect(drawVerify(revalued)).toMatchObject({ code: 1, err: expect.stringContaining('有效种子与') });
    expect(drawVerify(join(t.dir, 'missing.json'))).toMatchObject({ code: 1, err: expect.stringContaining('cannot read') });
    expect(drawVerify().code).toBe(2);
  });

  it('prints the commitment to publish for an external seed', () => {
    const r = drawVerify('--commitment', SEED);
    expect(r.code, r.err).toBe(0);
    expect(r.out.trim()).toBe(seedCommitment(SEED));
  });
});
