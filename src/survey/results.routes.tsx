import { Hono, type Context } from 'hono';
import { PublicSurveysPage, ReviewPage, SurveyResultPage } from '../../views/survey/results';
import { requireRole, staffUser } from '../auth/auth.middleware';
import type { AppEnv } from '../env';
import { findPersonalData, maskPersonalData, PERSONAL_DATA_LABELS } from '../lib/pii.core';
import { AppError } from '../lib/errors';
import { formFieldsAll, page } from '../lib/render';
import { rateChartSvg } from '../tally/chart.core';
import { surveyCsv } from './survey.core';
import { getCampaign, listSurveys, loadSurvey, parseDefinition, type Survey } from './survey.service';
import { isSurveyUnsealed, loadSurveyResult, publishTexts } from './survey-seal.service';
import { campaignView, questionTitles, surveyView, tallyView } from './survey-view.core';

/** Results: nothing before unsealing; the public list, the tally (page, CSV, chart) and the free-text review. */
export const surveyResultRoutes = new Hono<AppEnv>();

const RESULT_READERS = ['organiser', 'statistician', 'auditor'] as const;
const str = (v: string | string[] | undefined) => (Array.isArray(v) ? (v[v.length - 1] ?? '') : (v ?? '')).trim();
const actor = (c: Context<AppEnv>) => ({ id: staffUser(c).id, name: staffUser(c).username });
const load = (c: Context<AppEnv>) => loadSurvey(c.var.db, c.req.param('code') ?? '', c.req.param('id') ?? '');

surveyResultRoutes.get('/c/:code/surveys', async (c) => {
  const campaign = await getCampaign(c.var.db, c.req.param('code'));
  const list = (await listSurveys(c.var.db, campaign.id)).filter((s) => s.kind === 'social' && s.state !== 'draft');
  const unsealed = new Set<string>();
  for (const s of list) if (await isSurveyUnsealed(c.var.db, s.id)) unsealed.add(s.id);
  return page(c, { title: '社情民意调查', campaignCode: campaign.code }, <PublicSurveysPage campaign={campaignView(campaign)} surveys={list.map(surveyView)} unsealed={unsealed} />);
});

async function unsealed(c: Context<AppEnv>) {
  const { campaign, survey } = await load(c);
  if (survey.kind === 'discipline') {
    // canvassing reports go to the organisers and supervisors, not the public
    const user = c.var.user;
    if (!user || !(RESULT_READERS as readonly string[]).includes(user.role)) throw new AppError(403, 'FORBIDDEN', '活动纪律情况调查结果只向组织者和监督人员公开');
  }
  const result = await loadSurveyResult(c.var.db, survey.id);
  if (!result) throw new AppError(404, 'NOT_UNSEALED', '本问卷尚未开封,结果未公布');
  return { campaign, survey, result };
}

const chartOf = (survey: Survey, tally: Awaited<ReturnType<typeof unsealed>>['result']['tally']) =>
  rateChartSvg(
    tally.questions.filter((q) => q.kind === 'rating').map((q) => ({ name: q.title, satisfactionRate: q.satisfactionRate ?? null, score: null })),
    `${survey.title} 各领域满意率`,
    { score: false },
  );

surveyResultRoutes.get('/c/:code/surveys/:id/results', async (c) => {
  const { campaign, survey, result } = await unsealed(c);
  return page(
    c,
    { title: `${survey.title} 结果`, campaignCode: campaign.code },
    <SurveyResultPage campaign={campaignView(campaign)} survey={surveyView(survey)} tally={tallyView(result.tally)} chartSvg={chartOf(survey, result.tally)} texts={result.publishedTexts} unsealedAt={result.unsealedAt} />,
  );
});

surveyResultRoutes.get('/c/:code/surveys/:id/results.csv', async (c) => {
  const { campaign, survey, result } = await unsealed(c);
  return c.body(surveyCsv(survey.title, result.tally), 200, { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="survey-${campaign.code}-${survey.id.slice(0, 8)}.csv"` });
});

surveyResultRoutes.get('/c/:code/surveys/:id/results/chart.svg', async (c) => {
  const { survey, result } = await unsealed(c);
  return c.body(chartOf(survey, result.tally), 200, { 'content-type': 'image/svg+xml; charset=utf-8' });
});

// ---- free-text review ----

surveyResultRoutes.get('/staff/c/:code/surveys/:id/review', requireRole('statistician', 'auditor'), async (c) => {
  const { campaign, survey } = await load(c);
  const result = await loadSurveyResult(c.var.db, survey.id);
  if (!result) throw new AppError(404, 'NOT_UNSEALED', '本问卷尚未开封');
  c.header('Cache-Control', 'no-store');
  const titles = questionTitles(parseDefinition(survey));
  const texts = result.texts.map((t) => ({
    ...t,
    findings: findPersonalData(t.text).map((f) => ({ label: PERSONAL_DATA_LABELS[f.kind], text: f.text })),
    suggested: maskPersonalData(t.text),
  }));
  return page(c, { title: '审核文字答复', campaignCode: campaign.code }, <ReviewPage campaign={campaignView(campaign)} survey={surveyView(survey)} texts={texts} titles={titles} csrfToken={c.var.csrfToken} published={Boolean(result.publishedTexts)} />);
});

surveyResultRoutes.post('/staff/c/:code/surveys/:id/review', requireRole('statistician', 'auditor'), async (c) => {
  const { campaign, survey } = await load(c);
  const form = await formFieldsAll(c);
  const result = await loadSurveyResult(c.var.db, survey.id);
  if (!result) throw new AppError(404, 'NOT_UNSEALED', '本问卷尚未开封');
  await publishTexts(c.var.db, actor(c), campaign, survey, result.texts.map((_, i) => (form[`t${i}`] === undefined ? null : str(form[`t${i}`]))));
  return c.redirect(`/c/${campaign.code}/surveys/${survey.id}/results`, 303);
});

