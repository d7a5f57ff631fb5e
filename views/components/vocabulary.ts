/**
 * The Chinese names of each domain's states and kinds, and the option lists forms offer: read
 * from the states cores, where the server's exports and messages read them too (one place).
 */
export { ROLES, ROLE_LABELS } from '../../src/auth/states.core';
export { MATERIAL_KINDS, MATERIAL_KIND_LABELS } from '../../src/campaigns/states.core';
export { DELEGATE_STATE_LABELS, REVIEW_LABELS } from '../../src/delegates/states.core';
export { ADOPTION_LABELS, ASSIGNMENT_LABELS, LIMITS, MAX_REOPEN_ROUNDS, RATING_COMMENT_MAX, RATING_LABELS, STATUS_LABELS } from '../../src/suggestions/states.core';
export { KIND_LABELS, QUESTION_KINDS } from '../../src/survey/states.core';
