/**
 * Citizens' contact details at rest: the mobile number and e-mail of a suggestion's author are
 * stored only sealed (AES-256-GCM under the data-encryption key, bound to the suggestion's
 * code), and the mobile also as a keyed hash, `mk1.` + MAC, which duplicate detection and the
 * per-mobile intake limit compare (the way resident ID numbers are kept as a keyed hash). Only the
 * organisers' own views and the sender open the sealed copy.
 */
import { and, eq, not, like, sql } from 'drizzle-orm';
import type { BatchItem } from 'drizzle-orm/batch';
import type { Db } from '../db/client';
import { rateLimits, suggestions, suggestionSupporters } from '../db/schema';
import { openText, sealText, type AtRest, type RowIdentity } from '../lib/at-rest';

export const MOBILE_KEY_PREFIX = 'mk1.';

export const contactSealRow = (code: string): RowIdentity => ['suggestions.contact_sealed', code];

/** The keyed hash of a (validated, canonical) mobile number. */
export const mobileKeyOf = async (atRest: AtRest, mobile: string) => MOBILE_KEY_PREFIX + (await atRest.mac('author-mobile', mobile));

export interface AuthorContact {
  mobile: string;
  email: string | null;
}

export const sealContact = (atRest: AtRest, code: string, c: AuthorContact) => sealText(atRest, contactSealRow(code), JSON.stringify(c));

/** The author's contact for the organisers' views; undefined when it cannot be opened (no key, another key). */
export async function openContact(atRest: AtRest | undefined, code: string, sealed: string | null): Promise<AuthorContact | undefined> {
  if (!atRest || !sealed) return undefined;
  try {
    return JSON.parse(await openText(atRest, contactSealRow(code), sealed)) as AuthorContact;
  } catch {
    return undefined;
  }
}

/**
 * The upgrade for rows stored before contacts were sealed: each suggestion's clear mobile becomes
 * its keyed hash, mobile and e-mail are sealed, the clear e-mail is cleared; supporters' mobiles
 * become keyed hashes; per-mobile rate-limit counters keyed by a clear number are dropped. Each
 * update replaces only the value it read. Run at start (Node) or once per isolate (Workers).
 */
export async function sealAuthorContacts(db: Db, atRest: AtRest): Promise<number> {
  let total = 0;
  for (;;) {
    const rows = await db
      .select({ seq: suggestions.seq, code: suggestions.code, mobile: suggestions.mobileKey, email: suggestions.legacyEmail })
      .from(suggestions)
      .where(not(like(suggestions.mobileKey, `${MOBILE_KEY_PREFIX}%`)))
      .limit(200);
    const supporters = await db.select().from(suggestionSupporters).where(not(like(suggestionSupporters.mobileKey, `${MOBILE_KEY_PREFIX}%`))).limit(200);
    if (!rows.length && !supporters.length) break;
    const updates: BatchItem<'sqlite'>[] = [];
    for (const r of rows) {
      updates.push(
        db
          .update(suggestions)
          .set({ mobileKey: await mobileKeyOf(atRest, r.mobile), contactSealed: await sealContact(atRest, r.code, { mobile: r.mobile, email: r.email }), legacyEmail: null })
          .where(and(eq(suggestions.seq, r.seq), eq(suggestions.mobileKey, r.mobile))),
      );
    }
    for (const s of supporters) {
      // re-inserted under the keyed hash (a support already there under it is kept once), the clear row dropped
      updates.push(
        db.delete(suggestionSupporters).where(and(eq(suggestionSupporters.id, s.id), eq(suggestionSupporters.mobileKey, s.mobileKey))),
        db.insert(suggestionSupporters).values({ ...s, mobileKey: await mobileKeyOf(atRest, s.mobileKey) }).onConflictDoNothing(),
      );
    }
    await db.batch(updates as [BatchItem<'sqlite'>, ...BatchItem<'sqlite'>[]]);
    total += rows.length + supporters.length;
  }
  await db.delete(rateLimits).where(sql`${rateLimits.key} LIKE 'suggest:mobile:%' AND ${rateLimits.key} NOT LIKE ${`suggest:mobile:${MOBILE_KEY_PREFIX}%`}`);
  return total;
}
