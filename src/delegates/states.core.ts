/** The states and kinds of this domain's records: declared here, pure, so cores and the db schema share them. */
export const CANDIDATE_SOURCES = ['volunteer', 'recommended'] as const;
export type CandidateSource = (typeof CANDIDATE_SOURCES)[number];
export const REVIEW_STATES = ['pending', 'passed', 'rejected'] as const;
export type ReviewState = (typeof REVIEW_STATES)[number];
export const DRAW_STATES = ['committed', 'drawn'] as const;
export const DELEGATE_STATES = ['selected', 'reserve', 'confirmed', 'declined'] as const;
export type DelegateState = (typeof DELEGATE_STATES)[number];
