// npm run check:readme [-- --only name,name] [-- --keep]
//
// Every command the README lists, run the way a newcomer would: on a fresh `git clone` of this
// working tree (uncommitted edits included) in a temporary folder, reusing the installed
// node_modules through a symlink, each command with src/generated/ deleted first (so each works in
// any order, with nothing run before it). A command runs as the README writes it or in its cheap
// form (COMMANDS below). Three lanes run side by side, each in its own clone; a step that needs
// another's output (draw:verify, verify) runs after it in the same lane. Fails when a command fails, or when the README names an `npm …` command
// that COMMANDS does not cover: a new README command needs an entry here.
//
// To change how a command is checked, edit its entry in COMMANDS: `run(ctx)` returns nothing when
// the command did what the README says, or a string saying what went wrong. `skip` says why a
// command is covered elsewhere.
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2).filter((a) => a !== '--');
const only = argv.includes('--only') ? new Set(argv[argv.indexOf('--only') + 1].split(',')) : undefined;
const keep = argv.includes('--keep');
const CAMPAIGN_TITLE = '2018年市政府部门向市民报告听市民意见请市民评议活动';

// ------------------------------------------------------------------ what the README lists

/** Every `npm …` command in the README's code (fenced blocks and inline code): [script name, text]. */
export function readmeCommands(readme) {
  const code = [...readme.matchAll(/```[^\n]*\n([\s\S]*?)```/g)].map((m) => m[1]);
  const withoutBlocks = readme.replace(/```[^\n]*\n[\s\S]*?```/g, '');
  code.push(...[...withoutBlocks.matchAll(/`([^`\n]+)`/g)].map((m) => m[1]));
  const found = new Map();
  for (const text of code) {
    for (const m of text.matchAll(/\bnpm (?:run(?:-script)? ([a-z][\w:.-]*)|(install|ci|start|test)\b)([^\n`|#&]*)/g)) {
      const name = m[1] ?? m[2];
      if (!found.has(name)) found.set(name, []);
      found.get(name).push(`npm ${m[1] ? `run ${m[1]}` : m[2]}${m[3]}`.trim());
    }
  }
  return found;
}

/**
 * The README's own form of a command (the first in a table row, else the first anywhere), with
 * its optional [parts] dropped and each <placeholder> replaced from `values`.
 */
function readmeForm(readme, script, values) {
  const rows = readme.split('\n').filter((l) => l.startsWith('|'));
  const pattern = new RegExp(`npm run ${script.replace(/[:.]/g, '\\$&')} -- ([^\`|\\n]*)`);
  const line = rows.find((r) => pattern.test(r)) ?? readme;
  const m = line.match(pattern);
  if (!m) throw new Error(`the README shows no "npm run ${script} -- …" form`);
  let args = m[1];
  while (/\[[^\[\]]*\]/.test(args)) args = args.replace(/\s*\[[^\[\]]*\]/g, '');
  return args
    .trim()
    .split(/\s+/)
    .filter(Boolean)
    .map((token) => {
      const p = token.match(/^<([^>]+)>$/);
      if (!p) return token;
      if (!(p[1] in values)) throw new Error(`the README's "npm run ${script} -- ${m[1].trim()}" needs <${p[1]}>: teach scripts/check-readme.mjs what to put there`);
      if (values[p[1]] === undefined) throw new Error(`the README's "npm run ${script}" needs <${p[1]}>, which the step before did not produce`);
      return values[p[1]];
    });
}

// ------------------------------------------------------------------ running commands

const children = new Set();
function killTree(child, signal) {
  try {
    process.kill(-child.pid, signal); // each command runs in its own process group
  } catch {
    // already gone
  }
}

