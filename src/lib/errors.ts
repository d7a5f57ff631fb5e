import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { DomainError, type DomainErrorKind } from './domain-error.core';

export { DomainError };

/**
 * A domain error: a stable machine-readable code, a Chinese message fit for the user,
 * and optional per-field messages for forms. Never carries internal detail.
 */
export class AppError extends HTTPException {
  readonly code: string;
  readonly fields: Record<string, string>;

  constructor(status: ContentfulStatusCode, code: string, message: string, fields: Record<string, string> = {}) {
    super(status, { message });
    this.code = code;
    this.fields = fields;
  }
}

export const notFound = (what = '页面') => new AppError(404, 'NOT_FOUND', `找不到该${what}`);
export const forbidden = (why = '您没有访问此页面的权限') => new AppError(403, 'FORBIDDEN', why);
export const invalid = (fields: Record<string, string>, message = '提交的内容有误,请按提示修改') =>
  new AppError(422, 'VALIDATION_FAILED', message, fields);

/** The second of two concurrent edits of one record: the form comes back with the newer values. */
export const EDIT_CONFLICT_MESSAGE = '该内容已被他人修改,下方显示的是最新内容,请核对后重新提交';
export const editConflict = (message = EDIT_CONFLICT_MESSAGE) => new AppError(409, 'EDIT_CONFLICT', message);
export const isEditConflict = (err: unknown): err is AppError | DomainError =>
  (err instanceof AppError || err instanceof DomainError) && err.code === 'EDIT_CONFLICT';


const STATUS_OF: Record<DomainErrorKind, ContentfulStatusCode> = {
  invalid: 422,
  not_found: 404,
  forbidden: 403,
  unauthenticated: 401,
  conflict: 409,
  gone: 410,
  too_large: 413,
  rate_limited: 429,
  unavailable: 503,
};

/** The edge's one mapping from a domain error to HTTP: same code, same message, same fields. */
export function fromDomain(err: DomainError): AppError {
  return new AppError(STATUS_OF[err.kind], err.code, err.message, err.fields);
}

/** For routes that answer a failure in place (a form at 422, a page at 409): either kind, as HTTP. */
export function httpError(err: unknown): AppError | null {
  if (err instanceof AppError) return err;
  if (err instanceof DomainError) return fromDomain(err);
  return null;
}
