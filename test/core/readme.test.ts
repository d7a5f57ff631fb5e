import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';

// The README is what a newcomer trusts first: its paths must exist, its tree must show every
// folder, and every command it lists must be one the README check (npm run check:readme) runs.
const root = process.cwd();
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const ROOTS = ['src', 'test', 'views', 'seed', 'bench', 'scripts', 'drizzle', '.ci'];

const treeBlock = (() => {
  const at = readme.indexOf('## Architecture');
  const m = readme.slice(at).match(/```\n([\s\S]*?)```/);
  if (at < 0 || !m) throw new Error('the README has no architecture tree');
  return m[1]!;
})();

/** `a/{b,c}.ts` → `a/b.ts`, `a/c.ts`. */
function expand(path: string): string[] {
  const m = path.match(/^(.*?)\{([^{}]+)\}(.*)$/);
  return m ? m[2]!.split(',').flatMap((part) => expand(`${m[1]}${part}${m[3]}`)) : [path];
}

const ignored = (path: string) => spawnSync('git', ['check-ignore', '-q', path], { cwd: root }).status === 0;
function exists(path: string) {
  if (existsSync(join(root, path)) || ignored(path)) return true; // git-ignored: an output location (test/artifacts/)
  // a migration named by its number (`drizzle/0010`)
  const n = path.match(/^drizzle\/(\d{4})$/);
  return !!n && readdirSync(join(root, 'drizzle')).some((f) => f.startsWith(`${n[1]}_`));
}

/** Every path the tree names: its entries, and the files named in their descriptions, resolved in their folder. */
function treePaths(): string[] {
  const out: string[] = [];
  let top = '';
  let folder = '';
  for (const line of treeBlock.split('\n')) {
    if (!line.trim()) continue;
    const entry = line.match(/^( *)(\S+)/)!;
    const indent = entry[1]!.length;
    const first = entry[2]!;
    if (indent === 0) {
      top = first.replace(/\/$/, '');
      folder = '';
      out.push(first);
    } else if (indent === 2) {
      folder = first.endsWith('/') ? first.replace(/\/$/, '') : '';
      out.push(`${top}/${first}`);
    }
    const rest = indent <= 2 ? line.slice(indent + first.length) : line;
    for (const m of rest.matchAll(/(?<![\w@])((?:[\w.-]+\/)*[\w.-]+\.(?:ts|tsx|mjs|json|sql))\b/g)) {
      const token = m[1]!;
      if (ROOTS.some((r) => token.startsWith(`${r}/`))) out.push(token);
      else out.push([top, folder, token].filter(Boolean).join('/'));
    }
  }
  return out;
}

