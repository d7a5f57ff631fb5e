import { Hono, type Context } from 'hono';
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { v4 as uuidv4 } from 'uuid';
import { BallotForm, DISCIPLINE_KINDS, DisciplinePage, VotePage } from '../../views/pages/ballot';
import { audited } from '../audit/audit.repo';
import { defaultCampaign, getCampaign, loadAgenda, type Campaign } from '../campaigns/campaigns.repo';
import { campaigns, disciplineReports } from '../db/schema';
import { delegateByToken } from '../delegates/delegates.repo';
import type { AppEnv } from '../env';
import { ballotClientJs } from '../generated/ballot-client';
import { AppError, notFound } from '../lib/errors';
import { formFields, page } from '../lib/render';
import { venueKeyId, ballotShape, castBallot, findTicket, getSession, prepareCheckin, redeemTicket, voidCredential } from './hearing.repo';

/** The voting device and the anonymous ballot API. No staff session is involved or read. */
export const ballotRoutes = new Hono<AppEnv>();

const noStore = (c: Context<AppEnv>) => {
  c.header('Cache-Control', 'no-store');
  c.header('X-Robots-Tag', 'noindex');
};

ballotRoutes.get('/vote', (c) => {
  noStore(c);
  return page(c, { title: '评议投票' }, <VotePage script={ballotClientJs} />);
});

ballotRoutes.get('/vote/ballot', async (c) => {
  const campaign = await getCampaign(c.var.db, c.req.query('campaign') ?? '');
  const group = Number(c.req.query('group'));
  const { departments, scale } = await ballotShape(c.var.db, campaign.id, group);
  return c.html(<BallotForm campaign={campaign.code} group={group} departments={departments} options={scale.map((o) => ({ position: o.position, label: o.label }))} />);
});

async function jsonBody(c: Context<AppEnv>): Promise<unknown> {
  const body = await c.req.json().catch(() => undefined);
  if (body === undefined) throw new AppError(400, 'BAD_JSON', '请求内容不是有效的 JSON');
  return body;
}

const ticketBody = z.object({ ticket: z.string().min(4).max(40) });

/** What a device needs before blinding: the group, and the public key of the venue that issued the ticket. */
ballotRoutes.post('/api/ballot/ticket', async (c) => {
  noStore(c);
  const parsed = ticketBody.safeParse(await jsonBody(c));
  if (!parsed.success) throw new AppError(422, 'VALIDATION_FAILED', '请输入凭证码');
  const row = await findTicket(c.var.db, parsed.data.ticket);
  if (!row) throw new AppError(404, 'TICKET_NOT_FOUND', '凭证码无效,请核对或请工作人员重新签到');
  if (row.state === 'voided') throw new AppError(409, 'TICKET_VOIDED', '该凭证码已作废,不能投票');
  const session = await getSession(c.var.db, row.campaignId, row.groupNo, row.venueName);
  if (session?.state !== 'open') throw new AppError(409, 'VOTING_CLOSED', '本会场本组投票已经结束');
  const [campaign] = await c.var.db.select().from(campaigns).where(eq(campaigns.id, row.campaignId));
  return c.json({ campaign: campaign!.code, group: row.groupNo, publicKey: session.publicKey, keyId: venueKeyId(session.publicKey), state: row.state });
});

const redeemBody = z.object({ ticket: z.string().min(4).max(40), blindedMsg: z.string().min(16).max(2000) });

ballotRoutes.post('/api/ballot/redeem', async (c) => {
  noStore(c);
  const parsed = redeemBody.safeParse(await jsonBody(c));
  if (!parsed.success) throw new AppError(422, 'VALIDATION_FAILED', '请提供凭证码和盲化消息');
  const r = await redeemTicket(c.var.db, parsed.data.ticket, parsed.data.blindedMsg);
  return c.json({ blindSig: r.blindSig });
});

const credential = z.object({ msg: z.string().min(16).max(400), sig: z.string().min(16).max(1000) });
const castBody = z.object({
  campaign: z.string().min(1).max(40),
  group: z.number().int().min(1).max(20),
  credential,
  answers: z.array(z.number().int().nullable()).max(100),
  keyId: z.string().regex(/^[0-9a-f]{16}$/).optional(),
});

ballotRoutes.post('/api/ballot/cast', async (c) => {
  noStore(c);
  const parsed = castBody.safeParse(await jsonBody(c));
  if (!parsed.success) throw new AppError(422, 'VALIDATION_FAILED', '选票格式不正确:需要 campaign、group、credential 和 answers');
  const { campaign: code, group, credential: cred, answers, keyId } = parsed.data;
  const campaign = await getCampaign(c.var.db, code);
  const outcome = await castBallot(c.var.db, campaign, group, cred, answers, keyId);
  return c.json(outcome, outcome.status === 'accepted' ? 201 : 200);
});