/** Starts `npm <args>` in the clone, in its own process group; output is kept for the report. */
function start(ctx, args, env = {}) {
  rmSync(join(ctx.clone, 'src', 'generated'), { recursive: true, force: true });
  const child = spawn('npm', args, { cwd: ctx.clone, env: { ...ctx.env, ...env }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  const out = { stdout: '', stderr: '' };
  child.stdout.on('data', (d) => (out.stdout += d));
  child.stderr.on('data', (d) => (out.stderr += d));
  const exited = new Promise((done) => child.once('exit', (code, signal) => { children.delete(child); done({ code, signal }); }));
  return { child, out, exited };
}

/** Runs `npm <args>` to its end (killed after timeoutS): exit code and output. */
async function npm(ctx, args, { env = {}, timeoutS = 120 } = {}) {
  const p = start(ctx, args, env);
  const timer = setTimeout(() => killTree(p.child, 'SIGKILL'), timeoutS * 1000);
  const { code, signal } = await p.exited;
  clearTimeout(timer);
  ctx.last = p.out;
  return { code: signal ? `killed after ${timeoutS} s` : code, ...p.out };
}

const ok = (r, test, what) => (r.code === 0 && test(r) ? undefined : `${what} (exit ${r.code})`);

function freePort() {
  return new Promise((done, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => done(port));
    });
  });
}

/**
 * Starts a server command, waits until `url` answers with the campaign's page, runs `probe`
 * against the running server (if given), then stops the server.
 */
async function serveAndFetch(ctx, args, env, url, timeoutS, probe) {
  const p = start(ctx, args, env);
  ctx.last = p.out;
  const deadline = Date.now() + timeoutS * 1000;
  let page;
  let exited = false;
  p.exited.then(() => (exited = true));
  while (Date.now() < deadline && !exited) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(30_000) });
      page = { status: res.status, body: await res.text() };
      break;
    } catch {
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  let error;
  if (!page) error = exited ? `stopped before serving ${url}` : `${url} did not answer within ${timeoutS} s`;
  else if (page.status !== 200 || !page.body.includes(CAMPAIGN_TITLE)) error = `${url} answered ${page.status} without the campaign's title`;
  else if (probe) error = await probe(new URL(url).origin).catch((err) => err.message);
  killTree(p.child, 'SIGTERM');
  const force = setTimeout(() => killTree(p.child, 'SIGKILL'), 10_000);
  await p.exited;
  clearTimeout(force);
  return error;
}

/** The README's `.dev.vars` example, each <placeholder> filled with a fresh value of its kind. */
function devVarsFromReadme(readme) {
  const block = [...readme.matchAll(/```[^\n]*\n([\s\S]*?)```/g)].map((m) => m[1]).find((b) => /^# \.dev\.vars\b/.test(b));
  if (!block) throw new Error('the README shows no `# .dev.vars` example block');
  const values = {};
  const text = block.replace(/^([A-Z_]+)=<([^>]*)>$/gm, (_, name, what) => {
    const bytes = crypto.getRandomValues(new Uint8Array(32));
    values[name] = /hex/i.test(what) ? Buffer.from(bytes).toString('hex') : Buffer.from(bytes).toString('base64url');
    return `${name}=${values[name]}`;
  });
  return { text, values };
}

/** A form post as a browser sends it: the page's CSRF field and cookie, then the form. */
async function postForm(base, path, form) {
  const page = await fetch(`${base}${path}`);
  const csrf = (await page.text()).match(/name="_csrf" value="([^"]+)"/)?.[1];
  if (!csrf) throw new Error(`${path} has no form`);
  const cookie = page.headers.getSetCookie().map((l) => l.split(';')[0]).join('; ');
  const res = await fetch(`${base}${path}`, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: csrf, ...form }),
  });
  return { status: res.status, body: await res.text() };
}

function filesUnder(dir) {
  const out = new Map();
  const walk = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.set(p, readFileSync(p, 'utf8'));
    }
  };
  walk(dir);
  return out;
}

// ------------------------------------------------------------------ the commands

const PASSWORD = 'readme check organiser password';

