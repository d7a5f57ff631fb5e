import type { RowIdentity } from '../lib/at-rest';

/** The row a citizen's sealed notification contact belongs to: a copy moved to another suggestion does not open. */
export const contactRow = (code: string): RowIdentity => ['suggestions.notify_contact', code];
