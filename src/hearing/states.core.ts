/** The states and kinds of this domain's records: declared here, pure, so cores and the db schema share them. */
export const SESSION_STATES = ['open', 'closed'] as const;
export type SessionState = (typeof SESSION_STATES)[number];
export const TICKET_STATES = ['issued', 'redeemed', 'voided'] as const;
export type TicketState = (typeof TICKET_STATES)[number];
