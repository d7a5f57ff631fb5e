/** The states and kinds of this domain's records: declared here, pure, so cores and the db schema share them. */
export const OUTBOX_CHANNELS = ['sms', 'email'] as const;
export type OutboxChannel = (typeof OUTBOX_CHANNELS)[number];
/** pending → sending (claimed, lease running) → sent | failed; a lapsed lease is claimed again. */
export const OUTBOX_STATUSES = ['pending', 'sending', 'sent', 'failed'] as const;
export type OutboxStatus = (typeof OUTBOX_STATUSES)[number];
