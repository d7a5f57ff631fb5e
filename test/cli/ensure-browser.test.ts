import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

// `npm test` starts with scripts/ensure-browser.mjs. The machine's real Chromium stays installed
// (other work needs it): the missing cases point the check at paths that do not exist, act as a
// non-root user, and give root a fake apt-get that records what it was asked.
const dir = mkdtempSync(join(tmpdir(), 'sanmin-ensure-browser-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const INSTALL = 'sudo apt-get install -y chromium fonts-noto-cjk';

let n = 0;
/** A machine: where its Chromium and fonts would be, and an apt-get that "installs" them (or fails). */
function machine(opts: { chromium: boolean; fonts: boolean; aptFails?: boolean }) {
  const root = join(dir, `m${n++}`);
  const chromium = join(root, 'usr/bin/chromium');
  const fonts = join(root, 'usr/share/fonts/opentype/noto');
  const log = join(root, 'apt.log');
  mkdirSync(join(root, 'usr/bin'), { recursive: true });
  mkdirSync(join(root, 'usr/share/fonts'), { recursive: true });
  const installChromium = `printf '#!/bin/sh\\n' > '${chromium}' && chmod +x '${chromium}'`;
  const installFonts = `mkdir -p '${fonts}' && : > '${fonts}/NotoSansCJK-Regular.ttc'`;
  if (opts.chromium) spawnSync('sh', ['-c', installChromium]);
  if (opts.fonts) spawnSync('sh', ['-c', installFonts]);
  const aptGet = join(root, 'apt-get');
  writeFileSync(
    aptGet,
    `#!/bin/sh\necho "$DEBIAN_FRONTEND $*" >> '${log}'\n` +
      (opts.aptFails ? 'exit 100\n' : `if [ "$1" = install ]; then ${installChromium} && ${installFonts}; fi\n`),
  );
  chmodSync(aptGet, 0o755);
  const env = { ...process.env, CHROMIUM_PATH: chromium, CJK_FONTS_DIR: fonts, SANMIN_APT_GET: aptGet };
  return { env, chromium, log: () => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : []) };
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv) {
  const t0 = performance.now();
  // a bound, so that a check that does not stop lets this test fail instead of running the suite
  const r = spawnSync(cmd, args, { env, encoding: 'utf8', timeout: 40_000 });
  return { code: r.status, out: r.stdout, err: r.stderr, seconds: (performance.now() - t0) / 1000 };
}

describe('npm test on a machine without Chromium', () => {
  it('a newcomer without root and without Chromium is stopped before anything runs, with the one command to run', () => {
    const m = machine({ chromium: false, fonts: true });
    const r = run('npm', ['test'], { ...m.env, SANMIN_AS_UID: '1000' });
    expect(r.code).toBe(1);
    expect(r.err).toContain(INSTALL);
    expect(r.err).toContain('本机缺少:chromium');
    // nothing else ran: no client bundle, no typecheck, no vitest, no apt-get
    expect(r.out + r.err).not.toMatch(/bundled|tsc|vitest|RUN/);
    expect(m.log()).toEqual([]);
    expect(r.seconds).toBeLessThan(20);
  });

  it('missing Chinese fonts alone also stop a non-root run, naming fonts-noto-cjk', () => {
    const m = machine({ chromium: true, fonts: false });
    const r = run('node', ['scripts/ensure-browser.mjs'], { ...m.env, SANMIN_AS_UID: '1000' });
    expect(r.code).toBe(1);
    expect(r.err).toContain('本机缺少:fonts-noto-cjk');
    expect(r.err).toContain(INSTALL);
  });

  it('as root it installs chromium and fonts-noto-cjk with apt-get, noninteractive, after an update, then lets the tests run', () => {
    const m = machine({ chromium: false, fonts: false });
    const r = run('node', ['scripts/ensure-browser.mjs'], { ...m.env, SANMIN_AS_UID: '0' });
    expect(r.code, r.err).toBe(0);
    expect(m.log()).toEqual(['noninteractive update -qq', 'noninteractive install -y -qq chromium fonts-noto-cjk']);
    expect(existsSync(m.chromium)).toBe(true);
    expect(r.err).toContain('已安装 chromium fonts-noto-cjk');
  });

  it('as root, an install that fails stops the tests with the reason and the command', () => {
    const m = machine({ chromium: false, fonts: true, aptFails: true });
    const r = run('node', ['scripts/ensure-browser.mjs'], { ...m.env, SANMIN_AS_UID: '0' });
    expect(r.code).toBe(1);
    expect(r.err).toContain('安装 chromium fonts-noto-cjk 失败');
    expect(r.err).toContain(INSTALL);
  });

  it('with both installed it neither installs nor prints anything', () => {
    const m = machine({ chromium: true, fonts: true });
    const r = run('node', ['scripts/ensure-browser.mjs'], { ...m.env, SANMIN_AS_UID: '0' });
    expect(r.code).toBe(0);
    expect(r.out + r.err).toBe('');
    expect(m.log()).toEqual([]);
  });
});
