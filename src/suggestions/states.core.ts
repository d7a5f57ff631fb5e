/** The states and kinds of this domain's records: declared here, pure, so cores and the db schema share them. */
export const SUGGESTION_STATUSES = ['received', 'dispatched', 'in_progress', 'answered', 'published', 'merged', 'not_accepted'] as const;
export type SuggestionStatus = (typeof SUGGESTION_STATUSES)[number];
/** `open311`: through the GeoReport v2 intake API (mini-programs, hotline systems). */
export const SUGGESTION_SOURCES = ['online', 'paper', 'batch', 'open311'] as const;
export type SuggestionSource = (typeof SUGGESTION_SOURCES)[number];
/** `reopened`: an answer the citizen found unsatisfactory (回访 不满意); its department handles a new round. */
export const ASSIGNMENT_STATUSES = ['dispatched', 'in_progress', 'answered', 'returned', 'reopened'] as const;
export type AssignmentStatus = (typeof ASSIGNMENT_STATUSES)[number];
/** Whether an answer takes the suggestion into next year's work or the government work report. */
export const ADOPTIONS = ['none', 'next_year_plan', 'work_report'] as const;
export type Adoption = (typeof ADOPTIONS)[number];
export const EXCELLENCE = ['none', 'shortlisted', 'selected'] as const;
export type Excellence = (typeof EXCELLENCE)[number];
/** How the author chose to hear about their suggestion at intake. */
export const NOTIFY_CHANNELS = ['none', 'sms', 'email'] as const;
export type NotifyChannel = (typeof NOTIFY_CHANNELS)[number];
/** 回访: the author's verdict on a published answer. */
export const RATINGS = ['satisfied', 'basically_satisfied', 'unsatisfied'] as const;
export type Rating = (typeof RATINGS)[number];
