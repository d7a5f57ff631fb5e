/**
 * Questionnaires' reads: surveys, invitations, credential uses and stored responses. Statements
 * only; the decisions, audit entries and errors are survey.service's.
 */
import { and, asc, desc, eq, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { campaigns, candidates, delegates, surveyCredentialUses, surveyInvitations, surveyResponses, surveys, type SurveyKind } from '../db/schema';
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
