import { Hono, type Context } from 'hono';
import type { z } from 'zod';
import { OpenSurveyPage, RespondPage, SurveyFormFragment } from '../../views/survey/respond';
import { OPEN_SURVEY_LIMIT } from '../auth/auth.core';
import { limitAddress, limitedLookup, spendBudget } from '../lib/rate-limit.service';
import { personalLinkDelegate } from '../delegates/links.service';
import type { AppEnv } from '../env';
import { staticScript } from '../lib/assets';
import { AppError, notFound } from '../lib/errors';
import { readJson } from '../lib/input';
import { page } from '../lib/render';
import { codeBody, redeemBody, respondBody, respondOpenBody } from './survey.schemas';
import {
  campaignById,
  defaultCampaign,
  disciplineSurvey,
  findInvitation,
  getCampaign,
  getSurvey,
  invitedOpenSurvey,
  issueDelegateCode,
  loadSurvey,
  parseDefinition,
  redeemInvitation,
  respondOpen,
  respondWithCredential,
} from './survey.service';
import { campaignView, questionnaireView, surveyView } from './survey-view.core';

/** The respondent's pages and API (no staff session is read), a delegate's personal link, the discipline form's old links. */
export const surveyRespondRoutes = new Hono<AppEnv>();

const noStore = (c: Context<AppEnv>) => {
  c.header('Cache-Control', 'no-store');
  c.header('X-Robots-Tag', 'noindex');
};
const load = (c: Context<AppEnv>) => loadSurvey(c.var.db, c.req.param('code') ?? '', c.req.param('id') ?? '');

/** A delegate's personal link: their own invitation for an open questionnaire, handed to the device in the URL fragment. */
surveyRespondRoutes.post('/d/:token/surveys/:id', async (c) => {
  noStore(c);
  const row = await personalLinkDelegate(c, c.req.param('token'));
  const campaign = await campaignById(c.var.db, row.delegate.campaignId);
  const survey = await getSurvey(c.var.db, campaign!, c.req.param('id'));
  const r = await issueDelegateCode(c.var.db, { id: null, name: `delegate:${row.delegate.delegateCode}` }, 'the delegate', campaign!, survey, row.delegate.delegateCode);
  return c.redirect(`/s#t=${r.code}`, 303);
});

// ---- responding (no staff session is read) ----

surveyRespondRoutes.get('/s', (c) => {
  noStore(c);
  return page(c, { title: '问卷调查' }, <RespondPage scriptUrl={staticScript('survey.js')} />);
});

surveyRespondRoutes.get('/s/form', async (c) => {
  const survey = await invitedOpenSurvey(c.var.db, c.req.query('survey') ?? '');
  return c.html(<SurveyFormFragment survey={surveyView(survey)} def={questionnaireView(parseDefinition(survey))} />);
});


surveyRespondRoutes.post('/api/survey/invitation', async (c) => {
  noStore(c);
  const parsed = codeBody.safeParse(await readJson(c));
  if (!parsed.success) throw new AppError(422, 'VALIDATION_FAILED', '请输入邀请码');
  const { invitation, survey } = await limitedLookup(c, 'invitation', () => findInvitation(c.var.db, parsed.data.code));
  const campaign = await campaignById(c.var.db, survey.campaignId);
  // sealKey: the survey's tally key, which the device seals the answers to before they leave it
  return c.json({ campaign: campaign!.code, survey: survey.id, publicKey: survey.signPublicKey, sealKey: survey.sealKey, state: invitation.state });
});


surveyRespondRoutes.post('/api/survey/redeem', async (c) => {
  noStore(c);
  const parsed = redeemBody.safeParse(await readJson(c));
  if (!parsed.success) throw new AppError(422, 'VALIDATION_FAILED', '请提供邀请码和盲化消息');
  return c.json(await limitedLookup(c, 'invitation', () => redeemInvitation(c.var.db, parsed.data.code, parsed.data.blindedMsg, c.var.atRest)));
});


