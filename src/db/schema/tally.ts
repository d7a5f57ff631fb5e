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
    // digest of the ceremony file uploaded from the offline ceremony machine (printed on its paper record)
    ceremonyDigest: text('ceremony_digest'),
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
 * A custodian's seat in a group's key ceremony. `seatKey` is the X25519 public key the custodian
 * registered on joining (derived on their side from a passphrase or key file, src/tally/seat-key.core.ts;
 * the server never sees its private half); the offline ceremony seals the seat's Shamir share to
 * it (`sealedShare`), which the custodian may download any number of times from any device and
 * opens only on their side. `fingerprint` is published. `downloadedAt` = first download.
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
    sealedShare: text('sealed_share'), // HPKE to seatKey; only the seat's custodian can open it
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
 * No longer written: shares were once handed in to the server for unsealing; custodians now
 * unseal on their side (`npm run unseal`) and post the result. Kept so older databases migrate.
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
    privateKey: text('private_key').notNull(), // '' since custodians unseal on their side (older rows: base64url)
    unsealedAt: integer('unsealed_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.campaignId, t.groupNo] })],
);

/**
 * A result the custodians posted after unsealing on their side, awaiting their approvals: one
 * draft a group (a new post replaces it and drops its approvals). `digest` names exactly what
 * is approved; on the k-th approval it is published into `tally_results` in the same batch.
 */
export const tallyResultDrafts = sqliteTable(
  'tally_result_drafts',
  {
    campaignId: text('campaign_id').notNull().references(() => campaigns.id, { onDelete: 'cascade' }),
    groupNo: integer('group_no').notNull(),
    digest: text('digest').notNull(),
    decrypted: text('decrypted').notNull(),
    tally: text('tally').notNull(),
    unsealedAt: integer('unsealed_at').notNull(),
    postedBy: text('posted_by').notNull(),
  },
  (t) => [primaryKey({ columns: [t.campaignId, t.groupNo] })],
);

/** A seated custodian's approval of a draft result (by its digest). */
export const tallyResultApprovals = sqliteTable(
  'tally_result_approvals',
  {
    campaignId: text('campaign_id').notNull().references(() => campaigns.id, { onDelete: 'cascade' }),
    groupNo: integer('group_no').notNull(),
    seatNo: integer('seat_no').notNull(),
    digest: text('digest').notNull(),
    approvedAt: integer('approved_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.campaignId, t.groupNo, t.seatNo] })],
);
