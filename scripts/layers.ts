/**
 * The one-way layout, checked over the import graph (README "Layout").
 *
 *   routes → services → repos → db/schema;  services → cores;  routes → views/<domain>;
 *   views → views/components only;  cores import nothing of hono, drizzle, db or lib/render
 *   (checked through everything they import);  nothing imports a route file but app.ts.
 *
 * Every file under src/<domain>/ names its role in its file name; `npm run layers` prints the
 * violations, and test/core/layers.test.ts fails while any is left.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

export type Role =
  | 'app' | 'entry' | 'edge' | 'route' | 'service' | 'repo' | 'core' | 'schemas' | 'client'
  | 'db' | 'lib' | 'generated' | 'view' | 'component' | 'unnamed' | 'outside' | 'data';

export interface Violation {
  from: string;
  to?: string;
  rule: string;
}

/** Folders under src/ that are not a capability. */
const INFRA = new Set(['db', 'lib', 'cli', 'node', 'generated']);
/** Files in src/lib that serve HTTP (the edge): they may import views, like routes. */
const EDGE_LIB = new Set(['src/lib/render.tsx', 'src/lib/assets.ts', 'src/lib/error-page.tsx']);
/** Packages a pure core must not reach, directly or through what it imports. */
const IMPURE_PACKAGE = /^(hono|drizzle-orm|@libsql|@hono)(\/|$)/;

export function roleOf(file: string): Role {
  if (file === 'src/app.ts') return 'app';
  if (file.startsWith('views/components/')) return 'component';
  if (file.startsWith('views/')) return file.split('/').length === 3 ? 'view' : 'unnamed';
  if (file.endsWith('.json')) return 'data';
  if (!file.startsWith('src/')) return 'outside';
  if (file === 'src/server.node.ts' || file === 'src/worker.ts') return 'entry';
  if (file === 'src/env.ts' || file === 'src/types.d.ts') return 'lib';
  const [, folder] = file.split('/');
  if (folder === 'cli' || folder === 'node') return 'entry';
  if (folder === 'generated') return 'generated';
  if (EDGE_LIB.has(file) || /\.middleware\.tsx?$/.test(file)) return 'edge';
  if (/\.routes\.tsx?$/.test(file)) return 'route';
  if (/\.core\.tsx?$/.test(file)) return 'core';
  if (/\.service\.tsx?$/.test(file)) return 'service';
  if (/\.repo\.tsx?$/.test(file)) return 'repo';
  if (/\.schemas\.tsx?$/.test(file)) return 'schemas';
  if (/\.client\.tsx?$/.test(file)) return 'client';
  if (folder === 'db') return 'db';
  if (folder === 'lib') return 'lib';
  return INFRA.has(folder!) ? 'lib' : 'unnamed';
}

const domainOf = (file: string) => file.split('/')[1];

const IMPORT = /(?:^|[\s;])(?:import|export)\s+(?:type\s+)?(?:[\w*{}\s,$]*?\s+from\s+)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

export function importsOf(source: string): string[] {
  const out: string[] = [];
  // comments may quote imports; strip them first
  const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
  for (const m of code.matchAll(IMPORT)) out.push((m[1] ?? m[2])!);
  return out;
}

function walk(dir: string, root: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path, root, out);
    else if (/\.tsx?$/.test(name) && !name.endsWith('.d.ts')) out.push(relative(root, path));
  }
  return out;
}

function resolveImport(root: string, from: string, spec: string): string | null {
  if (!spec.startsWith('.')) return null;
  const base = relative(root, resolve(root, dirname(from), spec));
  for (const candidate of [base, `${base}.ts`, `${base}.tsx`, `${base}/index.ts`, base.replace(/\.js$/, '.ts')]) {
    try {
      if (statSync(join(root, candidate)).isFile()) return candidate;
    } catch {
      /* try the next spelling */
    }
  }
  return base;
}

export interface Graph {
  files: string[];
  /** file → [resolved local file | package name] */
  edges: Map<string, { local: string[]; packages: string[] }>;
}

export function buildGraph(root: string, folders = ['src', 'views', 'test', 'bench', 'scripts']): Graph {
  const files = folders.flatMap((f) => {
    try {
      return walk(join(root, f), root);
    } catch {
      return [];
    }
  });
  const edges = new Map<string, { local: string[]; packages: string[] }>();
  for (const file of files) {
    const local: string[] = [];
    const packages: string[] = [];
    for (const spec of importsOf(readFileSync(join(root, file), 'utf8'))) {
      const target = resolveImport(root, file, spec);
      if (target) local.push(target);
      else packages.push(spec);
    }
    edges.set(file, { local, packages });
  }
  return { files, edges };
}

