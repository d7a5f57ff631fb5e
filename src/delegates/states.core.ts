/** The states and kinds of this domain's records: declared here, pure, so cores and the db schema share them. */
export const CANDIDATE_SOURCES = ['volunteer', 'recommended'] as const;
export type CandidateSource = (typeof CANDIDATE_SOURCES)[number];
export const REVIEW_STATES = ['pending', 'passed', 'rejected'] as const;
export type ReviewState = (typeof REVIEW_STATES)[number];
export const DRAW_STATES = ['committed', 'drawn'] as const;
export const DELEGATE_STATES = ['selected', 'reserve', 'confirmed', 'declined'] as const;
export type DelegateState = (typeof DELEGATE_STATES)[number];

export const DELEGATE_STATE_LABELS: Record<DelegateState, string> = {
  selected: '已抽中(待确认)',
  reserve: '候补',
  confirmed: '已确认参加',
  declined: '已婉拒',
};

export const REVIEW_LABELS: Record<ReviewState, string> = {
  pending: '待审核',
  passed: '通过',
  rejected: '未通过',
};
