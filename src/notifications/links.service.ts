import type { AtRest } from '../lib/at-rest';

/**
 * The token of a suggestion's 回访 link: a MAC of its tracking code under the data-encryption
 * key, so only who received the message (the author) can rate, and nothing is stored for it.
 */
export const feedbackToken = (atRest: AtRest, code: string) => atRest.mac('feedback-link', code);
