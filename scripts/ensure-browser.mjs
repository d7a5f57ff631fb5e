// The first thing `npm test` runs (its pretest): the browser tests drive Debian's Chromium, and
// Chinese renders only with fonts-noto-cjk. When either is missing:
//   - as root (CI, these machines): apt-get update, then apt-get install -y chromium fonts-noto-cjk,
//     noninteractive, and check again;
//   - otherwise: stop at once, before anything else runs, printing the one command to run.
// The browser tests are never skipped: a machine that cannot get Chromium fails here, loudly.
//
// What is checked can be pointed elsewhere (test/cli/ensure-browser.test.ts does, to try the
// missing paths without removing the machine's Chromium):
//   CHROMIUM_PATH   the Chromium binary (default /usr/bin/chromium; the browser tests launch it too)
//   CJK_FONTS_DIR   where fonts-noto-cjk puts its fonts (default /usr/share/fonts/opentype/noto)
//   SANMIN_AS_UID   the user id to act as (default: the real one; 0 means root)
//   SANMIN_APT_GET  the apt-get to call (default apt-get)
import { spawnSync } from 'node:child_process';
import { accessSync, constants, readdirSync } from 'node:fs';

const PACKAGES = ['chromium', 'fonts-noto-cjk'];
const INSTALL_COMMAND = `sudo apt-get install -y ${PACKAGES.join(' ')}`;

const chromium = process.env['CHROMIUM_PATH'] || '/usr/bin/chromium';
const fontsDir = process.env['CJK_FONTS_DIR'] || '/usr/share/fonts/opentype/noto';
const uid = process.env['SANMIN_AS_UID'] !== undefined && process.env['SANMIN_AS_UID'] !== '' ? Number(process.env['SANMIN_AS_UID']) : process.getuid?.() ?? -1;
const aptGet = process.env['SANMIN_APT_GET'] || 'apt-get';

function missing() {
  const out = [];
  try {
    accessSync(chromium, constants.X_OK);
  } catch {
    out.push(`chromium (${chromium})`);
  }
  let fonts = [];
  try {
    fonts = readdirSync(fontsDir).filter((f) => /^Noto(Sans|Serif)CJK/.test(f));
  } catch {
    // no such folder: the package is not installed
  }
  if (fonts.length === 0) out.push(`fonts-noto-cjk (${fontsDir})`);
  return out;
}

const before = missing();
if (before.length === 0) process.exit(0);

if (uid !== 0) {
  console.error(`npm test 的浏览器测试需要 Debian 的 chromium 和 fonts-noto-cjk,本机缺少:${before.join('、')}。`);
  console.error('请先运行下面这一条命令,再运行 npm test(The browser tests need them; run this one command, then npm test again):');
  console.error('');
  console.error(`  ${INSTALL_COMMAND}`);
  console.error('');
  process.exit(1);
}

console.error(`缺少 ${before.join('、')}:以 root 身份用 apt-get 安装 ${PACKAGES.join(' ')}(约 30 秒)…`);
const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
const update = spawnSync(aptGet, ['update', '-qq'], { stdio: 'inherit', env });
if (update.status !== 0) console.error(`apt-get update 未成功(${update.error?.message ?? `exit ${update.status}`}),仍尝试安装`);
const install = spawnSync(aptGet, ['install', '-y', '-qq', ...PACKAGES], { stdio: 'inherit', env });
const after = missing();
if (install.status !== 0 || after.length > 0) {
  console.error(`安装 ${PACKAGES.join(' ')} 失败(${install.error?.message ?? `exit ${install.status}`}),仍缺少:${after.join('、') || '无'}。`);
  console.error(`请手动运行:${INSTALL_COMMAND}`);
  process.exit(1);
}
console.error(`已安装 ${PACKAGES.join(' ')}`);
