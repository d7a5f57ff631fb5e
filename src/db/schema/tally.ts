import { integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { campaigns } from './campaigns';

/**
 * A group's tally public key (HPKE, X25519). The private key exists only as Shamir shares held
 * by custodians; the server keeps the public key only. `threshold` of `shareCount` shares rebuild it.
 * Cast paths read `publicKey`; a second ceremony replaces the row while the group has no ballot.
 */
export const tallyKeys = sqliteTable(
  'tally_keys',
  {
    campaignId: text('campaign_id').notNull().references(() => campaigns.id, { onDelete: 'cascade' }),
    groupNo: integer('group_no').notNull(),
    publicKey: text('public_key').notNull(), // raw X25519 public key, base64url
    shareCount: integer('share_count').notNull().default(5),
    threshold: integer('threshold').notNull().default(3),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.campaignId, t.groupNo] })],
);

/** Per-campaign ceremony parameters (absent = 5 custodians, threshold 3). */
export const tallySettings = sqliteTable('tally_settings', {
  campaignId: text('campaign_id')
    .primaryKey()
    .references(() => campaigns.id, { onDelete: 'cascade' }),
  shareCount: integer('share_count').notNull(),
  threshold: integer('threshold').notNull(),
});

/**
 * A custodian's seat in a group's key ceremony. `seatKey` is an X25519 public key derived from
 * the custodian's login session (the server keeps only its public half); the ceremony seals the
 * seat's Shamir share to it (`sealedShare`), and the one download clears `sealedShare`, so no
 * share is ever at rest in a form the server can open. `fingerprint` is published.
 */
export const tallySeats = sqliteTable(
  'tally_seats',
  {
    campaignId: text('campaign_id').notNull().references(() => campaigns.id, { onDelete: 'cascade' }),
    groupNo: integer('group_no').notNull(),
    seatNo: integer('seat_no').notNull(), // 1..shareCount
    custodianId: text('custodian_id').notNull(),
    custodianName: text('custodian_name').notNull(),
    seatKey: text('seat_key').notNull(),
    sealedShare: text('sealed_share'), // HPKE to seatKey until downloaded, then null
    fingerprint: text('fingerprint'), // SHA-256 of domain ‖ share, published
    downloadedAt: integer('downloaded_at'),
  },
  (t) => [primaryKey({ columns: [t.campaignId, t.groupNo, t.seatNo] })],
);

/**
 * The closing commitment: the sorted receipts of every ballot of the group and the root over
 * them, fixed when the group is closed at every venue and published before any unsealing.
 * Its existence closes the group for casting (see `isGroupCommitted`). `document` is what
 * `/c/{code}/results/{n}/commitment.json` serves and `npm run verify -- --commitment` checks.
 */
export const tallyCommitments = sqliteTable(
  'tally_commitments',
  {
    campaignId: text('campaign_id').notNull().references(() => campaigns.id, { onDelete: 'cascade' }),
    groupNo: integer('group_no').notNull(),
    root: text('root').notNull(),
    ballotCount: integer('ballot_count').notNull(),
    receipts: text('receipts').notNull(), // JSON array, sorted
    committedAt: integer('committed_at').notNull(),
    // the published commitment file (canonical JSON of GroupCommitment: campaign, group, departments,
    // scale, tally public key, count, root, receipts), computed in the commit's own statement and
    // never rewritten (a trigger refuses UPDATE); null only for groups committed before it existed
    document: text('document'),
  },
  (t) => [primaryKey({ columns: [t.campaignId, t.groupNo] })],
);

/**
 * Shares handed in for unsealing, each checked against its seat's fingerprint. At most k−1 are
 * ever at rest: the k-th submission unseals at once and all of them are deleted.
 */
export const tallyUnsealShares = sqliteTable(
  'tally_unseal_shares',
  {
    campaignId: text('campaign_id').notNull().references(() => campaigns.id, { onDelete: 'cascade' }),
    groupNo: integer('group_no').notNull(),
    seatNo: integer('seat_no').notNull(),
    share: text('share').notNull(), // hex
  },
  (t) => [primaryKey({ columns: [t.campaignId, t.groupNo, t.seatNo] })],
);

/**
 * A group's published result, written once by unsealing. The decrypted ballots are kept in the
 * random order they were published in; ciphertexts stay in `ballots` and receipts in the
 * commitment, so the published file is assembled from what is stored (a later edit shows).
 * `privateKey` is the reconstructed tally key, disclosed only in the audit edition of the file.
 */
export const tallyResults = sqliteTable(
  'tally_results',
  {
    campaignId: text('campaign_id').notNull().references(() => campaigns.id, { onDelete: 'cascade' }),
    groupNo: integer('group_no').notNull(),
    decrypted: text('decrypted').notNull(), // JSON: (number|null)[][] in published random order
    tally: text('tally').notNull(), // JSON GroupTally
    privateKey: text('private_key').notNull(), // base64url; the group is closed for good
    unsealedAt: integer('unsealed_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.campaignId, t.groupNo] })],
);
