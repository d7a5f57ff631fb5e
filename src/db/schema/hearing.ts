import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { campaigns } from './campaigns';
import { delegates } from './delegates';
import { SESSION_STATES, TICKET_STATES, type SessionState, type TicketState } from '../../hearing/states.core';
export { SESSION_STATES, TICKET_STATES, type SessionState, type TicketState };

/**
 * Voting at one venue for one group. It holds the venue's blind-signing key (RFC 9474):
 * a credential signed with it proves "a delegate checked in here" without saying who, and lets
 * the cast counter be kept per venue while the ballot itself carries no venue (P2).
 * `cast` and `voidedSpent` are counters, never rows, so no per-ballot venue mark exists.
 */
export const votingSessions = sqliteTable(
  'voting_sessions',
  {
    campaignId: text('campaign_id').notNull().references(() => campaigns.id, { onDelete: 'cascade' }),
    groupNo: integer('group_no').notNull(),
    venueName: text('venue_name').notNull(),
    state: text('state', { enum: SESSION_STATES }).notNull(),
    publicKey: text('public_key').notNull(), // SPKI, base64
    privateKey: text('private_key').notNull(), // PKCS#8, base64; signs blinded messages only
    cast: integer('ballots_cast').notNull().default(0),
    voidedSpent: integer('voided_spent').notNull().default(0), // signed credentials voided by their holder
    openedAt: integer('opened_at').notNull(),
    closedAt: integer('closed_at'),
    closeNote: text('close_note'), // the signed explanation of an unbalanced close
    closedBy: text('closed_by'),
  },
  (t) => [primaryKey({ columns: [t.campaignId, t.groupNo, t.venueName] })],
);

/**
 * A delegate's check-in for one group, and the one-time ticket it yields. The ticket buys
 * exactly one blind signature; what is signed is never seen, so nothing here leads to a ballot.
 */
export const checkins = sqliteTable(
  'checkins',
  {
    id: text('id').primaryKey(),
    campaignId: text('campaign_id').notNull().references(() => campaigns.id, { onDelete: 'cascade' }),
    groupNo: integer('group_no').notNull(),
    venueName: text('venue_name').notNull(),
    delegateId: text('delegate_id').notNull().references(() => delegates.id),
    channel: text('channel', { enum: ['venue', 'online'] }).notNull(),
    ticketHash: text('ticket_hash').notNull(),
    blindHash: text('blind_hash'), // the blinded message that won the ticket: a lost response can be re-fetched
    state: text('state', { enum: TICKET_STATES }).notNull(),
    checkedInAt: integer('checked_in_at').notNull(),
    voidReason: text('void_reason'),
  },
  (t) => [
    // a delegate checks in once per group
    uniqueIndex('checkins_delegate_group').on(t.delegateId, t.groupNo),
    uniqueIndex('checkins_ticket').on(t.ticketHash),
    // turnout counts by venue × group × state
    index('checkins_turnout').on(t.campaignId, t.groupNo, t.venueName, t.state),
  ],
);

/**
 * Each spent credential, by the hash of its secret message: cast (with the receipt and a tag
 * that recognises an identical retry) or voided by its holder. No venue, no time, random key
 * order: the custom migration rebuilds this table WITHOUT ROWID so row order says nothing.
 */
export const credentialUses = sqliteTable('credential_uses', {
  credentialHash: text('credential_hash').primaryKey(),
  campaignId: text('campaign_id').notNull(),
  groupNo: integer('group_no').notNull(),
  kind: text('kind', { enum: ['cast', 'void'] }).notNull(),
  tag: text('tag'), // SHA-256(domain, credential secret, ballot): equal only for the same ballot
  receipt: text('receipt'),
});

/**
 * A sealed ballot: HPKE ciphertext to the group's tally key, keyed by its receipt
 * (SHA-256 of the ciphertext). No venue, no delegate, no time; WITHOUT ROWID (see above).
 */
export const ballots = sqliteTable(
  'ballots',
  {
    receipt: text('receipt').primaryKey(),
    campaignId: text('campaign_id').notNull(),
    groupNo: integer('group_no').notNull(),
    ciphertext: text('ciphertext').notNull(), // base64url(enc || ct)
  },
  (t) => [index('ballots_group').on(t.campaignId, t.groupNo)],
);

/** Anonymous reports of canvassing and other breaches (活动纪律情况调查表): no reporter, coarse day only. */
export const disciplineReports = sqliteTable('discipline_reports', {
  id: text('id').primaryKey(),
  campaignId: text('campaign_id').notNull(),
  groupNo: integer('group_no'),
  kind: text('kind').notNull(),
  department: text('department'),
  body: text('body').notNull(),
  day: text('day').notNull(), // YYYY-MM-DD only
});
