import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { campaigns } from './campaigns';
import { delegates } from './delegates';
import { SURVEY_STATES, SURVEY_KINDS, SURVEY_ACCESS, type SurveyState, type SurveyKind, type SurveyAccess } from '../../survey/states.core';
export { SURVEY_STATES, SURVEY_KINDS, SURVEY_ACCESS, type SurveyState, type SurveyKind, type SurveyAccess };

/**
 * A questionnaire of a campaign. `definition` (JSON, see survey.core) is editable while the
 * survey is a draft and frozen from opening on. The blind-signing key pair (RFC 9474) issues
 * response credentials; the HPKE public key (`sealKey`) seals responses; its private half
 * exists only as custodians' Shamir shares (survey_seats). Counters only, never per-row marks.
 */
export const surveys = sqliteTable(
  'surveys',
  {
    id: text('id').primaryKey(),
    campaignId: text('campaign_id').notNull().references(() => campaigns.id, { onDelete: 'cascade' }),
    kind: text('kind', { enum: SURVEY_KINDS }).notNull(),
    access: text('access', { enum: SURVEY_ACCESS }).notNull(),
    title: text('title').notNull(),
    definition: text('definition').notNull(), // JSON SurveyDefinition
    state: text('state', { enum: SURVEY_STATES }).notNull(),
    signPublicKey: text('sign_public_key'), // SPKI, base64url; generated at opening
    signPrivateKey: text('sign_private_key'), // PKCS#8, base64url; signs blinded messages only
    sealKey: text('seal_key'), // raw X25519 public key, base64url (ceremony)
    shareCount: integer('share_count').notNull().default(5),
    threshold: integer('threshold').notNull().default(3),
    responses: integer('responses').notNull().default(0),
    root: text('root'), // commitment over the sorted receipts, fixed at closing
    createdAt: integer('created_at').notNull(),
    openedAt: integer('opened_at'),
    closedAt: integer('closed_at'),
    version: integer('version').notNull().default(1), // optimistic lock: every form edit requires and bumps it
  },
  (t) => [index('surveys_campaign').on(t.campaignId)],
);

/**
 * An invitation: a one-time code (stored as a hash) that buys one blind signature, like a
 * hearing check-in ticket. A delegate's invitation names the delegate (once per survey); a
 * citizen's names nobody. What was signed is never seen, so nothing here leads to a response.
 */
export const surveyInvitations = sqliteTable(
  'survey_invitations',
  {
    id: text('id').primaryKey(),
    surveyId: text('survey_id').notNull().references(() => surveys.id, { onDelete: 'cascade' }),
    channel: text('channel', { enum: ['delegate', 'citizen'] }).notNull(),
    delegateId: text('delegate_id').references(() => delegates.id),
    ticketHash: text('ticket_hash').notNull(),
    blindHash: text('blind_hash'),
    state: text('state', { enum: ['issued', 'redeemed'] }).notNull(),
    batch: text('batch'), // the printed batch a citizen code belongs to
  },
  (t) => [
    uniqueIndex('survey_invitations_ticket').on(t.ticketHash),
    uniqueIndex('survey_invitations_delegate').on(t.surveyId, t.delegateId),
    // a response's statement counts the survey's redeemed invitations (never more responses than signatures)
    index('survey_invitations_state').on(t.surveyId, t.state),
  ],
);

/** Spent response credentials, by hash; WITHOUT ROWID (custom migration) like credential_uses. */
export const surveyCredentialUses = sqliteTable('survey_credential_uses', {
  credentialHash: text('credential_hash').primaryKey(),
  surveyId: text('survey_id').notNull(),
  tag: text('tag').notNull(),
  receipt: text('receipt').notNull(),
});

/** A sealed response: HPKE ciphertext to the survey's key, keyed by its receipt; WITHOUT ROWID. */
export const surveyResponses = sqliteTable(
  'survey_responses',
  {
    receipt: text('receipt').primaryKey(),
    surveyId: text('survey_id').notNull(),
    ciphertext: text('ciphertext').notNull(),
  },
  (t) => [index('survey_responses_survey').on(t.surveyId)],
);

/** A custodian's seat in a survey's key ceremony (same rules as tally_seats). */
export const surveySeats = sqliteTable(
  'survey_seats',
  {
    surveyId: text('survey_id').notNull().references(() => surveys.id, { onDelete: 'cascade' }),
    seatNo: integer('seat_no').notNull(),
    custodianId: text('custodian_id').notNull(),
    custodianName: text('custodian_name').notNull(),
    seatKey: text('seat_key').notNull(),
    sealedShare: text('sealed_share'),
    fingerprint: text('fingerprint'),
    downloadedAt: integer('downloaded_at'),
  },
  (t) => [primaryKey({ columns: [t.surveyId, t.seatNo] })],
);

/** Shares handed in for unsealing; at most k−1 at rest (the k-th unseals and all are deleted). */
export const surveyUnsealShares = sqliteTable(
  'survey_unseal_shares',
  {
    surveyId: text('survey_id').notNull().references(() => surveys.id, { onDelete: 'cascade' }),
    seatNo: integer('seat_no').notNull(),
    share: text('share').notNull(),
  },
  (t) => [primaryKey({ columns: [t.surveyId, t.seatNo] })],
);

/**
 * The unsealed result: the tally (distributions, satisfaction rates), the free-text answers in
 * random order awaiting review (`texts`), and what a reviewer published after redaction
 * (`publishedTexts`, null until then).
 */
export const surveyResults = sqliteTable('survey_results', {
  surveyId: text('survey_id')
    .primaryKey()
    .references(() => surveys.id, { onDelete: 'cascade' }),
  tally: text('tally').notNull(), // JSON SurveyTally
  texts: text('texts').notNull(), // JSON { questionId, text }[] in random order
  publishedTexts: text('published_texts'), // JSON { questionId, text }[]
  reviewedBy: text('reviewed_by'),
  unsealedAt: integer('unsealed_at').notNull(),
});

/**
 * The result the custodians posted after unsealing on their side (decrypted responses in their
 * posted order and the tally the server recomputed), awaiting k approvals; deleted when the
 * k-th approval publishes it into `survey_results`.
 */
export const surveyResultDrafts = sqliteTable('survey_result_drafts', {
  surveyId: text('survey_id')
    .primaryKey()
    .references(() => surveys.id, { onDelete: 'cascade' }),
  digest: text('digest').notNull(),
  answers: text('answers').notNull(), // JSON (Answers | null)[]
  tally: text('tally').notNull(), // JSON SurveyTally
  unsealedAt: integer('unsealed_at').notNull(),
  postedBy: text('posted_by').notNull(),
});

/** A seated custodian's approval of the draft with `digest`. */
export const surveyResultApprovals = sqliteTable(
  'survey_result_approvals',
  {
    surveyId: text('survey_id').notNull().references(() => surveys.id, { onDelete: 'cascade' }),
    seatNo: integer('seat_no').notNull(),
    digest: text('digest').notNull(),
    approvedAt: integer('approved_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.surveyId, t.seatNo] })],
);