/** Each README command: how it is checked (in order), or why it is covered elsewhere. */
export const COMMANDS = {
  install: { skip: 'the clone reuses the node_modules `npm install` made here (symlinked); .ci/run runs `npm ci`' },
  ci: { skip: 'run by .ci/run before the tests' },
  test: { skip: 'run by .ci/run just before this check, on the working tree' },
  'check:readme': { skip: 'this check' },
  admin: {
    how: 'SANMIN_PASSWORD=… npm run admin -- create-user --username chief --name 总协调 --role organiser, on a throwaway database',
    run: async (ctx) => {
      const r = await npm(ctx, ['run', 'admin', '--', 'create-user', '--username', 'chief', '--name', '总协调', '--role', 'organiser'], { env: { DATABASE_URL: ctx.db('admin'), SANMIN_PASSWORD: PASSWORD } });
      return ok(r, () => r.stdout.includes('created organiser chief'), 'did not say "created organiser chief"');
    },
  },
  'audit:verify': {
    how: "npm run audit:verify on the admin step's database",
    run: async (ctx) => {
      const r = await npm(ctx, ['run', 'audit:verify'], { env: { DATABASE_URL: ctx.db('admin') } });
      return ok(r, () => /audit chain OK: [1-9]\d* entries/.test(r.stdout), 'did not report an intact chain');
    },
  },
  'db:migrate': {
    how: 'npm run db:migrate on a throwaway database',
    run: async (ctx) => {
      const r = await npm(ctx, ['run', 'db:migrate'], { env: { DATABASE_URL: ctx.db('migrate') } });
      return ok(r, () => r.stdout.includes('migrated and seeded') && existsSync(ctx.db('migrate').slice(5)), 'did not migrate and seed');
    },
  },
  'db:generate': {
    how: 'npm run db:generate writes nothing: drizzle/ matches src/db/schema',
    run: async (ctx) => {
      const before = filesUnder(join(ctx.clone, 'drizzle'));
      const r = await npm(ctx, ['run', 'db:generate']);
      const after = filesUnder(join(ctx.clone, 'drizzle'));
      const changed = [...after].filter(([p, t]) => before.get(p) !== t).map(([p]) => p.slice(ctx.clone.length + 1));
      if (r.code !== 0) return `exit ${r.code}`;
      return changed.length ? `the schema and drizzle/ disagree: it wrote ${changed.join(', ')}` : undefined;
    },
  },
  'seat-key': {
    how: 'npm run seat-key -- --campaign 2018 --group 1 --seat <1..3> --new-key-file <tmp>/k<seat>.json (three custodians), and one --passphrase-file',
    run: async (ctx) => {
      ctx.shared.seatKeys = [];
      for (const seat of [1, 2, 3]) {
        const file = join(ctx.tmp, `k${seat}.json`);
        const r = await npm(ctx, ['run', '--silent', 'seat-key', '--', '--campaign', '2018', '--group', '1', '--seat', String(seat), '--new-key-file', file]);
        if (r.code !== 0) return `exit ${r.code}`;
        ctx.shared.seatKeys.push({ seat, file, seatKey: JSON.parse(r.stdout.trim()).seatKey });
      }
      const pass = join(ctx.tmp, 'passphrase.txt');
      writeFileSync(pass, '春江潮水连海平海上明月共潮生\n');
      const p = await npm(ctx, ['run', '--silent', 'seat-key', '--', '--campaign', '2018', '--group', '1', '--seat', '1', '--passphrase-file', pass]);
      return ok(p, () => /"seatKey":"[A-Za-z0-9_-]{43}"/.test(p.stdout), 'printed no seat key for the passphrase');
    },
  },
  ceremony: {
    how: 'npm run ceremony -- --campaign 2018 --group 1 --seats <tmp>/seats.json --out <tmp>/ceremony.json on the seat-key step’s keys (3 seats, 2 of 3)',
    run: async (ctx) => {
      if (!ctx.shared.seatKeys) return 'needs the seat keys of seat-key';
      const seats = join(ctx.tmp, 'seats.json');
      writeFileSync(seats, JSON.stringify({ v: 1, kind: 'sanmin-tally-seats', campaign: '2018', group: 1, shareCount: 3, threshold: 2, replaces: null, seats: ctx.shared.seatKeys.map((k) => ({ seat: k.seat, custodian: `保管人${k.seat}`, seatKey: k.seatKey })) }));
      ctx.shared.ceremonyFile = join(ctx.tmp, 'ceremony.json');
      const r = await npm(ctx, ['run', 'ceremony', '--', '--campaign', '2018', '--group', '1', '--seats', seats, '--out', ctx.shared.ceremonyFile]);
      return ok(r, () => r.stdout.includes('签字') && existsSync(ctx.shared.ceremonyFile), 'wrote no ceremony file or record');
    },
  },
  unseal: {
    how: 'npm run unseal -- --open <seat 1’s sealed share from the ceremony file> --key-file <tmp>/k1.json --out <tmp>/share1.json (the whole unsealing runs in test/cli/custodians.test.ts)',
    run: async (ctx) => {
      if (!ctx.shared.ceremonyFile) return 'needs the ceremony file of ceremony';
      const c = JSON.parse(readFileSync(ctx.shared.ceremonyFile, 'utf8'));
      const sealed = join(ctx.tmp, 'sealed1.json');
      writeFileSync(sealed, JSON.stringify({ v: 1, kind: 'sanmin-tally-sealed-share', campaign: '2018', group: 1, seat: 1, shareCount: 3, threshold: 2, publicKey: c.publicKey, sealedShare: c.seats[0].sealedShare, fingerprint: c.seats[0].fingerprint }));
      const r = await npm(ctx, ['run', '--silent', 'unseal', '--', '--open', sealed, '--key-file', ctx.shared.seatKeys[0].file, '--out', join(ctx.tmp, 'share1.json')]);
      return ok(r, () => r.stdout.includes(c.seats[0].fingerprint), 'did not open the share to its fingerprint');
    },
  },
  layers: {
    how: 'npm run layers (the import graph, one way)',
    run: async (ctx) => {
      const r = await npm(ctx, ['run', '--silent', 'layers']);
      return ok(r, () => r.stdout.includes('layout: every import points one way'), 'found imports that point the wrong way');
    },
  },
  'bench:draw': {
    lane: 'b',
    how: 'npm run bench:draw -- --out <tmp>/draw.json (the whole benchmark, keeping its draw file)',
    run: async (ctx) => {
      ctx.shared.drawFile = join(ctx.tmp, 'draw.json');
      const r = await npm(ctx, ['run', 'bench:draw', '--', '--out', ctx.shared.drawFile]);
      return ok(r, () => /draw 10k seats from 100k candidates: [\d.]+ s/.test(r.stdout) && existsSync(ctx.shared.drawFile), 'gave no timing or no draw file');
    },
  },
  'draw:verify': {
    lane: 'b',
    how: "npm run draw:verify -- <bench:draw's file>, and npm run draw:verify -- --commitment <seed>",
    run: async (ctx) => {
      if (!ctx.shared.drawFile) return 'needs the draw file of bench:draw';
      const r = await npm(ctx, ['run', 'draw:verify', '--', ctx.shared.drawFile]);
      const bad = ok(r, () => r.stdout.includes('draw verified: 10000 of 10000 seats'), 'did not verify the draw file');
      if (bad) return bad;
      const c = await npm(ctx, ['run', '--silent', 'draw:verify', '--', '--commitment', 'c0ffee'.repeat(10) + 'c0ff']);
      return ok(c, () => /^[0-9a-f]{64}$/.test(c.stdout.trim()), '--commitment did not print a commitment');
    },
  },
  rehearse: {
    lane: 'b',
    how: 'npm run rehearse -- --group 1 --delegates 20 --out <tmp>/result.json',
    run: async (ctx) => {
      const r = await npm(ctx, ['run', '--silent', 'rehearse', '--', '--group', '1', '--delegates', '20', '--out', join(ctx.tmp, 'result.json')], { timeoutS: 240 });
      try {
        ctx.shared.rehearsal = JSON.parse(r.stdout.trim().split('\n').at(-1));
      } catch {
        return `printed no JSON line (exit ${r.code})`;
      }
      return ok(r, () => ctx.shared.rehearsal.verified === true && existsSync(ctx.shared.rehearsal.resultFile), 'did not print a verified result file');
    },
  },
  verify: {
    lane: 'b',
    how: "the README's `npm run verify -- …` form (optional parts dropped) on the rehearsal's files",
    run: async (ctx) => {
      if (!ctx.shared.rehearsal) return 'needs the result file of rehearse';
      // what the rehearsal's JSON line names, by the README's placeholder names
      const values = { 'result.json': ctx.shared.rehearsal.resultFile, 'commitment.json': ctx.shared.rehearsal.commitmentFile, file: ctx.shared.rehearsal.commitmentFile };
      const args = readmeForm(ctx.readme, 'verify', values);
      ctx.note = `npm run verify -- ${args.map((a) => a.replace(ctx.tmp, '<tmp>')).join(' ')}`;
      const r = await npm(ctx, ['run', 'verify', '--', ...args]);
      return r.code === 0 ? undefined : `exit ${r.code}`;
    },
  },
  'bench:tally': {
    lane: 'b',
    how: 'npm run bench:tally -- --quick (100 ballots a group, sealed, committed, unsealed, tallied)',
    run: async (ctx) => {
      const r = await npm(ctx, ['run', 'bench:tally', '--', '--quick'], { timeoutS: 240 });
      return ok(r, () => r.stdout.includes('sealed and stored 400 ballots') && r.stdout.includes('unseal + tally of the whole campaign'), 'did not tally 400 ballots');
    },
  },
  bench: {
    lane: 'b',
    how: 'npm run bench -- --quick (group 1 opened, a 1 s ceiling, 20 warm-up casts, a burst of 200)',
    run: async (ctx) => {
      const r = await npm(ctx, ['run', 'bench', '--', '--quick'], { timeoutS: 240 });
      return ok(r, () => /ballot burst: .* 0 errors/.test(r.stdout), 'the burst did not run without errors');
    },
  },
  start: {
    how: 'npm start (PORT set to a free port), GET /c/2018, stop; it creates data/sanmin.db',
    run: async (ctx) => {
      const port = await freePort();
      const bad = await serveAndFetch(ctx, ['start'], { PORT: String(port), HOST: '127.0.0.1' }, `http://127.0.0.1:${port}/c/2018`, 120);
      if (bad) return bad;
      return existsSync(join(ctx.clone, 'data', 'sanmin.db')) ? undefined : 'data/sanmin.db was not created';
    },
  },
  'worker:dev': {
    lane: 'c',
    how: "npm run worker:dev (WORKER_PORT free, the README's .dev.vars) on a fresh .wrangler/, GET /c/2018, /setup, a sign-up, stop",
    run: async (ctx) => {
      const [port, inspector] = [await freePort(), await freePort()];
      const devVars = devVarsFromReadme(ctx.readme);
      writeFileSync(join(ctx.clone, '.dev.vars'), devVars.text);
      return serveAndFetch(ctx, ['run', 'worker:dev', '--', '--inspector-port', String(inspector)], { WORKER_PORT: String(port) }, `http://127.0.0.1:${port}/c/2018`, 240, async (base) => {
        // SANMIN_SETUP_TOKEN from .dev.vars opens /setup (no organiser yet on a fresh local D1)
        const setup = await fetch(`${base}/setup`);
        if (setup.status !== 200 || !(await setup.text()).includes('创建第一个组织者账号')) return `/setup answered ${setup.status} with the .dev.vars token set`;
        // ID_HASH_KEY from .dev.vars: an empty sign-up is refused for its fields (422), not for a missing key (503)
        const signup = await postForm(base, '/c/2018/signup', {});
        if (signup.status !== 422) return `an empty sign-up answered ${signup.status}, not 422, with ID_HASH_KEY set`;
        return undefined;
      });
    },
  },
  'worker:build': {
    how: 'npm run worker:build',
    run: async (ctx) => {
      const r = await npm(ctx, ['run', 'worker:build'], { timeoutS: 180 });
      return ok(r, () => r.stdout.includes('worker bundle builds'), 'did not build the bundle');
    },
  },
};

