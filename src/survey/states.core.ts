/** The states and kinds of this domain's records: declared here, pure, so cores and the db schema share them. */
export const SURVEY_STATES = ['draft', 'open', 'closed'] as const;
export type SurveyState = (typeof SURVEY_STATES)[number];
export const SURVEY_KINDS = ['social', 'discipline'] as const;
export type SurveyKind = (typeof SURVEY_KINDS)[number];
/** invited: one anonymous response credential per invitation code; open: anyone with the link (the discipline form). */
export const SURVEY_ACCESS = ['invited', 'open'] as const;
export type SurveyAccess = (typeof SURVEY_ACCESS)[number];

export const KIND_LABELS: Record<QuestionKind, string> = { single: '单选题', multiple: '多选题', rating: '满意度评价', text: '文字题' };

export const QUESTION_KINDS = ['single', 'multiple', 'rating', 'text'] as const;
export type QuestionKind = (typeof QUESTION_KINDS)[number];
