import { Hono, type Context } from 'hono';
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { BallotForm, VotePage } from '../../views/hearing/ballot';
import { audited } from '../audit/audit.service';
import { limitedLookup } from '../lib/rate-limit.service';
import { cachedCampaign, getCampaign } from '../campaigns/campaigns.service';
import { campaigns } from '../db/schema';
import { personalLinkDelegate } from '../delegates/links.service';
import type { AppEnv } from '../env';
import { staticScript } from '../lib/assets';
import { AppError, notFound } from '../lib/errors';
import { readJson } from '../lib/input';
import { page } from '../lib/render';
import { venueKeyId, tallyPublicKey, ballotShape, castBallot, findTicket, getSession, prepareCheckin, redeemTicket, voidCredential } from './hearing.service';

/** The voting device and the anonymous ballot API. No staff session is involved or read. */
export const ballotRoutes = new Hono<AppEnv>();

const noStore = (c: Context<AppEnv>) => {
  c.header('Cache-Control', 'no-store');
  c.header('X-Robots-Tag', 'noindex');
};

ballotRoutes.get('/vote', (c) => {
  noStore(c);
  return page(c, { title: '评议投票' }, <VotePage scriptUrl={staticScript('ballot.js')} />);
});

ballotRoutes.get('/vote/ballot', async (c) => {
  const campaign = await getCampaign(c.var.db, c.req.query('campaign') ?? '');
  const group = Number(c.req.query('group'));
  const { departments, scale } = await ballotShape(c.var.db, campaign.id, group);
  return c.html(<BallotForm campaign={campaign.code} group={group} departments={departments} options={scale.map((o) => ({ position: o.position, label: o.label }))} />);
});


const ticketBody = z.object({ ticket: z.string().min(4).max(40) });

/** What a device needs before blinding: the group, and the public key of the venue that issued the ticket. */
ballotRoutes.post('/api/ballot/ticket', async (c) => {
  noStore(c);
  const parsed = ticketBody.safeParse(await readJson(c));
  if (!parsed.success) throw new AppError(422, 'VALIDATION_FAILED', '请输入凭证码');
  const row = await limitedLookup(c, 'ticket', () => findTicket(c.var.db, parsed.data.ticket));
  if (!row) throw new AppError(404, 'TICKET_NOT_FOUND', '凭证码无效,请核对或请工作人员重新签到');
  if (row.state === 'voided') throw new AppError(409, 'TICKET_VOIDED', '该凭证码已作废,不能投票');
  const session = await getSession(c.var.db, row.campaignId, row.groupNo, row.venueName);
  if (session?.state !== 'open') throw new AppError(409, 'VOTING_CLOSED', '本会场本组投票已经结束');
  const [campaign] = await c.var.db.select().from(campaigns).where(eq(campaigns.id, row.campaignId));
  const tally = await tallyPublicKey(c.var.db, row.campaignId, row.groupNo, true); // read afresh: a repeated ceremony may have replaced it
  // the device checks both keys against the published list (/c/{code}/keys.json) before it uses them
  return c.json({ campaign: campaign!.code, group: row.groupNo, publicKey: session.publicKey, keyId: venueKeyId(session.publicKey), tallyPublicKey: tally ?? null, state: row.state });
});

const redeemBody = z.object({ ticket: z.string().min(4).max(40), blindedMsg: z.string().min(16).max(2000) });

ballotRoutes.post('/api/ballot/redeem', async (c) => {
  noStore(c);
  const parsed = redeemBody.safeParse(await readJson(c));
  if (!parsed.success) throw new AppError(422, 'VALIDATION_FAILED', '请提供凭证码和盲化消息');
  const r = await limitedLookup(c, 'ticket', () => redeemTicket(c.var.db, parsed.data.ticket, parsed.data.blindedMsg, c.var.atRest));
  return c.json({ blindSig: r.blindSig });
});

const credential = z.object({ msg: z.string().min(16).max(400), sig: z.string().min(16).max(1000) });
const castBody = z.object({
  campaign: z.string().min(1).max(40),
  group: z.number().int().min(1).max(20),
  credential,
  // sealed on the device: the server never receives the choices (strictly checked in castBallot)
  ciphertext: z.string().min(1).max(3000),
  tallyKey: z.string().min(1).max(64),
  keyId: z.string().regex(/^[0-9a-f]{16}$/).optional(),
});

ballotRoutes.post('/api/ballot/cast', async (c) => {
  noStore(c);
  const parsed = castBody.safeParse(await readJson(c));
  if (!parsed.success) throw new AppError(422, 'VALIDATION_FAILED', '选票格式不正确:需要 campaign、group、credential、ciphertext 和 tallyKey');
  const { campaign: code, group, credential: cred, ciphertext, tallyKey, keyId } = parsed.data;
  const campaign = await cachedCampaign(c.var.db, code);
  const outcome = await castBallot(c.var.db, campaign, group, cred, ciphertext, tallyKey, keyId);
  return c.json(outcome, outcome.status === 'accepted' ? 201 : 200);
});

const voidBody = z.object({ campaign: z.string().min(1).max(40), group: z.number().int().min(1).max(20), credential, reason: z.string().trim().min(1).max(200) });

/** The device voids the credential it holds (a fault, a delegate who left after signing). */
ballotRoutes.post('/api/ballot/void', async (c) => {
  noStore(c);
  const parsed = voidBody.safeParse(await readJson(c));
  if (!parsed.success) throw new AppError(422, 'VALIDATION_FAILED', '请提供凭证与作废原因');
  const campaign = await getCampaign(c.var.db, parsed.data.campaign);
  const { venueName } = await voidCredential(c.var.db, campaign, parsed.data.group, parsed.data.credential);
  // logged as a device act at its venue: no credential, no delegate
  await audited(c.var.db, { id: null, name: 'voting-device' }, 'credential.void_on_device', `voting:${campaign.code}/${parsed.data.group}/${venueName}`, { reason: parsed.data.reason });
  return c.json({ state: 'voided' });
});

// ---- online voting from home with the personal link ----

async function personal(c: Context<AppEnv>) {
  const row = await personalLinkDelegate(c, c.req.param('token') ?? '');
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

// ---- 活动纪律情况调查表: now a questionnaire of the campaign (src/survey, `/c/:code/discipline` redirects to it) ----
