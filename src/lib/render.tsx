import type { Context } from 'hono';
import type { Child } from 'hono/jsx';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { Layout } from '../../views/layout';
import type { AppEnv } from '../env';

export function page(
  c: Context<AppEnv>,
  opts: { title: string; campaignCode?: string | undefined; status?: ContentfulStatusCode },
  body: Child,
) {
  c.header('Vary', 'HX-Request');
  return c.html(
    <Layout title={opts.title} user={c.var.user} csrfToken={c.var.csrfToken} campaignCode={opts.campaignCode}>
      {body}
    </Layout>,
    opts.status ?? 200,
  );
}

/** True when htmx asked for a fragment (a targeted swap), not a boosted full page. */
export function wantsFragment(c: Context<AppEnv>): boolean {
  return c.req.header('HX-Request') === 'true' && c.req.header('HX-Boosted') !== 'true';
}

/** Form fields as strings (the last value wins); files are ignored. */
export async function formFields(c: Context<AppEnv>): Promise<Record<string, string>> {
  const body = await c.req.parseBody();
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(body)) {
    const value = Array.isArray(v) ? v[v.length - 1] : v;
    if (typeof value === 'string') out[k] = value;
  }
  return out;
}

/** Form fields keeping repeated names (checkbox groups) as arrays. */
export async function formFieldsAll(c: Context<AppEnv>): Promise<Record<string, string | string[]>> {
  const body = await c.req.parseBody({ all: true });
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(body)) {
    if (Array.isArray(v)) out[k] = v.filter((x): x is string => typeof x === 'string');
    else if (typeof v === 'string') out[k] = v;
  }
  return out;
}
