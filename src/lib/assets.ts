import type { Context } from 'hono';
import { PAGE_SCRIPTS, scriptSrc } from '../../views/components/scripts';
import type { AppEnv } from '../env';
import { sha256Hex } from './crypto';
import { DEVICE_BUNDLES } from './bundles';
import { checkPageHtml, checkPagePolicy } from '../generated/check-page';
import { ceremonyPageHtml, ceremonyPagePolicy } from '../generated/ceremony-page';

/**
 * Every script a page loads, served from this origin (the CSP allows scripts from 'self' only):
 * the page scripts and the two device bundles (imported as strings, so this works on Workers).
 */
const SCRIPTS: Record<string, string> = { ...PAGE_SCRIPTS, ...DEVICE_BUNDLES };

export { deviceBundleHashes, servedAt } from './bundles';

/** The header policy of /check: its own (inline script and style admitted by hash, no network at all), and no framing. */
export const CHECK_PAGE_POLICY = `${checkPagePolicy}; frame-ancestors 'none'`;

function serveSelfContained(c: Context<AppEnv>, html: string, policy: string) {
  const etag = `"${sha256Hex(html).slice(0, 16)}"`;
  const headers = {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-cache',
    etag,
    'content-security-policy': policy,
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
  };
  if (c.req.header('if-none-match') === etag) return c.body(null, 304, headers);
  return c.body(html, 200, headers);
}

/**
 * `GET /check`: the ballot-check page, the same bytes whose hash is published (no templating at
 * request time), so a copy saved from here matches. It needs no database and no session.
 */
export const serveCheckPage = (c: Context<AppEnv>) => serveSelfContained(c, checkPageHtml, CHECK_PAGE_POLICY);

/** The header policy of /ceremony: the same rules as /check, for its own inline script and style. */
export const CEREMONY_PAGE_POLICY = `${ceremonyPagePolicy}; frame-ancestors 'none'`;

/** `GET /ceremony`: the key ceremony page, self-contained like /check, its hash published (ceremony.html). */
export const serveCeremonyPage = (c: Context<AppEnv>) => serveSelfContained(c, ceremonyPageHtml, CEREMONY_PAGE_POLICY);

/** The versioned URL of a static script (`/static/ballot.js?v=…`). */
export const staticScript = (name: 'ballot.js' | 'survey.js' | 'custodian.js') => scriptSrc(name, SCRIPTS[name]);

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
