import { SYSTEM_ACTOR } from '../../src/audit/audit.repo';
import { getCampaign, type Campaign } from '../../src/campaigns/campaigns.repo';
import type { Db } from '../../src/db/client';
import { blindRequest, finalizeCredential, type Credential } from '../../src/hearing/credential';
import { randomToken } from '../../src/lib/crypto';
import { createDisciplineSurvey, createSocialSurvey, getSurvey, issueCitizenCodes, openSurvey, type Survey } from '../../src/survey/survey.repo';
import { joinSurveyCeremony, runSurveyCeremony, takeSurveyShare, type SurveyShareFile } from '../../src/survey/survey.seal';
import { atRestOf } from './app';
import { api } from './hearing';

type Fetchable = { request: (path: string, init?: RequestInit) => Response | Promise<Response> };

/** Stand-in custodians join, the ceremony runs and every share comes back to the caller (rehearsal style). */
export async function surveyCeremony(db: Db, campaign: Campaign, surveyId: string): Promise<SurveyShareFile[]> {
  let survey = await getSurvey(db, campaign, surveyId);
  const custodians = Array.from({ length: survey.shareCount }, (_, i) => ({ id: `survey-custodian-${i + 1}`, name: `保管人${i + 1}`, secret: randomToken() }));
  for (const c of custodians) await joinSurveyCeremony(db, c, campaign, survey, c.secret);
  await runSurveyCeremony(db, SYSTEM_ACTOR, campaign, survey);
  survey = await getSurvey(db, campaign, surveyId);
  const shares: SurveyShareFile[] = [];
  for (const c of custodians) shares.push((await takeSurveyShare(db, c, campaign, survey, c.secret)).file);
  return shares;
}

/** The 社情民意调查 from its template, with its ceremony held and opened; `codes` citizen invitations. */
export async function openSocialSurvey(db: Db, codes = 0): Promise<{ campaign: Campaign; survey: Survey; shares: SurveyShareFile[]; codes: string[] }> {
  const campaign = await getCampaign(db, '2018');
  const id = await createSocialSurvey(db, SYSTEM_ACTOR, campaign);
  const shares = await surveyCeremony(db, campaign, id);
  await openSurvey(db, SYSTEM_ACTOR, campaign, await getSurvey(db, campaign, id), atRestOf(db));
  const survey = await getSurvey(db, campaign, id);
  const issued = codes ? (await issueCitizenCodes(db, SYSTEM_ACTOR, campaign, survey, codes)).codes : [];
  return { campaign, survey, shares, codes: issued };
}

export async function openDisciplineSurvey(db: Db) {
  const campaign = await getCampaign(db, '2018');
  const id = await createDisciplineSurvey(db, SYSTEM_ACTOR, campaign);
  const shares = await surveyCeremony(db, campaign, id);
  await openSurvey(db, SYSTEM_ACTOR, campaign, await getSurvey(db, campaign, id), atRestOf(db));
  return { campaign, survey: await getSurvey(db, campaign, id), shares };
}

/** What a respondent's device does with an invitation code: fetch the survey key, blind, redeem, unblind. */
export async function responseCredential(app: Fetchable, code: string): Promise<{ credential: Credential; blindedMsg: string; survey: string }> {
  const info = await api(app, '/api/survey/invitation', { code });
  if (info.status !== 200) throw new Error(`invitation: ${info.status} ${info.text}`);
  const req = await blindRequest(info.json.publicKey);
  const r = await api(app, '/api/survey/redeem', { code, blindedMsg: req.blindedMsg });
  if (r.status !== 200) throw new Error(`redeem: ${r.status} ${r.text}`);
  return { credential: await finalizeCredential(info.json.publicKey, req, r.json.blindSig), blindedMsg: req.blindedMsg, survey: info.json.survey };
}

export const respond = (app: Fetchable, survey: string, credential: Credential, answers: Record<string, unknown>) =>
  api(app, '/api/survey/respond', { campaign: '2018', survey, credential, answers });

/** A complete answer sheet for the 社情民意调查 template: identity, 13 ratings (1-based scale positions), optional rest. */
export function socialAnswers(ratings: number[], extra: Record<string, unknown> = {}) {
  const out: Record<string, unknown> = { q1: 1 };
  ratings.forEach((r, i) => (out[`q${i + 3}`] = r));
  return { ...out, ...extra };
}