function parseSealed<T>(shape: z.ZodType<T>, body: unknown, needs: string): T {
  if (body && typeof body === 'object' && 'answers' in body) {
    throw new AppError(422, 'PLAINTEXT_REFUSED', '服务器不接收未加密的答卷:请刷新页面,答卷会在您的设备上加密后提交');
  }
  const parsed = shape.safeParse(body);
  if (!parsed.success) throw new AppError(422, 'VALIDATION_FAILED', `答卷格式不正确:需要 ${needs}`);
  return parsed.data;
}

surveyRespondRoutes.post('/api/survey/respond', async (c) => {
  noStore(c);
  const body = parseSealed(respondBody, await readJson(c), 'campaign、survey、credential、ciphertext 和 sealKey');
  const campaign = await getCampaign(c.var.db, body.campaign);
  const survey = await getSurvey(c.var.db, campaign, body.survey);
  const outcome = await respondWithCredential(c.var.db, campaign, survey, body.credential, body.ciphertext, body.sealKey);
  return c.json(outcome, outcome.status === 'accepted' ? 201 : 200);
});

/** The open questionnaire's page seals on the device and posts here (JSON, no cookies). */
surveyRespondRoutes.post('/api/survey/respond-open', async (c) => {
  noStore(c);
  const body = parseSealed(respondOpenBody, await readJson(c), 'campaign、survey、ciphertext 和 sealKey');
  const campaign = await getCampaign(c.var.db, body.campaign);
  const survey = await getSurvey(c.var.db, campaign, body.survey);
  // anyone with the link may report, so reports are limited per address; the counter holds the
  // address (an IPv6 /64) and a count, never meets the sealed response, which stores neither
  await spendBudget(c, `open-survey:${limitAddress(c)}`, OPEN_SURVEY_LIMIT, '提交过于频繁:同一网络每小时最多提交 10 份,请稍后再试');
  const outcome = await respondOpen(c.var.db, campaign, survey, body.ciphertext, body.sealKey);
  return c.json(outcome, outcome.status === 'accepted' ? 201 : 200);
});

surveyRespondRoutes.get('/c/:code/surveys/:id', async (c) => {
  noStore(c);
  const { campaign, survey } = await load(c);
  if (survey.access !== 'open') return c.redirect('/s', 302);
  if (survey.state === 'draft') throw notFound('问卷');
  return page(c, { title: survey.title, campaignCode: campaign.code }, <OpenSurveyPage campaign={campaignView(campaign)} survey={surveyView(survey)} def={questionnaireView(parseDefinition(survey))} scriptUrl={staticScript('survey.js')} />);
});

/**
 * The old plain form post carried the answers in the clear: refused without reading the body
 * (the page now seals on the device and posts to /api/survey/respond-open).
 */
surveyRespondRoutes.post('/c/:code/surveys/:id', (c) => {
  noStore(c);
  throw new AppError(410, 'PLAINTEXT_REFUSED', '为保护您的匿名,答卷须在您的设备上加密后提交,服务器不再接收未加密的表单。请启用浏览器的 JavaScript 后重新打开本页,或在会场填写纸质调查表');
});

// ---- 活动纪律情况调查表: the old link leads to the campaign's discipline questionnaire ----

surveyRespondRoutes.get('/discipline', async (c) => {
  const campaign = await defaultCampaign(c.var.db);
  if (!campaign) throw notFound('年度活动');
  return c.redirect(`/c/${campaign.code}/discipline`, 302);
});

surveyRespondRoutes.get('/c/:code/discipline', async (c) => {
  const campaign = await getCampaign(c.var.db, c.req.param('code'));
  const survey = await disciplineSurvey(c.var.db, campaign);
  if (!survey || survey.state === 'draft') throw new AppError(404, 'NOT_OPEN', '本年度的活动纪律情况调查表尚未开放');
  return c.redirect(`/c/${campaign.code}/surveys/${survey.id}`, 302);
});
