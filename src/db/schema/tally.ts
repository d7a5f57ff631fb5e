import { integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { campaigns } from './campaigns';

/**
 * A group's tally public key (HPKE, X25519). The private key exists only as Shamir shares held
 * by custodians; the server keeps the public key only.
 */
export const tallyKeys = sqliteTable(
  'tally_keys',
  {
    campaignId: text('campaign_id').notNull().references(() => campaigns.id, { onDelete: 'cascade' }),
    groupNo: integer('group_no').notNull(),
    publicKey: text('public_key').notNull(), // raw X25519 public key, base64url
    createdAt: integer('created_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.campaignId, t.groupNo] })],
);