// ------------------------------------------------------------------ main

function freshClone(tmp, name) {
  const clone = join(tmp, name);
  const git = (args, cwd = repo) => spawnSync('git', args, { cwd, encoding: 'utf8', maxBuffer: 64 << 20 });
  const c = git(['clone', '--quiet', repo, clone]);
  if (c.status !== 0) throw new Error(`git clone failed: ${c.stderr}`);
  const head = git(['rev-parse', 'HEAD']).stdout.trim();
  git(['checkout', '--quiet', '--detach', head], clone);
  // the working tree as it is: changed and new (not ignored) files copied over, deleted ones removed
  const changed = git(['ls-files', '-z', '--modified', '--others', '--exclude-standard']).stdout.split('\0').filter(Boolean);
  for (const f of changed) {
    const from = join(repo, f);
    if (!existsSync(from) || !statSync(from).isFile()) continue;
    mkdirSync(dirname(join(clone, f)), { recursive: true });
    copyFileSync(from, join(clone, f));
  }
  const deleted = git(['ls-files', '-z', '--deleted']).stdout.split('\0').filter(Boolean);
  for (const f of deleted) rmSync(join(clone, f), { force: true });
  symlinkSync(join(repo, 'node_modules'), join(clone, 'node_modules'), 'dir');
  return { clone, head, changed: changed.length + deleted.length };
}

