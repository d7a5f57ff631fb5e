/**
 * Questionnaires' statements: reads of surveys, invitations, credential uses and stored responses,
 * the conditional writes the service batches with its audit entries, and the two response
 * batches. Statements only; the decisions, audit entries, crypto and errors are survey.service's.
 */
import { and, asc, desc, eq, sql } from 'drizzle-orm';
import { chunkRows, type Db } from '../db/client';
import { campaigns, candidates, delegates, surveyCredentialUses, surveyInvitations, surveyResponses, surveys, type SurveyKind, type SurveyState } from '../db/schema';
import type { SurveyDefinition } from './survey.core';
import { responseInfo as infoOf, surveyScope as scopeOf } from './response.core';

export type Survey = typeof surveys.$inferSelect;

export const parseDefinition = (s: Survey): SurveyDefinition => JSON.parse(s.definition) as SurveyDefinition;

/** The scope string the ceremony core and the sealing `info` use for a survey (response.core's, from the rows). */
export const surveyScope = (campaign: { code: string }, survey: Pick<Survey, 'id'>) => scopeOf(campaign.code, survey.id);
export const responseInfo = (campaign: { code: string }, survey: Pick<Survey, 'id'>) => infoOf(campaign.code, survey.id);

export async function listSurveys(db: Db, campaignId: string): Promise<Survey[]> {
  return db.select().from(surveys).where(eq(surveys.campaignId, campaignId)).orderBy(asc(surveys.createdAt));
}

export async function findSurvey(db: Db, campaignId: string, id: string): Promise<Survey | undefined> {
  const [s] = await db.select().from(surveys).where(and(eq(surveys.campaignId, campaignId), eq(surveys.id, id)));
  return s;
}

export async function surveyById(db: Db, id: string): Promise<Survey | undefined> {
  const [s] = await db.select().from(surveys).where(eq(surveys.id, id));
  return s;
}

/** Newest first. */
export async function surveysOfKind(db: Db, campaignId: string, kind: SurveyKind): Promise<Survey[]> {
  return db.select().from(surveys).where(and(eq(surveys.campaignId, campaignId), eq(surveys.kind, kind))).orderBy(desc(surveys.createdAt));
}

export async function campaignById(db: Db, id: string) {
  const [campaign] = await db.select().from(campaigns).where(eq(campaigns.id, id));
  return campaign;
}

export async function surveyStateAndKey(db: Db, id: string) {
  const [now] = await db.select({ state: surveys.state, sealKey: surveys.sealKey }).from(surveys).where(eq(surveys.id, id));
  return now;
}

export async function storedResponses(db: Db, surveyId: string) {
  return db.select({ receipt: surveyResponses.receipt, ciphertext: surveyResponses.ciphertext }).from(surveyResponses).where(eq(surveyResponses.surveyId, surveyId));
}

export async function responseByReceipt(db: Db, receipt: string) {
  const [stored] = await db.select({ surveyId: surveyResponses.surveyId }).from(surveyResponses).where(eq(surveyResponses.receipt, receipt));
  return stored;
}

export async function delegateByCode(db: Db, campaignId: string, delegateCode: string) {
  const [found] = await db
    .select({ id: delegates.id, state: delegates.state, venueName: delegates.venueName, name: candidates.name })
    .from(delegates)
    .innerJoin(candidates, eq(candidates.id, delegates.candidateId))
    .where(and(eq(delegates.campaignId, campaignId), eq(delegates.delegateCode, delegateCode)));
  return found;
}

export async function delegateInvitation(db: Db, surveyId: string, delegateId: string) {
  const [already] = await db.select({ id: surveyInvitations.id }).from(surveyInvitations).where(and(eq(surveyInvitations.surveyId, surveyId), eq(surveyInvitations.delegateId, delegateId)));
  return already;
}

export async function invitationByHash(db: Db, ticketHash: string) {
  const [row] = await db.select().from(surveyInvitations).where(eq(surveyInvitations.ticketHash, ticketHash));
  return row;
}

export async function invitationRedemption(db: Db, id: string) {
  const [now] = await db.select({ state: surveyInvitations.state, blindHash: surveyInvitations.blindHash }).from(surveyInvitations).where(eq(surveyInvitations.id, id));
  return now;
}

export async function credentialUse(db: Db, credentialHash: string) {
  const [use] = await db.select().from(surveyCredentialUses).where(eq(surveyCredentialUses.credentialHash, credentialHash));
  return use;
}

export async function invitationCountRows(db: Db, surveyId: string) {
  return db
    .select({ channel: surveyInvitations.channel, state: surveyInvitations.state, n: sql<number>`count(*)` })
    .from(surveyInvitations)
    .where(eq(surveyInvitations.surveyId, surveyId))
    .groupBy(surveyInvitations.channel, surveyInvitations.state);
}

// ---- writes (the service runs them in its audited batches) ----

export const insertSurvey = (db: Db, row: typeof surveys.$inferInsert) => db.insert(surveys).values(row);

export const surveyInState = (id: string, state: SurveyState) => and(eq(surveys.id, id), eq(surveys.state, state));
export const surveyAtVersion = (id: string, version: number) => and(eq(surveys.id, id), eq(surveys.version, version));
export const responseCountIs = (surveyId: string, n: number) => sql`(SELECT count(*) FROM survey_responses WHERE survey_id = ${surveyId}) = ${n}`;

