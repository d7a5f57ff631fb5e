import { SYSTEM_ACTOR } from '../../src/audit/audit.service';
import { getCampaign, type Campaign } from '../../src/campaigns/campaigns.service';
import type { Db } from '../../src/db/client';
import { blindRequest, finalizeCredential, type Credential } from '../../src/hearing/credential.core';
import { createDisciplineSurvey, createSocialSurvey, getSurvey, issueCitizenCodes, openSurvey, parseDefinition, surveyScope, type Survey } from '../../src/survey/survey.service';
import { encodeResponse, responseInfo } from '../../src/survey/response.core';
import { checkResponse, type Answers } from '../../src/survey/survey.core';
import { IKM_LENGTH, sealWithSeed } from '../../src/tally/device-seal.core';
import { ballotReceipt } from '../../src/tally/seal.core';
import {
  approveSurveyResult,
  joinSurveyCeremony,
  postSurveyResult,
  sealedSurveyShareFor,
  surveyCommitment,
  surveyResponsesFile,
  surveySeatsDocument,
  uploadSurveyCeremony,
} from '../../src/survey/survey-seal.service';
import { unsealSurveyWithShares } from '../../src/survey/survey-unseal.core';
import { openSealedShare, runCeremonyCore, type ShareFile } from '../../src/tally/ceremony.core';
import { newSeatKeyFile, seatKeyFromFile, type SeatKeyFile } from '../../src/tally/seat-key.core';
import { atRestOf } from './app';
import { api } from './hearing';

type Fetchable = { request: (path: string, init?: RequestInit) => Response | Promise<Response> };

export const surveyCustodian = (seat: number) => ({ id: `survey-custodian-${seat}`, name: `保管人${seat}` });

/**
 * Stand-in custodians register key-file seat keys for the survey's scope, the ceremony runs on
 * "their side" (the same `runCeremonyCore` as `npm run ceremony -- --survey`), is uploaded, and
 * each opens their sealed share locally. Returns the opened shares and the seat key files.
 */
export async function surveyCeremony(db: Db, campaign: Campaign, surveyId: string): Promise<ShareFile[] & { keyFiles: SeatKeyFile[] }> {
  let survey = await getSurvey(db, campaign, surveyId);
  const scope = surveyScope(campaign, survey);
  const keyFiles: SeatKeyFile[] = [];
  for (let seat = 1; seat <= survey.shareCount; seat++) {
    const keyFile = await newSeatKeyFile(scope, 0, seat);
    const c = surveyCustodian(seat);
    await joinSurveyCeremony(db, c, campaign, survey, seat, keyFile.publicKey, c.name);
    keyFiles.push(keyFile);
  }
  await uploadSurveyCeremony(db, SYSTEM_ACTOR, campaign, survey, await runCeremonyCore(await surveySeatsDocument(db, campaign, survey)));
  survey = await getSurvey(db, campaign, surveyId);
  const shares = [] as unknown as ShareFile[] & { keyFiles: SeatKeyFile[] };
  for (const keyFile of keyFiles) {
    const sealed = await sealedSurveyShareFor(db, surveyCustodian(keyFile.seat), campaign, survey);
    const seatKey = await seatKeyFromFile(JSON.stringify(keyFile), scope, 0, keyFile.seat);
    shares.push(await openSealedShare(sealed, seatKey.privateKey));
    seatKey.privateKey.fill(0);
  }
  shares.keyFiles = keyFiles;
  return shares;
}

/**
 * The custodians' side of unsealing a closed survey, in this process: read the commitment and
 * the committed responses as the API serves them, unseal with the shares, post the public
 * edition, and have the seats whose shares were used approve it until it is published.
 */
export async function unsealSurveyAsCustodians(db: Db, campaign: Campaign, surveyOrId: Survey | string, shares: readonly (ShareFile | string)[]) {
  const survey = await getSurvey(db, campaign, typeof surveyOrId === 'string' ? surveyOrId : surveyOrId.id);
  const commitment = await surveyCommitment(db, campaign, survey);
  const file = await surveyResponsesFile(db, campaign, survey);
  const { result, auditEdition, seats } = await unsealSurveyWithShares(commitment, file, shares.map((s) => (typeof s === 'string' ? s : JSON.stringify(s))));
  const { digest } = await postSurveyResult(db, surveyCustodian(seats[0]!), campaign, survey, result);
  for (const seat of seats.slice(0, commitment.threshold)) await approveSurveyResult(db, surveyCustodian(seat), campaign, survey, digest);
  return { result, auditEdition, commitment, tally: result.tally };
}

