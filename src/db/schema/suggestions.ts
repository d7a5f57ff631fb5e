import { sql } from 'drizzle-orm';
import { index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { campaigns, departments } from './campaigns';
import { SUGGESTION_STATUSES, SUGGESTION_SOURCES, ASSIGNMENT_STATUSES, ADOPTIONS, EXCELLENCE, NOTIFY_CHANNELS, RATINGS, type SuggestionStatus, type SuggestionSource, type AssignmentStatus, type Adoption, type Excellence, type NotifyChannel, type Rating } from '../../suggestions/states.core';
export { SUGGESTION_STATUSES, SUGGESTION_SOURCES, ASSIGNMENT_STATUSES, ADOPTIONS, EXCELLENCE, NOTIFY_CHANNELS, RATINGS, type SuggestionStatus, type SuggestionSource, type AssignmentStatus, type Adoption, type Excellence, type NotifyChannel, type Rating };

/**
 * A citizen's real-name suggestion. `seq` is an INTEGER PRIMARY KEY (the rowid) so the FTS5
 * index (custom migration `suggestions_fts`) can use it as a stable external-content rowid;
 * `code` is the tracking code shown to the citizen. Name, mobile and email are never shown to
 * the departments (工作纪律: complainants' identities must not reach the department concerned).
 */
export const suggestions = sqliteTable(
  'suggestions',
  {
    seq: integer('seq').primaryKey(),
    code: text('code').notNull().unique(),
    campaignId: text('campaign_id').notNull().references(() => campaigns.id, { onDelete: 'cascade' }),
    source: text('source', { enum: SUGGESTION_SOURCES }).notNull(),
    authorName: text('author_name').notNull(),
    /**
     * A keyed hash of the author's mobile (`mk1.…`, lib/author-contact), never the number: duplicates
     * and the per-mobile limit compare it. The number and e-mail are in `contact_sealed`.
     */
    mobileKey: text('mobile').notNull(),
    /** Before contacts were sealed the e-mail sat here in the clear; the upgrade at start seals and clears it. */
    legacyEmail: text('email'),
    /** The author's mobile and e-mail (JSON), sealed under the data-encryption key, bound to the code. */
    contactSealed: text('contact_sealed'),
    /** The district, association or institute of an organisational batch. */
    organisation: text('organisation'),
    theme: text('theme').notNull(),
    area: text('area').notNull(),
    title: text('title').notNull(),
    body: text('body').notNull(),
    /** The department the citizen named, if any (a hint for the dispatcher, not a decision). */
    targetDepartment: text('target_department'),
    status: text('status', { enum: SUGGESTION_STATUSES }).notNull().default('received'),
    duplicateOf: integer('duplicate_of'),
    rejectReason: text('reject_reason'),
    /** SHA-256 of the normalised title + body: identical copies are found with one index probe. */
    fingerprint: text('fingerprint').notNull(),
    /** Concatenated published answers, indexed for the public full-text search. */
    publicAnswer: text('public_answer').notNull().default(''),
    adoption: text('adoption', { enum: ADOPTIONS }).notNull().default('none'),
    excellence: text('excellence', { enum: EXCELLENCE }).notNull().default('none'),
    excellentPublishedAt: integer('excellent_published_at'),
    notifyChannel: text('notify_channel', { enum: NOTIFY_CHANNELS }).notNull().default('none'),
    /** The SMS number or e-mail address to notify, sealed under the data-encryption key (lib/at-rest); null when none. */
    notifyContact: text('notify_contact'),
    /** 回访 rounds reopened so far (at most MAX_REOPEN_ROUNDS; then the organiser decides). */
    reopenRound: integer('reopen_round').notNull().default(0),
    /** Set when the 回访 is over: a satisfied rating, or the organiser's decision. */
    closedAt: integer('closed_at'),
    /** The organiser must decide: unsatisfied after the last reopen round. */
    organiserReview: integer('organiser_review', { mode: 'boolean' }).notNull().default(false),
    /** Deadline for the dispatcher to route the item (ms since epoch). */
    dispatchBy: integer('dispatch_by').notNull(),
    createdAt: integer('created_at').notNull(),
    dispatchedAt: integer('dispatched_at'),
    answeredAt: integer('answered_at'),
    publishedAt: integer('published_at'),
  },
  (t) => [
    // the dispatcher queue and every statistic filter a campaign by status
    index('suggestions_campaign_status').on(t.campaignId, t.status, t.seq),
    // duplicate detection: same author, and identical copies
    index('suggestions_campaign_mobile').on(t.campaignId, t.mobileKey),
    index('suggestions_campaign_fingerprint').on(t.campaignId, t.fingerprint),
    // one stored suggestion per text: copies sent at the same instant from two processes or
    // Worker isolates cannot both be stored (the second is then linked like any repeat)
    uniqueIndex('suggestions_one_per_text').on(t.campaignId, t.fingerprint).where(sql`duplicate_of IS NULL`),
    index('suggestions_campaign_area').on(t.campaignId, t.area),
  ],
);

/** MinHash LSH bands of a suggestion's text: near-identical texts share at least one band. */
export const suggestionBands = sqliteTable(
  'suggestion_bands',
  {
    band: text('band').notNull(),
    suggestionSeq: integer('suggestion_seq')
      .notNull()
      .references(() => suggestions.seq, { onDelete: 'cascade' }),
  },
  (t) => [primaryKey({ columns: [t.band, t.suggestionSeq] }), index('suggestion_bands_seq').on(t.suggestionSeq)],
);

/** A near-duplicate from another citizen, linked to the original instead of stored twice (附议). */
export const suggestionSupporters = sqliteTable(
  'suggestion_supporters',
  {
    id: text('id').primaryKey(),
    suggestionSeq: integer('suggestion_seq')
      .notNull()
      .references(() => suggestions.seq, { onDelete: 'cascade' }),
    authorName: text('author_name').notNull(),
    /** The supporter's mobile as a keyed hash (one support per citizen), never the number. */
    mobileKey: text('mobile').notNull(),
    similarity: real('similarity').notNull(),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [uniqueIndex('suggestion_supporters_once').on(t.suggestionSeq, t.mobileKey)],
);

/** One department's share of a suggestion; a split creates several. */
export const suggestionAssignments = sqliteTable(
  'suggestion_assignments',
  {
    id: text('id').primaryKey(),
    suggestionSeq: integer('suggestion_seq')
      .notNull()
      .references(() => suggestions.seq, { onDelete: 'cascade' }),
    departmentId: text('department_id')
      .notNull()
      .references(() => departments.id),
    departmentName: text('department_name').notNull(),
    status: text('status', { enum: ASSIGNMENT_STATUSES }).notNull().default('dispatched'),
    /** The routing score the dispatcher saw (null when chosen by hand outside the ranking). */
    routingScore: real('routing_score'),
    answer: text('answer'),
    adoption: text('adoption', { enum: ADOPTIONS }).notNull().default('none'),
    returnReason: text('return_reason'),
    assignedAt: integer('assigned_at').notNull(),
    deadlineAt: integer('deadline_at').notNull(),
    answeredAt: integer('answered_at'),
    /** 0 for the first handling, 1 and 2 for the rounds a 不满意 rating reopened. */
    round: integer('round').notNull().default(0),
    version: integer('version').notNull().default(1), // optimistic lock: every form edit requires and bumps it
  },
  (t) => [
    index('assignments_suggestion').on(t.suggestionSeq),
    // a handler's queue, and the routing model's history per department
    index('assignments_department_status').on(t.departmentId, t.status),
  ],
);

/** A reviewer's score for a shortlisted suggestion (one score per reviewer, may be revised). */
export const suggestionScores = sqliteTable(
  'suggestion_scores',
  {
    suggestionSeq: integer('suggestion_seq')
      .notNull()
      .references(() => suggestions.seq, { onDelete: 'cascade' }),
    reviewerId: text('reviewer_id').notNull(),
    reviewerName: text('reviewer_name').notNull(),
    score: integer('score').notNull(),
    comment: text('comment').notNull().default(''),
    at: integer('at').notNull().default(sql`(unixepoch() * 1000)`),
  },
  (t) => [primaryKey({ columns: [t.suggestionSeq, t.reviewerId] })],
);

/** 回访: one rating per suggestion and handling round, by its author only. */
export const suggestionRatings = sqliteTable(
  'suggestion_ratings',
  {
    suggestionSeq: integer('suggestion_seq')
      .notNull()
      .references(() => suggestions.seq, { onDelete: 'cascade' }),
    round: integer('round').notNull(),
    rating: text('rating', { enum: RATINGS }).notNull(),
    /** As typed; departments read it only through maskForOthers. */
    comment: text('comment').notNull().default(''),
    at: integer('at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.suggestionSeq, t.round] })],
);

/** Per-theme answer templates a department handler starts an answer from. */
export const answerTemplates = sqliteTable(
  'answer_templates',
  {
    id: text('id').primaryKey(),
    campaignId: text('campaign_id').notNull().references(() => campaigns.id, { onDelete: 'cascade' }),
    theme: text('theme').notNull(),
    title: text('title').notNull(),
    body: text('body').notNull(),
  },
  (t) => [index('answer_templates_campaign_theme').on(t.campaignId, t.theme)],
);