/** Every repository path in the README's inline code, outside the tree. */
function codePaths(): string[] {
  const spans = [...readme.replace(/```[\s\S]*?```/g, '').matchAll(/`([^`\n]+)`/g)].map((m) => m[1]!);
  const out: string[] = [];
  for (const span of spans) {
    for (const m of span.matchAll(/(?:^|[\s(])((?:src|test|views|seed|bench|scripts|drizzle|\.ci)\/[\w./{},-]*)/g)) {
      out.push(...expand(m[1]!.replace(/[.,]$/, '')));
    }
  }
  return out;
}

describe('the README, read by a newcomer', () => {
  it('names no file or folder that does not exist (in its tree or its text)', () => {
    const named = [...treePaths(), ...codePaths()];
    expect(named.length).toBeGreaterThan(60);
    expect(named).toContain('src/hearing/');
    expect(named.filter((p) => !exists(p))).toEqual([]);
  });

  it('shows every folder under src/ in its architecture tree', () => {
    const entries = new Set(treePaths().filter((p) => p.endsWith('/')).map((p) => p.replace(/\/$/, '')));
    const mentioned = (dir: string) => entries.has(dir) || treeBlock.includes(`${dir.split('/').slice(-2).join('/')}/`) || treeBlock.includes(` ${dir.split('/').at(-1)}/`);
    const folders: string[] = [];
    const walk = (dir: string) => {
      for (const e of readdirSync(join(root, dir), { withFileTypes: true })) {
        if (e.isDirectory()) {
          folders.push(`${dir}/${e.name}`);
          walk(`${dir}/${e.name}`);
        }
      }
    };
    walk('src');
    expect(folders).toContain('src/tally');
    for (const top of folders.filter((f) => f.split('/').length === 2)) expect(entries.has(top), `${top}/ is not an entry of the tree`).toBe(true);
    expect(folders.filter((f) => !mentioned(f))).toEqual([]);
  });

  it('names every schema file on the tree’s db/schema/ line', () => {
    const line = treeBlock.split('\n').find((l) => l.trim().startsWith('db/schema/'))!;
    const schemaFiles = readdirSync(join(root, 'src/db/schema')).map((f) => f.replace(/\.ts$/, ''));
    expect(schemaFiles.length).toBeGreaterThanOrEqual(8);
    expect(schemaFiles.filter((f) => !new RegExp(`\\b${f}\\b`).test(line))).toEqual([]);
  });

  it('lists no npm command that npm run check:readme does not run or account for', async () => {
    const checker = join(root, 'scripts/check-readme.mjs');
    const { readmeCommands, COMMANDS } = (await import(checker)) as {
      readmeCommands(text: string): Map<string, string[]>;
      COMMANDS: Record<string, unknown>;
    };
    const listed = readmeCommands(readme);
    for (const name of ['start', 'test', 'admin', 'rehearse', 'verify', 'bench', 'worker:dev', 'check:readme']) expect(listed.has(name), name).toBe(true);
    expect([...listed.keys()].filter((name) => !(name in COMMANDS))).toEqual([]);
    const scripts = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).scripts as Record<string, string>;
    expect([...listed.keys()].filter((name) => !['install', 'ci', 'test', 'start'].includes(name) && !scripts[name])).toEqual([]);
  });
});

describe('every README command works on a fresh clone, in any order', () => {
  const scripts = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).scripts as Record<string, string>;

  it('every npm script that runs TypeScript or the Worker builds the device bundles first', () => {
    const needing = Object.entries(scripts)
      .filter(([name, cmd]) => !name.startsWith('pre') && /\b(tsx|vitest|wrangler|tsc)\b/.test(cmd))
      .map(([name]) => name);
    expect(needing).toContain('rehearse');
    expect(needing.filter((name) => !scripts[`pre${name}`]?.includes('npm run build:client'))).toEqual([]);
  });

  it('worker:dev applies the local D1 migrations first, without a prompt', () => {
    expect(scripts['preworker:dev']).toMatch(/CI=true .*wrangler d1 migrations apply sanmin --local/);
  });

  it('.ci/run is npm ci, then exactly the README’s test command, then the README check, with no install step of its own', () => {
    const ci = readFileSync(join(root, '.ci/run'), 'utf8');
    expect(ci).toMatch(/^set -euo pipefail$/m);
    const commands = ci.split('\n').filter((l) => l.trim() && !l.startsWith('#') && !/^(set|cd) /.test(l));
    expect(commands).toEqual(['npm ci --no-audit --no-fund', 'npm test', 'npm run check:readme']);
    expect(readme).toMatch(/^npm test {2,}#/m);
    expect(scripts['pretest']).toMatch(/^node scripts\/ensure-browser\.mjs && /);
  });
});

// keep the path helpers honest
describe('the README path reader', () => {
  it('expands brace lists and resolves tree descriptions in their folder', () => {
    expect(expand('test/core/{quota,draw}.core.test.ts')).toEqual(['test/core/quota.core.test.ts', 'test/core/draw.core.test.ts']);
    expect(treePaths()).toContain('src/hearing/client/ballot.client.ts');
    expect(dirname('src/db/schema/')).toBe('src/db');
  });
});
