import type { z } from 'zod';

/** The first message per field, keyed by the field's name. */
export function fieldErrors(error: z.ZodError): Record<string, string> {
  const out: Record<string, string> = {};
  for (const issue of error.issues) {
    const key = issue.path.join('.') || '_form';
    out[key] ??= issue.message;
  }
  return out;
}

/** Detects a UNIQUE constraint failure from libSQL or D1 without depending on either's error class. */
export function isUniqueViolation(err: unknown): boolean {
  const text = `${(err as { message?: unknown })?.message ?? ''} ${(err as { cause?: { message?: unknown } })?.cause?.message ?? ''}`;
  return /UNIQUE constraint failed/i.test(text);
}

/**
 * Detects a full disk (SQLITE_FULL, "database or disk is full") from libSQL or D1, however the
 * driver or drizzle wraps it: the code or message of the error or of any error in its cause chain.
 */
export function isStorageFull(err: unknown): boolean {
  for (let e = err as { message?: unknown; code?: unknown; cause?: unknown } | undefined, i = 0; e && i < 8; e = e.cause as typeof e, i++) {
    if (typeof e !== 'object') break;
    if (e.code === 'SQLITE_FULL') return true;
    const message = String(e.message ?? '');
    // drizzle's wrapper quotes the statement and its parameters (user text): only its causes count
    if (!message.startsWith('Failed query:') && /SQLITE_FULL|database or disk is full/i.test(message)) return true;
  }
  return false;
}

/** The version a form was read at (its hidden field); a missing or malformed one matches no row. */
export function submittedVersion(form: Record<string, string>): number {
  const v = Number(form['version']);
  return Number.isSafeInteger(v) && v > 0 ? v : -1;
}
