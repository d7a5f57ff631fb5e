/**
 * A domain error, raised by cores, repos and services: a stable machine-readable code, a Chinese
 * message fit for the user, optional per-field messages, and the kind of failure. It knows no
 * HTTP: the edge (app.onError, src/lib/errors.ts `httpStatusOf`) maps the kind to a status.
 */
export type DomainErrorKind =
  | 'invalid' // 422: the input breaks a rule
  | 'not_found' // 404
  | 'forbidden' // 403
  | 'unauthenticated' // 401
  | 'conflict' // 409: the state moved on (already cast, edited by someone else, frozen)
  | 'gone' // 410
  | 'too_large' // 413
  | 'rate_limited' // 429
  | 'unavailable'; // 503

export class DomainError extends Error {
  override readonly name = 'DomainError';
  constructor(
    readonly kind: DomainErrorKind,
    readonly code: string,
    message: string,
    readonly fields: Record<string, string> = {},
  ) {
    super(message);
  }
}

export const domainInvalid = (code: string, message: string, fields: Record<string, string> = {}) =>
  new DomainError('invalid', code, message, fields);
export const domainConflict = (code: string, message: string, fields: Record<string, string> = {}) =>
  new DomainError('conflict', code, message, fields);
export const domainNotFound = (what = '页面') => new DomainError('not_found', 'NOT_FOUND', `找不到该${what}`);
