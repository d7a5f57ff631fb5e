import { integer, sqliteTable, text, uniqueIndex, index } from 'drizzle-orm/sqlite-core';
import { campaigns } from './campaigns';
import { CANDIDATE_SOURCES, REVIEW_STATES, DRAW_STATES, DELEGATE_STATES, type CandidateSource, type ReviewState, type DelegateState } from '../../delegates/states.core';
export { CANDIDATE_SOURCES, REVIEW_STATES, DRAW_STATES, DELEGATE_STATES, type CandidateSource, type ReviewState, type DelegateState };

/**
 * A person who signed up or was recommended. The resident ID is never stored: only a keyed
 * hash (to refuse a second sign-up) and its last 4 digits (to tell people apart on lists).
 * `code` is the stable pseudonym used in the published draw file; it is not the delegate code.
 */
export const candidates = sqliteTable(
  'candidates',
  {
    id: text('id').primaryKey(),
    campaignId: text('campaign_id').notNull().references(() => campaigns.id, { onDelete: 'cascade' }),
    code: text('code').notNull(),
    source: text('source', { enum: CANDIDATE_SOURCES }).notNull(),
    name: text('name').notNull(),
    idHash: text('id_hash').notNull(),
    idLast4: text('id_last4').notNull(),
    mobile: text('mobile').notNull(),
    venueName: text('venue_name').notNull(),
    category: text('category').notNull(),
    groups: text('groups').notNull(), // comma-separated group numbers they can attend, e.g. "1,3"
    district: text('district'),
    occupation: text('occupation'),
    declaredCategory: text('declared_category'),
    organisation: text('organisation'),
    resident: integer('resident', { mode: 'boolean' }),
    yearsInCity: integer('years_in_city'),
    qualification: text('qualification', { enum: REVIEW_STATES }).notNull().default('pending'),
    qualificationReason: text('qualification_reason'),
    districtReview: text('district_review', { enum: REVIEW_STATES }).notNull().default('pending'),
    districtReviewReason: text('district_review_reason'),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [
    // one sign-up or recommendation per person per campaign
    uniqueIndex('candidates_campaign_id_hash').on(t.campaignId, t.idHash),
    uniqueIndex('candidates_campaign_code').on(t.campaignId, t.code),
    // review queues and the draw read candidates by venue
    index('candidates_campaign_venue').on(t.campaignId, t.venueName),
  ],
);

/**
 * One draw per campaign: the seed's commitment and the digest of the pseudonymised candidate
 * list are fixed first, with the public random source that will only be known later; the seed
 * is stored only when revealed at the draw, with the source's value (see draw.core.ts).
 */
export const draws = sqliteTable('draws', {
  campaignId: text('campaign_id').primaryKey().references(() => campaigns.id, { onDelete: 'cascade' }),
  state: text('state', { enum: DRAW_STATES }).notNull(),
  seedCommitment: text('seed_commitment').notNull(),
  candidatesDigest: text('candidates_digest').notNull(),
  candidateCount: integer('candidate_count').notNull(),
  committedAt: integer('committed_at').notNull(),
  seed: text('seed'),
  drawnAt: integer('drawn_at'),
  // RFC 3797: the public random source named at commitment (free text: what and when it is known),
  // and its value entered at the draw in canonical form; null only for draws made before this existed
  beaconSource: text('beacon_source'),
  beaconValue: text('beacon_value'),
});

/**
 * The draw's outcome per seat: selected delegates and the ordered reserve list of each cell.
 * `delegateCode` is the personal code shown at check-in. The token of the personal page
 * (`/d/{token}`) is never stored: `linkHash` holds only its keyed hash (see link.core.ts), so a
 * copy of the database opens no delegate's page. Neither appears in any published file.
 */
export const delegates = sqliteTable(
  'delegates',
  {
    id: text('id').primaryKey(),
    campaignId: text('campaign_id').notNull().references(() => campaigns.id, { onDelete: 'cascade' }),
    candidateId: text('candidate_id').notNull().references(() => candidates.id),
    venueName: text('venue_name').notNull(),
    groupNo: integer('group_no').notNull(),
    category: text('category').notNull(),
    state: text('state', { enum: DELEGATE_STATES }).notNull(),
    drawnAs: text('drawn_as', { enum: ['selected', 'reserve'] }).notNull(),
    reserveRank: integer('reserve_rank'), // 1-based order in the cell's reserve list
    drawRank: integer('draw_rank').notNull(), // order in the cell as drawn, so the result can be republished exactly
    delegateCode: text('delegate_code').notNull(),
    // the column kept its name from when it held the token itself; it now holds only the lookup hash
    linkHash: text('access_token').notNull(),
    respondedAt: integer('responded_at'),
  },
  (t) => [
    uniqueIndex('delegates_code').on(t.delegateCode),
    uniqueIndex('delegates_access_token').on(t.linkHash),
    uniqueIndex('delegates_campaign_candidate').on(t.campaignId, t.candidateId),
    index('delegates_cell').on(t.campaignId, t.venueName, t.groupNo, t.category),
  ],
);
