import { Hono } from 'hono';
import { z } from 'zod';
import { requireRole, staffUser } from '../auth/auth.middleware';
import { limitedLookup } from '../lib/rate-limit.service';
import { cachedCampaign, getCampaign } from '../campaigns/campaigns.service';
import { randomCode } from '../delegates/delegates.core';
import type { AppEnv } from '../env';
import { AppError, forbidden, notFound } from '../lib/errors';
import { readJson } from '../lib/input';
import { publicIntake } from './intake.service';
import { assignmentsOf, findByCode, listForDepartment, routerFor, searchPublic, supporterCounts, type PublicStatusFilter } from './suggestions.service';
import { ADOPTION_LABELS, ASSIGNMENT_LABELS, STATUS_LABELS, isAnswerOverdue, publicView } from './suggestions.core';

/** JSON under /api: intake, tracking, public search, routing preview, a handler's queue. */
export const suggestionApi = new Hono<AppEnv>();


const campaignParam = z.string().max(40).optional();

suggestionApi.post('/suggestions', async (c) => {
  const body = await readJson(c);
  const code = campaignParam.safeParse(body['campaign']);
  const campaign = await cachedCampaign(c.var.db, code.success ? code.data : undefined);
  const result = await publicIntake(c, campaign, body);
  if (result.kind === 'honeypot') return c.json({ code: randomCode('JY'), status: 'received', duplicate: null }, 201);
  if (result.kind === 'invalid') throw new AppError(422, 'VALIDATION_FAILED', '提交的内容有误,请按提示修改', result.errors);
  if (result.kind === 'created') return c.json({ code: result.code, status: 'received', duplicate: null }, 201);
  return c.json({ code: result.code, duplicate: { kind: result.kind, similarity: result.similarity } }, 200);
});

suggestionApi.get('/suggestions/:code', async (c) => {
  const s = await limitedLookup(c, 'suggestion', () => findByCode(c.var.db, undefined, c.req.param('code')));
  if (!s) throw notFound('该跟踪码对应的建议');
  const [assigns, supporters] = await Promise.all([assignmentsOf(c.var.db, s.seq), supporterCounts(c.var.db, [s.seq])]);
  const v = publicView(s);
  return c.json({
    code: v.code,
    status: v.status,
    statusLabel: STATUS_LABELS[v.status],
    author: v.author,
    theme: v.theme,
    area: v.area,
    title: v.title,
    body: v.body,
    departments: [...new Set(assigns.filter((a) => a.status !== 'returned').map((a) => a.departmentName))],
    supporters: supporters.get(s.seq) ?? 0,
    answer: s.status === 'published' ? s.publicAnswer : null,
    adoption: s.status === 'published' ? s.adoption : null,
    createdAt: new Date(s.createdAt).toISOString(),
  });
});

const searchQuery = z.object({
  campaign: z.string().max(40).optional(),
  q: z.string().max(60, '关键词不能超过 60 个字').optional(),
  area: z.string().max(40).optional(),
  department: z.string().max(40).optional(),
  status: z.enum(['published', 'handling', 'all'], { error: '状态只能是 published、handling 或 all' }).optional(),
  page: z.coerce.number().int().min(1).max(10_000).optional(),
});

suggestionApi.get('/suggestions', async (c) => {
  const parsed = searchQuery.safeParse(c.req.query());
  if (!parsed.success) throw new AppError(422, 'VALIDATION_FAILED', parsed.error.issues[0]?.message ?? '查询参数有误');
  const f = parsed.data;
  const campaign = await cachedCampaign(c.var.db, f.campaign);
  const result = await searchPublic(c.var.db, campaign.id, { q: f.q, area: f.area, department: f.department, status: f.status as PublicStatusFilter | undefined, page: f.page });
  return c.json({
    total: result.total,
    totalCapped: result.totalCapped,
    page: result.page,
    pageSize: result.pageSize,
    items: result.rows.map((r) => {
      const v = publicView(r);
      return {
        code: v.code,
        author: v.author,
        theme: v.theme,
        area: v.area,
        title: v.title,
        body: v.body,
        status: v.status,
        departments: r.departments,
        answer: v.status === 'published' ? v.publicAnswer : null,
        adoption: v.status === 'published' ? v.adoption : null,
      };
    }),
  });
});

const previewInput = z.object({
  campaign: z.string().max(40).optional(),
  title: z.string({ error: '请提供标题 title' }).max(200, '标题过长'),
  body: z.string({ error: '请提供内容 body' }).max(5000, '内容过长'),
});

const PREVIEW_SIZE = 10;

/** The routing ranking for a text (top 10): `{candidates: [{department, score}]}`, best first. */
suggestionApi.post('/routing/preview', async (c) => {
  const parsed = previewInput.safeParse(await readJson(c));
  if (!parsed.success) throw new AppError(422, 'VALIDATION_FAILED', parsed.error.issues[0]?.message ?? '请求内容有误');
  const { title, body } = parsed.data;
  if (!title.trim() && !body.trim()) throw new AppError(422, 'VALIDATION_FAILED', '标题和内容不能都为空');
  const campaign = await cachedCampaign(c.var.db, parsed.data.campaign);
  const router = await routerFor(c.var.db, campaign.id);
  return c.json({ candidates: router.rank(title, body).slice(0, PREVIEW_SIZE) });
});

/** A department handler's own items as JSON: never the author's name, mobile or email. */
suggestionApi.get('/handling/:code', requireRole('dept_handler'), async (c) => {
  const user = staffUser(c);
  const campaign = await getCampaign(c.var.db, c.req.param('code'));
  if (!user.departmentName) throw forbidden('您的账号没有绑定部门');
  const rows = await listForDepartment(c.var.db, campaign.id, user.departmentName);
  const now = Date.now();
  return c.json({
    department: user.departmentName,
    items: rows.map((r) => ({
      code: r.code,
      title: r.title,
      body: r.body,
      theme: r.theme,
      area: r.area,
      status: r.status,
      statusLabel: ASSIGNMENT_LABELS[r.status],
      deadline: new Date(r.deadlineAt).toISOString(),
      overdue: isAnswerOverdue(r, now),
      answer: r.answer,
      adoption: r.adoption,
      adoptionLabel: ADOPTION_LABELS[r.adoption],
    })),
  });
});
