import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { layerViolations, roleOf } from '../../scripts/layers';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** A throwaway tree: the checker must catch each way an arrow can point back up. */
function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'layers-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

describe('the one-way layout', () => {
  it('every import in src/ and views/ points one way (README "Layout")', () => {
    const found = layerViolations(root).map((v) => `${v.from}${v.to ? ` → ${v.to}` : ''}: ${v.rule}`);
    expect(found).toEqual([]);
  });

  it('files are given their role by name', () => {
    expect(roleOf('src/tally/tally.core.ts')).toBe('core');
    expect(roleOf('src/tally/tally.service.ts')).toBe('service');
    expect(roleOf('src/tally/tally.routes.tsx')).toBe('route');
    expect(roleOf('src/tally/helpers.ts')).toBe('unnamed');
    expect(roleOf('views/tally/tally-page.tsx')).toBe('view');
    expect(roleOf('views/components/layout.tsx')).toBe('component');
  });

  it('catches a view that imports a repo, a rule or a drizzle type', () => {
    const dir = tree({
      'src/tally/tally.repo.ts': 'export const x = 1;',
      'src/lib/pii.core.ts': 'export const mask = (s: string) => s;',
      'views/tally/page.tsx': "import { x } from '../../src/tally/tally.service';\nimport type { A } from 'drizzle-orm';",
      'views/survey/page.tsx': "import { mask } from '../../src/lib/pii.core';",
    });
    const rules = layerViolations(dir).map((v) => `${v.from}: ${v.rule}`);
    expect(rules).toContain('views/tally/page.tsx: views import views/components (and their own folder) only');
    expect(rules).toContain('views/tally/page.tsx: views import no drizzle');
    expect(rules).toContain('views/survey/page.tsx: views import views/components (and their own folder) only');
  });

  it('catches a core that reaches hono through a helper, and a repo that throws an HTTP error', () => {
    const dir = tree({
      'src/lib/errors.ts': "import { HTTPException } from 'hono/http-exception';\nexport class AppError extends HTTPException {}",
      'src/lib/helper.ts': "export { AppError } from './errors';",
      'src/tally/tally.core.ts': "import { AppError } from '../lib/helper';",
      'src/tally/tally.repo.ts': "import { AppError } from '../lib/errors';",
    });
    const rules = layerViolations(dir).map((v) => `${v.from}: ${v.rule}`);
    expect(rules).toContain('src/tally/tally.core.ts: a core reaches nothing of hono, drizzle, db or lib/render');
    expect(rules).toContain('src/tally/tally.repo.ts: a repo throws no HTTP error (domain errors are mapped at the edge)');
  });

  it('catches a route that calls a repo, renders another domain, or is imported by anything but app.ts', () => {
    const dir = tree({
      'src/app.ts': "import { r } from './tally/tally.routes';",
      'src/tally/tally.repo.ts': 'export const x = 1;',
      'views/survey/page.tsx': 'export const P = 1;',
      'src/tally/tally.routes.tsx': "import { x } from './tally.repo';\nimport { P } from '../../views/survey/page';\nexport const r = 1;",
      'src/survey/survey.service.ts': "import { r } from '../tally/tally.routes';",
    });
    const rules = layerViolations(dir).map((v) => `${v.from}: ${v.rule}`);
    expect(rules).toContain('src/tally/tally.routes.tsx: routes call services, not repos');
    expect(rules).toContain("src/tally/tally.routes.tsx: a route renders its own domain's views (views/tally/)");
    expect(rules).toContain('src/survey/survey.service.ts: nothing imports a route file but app.ts');
    expect(rules.filter((r) => r.startsWith('src/app.ts'))).toEqual([]);
  });
});
