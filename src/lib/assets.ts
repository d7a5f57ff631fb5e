import type { Context } from 'hono';
import { PAGE_SCRIPTS, scriptSrc } from '../../views/scripts';
import type { AppEnv } from '../env';
import { sha256Hex } from './crypto';
import { ballotClientJs } from '../generated/ballot-client';
import { surveyClientJs } from '../generated/survey-client';

/**
 * Every script a page loads, served from this origin (the CSP allows scripts from 'self' only):
 * the page scripts and the two device bundles (imported as strings, so this works on Workers).
 */
const SCRIPTS: Record<string, string> = { ...PAGE_SCRIPTS, 'ballot.js': ballotClientJs, 'survey.js': surveyClientJs };

/** SHA-256 of each device bundle exactly as served: published so an observer can compare it with a build of the published source. */
let bundleHashes: { name: string; sha256: string }[] | undefined;
export const deviceBundleHashes = () => (bundleHashes ??= (['ballot.js', 'survey.js'] as const).map((name) => ({ name, sha256: sha256Hex(SCRIPTS[name]!) })));

/** The versioned URL of a static script (`/static/ballot.js?v=…`). */
export const staticScript = (name: 'ballot.js' | 'survey.js') => scriptSrc(name, SCRIPTS[name]);

/**
 * `GET /static/<name>.js`: the URL carries the content's version, so the file may be cached for a
 * year (`immutable`); the ETag lets a stale or unversioned request revalidate for nothing.
 */
export function serveScript(c: Context<AppEnv>) {
  const name = c.req.param('name') ?? '';
  const body = SCRIPTS[name];
  if (body === undefined) return undefined;
  const etag = `"${scriptSrc(name, body).split('v=')[1]}"`;
  const versioned = c.req.query('v') !== undefined;
  const headers = {
    'content-type': 'text/javascript; charset=utf-8',
    'cache-control': versioned ? 'public, max-age=31536000, immutable' : 'public, max-age=300',
    etag,
  };
  if (c.req.header('if-none-match') === etag) return c.body(null, 304, headers);
  return c.body(body, 200, headers);
}
