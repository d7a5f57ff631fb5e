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

/** Forms are read in one place (src/lib/input.ts): malformed bodies answer 400, text is cleaned. */
export { readForm as formFields, readFormAll as formFieldsAll } from './input';