/** The 社情民意调查 from its template, with its ceremony held and opened; `codes` citizen invitations. */
export async function openSocialSurvey(db: Db, codes = 0): Promise<{ campaign: Campaign; survey: Survey; shares: ShareFile[]; codes: string[] }> {
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

/** What a respondent's device does with an invitation code: fetch the survey's keys, blind, redeem, unblind. */
export async function responseCredential(app: Fetchable, code: string): Promise<{ credential: Credential; blindedMsg: string; survey: string; sealKey: string }> {
  const info = await api(app, '/api/survey/invitation', { code });
  if (info.status !== 200) throw new Error(`invitation: ${info.status} ${info.text}`);
  const req = await blindRequest(info.json.publicKey);
  const r = await api(app, '/api/survey/redeem', { code, blindedMsg: req.blindedMsg });
  if (r.status !== 200) throw new Error(`redeem: ${r.status} ${r.text}`);
  return { credential: await finalizeCredential(info.json.publicKey, req, r.json.blindSig), blindedMsg: req.blindedMsg, survey: info.json.survey, sealKey: info.json.sealKey };
}

type SurveyRow = Pick<Survey, 'id' | 'sealKey' | 'definition'>;

/**
 * The device's sealing, as survey.client.ts does it: the padded plaintext (the encoded answers,
 * or `bytes` as given, for a device that seals garbage) sealed with HPKE to the survey key under
 * the survey's `info`, with fresh randomness; the receipt is SHA-256 of the ciphertext text.
 */
export async function sealResponse(survey: SurveyRow, answers: unknown, opts: { bytes?: Uint8Array; sealKey?: string; campaign?: string; surveyId?: string } = {}) {
  const bytes = opts.bytes ?? encodeResponse({ v: 1, survey: opts.surveyId ?? survey.id, answers: answers as Answers });
  const ciphertext = await sealWithSeed(opts.sealKey ?? survey.sealKey!, responseInfo(opts.campaign ?? '2018', survey.id), bytes, crypto.getRandomValues(new Uint8Array(IKM_LENGTH)));
  return { ciphertext, receipt: ballotReceipt(ciphertext) };
}

/** Posts a sealed response on a credential, exactly as given. */
export const respondSealed = (app: Fetchable, survey: Pick<Survey, 'id' | 'sealKey'>, credential: Credential, ciphertext: string, sealKey = survey.sealKey!) =>
  api(app, '/api/survey/respond', { campaign: '2018', survey: survey.id, credential, ciphertext, sealKey });

/**
 * A respondent's device answering: checks the answers against the definition (a device shows
 * the messages and sends nothing while they are wrong), seals the normalised answers, posts the
 * ciphertext. Returns the server's answer with what was sent.
 */
export async function respond(app: Fetchable, survey: SurveyRow, credential: Credential, answers: Record<string, unknown>) {
  const checked = checkResponse(parseDefinition(survey as Survey), answers);
  if (!checked.ok) throw new Error(`the device would not send this: ${JSON.stringify(checked.errors)}`);
  const sealed = await sealResponse(survey, checked.answers);
  return { ...(await respondSealed(app, survey, credential, sealed.ciphertext)), sent: sealed };
}

/** Posts a sealed report to an open questionnaire from `ip` (the per-address budget counts it). */
export async function respondOpenSealed(app: Fetchable, survey: Pick<Survey, 'id' | 'sealKey'>, ciphertext: string, opts: { ip?: string; sealKey?: string } = {}) {
  const res = await (app as { request: (p: string, i: RequestInit, env?: unknown) => Response | Promise<Response> }).request(
    'http://localhost/api/survey/respond-open',
    { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ campaign: '2018', survey: survey.id, ciphertext, sealKey: opts.sealKey ?? survey.sealKey }) },
    { incoming: { socket: { remoteAddress: opts.ip ?? '192.0.2.1', remotePort: 50000, remoteFamily: 'IPv4' } } },
  );
  const text = await res.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, json, text, res };
}

/** The discipline form answered on a device: checked, sealed, posted. */
export async function respondOpen(app: Fetchable, survey: SurveyRow, answers: Record<string, unknown>, opts: { ip?: string } = {}) {
  const checked = checkResponse(parseDefinition(survey as Survey), answers);
  if (!checked.ok) throw new Error(`the device would not send this: ${JSON.stringify(checked.errors)}`);
  const sealed = await sealResponse(survey, checked.answers);
  return { ...(await respondOpenSealed(app, survey, sealed.ciphertext, opts)), sent: sealed };
}

/** A complete answer sheet for the 社情民意调查 template: identity, 13 ratings (1-based scale positions), optional rest. */
export function socialAnswers(ratings: number[], extra: Record<string, unknown> = {}) {
  const out: Record<string, unknown> = { q1: 1 };
  ratings.forEach((r, i) => (out[`q${i + 3}`] = r));
  return { ...out, ...extra };
}
