/**
 * What text the system stores: Unicode NFC, no bidirectional-text controls, no control
 * characters other than tab and line breaks. Pure (no hono): the edge (src/lib/input.ts) and
 * the CSV decoder use it alike.
 */

/** Bidi controls (ALM, LRM, RLM, LRE…RLO, LRI…PDI): invisible, and able to make a name or title read backwards. */
export const BIDI_CONTROLS = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/g;
/** C0 controls except tab, line feed and carriage return (text areas send CRLF), DEL and C1 controls. */
export const CONTROL_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;
/** Everything invisible that has no place in a path or query string, not even a tab or newline. */
export const URL_CONTROL_CHARS = /[\u0000-\u001F\u007F-\u009F\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/;

/** True when the text holds a control character that no person types into a field. */
export function hasControlChars(value: string): boolean {
  return CONTROL_CHARS.test(value);
}

/** NFC, with bidi controls removed (they only ever reorder what a reader sees). */
export function normaliseText(value: string): string {
  return value.normalize('NFC').replace(BIDI_CONTROLS, '');
}
