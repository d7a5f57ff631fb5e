/** The states and kinds of this domain's records: declared here, pure, so cores and the db schema share them. */
export const ROLES = ['organiser', 'venue_staff', 'qualifier', 'statistician', 'custodian', 'dept_handler', 'auditor'] as const;
export type Role = (typeof ROLES)[number];
