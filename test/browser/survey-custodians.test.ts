import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/node/boot';
import { SYSTEM_ACTOR } from '../../src/audit/audit.service';
import { getCampaign } from '../../src/campaigns/campaigns.service';
import { closeSurvey, createSocialSurvey, getSurvey, issueCitizenCodes, openSurvey } from '../../src/survey/survey.service';
import { surveyScope } from '../../src/survey/response.core';
import { approveSurveyResult, joinSurveyCeremony, postSurveyResult, sealedSurveyShareFor, setSurveyParams, surveyCommitment, surveyResponsesFile, surveySeatsDocument, uploadSurveyCeremony } from '../../src/survey/survey-seal.service';
import { unsealSurveyWithShares } from '../../src/survey/survey-unseal.core';
import { openSealedShare, runCeremonyCore } from '../../src/tally/ceremony.core';
import { newSeatKeyFile, seatKeyFromFile } from '../../src/tally/seat-key.core';
import { addUser, atRestOf, PASSWORD, rememberAtRest } from '../helpers/app';
import { ARTIFACTS, launchBrowser } from '../helpers/browser';
import { respond, responseCredential, socialAnswers } from '../helpers/survey';

/** The survey page on a custodian's screen: the result the custodians posted, approved with one click. */
let dir: string;
let server: RunningServer;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
let surveyId: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sanmin-survey-custodians-'));
  server = await startServer({ PORT: 0, HOST: '127.0.0.1', DATABASE_URL: `file:${join(dir, 's.db')}` });
  const db = server.handle.db;
  rememberAtRest(db, server.handle.url);
  const campaign = await getCampaign(db, '2018');
  const custodians = [];
  for (const n of [1, 2]) custodians.push({ id: await addUser(db, `bc${n}`, 'custodian'), name: `bc${n}` });
  surveyId = await createSocialSurvey(db, SYSTEM_ACTOR, campaign);
  await setSurveyParams(db, SYSTEM_ACTOR, campaign, await getSurvey(db, campaign, surveyId), 2, 2);
  const scope = surveyScope('2018', surveyId);
  const keyFiles = [];
  for (const [i, c] of custodians.entries()) {
    const keyFile = await newSeatKeyFile(scope, 0, i + 1);
    await joinSurveyCeremony(db, c, campaign, await getSurvey(db, campaign, surveyId), i + 1, keyFile.publicKey, c.name);
    keyFiles.push(keyFile);
  }
  await uploadSurveyCeremony(db, SYSTEM_ACTOR, campaign, await getSurvey(db, campaign, surveyId), await runCeremonyCore(await surveySeatsDocument(db, campaign, await getSurvey(db, campaign, surveyId))));
  await openSurvey(db, SYSTEM_ACTOR, campaign, await getSurvey(db, campaign, surveyId), atRestOf(db));
  let survey = await getSurvey(db, campaign, surveyId);
  const { codes } = await issueCitizenCodes(db, SYSTEM_ACTOR, campaign, survey, 2);
  const app = { request: (path: string, init?: RequestInit) => fetch(path.replace('http://localhost', server.url), init) };
  for (const [i, code] of codes.entries()) {
    const { credential } = await responseCredential(app, code);
    expect((await respond(app, survey, credential, socialAnswers(Array(13).fill(i + 1)))).status).toBe(201);
  }
  await closeSurvey(db, SYSTEM_ACTOR, campaign, survey);
  survey = await getSurvey(db, campaign, surveyId);
  // the custodians' side: open the sealed shares, unseal, post; seat 1 approves
  const shares = [];
  for (const [i, c] of custodians.entries()) {
    const key = await seatKeyFromFile(JSON.stringify(keyFiles[i]), scope, 0, i + 1);
    shares.push(JSON.stringify(await openSealedShare(await sealedSurveyShareFor(db, c, campaign, survey), key.privateKey)));
  }
  const { result } = await unsealSurveyWithShares(await surveyCommitment(db, campaign, survey), await surveyResponsesFile(db, campaign, survey), shares);
  const { digest } = await postSurveyResult(db, custodians[0]!, campaign, survey, result);
  await approveSurveyResult(db, custodians[0]!, campaign, survey, digest);
  browser = await launchBrowser({ width: 1024, height: 900 });
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('a custodian approves a survey result on the survey page', () => {
  it('sees the posted result awaiting approval, confirms it, and the results page shows the figures', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${server.url}/login`);
    await page.getByLabel('用户名').fill('bc2');
    await page.getByLabel('密码').fill(PASSWORD);
    await page.getByRole('button', { name: '登录' }).click();
    await page.waitForURL(/\/staff$/);
    await page.goto(`${server.url}/staff/c/2018/surveys/${surveyId}`);
    await expect.poll(() => page.getByText('待确认结果:有效答卷 2 份').count()).toBe(1);
    await expect.poll(() => page.getByText('已确认席位:1').count()).toBe(1);
    await page.getByRole('button', { name: '确认此结果' }).scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(ARTIFACTS, 'survey-custodian-approve.png'), fullPage: false });
    await page.getByRole('button', { name: '确认此结果' }).click();
    await expect.poll(() => page.getByText('问卷已开封,结果已公布').count()).toBeGreaterThan(0);
    await page.goto(`${server.url}/c/2018/surveys/${surveyId}/results`);
    await expect.poll(() => page.getByText('有效答卷 2 份').count()).toBeGreaterThan(0);
    await page.screenshot({ path: join(ARTIFACTS, 'survey-custodian-results.png'), fullPage: false });
  });
});