const voidBody = z.object({ campaign: z.string().min(1).max(40), group: z.number().int().min(1).max(20), credential, reason: z.string().trim().min(1).max(200) });

/** The device voids the credential it holds (a fault, a delegate who left after signing). */
ballotRoutes.post('/api/ballot/void', async (c) => {
  noStore(c);
  const parsed = voidBody.safeParse(await jsonBody(c));
  if (!parsed.success) throw new AppError(422, 'VALIDATION_FAILED', '请提供凭证与作废原因');
  const campaign = await getCampaign(c.var.db, parsed.data.campaign);
  const { venueName } = await voidCredential(c.var.db, campaign, parsed.data.group, parsed.data.credential);
  // logged as a device act at its venue: no credential, no delegate
  await audited(c.var.db, { id: null, name: 'voting-device' }, 'credential.void_on_device', `voting:${campaign.code}/${parsed.data.group}/${venueName}`, { reason: parsed.data.reason });
  return c.json({ state: 'voided' });
});

// ---- online voting from home with the personal link ----

async function personal(c: Context<AppEnv>) {
  const row = await delegateByToken(c.var.db, c.req.param('token') ?? '');
  if (!row) throw notFound('通知');
  const [campaign] = await c.var.db.select().from(campaigns).where(eq(campaigns.id, row.delegate.campaignId));
  return { row, campaign: campaign! };
}

/** Checks the delegate in online at their own venue and hands the device a ticket in the URL fragment. */
ballotRoutes.post('/d/:token/vote', async (c) => {
  noStore(c);
  const { row, campaign } = await personal(c);
  const prepared = await prepareCheckin(c.var.db, campaign, row.delegate.groupNo, row.delegate.venueName, row.delegate.delegateCode, 'online');
  await audited(c.var.db, { id: null, name: `delegate:${row.delegate.delegateCode}` }, 'checkin.online', `checkin:${campaign.code}/${row.delegate.groupNo}/${row.delegate.venueName}`, { delegate: row.delegate.delegateCode }, [prepared.insert]);
  return c.redirect(`/vote#t=${prepared.ticket}`, 303);
});

// ---- 活动纪律情况调查表 ----

async function disciplineDepartments(c: Context<AppEnv>, campaign: Campaign) {
  const { groups } = await loadAgenda(c.var.db, campaign.id);
  return groups.flatMap((g) => g.departments.map((d) => d.name));
}

ballotRoutes.get('/discipline', async (c) => {
  const campaign = await defaultCampaign(c.var.db);
  if (!campaign) throw notFound('年度活动');
  return c.redirect(`/c/${campaign.code}/discipline`, 302);
});

ballotRoutes.get('/c/:code/discipline', async (c) => {
  const campaign = await getCampaign(c.var.db, c.req.param('code'));
  return page(c, { title: '活动纪律情况调查表', campaignCode: campaign.code }, <DisciplinePage campaign={campaign.code} departments={await disciplineDepartments(c, campaign)} csrfToken={c.var.csrfToken} done={c.req.query('done') === '1'} />);
});

ballotRoutes.post('/c/:code/discipline', async (c) => {
  const db = c.var.db;
  const campaign = await getCampaign(db, c.req.param('code'));
  const form = await formFields(c);
  const departments = await disciplineDepartments(c, campaign);
  const errors: Record<string, string> = {};
  const kind = form['kind'] ?? '';
  const body = (form['body'] ?? '').trim();
  const department = form['department'] ?? '';
  if (!(DISCIPLINE_KINDS as readonly string[]).includes(kind)) errors['kind'] = '请选择情况类别';
  if (body.length < 10 || body.length > 1000) errors['body'] = `具体情况须为 10–1000 字(现为 ${body.length} 字)`;
  if (department && !departments.includes(department)) errors['department'] = '请选择列表中的部门';
  if (Object.keys(errors).length) {
    return page(c, { title: '活动纪律情况调查表', campaignCode: campaign.code, status: 422 }, <DisciplinePage campaign={campaign.code} departments={departments} csrfToken={c.var.csrfToken} errors={errors} values={form} />);
  }
  // the day only (Beijing time), a random key, and no reporter: organisers see what, never who or when
  const day = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
  await db.insert(disciplineReports).values({ id: uuidv4(), campaignId: campaign.id, groupNo: null, kind, department: department || null, body, day });
  return c.redirect(`/c/${campaign.code}/discipline?done=1`, 303);
});