async function main() {
  const t0 = performance.now();
  // stopped midway: stop every command still running too (installed here, not on import)
  for (const sig of ['SIGINT', 'SIGTERM']) {
    process.once(sig, () => {
      for (const c of children) killTree(c, 'SIGKILL');
      process.exit(130);
    });
  }
  const readme = readFileSync(join(repo, 'README.md'), 'utf8');
  const listed = readmeCommands(readme);
  const scripts = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')).scripts;
  const problems = [];
  for (const [name, forms] of listed) {
    if (!COMMANDS[name]) problems.push(`the README lists "${forms[0]}", which scripts/check-readme.mjs does not check: add it to COMMANDS`);
    if (!['install', 'ci', 'test', 'start'].includes(name) && !scripts[name]) problems.push(`the README lists "${forms[0]}", but package.json has no script "${name}"`);
  }

  const tmp = mkdtempSync(join(tmpdir(), 'sanmin-readme-'));
  const { head, changed } = freshClone(tmp, 'sanmin-a');
  console.log(`README check on fresh clones of ${head.slice(0, 10)}${changed ? ` with ${changed} uncommitted change(s)` : ''} in ${tmp}`);
  const env = { ...process.env };
  for (const k of Object.keys(env)) if (/^(SANMIN_|DATABASE_|LIBSQL_|PORT$|HOST$|WORKER_PORT$)/.test(k)) delete env[k];
  const ctx = { tmp, readme, env, shared: {}, db: (name) => `file:${join(tmp, name, 'sanmin.db')}` };

  // three lanes run side by side (a step that needs another's output is in its lane, after it)
  const lanes = {};
  for (const [name, entry] of Object.entries(COMMANDS)) {
    if (entry.skip || !listed.has(name) || (only && !only.has(name))) continue;
    (lanes[entry.lane ?? 'a'] ??= []).push([name, entry]);
  }
  const results = [];
  await Promise.all(
    Object.entries(lanes).map(async ([lane, steps]) => {
      // each lane its own clone, so deleting src/generated/ never races another lane's command
      const clone = lane === 'a' ? join(tmp, 'sanmin-a') : freshClone(tmp, `sanmin-${lane}`).clone;
      for (const [name, entry] of steps) {
        const t = performance.now();
        const step = Object.create(ctx); // note and last output are the step's own
        step.clone = clone;
        let error;
        try {
          error = await entry.run(step);
        } catch (err) {
          error = err.message;
        }
        const seconds = (performance.now() - t) / 1000;
        results.push({ name, seconds, error });
        let report = `${error ? '✗' : '✓'} ${(step.note ?? entry.how).padEnd(100)} ${seconds.toFixed(1).padStart(6)} s${error ? `\n    ${error}` : ''}`;
        if (error && step.last) report += `\n    last output:\n      ${(step.last.stdout + '\n' + step.last.stderr).trim().split('\n').slice(-25).join('\n      ')}`;
        console.log(report);
      }
    }),
  );
  for (const [name, entry] of Object.entries(COMMANDS)) if (entry.skip && listed.has(name)) console.log(`· ${`npm ${['install', 'ci', 'test', 'start'].includes(name) ? '' : 'run '}${name}`.padEnd(100)} covered: ${entry.skip}`);
  for (const p of problems) console.log(`✗ ${p}`);

  const failed = results.filter((r) => r.error).length + problems.length;
  const total = (performance.now() - t0) / 1000;
  console.log(`\n${failed ? `README check FAILED: ${failed} problem(s)` : `README check passed: ${results.length} commands`} in ${total.toFixed(0)} s`);
  if (!keep) rmSync(tmp, { recursive: true, force: true });
  else console.log(`kept ${tmp}`);
  process.exit(failed ? 1 : 0);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
