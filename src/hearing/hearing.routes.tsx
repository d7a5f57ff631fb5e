import { Hono, type Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import { z } from 'zod';
import { eq } from 'drizzle-orm';
import { ClosingSheet, DisciplineReports, HearingOverview, TurnoutPage, TurnoutTable, VenueDesk } from '../../views/hearing/hearing';
import { audited } from '../audit/audit.service';
import { LruCache } from '../lib/cache.core';
import { canAccessVenue } from '../auth/auth.core';
import { assertInScope } from '../auth/scope.service';
import { requireRole, staffUser } from '../auth/auth.middleware';
import { sessionUser } from '../auth/auth.service';
import { getCampaign, type Campaign } from '../campaigns/campaigns.service';
import { disciplineReports, type Role } from '../db/schema';
import type { AppEnv } from '../env';
import { loadPublishedKeys } from './keys.service';
import { AppError, forbidden, httpError } from '../lib/errors';
import { readJson } from '../lib/input';
import { formFields, page, wantsFragment } from '../lib/render';
import { closeDecision } from './hearing.core';
import {
  closeStatement,
  getCheckin,
  getSession,
  loadTurnout,
  prepareCheckin,
  prepareOpen,
  closePreconditions,
  voidPreconditions,
  venueCheckins,
  voidTicketStatement,
} from './hearing.service';

/** Hearing day for staff: sessions, the venue desk (check-in, void, close), live turnout; HTML and JSON. */
export const hearingRoutes = new Hono<AppEnv>();

const actorOf = (c: Context<AppEnv>) => ({ id: staffUser(c).id, name: staffUser(c).username });

function groupParam(c: Context<AppEnv>): number {
  const n = Number(c.req.param('group'));
  if (!Number.isInteger(n) || n < 1 || n > 20) throw new AppError(404, 'GROUP_NOT_FOUND', '找不到该评议组');
  return n;
}

function assertVenue(c: Context<AppEnv>, venue: string, acrossVenues: Role[] = []) {
  assertInScope(c.var.user, { venue }, acrossVenues);
}

/**
 * Turnout is read by up to hundreds of organiser screens polling each second. One computation
 * is shared per campaign for a short moment: the view stays well within the 2 s freshness goal.
 */
const TURNOUT_TTL_MS = 500;
const turnoutCache = new LruCache<string, Promise<Awaited<ReturnType<typeof loadTurnout>>>>({ max: 64, ttlMs: TURNOUT_TTL_MS });
function cachedTurnout(c: Context<AppEnv>, campaign: Campaign) {
  const hit = turnoutCache.get(campaign.id);
  if (hit) return hit;
  const value = loadTurnout(c.var.db, campaign);
  turnoutCache.set(campaign.id, value);
  value.catch(() => turnoutCache.delete(campaign.id));
  return value;
}
/** The fragment every screen polls, rendered once per computed figure rather than once per screen. */
const fragments = new WeakMap<object, Promise<string>>();
function turnoutFragment(t: Awaited<ReturnType<typeof loadTurnout>>, code: string): Promise<string> {
  let html = fragments.get(t);
  if (!html) {
    html = Promise.resolve((<TurnoutTable {...t} code={code} />).toString());
    fragments.set(t, html);
  }
  return html;
}
/** Writers drop the cached figure so the desk that made a change sees it at once. */
const invalidate = (campaign: Campaign) => turnoutCache.delete(campaign.id);

/** Opens voting at the venue and group named in the path (a fresh venue signing key), audit-logged. */
async function openVenue(c: Context<AppEnv>) {
  const campaign = await getCampaign(c.var.db, c.req.param('code')!);
  const group = groupParam(c);
  const venue = c.req.param('venue')!;
  const { insert, preconditions } = await prepareOpen(c.var.db, campaign, group, venue, c.var.atRest);
  await audited(c.var.db, actorOf(c), 'voting.open', `voting:${campaign.code}/${group}/${venue}`, { group, venue }, [insert], preconditions);
  invalidate(campaign);
  return { campaign, group, venue };
}

async function venueRow(c: Context<AppEnv>, campaign: Campaign, group: number, venue: string) {
  const t = await loadTurnout(c.var.db, campaign);
  const row = t.rows.find((r) => r.group === group && r.venue === venue);
  if (!row) throw new AppError(404, 'VENUE_NOT_FOUND', '该会场在本组没有代表席位');
  return row;
}

async function deskPage(c: Context<AppEnv>, campaign: Campaign, group: number, venue: string, extra: Partial<Parameters<typeof VenueDesk>[0]> = {}, status: 200 | 404 | 409 | 422 = 200) {
  const [row, list] = await Promise.all([venueRow(c, campaign, group, venue), venueCheckins(c.var.db, campaign.id, group, venue)]);
  c.header('Cache-Control', 'no-store');
  return page(
    c,
    { title: `${venue} 签到台`, campaignCode: campaign.code, status },
    <VenueDesk campaign={campaign} group={group} venue={venue} row={row} checkins={list} csrfToken={c.var.csrfToken} canClose={staffUser(c).role === 'organiser'} {...extra} />,
  );
}

hearingRoutes.get('/staff/c/:code/hearing', requireRole('organiser', 'venue_staff'), async (c) => {
  const campaign = await getCampaign(c.var.db, c.req.param('code'));
  const t = await loadTurnout(c.var.db, campaign);
  const user = staffUser(c);
  const rows = t.rows.filter((r) => canAccessVenue(user, r.venue));
  const flash = c.req.query('done') === 'opened' ? '已开启投票' : c.req.query('done') === 'closed' ? '已结束投票' : undefined;
  return page(c, { title: '评议现场', campaignCode: campaign.code }, <HearingOverview campaign={campaign} rows={rows} canOpen={user.role === 'organiser'} csrfToken={c.var.csrfToken} flash={flash} />);
});

hearingRoutes.post('/staff/c/:code/hearing/:group/:venue/open', requireRole('organiser'), async (c) => {
  const { campaign } = await openVenue(c);
  return c.redirect(`/staff/c/${campaign.code}/hearing?done=opened`, 303);
});

hearingRoutes.get('/staff/c/:code/hearing/:group/:venue', requireRole('organiser', 'venue_staff'), async (c) => {
  const venue = c.req.param('venue');
  assertVenue(c, venue);
  return deskPage(c, await getCampaign(c.var.db, c.req.param('code')), groupParam(c), venue);
});

hearingRoutes.post('/staff/c/:code/hearing/:group/:venue/checkin', requireRole('organiser', 'venue_staff'), async (c) => {
  const venue = c.req.param('venue');
  assertVenue(c, venue);
  const campaign = await getCampaign(c.var.db, c.req.param('code'));
  const group = groupParam(c);
  const code = ((await formFields(c))['code'] ?? '').trim();
  if (!code) return deskPage(c, campaign, group, venue, { error: '请输入代表证号' }, 422);
  let prepared;
  try {
    prepared = await prepareCheckin(c.var.db, campaign, group, venue, code, 'venue', staffUser(c));
  } catch (caught) {
    const err = httpError(caught) ?? caught; // a domain error, as HTTP
    if (err instanceof AppError && err.status !== 403) return deskPage(c, campaign, group, venue, { error: err.message }, err.status as 404 | 409);
    throw err;
  }
  await audited(c.var.db, actorOf(c), 'checkin', `checkin:${campaign.code}/${group}/${venue}`, { delegate: prepared.delegate.delegate.delegateCode }, [prepared.insert], prepared.preconditions);
  invalidate(campaign);
  return deskPage(c, campaign, group, venue, { issued: { ticket: prepared.ticket, name: prepared.delegate.candidate.name } });
});

hearingRoutes.post('/staff/c/:code/hearing/:group/:venue/checkins/:id/void', requireRole('organiser', 'venue_staff'), async (c) => {
  const venue = c.req.param('venue');
  assertVenue(c, venue);
  const campaign = await getCampaign(c.var.db, c.req.param('code'));
  const group = groupParam(c);
  const reason = ((await formFields(c))['reason'] ?? '').trim();
  const checkin = await getCheckin(c.var.db, campaign.id, c.req.param('id'));
  if (!checkin || checkin.venueName !== venue || checkin.groupNo !== group) throw new AppError(404, 'NOT_FOUND', '找不到该签到记录');
  if (!reason) return deskPage(c, campaign, group, venue, { error: '请填写作废原因' }, 422);
  await voidTicket(c, campaign, checkin.id, reason);
  return c.redirect(`/staff/c/${campaign.code}/hearing/${group}/${encodeURIComponent(venue)}`, 303);
});

async function voidTicket(c: Context<AppEnv>, campaign: Campaign, id: string, reason: string) {
  const db = c.var.db;
  const checkin = await getCheckin(db, campaign.id, id);
  if (!checkin) throw new AppError(404, 'NOT_FOUND', '找不到该签到记录');
  if (checkin.state === 'redeemed') throw new AppError(409, 'CREDENTIAL_ON_DEVICE', '该凭证已领取到投票设备,服务器无法识别它(这正是匿名性所在);请在该设备上点击“作废本设备凭证”');
  if (checkin.state === 'voided') throw new AppError(409, 'ALREADY_VOIDED', '该凭证已经作废');
  const session = await getSession(db, campaign.id, checkin.groupNo, checkin.venueName);
  if (session?.state !== 'open') throw new AppError(409, 'VOTING_CLOSED', '本会场本组投票已经结束');
  await audited(db, actorOf(c), 'credential.void', `checkin:${campaign.code}/${checkin.groupNo}/${checkin.venueName}/${checkin.id}`, { reason }, [voidTicketStatement(db, id, reason)], voidPreconditions(db, checkin));
  invalidate(campaign);
}

async function closeVenue(c: Context<AppEnv>, campaign: Campaign, group: number, venue: string, note: string | undefined) {
  const row = await venueRow(c, campaign, group, venue);
  if (row.state !== 'open') throw new AppError(409, 'VOTING_NOT_OPEN', '该会场本组投票未在进行中');
  const decision = closeDecision(row, note);
  if (!decision.ok) return decision;
  const signed = decision.noteRequired ? note!.trim() : null;
  await audited(c.var.db, actorOf(c), 'voting.close', `voting:${campaign.code}/${group}/${venue}`, { reconciliation: { issued: row.issued, cast: row.cast, voided: row.voided, unused: row.unused, balanced: row.balanced }, note: signed }, [
    closeStatement(c.var.db, campaign.id, group, venue, staffUser(c).username, signed),
  ], closePreconditions(c.var.db, campaign.id, group, venue, row));
  invalidate(campaign);
  return decision;
}

hearingRoutes.post('/staff/c/:code/hearing/:group/:venue/close', requireRole('organiser'), async (c) => {
  const campaign = await getCampaign(c.var.db, c.req.param('code'));
  const group = groupParam(c);
  const venue = c.req.param('venue');
  const note = (await formFields(c))['note'];
  const decision = await closeVenue(c, campaign, group, venue, note);
  if (!decision.ok) return deskPage(c, campaign, group, venue, { closeError: decision.reason, note }, 422);
  return c.redirect(`/staff/c/${campaign.code}/hearing?done=closed`, 303);
});

hearingRoutes.get('/staff/c/:code/hearing/:group/:venue/sheet', requireRole('organiser', 'venue_staff', 'auditor'), async (c) => {
  const venue = c.req.param('venue');
  // auditors read every venue's closing sheet
  assertVenue(c, venue, ['auditor']);
  const campaign = await getCampaign(c.var.db, c.req.param('code'));
  const group = groupParam(c);
  const [row, session, list] = await Promise.all([venueRow(c, campaign, group, venue), getSession(c.var.db, campaign.id, group, venue), loadPublishedKeys(c.var.db, campaign)]);
  // the keys this venue's tablets were shown, to be signed with the counts (issue 15: posters, sheets, the public page agree)
  const keys = {
    venue: list.venues.find((v) => v.group === group && v.venue === venue)?.fingerprint,
    tally: list.tally.find((t) => t.group === group)?.fingerprint,
    list: list.listFingerprint,
    bundles: list.bundles,
  };
  return page(c, { title: '选票对账单', campaignCode: campaign.code }, <ClosingSheet campaign={campaign} group={group} venue={venue} row={row} closedAt={session?.closedAt} closedBy={session?.closedBy} note={session?.closeNote} keys={keys} />);
});

hearingRoutes.get('/staff/c/:code/turnout', requireRole('organiser', 'auditor'), async (c) => {
  const campaign = await getCampaign(c.var.db, c.req.param('code'));
  const t = await cachedTurnout(c, campaign);
  c.header('Cache-Control', 'no-store');
  if (wantsFragment(c)) return c.html(await turnoutFragment(t, campaign.code));
  return page(c, { title: '实时签到与投票', campaignCode: campaign.code }, <TurnoutPage {...t} code={campaign.code} campaign={campaign} />);
});

/** How often a turnout stream looks for a new figure, and how often it re-checks its viewer's session. */
const STREAM_TICK_MS = 250;
const STREAM_RECHECK_MS = 15_000;

/**
 * Live turnout as server-sent events: each screen holds one connection and is sent the table
 * when the shared figure changes, instead of asking every second; every viewer reads the same
 * computation (cachedTurnout) and the same rendered fragment. The session is checked again every
 * 15 s, so a logged-out or deactivated viewer stops receiving within that time.
 */
hearingRoutes.get('/staff/c/:code/turnout/stream', requireRole('organiser', 'auditor'), async (c) => {
  const campaign = await getCampaign(c.var.db, c.req.param('code'));
  const token = c.var.sessionToken;
  c.header('Cache-Control', 'no-store');
  c.header('X-Accel-Buffering', 'no'); // a proxy must pass each event on at once
  return streamSSE(c, async (stream) => {
    let sent: string | undefined;
    let checkedAt = Date.now();
    while (!stream.aborted) {
      const html = await turnoutFragment(await cachedTurnout(c, campaign), campaign.code);
      if (html !== sent) {
        await stream.writeSSE({ event: 'turnout', data: html });
        sent = html;
      }
      await stream.sleep(STREAM_TICK_MS);
      if (Date.now() - checkedAt > STREAM_RECHECK_MS) {
        checkedAt = Date.now();
        if (!token || !(await sessionUser(c.var.db, token))) break;
      }
    }
  });
});

// ---- JSON: the same flow without a browser (rehearsal, load drivers) ----

hearingRoutes.get('/api/campaigns/:code/turnout', requireRole('organiser', 'auditor'), async (c) => {
  const campaign = await getCampaign(c.var.db, c.req.param('code'));
  const t = await cachedTurnout(c, campaign);
  c.header('Cache-Control', 'no-store');
  return c.json({
    venues: t.rows.map((r) => ({ venue: r.venue, group: r.group, state: r.state, seats: r.seats, checkedIn: r.checkedIn, issued: r.issued, cast: r.cast, voided: r.voided, unused: r.unused, balanced: r.balanced, alarms: r.alarms })),
    totals: t.totals,
    groupAlarms: t.groupChecks,
  });
});

hearingRoutes.post('/api/campaigns/:code/groups/:group/venues/:venue/open', requireRole('organiser'), async (c) => {
  const { group, venue } = await openVenue(c);
  return c.json({ group, venue, state: 'open' }, 201);
});

hearingRoutes.post('/api/campaigns/:code/groups/:group/venues/:venue/close', requireRole('organiser'), async (c) => {
  const campaign = await getCampaign(c.var.db, c.req.param('code'));
  const body = await readJson(c, { optional: true });
  const decision = await closeVenue(c, campaign, groupParam(c), c.req.param('venue'), typeof body['note'] === 'string' ? body['note'] : undefined);
  if (!decision.ok) throw new AppError(409, 'RECONCILIATION_GAP', decision.reason);
  return c.json({ state: 'closed', noted: decision.noteRequired });
});

const checkinBody = z.object({ delegateCode: z.string().min(1).max(40), group: z.number().int().min(1).max(20), venue: z.string().min(1).max(60) });

hearingRoutes.post('/api/campaigns/:code/checkins', requireRole('organiser', 'venue_staff'), async (c) => {
  const parsed = checkinBody.safeParse(await readJson(c));
  if (!parsed.success) throw new AppError(422, 'VALIDATION_FAILED', '请提供 delegateCode、group 和 venue');
  const { delegateCode, group, venue } = parsed.data;
  assertVenue(c, venue);
  const campaign = await getCampaign(c.var.db, c.req.param('code'));
  const prepared = await prepareCheckin(c.var.db, campaign, group, venue, delegateCode, 'venue', staffUser(c));
  await audited(c.var.db, actorOf(c), 'checkin', `checkin:${campaign.code}/${group}/${venue}`, { delegate: prepared.delegate.delegate.delegateCode }, [prepared.insert], prepared.preconditions);
  invalidate(campaign);
  return c.json({ checkinId: prepared.id, ticket: prepared.ticket }, 201);
});

hearingRoutes.post('/api/campaigns/:code/checkins/:id/void', requireRole('organiser', 'venue_staff'), async (c) => {
  const campaign = await getCampaign(c.var.db, c.req.param('code'));
  const body = await readJson(c);
  const reason = typeof body['reason'] === 'string' ? body['reason'].trim() : '';
  if (!reason) throw new AppError(422, 'VALIDATION_FAILED', '请填写作废原因');
  const checkin = await getCheckin(c.var.db, campaign.id, c.req.param('id'));
  if (!checkin) throw new AppError(404, 'NOT_FOUND', '找不到该签到记录');
  assertVenue(c, checkin.venueName);
  await voidTicket(c, campaign, checkin.id, reason);
  return c.json({ state: 'voided' });
});

hearingRoutes.get('/staff/c/:code/discipline', requireRole('organiser'), async (c) => {
  const campaign = await getCampaign(c.var.db, c.req.param('code'));
  const reports = await c.var.db.select().from(disciplineReports).where(eq(disciplineReports.campaignId, campaign.id));
  reports.sort((a, b) => (a.day < b.day ? 1 : a.day > b.day ? -1 : a.kind.localeCompare(b.kind)));
  return page(c, { title: '纪律情况反映', campaignCode: campaign.code }, <DisciplineReports campaign={campaign} reports={reports} />);
});