export const updateDraftDefinition = (db: Db, id: string, version: number, definition: string, title: string) =>
  db.update(surveys).set({ definition, title, version: sql`${surveys.version} + 1` }).where(and(eq(surveys.id, id), eq(surveys.state, 'draft'), eq(surveys.version, version)));

// the definition opened is the one checked, and a second opening at once opens nothing
export const openDraft = (db: Db, id: string, signPublicKey: string, signPrivateKey: string) =>
  db
    .update(surveys)
    .set({ state: 'open', signPublicKey, signPrivateKey, openedAt: Date.now() })
    .where(and(eq(surveys.id, id), eq(surveys.state, 'draft')));

// query builders, not db.run(sql): drizzle's D1 batch cannot bind a raw statement's parameters
export const closeOpen = (db: Db, id: string, root: string, responses: number) =>
  db
    .update(surveys)
    .set({ state: 'closed', closedAt: Date.now(), root, signPrivateKey: null })
    .where(and(eq(surveys.id, id), eq(surveys.state, 'open'), responseCountIs(id, responses)));

export const insertInvitations = (db: Db, rows: (typeof surveyInvitations.$inferInsert)[]) => chunkRows(rows).map((chunk) => db.insert(surveyInvitations).values(chunk));

export const insertDelegateInvitation = (db: Db, row: typeof surveyInvitations.$inferInsert) => db.insert(surveyInvitations).values(row).onConflictDoNothing();

export const markRedeemed = (db: Db, id: string, blindHash: string) =>
  db
    .update(surveyInvitations)
    .set({ state: 'redeemed', blindHash })
    .where(and(eq(surveyInvitations.id, id), eq(surveyInvitations.state, 'issued')));

/**
 * One batch, each statement re-checking: the credential is spent on this receipt only while the
 * survey is open under this seal key, fewer responses are stored than signatures issued, and no
 * stored response has this receipt; then the counter moves and the response is stored, both only
 * while this credential's use names this receipt and no response with it exists yet. Returns the
 * inserted response (none for the identical retry).
 */
export async function storeCredentialResponse(db: Db, r: { surveyId: string; sealKey: string; credentialHash: string; tag: string; receipt: string; ciphertext: string }) {
  const { surveyId, sealKey, credentialHash: hash, tag, receipt, ciphertext } = r;
  const open = sql`EXISTS (SELECT 1 FROM surveys WHERE id = ${surveyId} AND state = 'open' AND seal_key = ${sealKey})`;
  const fresh = sql`NOT EXISTS (SELECT 1 FROM survey_responses WHERE receipt = ${receipt})`;
  const mine = sql`EXISTS (SELECT 1 FROM survey_credential_uses WHERE credential_hash = ${hash} AND receipt = ${receipt})`;
  const [, , inserted] = await db.batch([
    db
      .insert(surveyCredentialUses)
      // never more responses than signatures issued: a signing key from a database copy can add none
      .select(
        sql`SELECT ${hash}, ${surveyId}, ${tag}, ${receipt} WHERE ${open} AND ${fresh}
          AND (SELECT responses FROM surveys WHERE id = ${surveyId}) < (SELECT count(*) FROM survey_invitations WHERE survey_id = ${surveyId} AND state = 'redeemed')`,
      )
      .onConflictDoNothing(),
    // the counter before the insert: both see "no response with this receipt yet" in the same state
    db
      .update(surveys)
      .set({ responses: sql`${surveys.responses} + 1` })
      .where(and(eq(surveys.id, surveyId), eq(surveys.state, 'open'), mine, fresh)),
    db
      .insert(surveyResponses)
      .select(sql`SELECT ${receipt}, ${surveyId}, ${ciphertext} WHERE ${mine} AND ${fresh}`)
      .onConflictDoNothing()
      .returning({ receipt: surveyResponses.receipt }),
  ]);
  return inserted;
}

/** The open questionnaire's batch: the counter moves before the insert, both on "not stored yet". */
export async function storeOpenResponse(db: Db, r: { surveyId: string; sealKey: string; receipt: string; ciphertext: string }) {
  const { surveyId, sealKey, receipt, ciphertext } = r;
  const fresh = sql`NOT EXISTS (SELECT 1 FROM survey_responses WHERE receipt = ${receipt})`;
  const open = sql`EXISTS (SELECT 1 FROM surveys WHERE id = ${surveyId} AND state = 'open' AND seal_key = ${sealKey})`;
  const [, inserted] = await db.batch([
    db
      .update(surveys)
      .set({ responses: sql`${surveys.responses} + 1` })
      .where(and(eq(surveys.id, surveyId), eq(surveys.state, 'open'), eq(surveys.sealKey, sealKey), fresh)),
    db
      .insert(surveyResponses)
      .select(sql`SELECT ${receipt}, ${surveyId}, ${ciphertext} WHERE ${open} AND ${fresh}`)
      .onConflictDoNothing()
      .returning({ receipt: surveyResponses.receipt }),
  ]);
  return inserted;
}
