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

/** The version a form was read at (its hidden field); a missing or malformed one matches no row. */
export function submittedVersion(form: Record<string, string>): number {
  const v = Number(form['version']);
  return Number.isSafeInteger(v) && v > 0 ? v : -1;
}
