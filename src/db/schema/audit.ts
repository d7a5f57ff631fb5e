import { integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/**
 * Append-only, hash-chained record of staff actions. seq is the chain position: a
 * concurrent append that read the same predecessor collides on the primary key and retries.
 */
export const auditLog = sqliteTable('audit_log', {
  seq: integer('seq').primaryKey(),
  at: integer('at').notNull(), // ms since epoch
  actorId: text('actor_id'),
  actorName: text('actor_name').notNull(),
  action: text('action').notNull(),
  target: text('target').notNull(),
  digest: text('digest').notNull(), // SHA-256 of the canonical JSON of the change
  prevHash: text('prev_hash').notNull(),
  hash: text('hash').notNull(),
});
