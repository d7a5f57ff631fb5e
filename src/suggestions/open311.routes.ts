import { Hono, type Context } from 'hono';
import { limitedLookup } from '../lib/rate-limit.service';
import { cachedCampaign } from '../campaigns/campaigns.service';
import type { AppEnv } from '../env';
import { AppError } from '../lib/errors';
import { isJsonType, readForm, readJson } from '../lib/input';
import { publicIntake } from './intake.service';
import { OPEN311_FIELD, serviceDefinition, services, toServiceRequest, toSuggestionFields } from './open311.core';
import { publicView } from './suggestions.core';
import { assignmentsOf, cachedIntakeContext, findByCode } from './suggestions.service';

/**
 * Open311 GeoReport v2 for other channels (government mini-programs, the 12345 hotline's
 * system): the same intake as the web form (publicIntake: rate limits, validation, duplicates,
 * privacy). `jurisdiction_id` is the campaign code (default: the campaign in force). Errors are
 * GeoReport's `[{code, description}]`, with our stable code in `error_code` (src/lib/error-page.tsx).
 */
export const open311Routes = new Hono<AppEnv>();

const campaignOf = (c: Context<AppEnv>, body?: Record<string, unknown>) => {
  const j = (typeof body?.['jurisdiction_id'] === 'string' ? body['jurisdiction_id'] : undefined) ?? c.req.query('jurisdiction_id');
  return cachedCampaign(c.var.db, j ? String(j).slice(0, 40) : undefined);
};

open311Routes.get('/services.json', async (c) => {
  const campaign = await campaignOf(c);
  return c.json(services(await cachedIntakeContext(c.var.db, campaign.id), campaign.name));
});

open311Routes.get('/services/:code{.+\\.json}', async (c) => {
  const campaign = await campaignOf(c);
  const code = decodeURIComponent(c.req.param('code').replace(/\.json$/, ''));
  const ctx = await cachedIntakeContext(c.var.db, campaign.id);
  if (!ctx.areas.includes(code)) throw new AppError(404, 'NOT_FOUND', `没有代码为“${code.slice(0, 40)}”的服务`);
  return c.json(serviceDefinition(ctx, code));
});

open311Routes.post('/requests.json', async (c) => {
  const body = isJsonType(c.req.header('content-type') ?? null) ? await readJson(c) : await readForm(c);
  const campaign = await campaignOf(c, body);
  const result = await publicIntake(c, campaign, toSuggestionFields(body), 'open311');
  if (result.kind === 'honeypot') throw new AppError(400, 'VALIDATION_FAILED', '提交的内容有误');
  if (result.kind === 'invalid') {
    const [field, message] = Object.entries(result.errors)[0]!;
    throw new AppError(400, 'VALIDATION_FAILED', `${OPEN311_FIELD[field] ?? field}: ${message}`, Object.fromEntries(Object.entries(result.errors).map(([k, v]) => [OPEN311_FIELD[k] ?? k, v])));
  }
  const notice =
    result.kind === 'created'
      ? '建议已受理,请保存跟踪码(service_request_id)查询办理进度'
      : result.kind === 'same_author'
        ? '您此前已提交过内容相近的建议,未重复登记,跟踪码与上次相同'
        : '已有市民提交了内容几乎相同的建议,本条已作为附议合并到该建议';
  return c.json([{ service_request_id: result.code, service_notice: notice, account_id: null }], result.kind === 'created' ? 201 : 200);
});

open311Routes.get('/requests/:id{.+\\.json}', async (c) => {
  const id = c.req.param('id').replace(/\.json$/, '');
  const s = await limitedLookup(c, 'suggestion', () => findByCode(c.var.db, undefined, id));
  if (!s) throw new AppError(404, 'NOT_FOUND', '找不到该跟踪码对应的建议');
  const assigns = await assignmentsOf(c.var.db, s.seq);
  const departments = [...new Set(assigns.filter((a) => a.status !== 'returned').map((a) => a.departmentName))];
  const updatedAt = Math.max(s.createdAt, s.dispatchedAt ?? 0, s.answeredAt ?? 0, s.publishedAt ?? 0, s.closedAt ?? 0);
  return c.json([toServiceRequest({ ...publicView(s), departments, updatedAt })]);
});
