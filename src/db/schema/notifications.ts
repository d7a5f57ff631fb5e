import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { campaigns } from './campaigns';
import { suggestions } from './suggestions';
import { users } from './auth';
import { OUTBOX_CHANNELS, OUTBOX_STATUSES, type OutboxChannel, type OutboxStatus } from '../../notifications/states.core';
export { OUTBOX_CHANNELS, OUTBOX_STATUSES, type OutboxChannel, type OutboxStatus };

/**
 * Messages to citizens and staff, written in the same atomic batch as the state change they
 * announce and delivered at least once by the sender. `id` is the message's stable identity:
 * the SMTP Message-ID and the SMS provider's OutId, so a resend after a crash is recognisable.
 * No address is stored here: the sender reads the author's sealed contact (suggestions) or the
 * staff account's e-mail when it sends.
 */
export const notificationOutbox = sqliteTable(
  'notification_outbox',
  {
    id: text('id').primaryKey(),
    campaignId: text('campaign_id').notNull().references(() => campaigns.id, { onDelete: 'cascade' }),
    suggestionSeq: integer('suggestion_seq').references(() => suggestions.seq, { onDelete: 'cascade' }),
    userId: text('user_id').references(() => users.id, { onDelete: 'cascade' }),
    channel: text('channel', { enum: OUTBOX_CHANNELS }).notNull(),
    event: text('event').notNull(),
    /** Template parameters (JSON): tracking code, links, dates; never a name or address. */
    params: text('params').notNull().default('{}'),
    /** One message per event and occasion (suggestion, event, round): a repeated write adds none. */
    dedupeKey: text('dedupe_key').notNull(),
    status: text('status', { enum: OUTBOX_STATUSES }).notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    /** Claims of a message whose previous claim ended without a recorded outcome (sent, perhaps twice). */
    resends: integer('resends').notNull().default(0),
    nextAttemptAt: integer('next_attempt_at').notNull(),
    leaseUntil: integer('lease_until'),
    lastError: text('last_error'),
    /** What the provider answered (SMTP response id, the SMS BizId). */
    providerId: text('provider_id'),
    createdAt: integer('created_at').notNull(),
    sentAt: integer('sent_at'),
  },
  (t) => [
    uniqueIndex('outbox_once').on(t.dedupeKey),
    // the sender's claim: due messages per status
    index('outbox_due').on(t.status, t.nextAttemptAt),
    index('outbox_campaign').on(t.campaignId, t.createdAt),
  ],
);
