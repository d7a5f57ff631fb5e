import type { Context } from 'hono';
import type { Child } from 'hono/jsx';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { Layout } from '../../views/components/layout';
import type { AppEnv } from '../env';
import { ROLE_LABELS } from '../auth/roles.core';

export function page(
  c: Context<AppEnv>,
  opts: { title: string; campaignCode?: string | undefined; status?: ContentfulStatusCode },
  body: Child,
) {
  c.header('Vary', 'HX-Request');
  return c.html(
    <Layout title={opts.title} user={c.var.user ? { displayName: c.var.user.displayName, roleLabel: ROLE_LABELS[c.var.user.role] } : null} csrfToken={c.var.csrfToken} campaignCode={opts.campaignCode}>
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
