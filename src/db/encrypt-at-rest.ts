import { and, eq, isNotNull, not, like, sql } from 'drizzle-orm';
import type { BatchItem } from 'drizzle-orm/batch';
import { isSealedSecret, sealText, secretRows, AT_REST_PREFIX, type AtRest } from '../lib/at-rest';
import type { Db } from './client';
import type { DelegateLinks } from '../delegates/link.core';
import { delegates, surveys, surveyUnsealShares, tallyUnsealShares, votingSessions } from './schema';

/**
 * The upgrade path for rows written before secrets were encrypted at rest: every venue signing
 * key, survey signing key and handed-in share still stored in the clear is sealed under the
 * data-encryption key, each by a conditional update that only replaces the value it read (a
 * row changed meanwhile is left alone and sealed on the next start). All in one atomic batch.
 * Run at start (Node) or once per isolate (Workers); readers refuse a secret still in the clear.
 * Returns how many secrets it sealed.
 */
export async function encryptPlaintextSecrets(db: Db, atRest: AtRest): Promise<number> {
  const clear = not(like(votingSessions.privateKey, `${AT_REST_PREFIX}%`));
  const [sessions, surveyKeys, tallyShares, surveyShares] = await Promise.all([
    db.select().from(votingSessions).where(clear),
    db.select({ id: surveys.id, key: surveys.signPrivateKey }).from(surveys).where(and(isNotNull(surveys.signPrivateKey), not(like(surveys.signPrivateKey, `${AT_REST_PREFIX}%`)))),
    db.select().from(tallyUnsealShares).where(not(like(tallyUnsealShares.share, `${AT_REST_PREFIX}%`))),
    db.select().from(surveyUnsealShares).where(not(like(surveyUnsealShares.share, `${AT_REST_PREFIX}%`))),
  ]);
  const updates: BatchItem<'sqlite'>[] = [];
  for (const s of sessions) {
    if (isSealedSecret(s.privateKey)) continue;
    const sealed = await sealText(atRest, secretRows.venueKey(s.campaignId, s.groupNo, s.venueName), s.privateKey);
    updates.push(
      db
        .update(votingSessions)
        .set({ privateKey: sealed })
        .where(and(eq(votingSessions.campaignId, s.campaignId), eq(votingSessions.groupNo, s.groupNo), eq(votingSessions.venueName, s.venueName), eq(votingSessions.privateKey, s.privateKey))),
    );
  }
  for (const s of surveyKeys) {
    if (!s.key || isSealedSecret(s.key)) continue;
    const sealed = await sealText(atRest, secretRows.surveyKey(s.id), s.key);
    updates.push(db.update(surveys).set({ signPrivateKey: sealed }).where(and(eq(surveys.id, s.id), eq(surveys.signPrivateKey, s.key))));
  }
  for (const s of tallyShares) {
    if (isSealedSecret(s.share)) continue;
    const sealed = await sealText(atRest, secretRows.tallyShare(s.campaignId, s.groupNo, s.seatNo), s.share);
    updates.push(
      db
        .update(tallyUnsealShares)
        .set({ share: sealed })
        .where(and(eq(tallyUnsealShares.campaignId, s.campaignId), eq(tallyUnsealShares.groupNo, s.groupNo), eq(tallyUnsealShares.seatNo, s.seatNo), eq(tallyUnsealShares.share, s.share))),
    );
  }
  for (const s of surveyShares) {
    if (isSealedSecret(s.share)) continue;
    const sealed = await sealText(atRest, secretRows.surveyShare(s.surveyId, s.seatNo), s.share);
    updates.push(
      db
        .update(surveyUnsealShares)
        .set({ share: sealed })
        .where(and(eq(surveyUnsealShares.surveyId, s.surveyId), eq(surveyUnsealShares.seatNo, s.seatNo), eq(surveyUnsealShares.share, s.share))),
    );
  }
  if (updates.length) await db.batch(updates as [BatchItem<'sqlite'>, ...BatchItem<'sqlite'>[]]);
  return updates.length;
}

/** A stored link value that is not yet a lookup hash (64 lower-case hex): a token from before hashing. */
const clearLink = sql`NOT (length(${delegates.linkHash}) = 64 AND ${delegates.linkHash} NOT GLOB '*[^0-9a-f]*')`;

/**
 * The upgrade path for delegates drawn before personal links were hashed: their random tokens sat
 * in the clear and cannot be derived again, so each such delegate's link is re-issued (the column
 * gets the lookup hash of the derived token; the old link answers 404 from then on, and the
 * organiser hands out the new one from the CSV export or the printed notices). Each row is
 * replaced only if it still holds the value read; 1,000 rows a statement (one JSON parameter, as
 * for the draw's inserts, so D1's limits hold), all in one atomic batch. Returns how many it re-issued.
 */
export async function reissueClearDelegateLinks(db: Db, links: DelegateLinks): Promise<number> {
  const rows = await db.select({ id: delegates.id, stored: delegates.linkHash }).from(delegates).where(clearLink);
  const updates: BatchItem<'sqlite'>[] = [];
  for (let i = 0; i < rows.length; i += 1000) {
    const chunk = JSON.stringify(rows.slice(i, i + 1000).map((r) => [r.id, r.stored, links.storedFor(r.id)]));
    updates.push(
      db
        .update(delegates)
        .set({ linkHash: sql`(SELECT json_extract(value, '$[2]') FROM json_each(${chunk}) WHERE json_extract(value, '$[0]') = ${delegates.id})` })
        .where(sql`EXISTS (SELECT 1 FROM json_each(${chunk}) WHERE json_extract(value, '$[0]') = ${delegates.id} AND json_extract(value, '$[1]') = ${delegates.linkHash})`),
    );
  }
  if (updates.length) await db.batch(updates as [BatchItem<'sqlite'>, ...BatchItem<'sqlite'>[]]);
  return rows.length;
}
