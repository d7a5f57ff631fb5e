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

export const LIMITS = {
  name: { min: 2, max: 20 },
  title: { min: 4, max: 40 },
  body: { min: 10, max: 2000 },
  email: 100,
  organisation: 60,
  reason: { min: 2, max: 300 },
  answer: { min: 10, max: 3000 },
} as const;

export const STATUS_LABELS: Record<SuggestionStatus, string> = {
  received: '已受理,待分派',
  dispatched: '已分派',
  in_progress: '办理中',
  answered: '已答复,待公开',
  published: '已公开答复',
  merged: '已合并(重复建议)',
  not_accepted: '不予受理',
};

export const ASSIGNMENT_LABELS: Record<AssignmentStatus, string> = {
  dispatched: '待签收',
  in_progress: '办理中',
  answered: '已答复',
  returned: '已退回',
  reopened: '市民不满意,已重新交办',
};

export const ADOPTION_LABELS: Record<Adoption, string> = {
  none: '未采纳为工作计划',
  next_year_plan: '采纳:纳入下一年度工作计划',
  work_report: '采纳:纳入政府工作报告',
};

export const RATING_LABELS: Record<Rating, string> = {
  satisfied: '满意',
  basically_satisfied: '基本满意',
  unsatisfied: '不满意',
};

/** A 不满意 rating reopens the item at most this many times; after that the organiser decides. */
export const MAX_REOPEN_ROUNDS = 2;

export const RATING_COMMENT_MAX = 300;
