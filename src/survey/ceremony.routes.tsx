import { Hono, type Context } from 'hono';
import { requireRole, staffUser } from '../auth/auth.middleware';
import type { AppEnv } from '../env';
import { AppError } from '../lib/errors';
import { readJson } from '../lib/input';
import { loadSurvey } from './survey.service';
import {
  approveSurveyResult,
  joinSurveyCeremony,
  postSurveyResult,
  sealedSurveyShareFor,
  surveyCommitment,
  surveyResponsesFile,
  surveySealState,
  surveySeatsDocument,
  uploadSurveyCeremony,
} from './survey-seal.service';

/** A survey's ceremony and unsealing as JSON, for the CLI and scripts (bearer token or cookie with X-CSRF-Token). */
export const surveyCeremonyApi = new Hono<AppEnv>();

const STAFF = ['organiser', 'statistician', 'custodian', 'auditor', 'venue_staff'] as const;
const actor = (c: Context<AppEnv>) => ({ id: staffUser(c).id, name: staffUser(c).username });
const load = (c: Context<AppEnv>) => loadSurvey(c.var.db, c.req.param('code') ?? '', c.req.param('id') ?? '');

const apiSurvey = '/api/campaigns/:code/surveys/:id/tally';

/** The ceremony's input: seats, names, seat public keys, k, n, the survey's scope as "campaign" and group 0. */
surveyCeremonyApi.get(`${apiSurvey}/seats`, requireRole(...STAFF), async (c) => {
  const { campaign, survey } = await load(c);
  return c.json(await surveySeatsDocument(c.var.db, campaign, survey), 200, { 'content-disposition': `inline; filename="seats-${campaign.code}-survey-${survey.id.slice(0, 8)}.json"` });
});

/** body {"seat": n, "seatKey": "<43-character base64url X25519 public key>"} */
surveyCeremonyApi.post(`${apiSurvey}/join`, requireRole('custodian'), async (c) => {
  const { campaign, survey } = await load(c);
  const body = await readJson(c);
  return c.json({ seat: await joinSurveyCeremony(c.var.db, actor(c), campaign, survey, body['seat'], body['seatKey'], staffUser(c).displayName) });
});

/** body: the ceremony file written by `npm run ceremony -- --survey <id>` on the offline machine. */
surveyCeremonyApi.post(`${apiSurvey}/ceremony`, requireRole('statistician', 'organiser'), async (c) => {
  const { campaign, survey } = await load(c);
  return c.json(await uploadSurveyCeremony(c.var.db, actor(c), campaign, survey, await readJson(c)));
});

surveyCeremonyApi.get(`${apiSurvey}/share`, requireRole('custodian'), async (c) => {
  const { campaign, survey } = await load(c);
  const sealed = await sealedSurveyShareFor(c.var.db, actor(c), campaign, survey);
  return c.json(sealed, 200, { 'cache-control': 'no-store', 'content-disposition': `attachment; filename="sealed-share-${campaign.code}-survey-${survey.id.slice(0, 8)}-${sealed.seat}.json"` });
});

/** The commitment fixed at closing (public: it reveals receipts and the definition, no content). */
surveyCeremonyApi.get(`${apiSurvey}/commitment`, async (c) => {
  const { campaign, survey } = await load(c);
  return c.json(await surveyCommitment(c.var.db, campaign, survey), 200, { 'content-disposition': `inline; filename="commitment-${campaign.code}-survey-${survey.id.slice(0, 8)}.json"` });
});

surveyCeremonyApi.get(`${apiSurvey}/responses`, requireRole(...STAFF), async (c) => {
  const { campaign, survey } = await load(c);
  return c.json(await surveyResponsesFile(c.var.db, campaign, survey), 200, { 'content-disposition': `inline; filename="responses-${campaign.code}-survey-${survey.id.slice(0, 8)}.json"` });
});

/** body: the public edition written by `npm run unseal` (no private key). */
surveyCeremonyApi.post(`${apiSurvey}/result`, requireRole('custodian', 'statistician', 'organiser'), async (c) => {
  const { campaign, survey } = await load(c);
  const r = await postSurveyResult(c.var.db, actor(c), campaign, survey, await readJson(c));
  return c.json({ digest: r.digest, threshold: r.threshold });
});

/** The preview a seated custodian checks before approving (the tally, never the answers). */
surveyCeremonyApi.get(`${apiSurvey}/draft`, requireRole('custodian'), async (c) => {
  const { survey } = await load(c);
  const seal = await surveySealState(c.var.db, survey);
  if (!seal.seats.some((s) => s.custodianId === staffUser(c).id)) throw new AppError(403, 'NO_SEAT', '只有本问卷的保管人可以预览待确认的结果');
  if (!seal.draft) throw new AppError(404, 'NO_DRAFT', '还没有待确认的结果');
  return c.json(seal.draft, 200, { 'cache-control': 'no-store' });
});

/** body {"digest": "<the draft's digest as previewed>"}; the k-th approval publishes. */
surveyCeremonyApi.post(`${apiSurvey}/approve`, requireRole('custodian'), async (c) => {
  const { campaign, survey } = await load(c);
  const body = await readJson(c);
  const r = await approveSurveyResult(c.var.db, actor(c), campaign, survey, body['digest']);
  return c.json({ ...r, result: r.published ? `/c/${campaign.code}/surveys/${survey.id}/results` : null });
});