/** May a file of role `from` import a file of role `to`? (null when allowed, else the rule broken) */
function edgeRule(fromFile: string, toFile: string): string | null {
  const from = roleOf(fromFile);
  const to = roleOf(toFile);
  if (to === 'route' && from !== 'app' && from !== 'outside') return 'nothing imports a route file but app.ts';
  // seed data (JSON) is read by cores, services and lib alike; views are handed what they show
  if (to === 'data' && from !== 'view' && from !== 'component') return null;
  switch (from) {
    case 'view':
      if (to === 'component') return null;
      if (to === 'view' && dirname(toFile) === dirname(fromFile)) return null;
      return 'views import views/components (and their own folder) only';
    case 'component':
      // pure formatting (src/lib/*.core.ts) and each domain's vocabulary: its states and their Chinese names
      return to === 'component' || (to === 'core' && (toFile.startsWith('src/lib/') || toFile.endsWith('/states.core.ts'))) ? null : 'views/components import only components, src/lib/*.core.ts and the states cores';
    case 'core':
      return to === 'core' || to === 'lib' || to === 'generated' ? null : `cores import cores only, not a ${to}`;
    case 'client':
      return to === 'core' || to === 'client' || to === 'lib' || to === 'generated' ? null : `device code imports cores only, not a ${to}`;
    case 'schemas':
      return to === 'core' || to === 'schemas' || to === 'lib' ? null : `input shapes import cores only, not a ${to}`;
    case 'repo':
      if (toFile === 'src/lib/errors.ts') return 'a repo throws no HTTP error (domain errors are mapped at the edge)';
      return ['db', 'core', 'lib', 'repo', 'schemas', 'generated'].includes(to) ? null : `repos import db/schema and cores, not a ${to}`;
    case 'service':
      return ['db', 'core', 'lib', 'repo', 'service', 'schemas', 'generated'].includes(to) ? null : `services import repos and cores, not a ${to}`;
    case 'db':
      return ['db', 'lib', 'core'].includes(to) ? null : `db imports nothing of the domains, not a ${to}`;
    case 'lib':
      return ['db', 'lib', 'core', 'generated'].includes(to) ? null : `lib imports nothing of the domains, not a ${to}`;
    case 'route':
    case 'edge':
      if (to === 'repo') return 'routes call services, not repos';
      if (to === 'view' && from === 'route' && !toFile.startsWith(`views/${domainOf(fromFile)}/`)) {
        return `a route renders its own domain's views (views/${domainOf(fromFile)}/)`;
      }
      return null;
    default:
      return null;
  }
}

export function layerViolations(root: string): Violation[] {
  const { files, edges } = buildGraph(root);
  const out: Violation[] = [];
  for (const file of files) {
    const role = roleOf(file);
    if (role === 'unnamed') {
      out.push({ from: file, rule: file.startsWith('views/') ? 'a page lives in views/<domain>/' : 'a file in a domain folder names its role (.core .service .repo .routes .schemas .client)' });
    }
    const { local, packages } = edges.get(file)!;
    for (const to of local) {
      const rule = edgeRule(file, to);
      if (rule) out.push({ from: file, to, rule });
    }
    if (role === 'view' || role === 'component') {
      for (const p of packages) if (/^(drizzle-orm|@libsql)/.test(p)) out.push({ from: file, to: p, rule: 'views import no drizzle' });
    }
  }
  // cores stay pure through everything they reach
  const impure = new Map<string, string | null>();
  const reach = (file: string, seen: Set<string>): string | null => {
    if (impure.has(file)) return impure.get(file)!;
    if (seen.has(file)) return null;
    seen.add(file);
    const e = edges.get(file);
    let found: string | null = null;
    if (e) {
      const pkg = e.packages.find((p) => IMPURE_PACKAGE.test(p));
      if (pkg) found = `${file} → ${pkg}`;
      for (const to of e.local) {
        if (found) break;
        if (to.startsWith('src/db/') || to === 'src/lib/render.tsx') found = `${file} → ${to}`;
        else found = reach(to, seen);
      }
    }
    impure.set(file, found);
    return found;
  };
  for (const file of files) {
    if (roleOf(file) !== 'core' && roleOf(file) !== 'client') continue;
    const chain = reach(file, new Set());
    if (chain) out.push({ from: file, to: chain, rule: 'a core reaches nothing of hono, drizzle, db or lib/render' });
  }
  return out;
}

/** Counts of imports between roles (for the README and the closing note). */
export function directionTable(root: string): Record<string, number> {
  const { files, edges } = buildGraph(root, ['src', 'views']);
  const table: Record<string, number> = {};
  for (const file of files) {
    for (const to of edges.get(file)!.local) {
      const key = `${roleOf(file)} → ${roleOf(to)}`;
      table[key] = (table[key] ?? 0) + 1;
    }
  }
  return Object.fromEntries(Object.entries(table).sort(([a], [b]) => a.localeCompare(b)));
}

const isMain = process.argv[1] && resolve(process.argv[1]) === resolve(new URL(import.meta.url).pathname);
if (isMain) {
  const root = resolve(dirname(new URL(import.meta.url).pathname), '..');
  const only = process.argv.slice(2).filter((a) => !a.startsWith('--'));
  const all = layerViolations(root).filter((v) => only.length === 0 || only.some((o) => v.from.startsWith(o)));
  if (process.argv.includes('--table')) console.log(JSON.stringify(directionTable(root), null, 2));
  for (const v of all) console.log(`${v.from}${v.to ? ` → ${v.to}` : ''}\n    ${v.rule}`);
  console.log(all.length === 0 ? 'layout: every import points one way' : `layout: ${all.length} violation(s)`);
  process.exitCode = all.length === 0 ? 0 : 1;
}
