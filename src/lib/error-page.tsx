import type { Context } from 'hono';
import { ErrorPage } from '../../views/components/error-page';
import type { AppEnv } from '../env';
import type { AppError } from './errors';
import { page } from './render';

/** JSON `{error: {code, message, fields?}}` under /api, a Chinese page elsewhere. */
export function renderError(c: Context<AppEnv>, err: AppError) {
  // Open311 GeoReport v2 errors: an array of {code, description}; our stable code beside them
  if (c.req.path.startsWith('/open311/')) return c.json([{ code: err.status, description: err.message, error_code: err.code }], err.status);
  if (c.req.path.startsWith('/api/')) {
    const fields = Object.keys(err.fields).length ? { fields: err.fields } : {};
    return c.json({ error: { code: err.code, message: err.message, ...fields } }, err.status);
  }
  if (!c.var.csrfToken) c.set('csrfToken', '');
  return page(c, { title: '出错了', status: err.status }, <ErrorPage status={err.status} message={err.message} code={err.code} />);
}
