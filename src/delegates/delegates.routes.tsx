import { csvCell } from '../lib/csv.core';
import { Hono, type Context } from 'hono';
import { listSurveys } from '../survey/survey.service';
import { and, eq } from 'drizzle-orm';
import { CandidatesPage, DelegateNotices, DelegatePersonalPage, DelegatesPage } from '../../views/delegates/delegates';
import { audited, stillHolds } from '../audit/audit.service';
import { assertInScope } from '../auth/scope.service';
import { requireRole, staffUser } from '../auth/auth.middleware';
import { getCampaign, loadAgenda, loadVenues, type Campaign } from '../campaigns/campaigns.service';
import type { Db } from '../db/client';
import { campaigns, candidates } from '../db/schema';
import type { AppEnv } from '../env';
import { AppError, forbidden, notFound } from '../lib/errors';
import { formFields, page } from '../lib/render';
import { maskId, maskMobile } from './delegates.core';

/**
 * A candidate as a page may show them: privacy is applied here, before the view. The ID number
 * is always masked; the mobile is masked except on the delegates' contact list (organisers and
 * the venue's staff phone delegates), as before.
 */
function shownCandidate<T extends { idLast4: string; mobile: string }>(c: T, mobile: 'masked' | 'full') {
  const { idLast4, ...rest } = c;
  return { ...rest, idMasked: maskId(idLast4), mobile: mobile === 'full' ? c.mobile : maskMobile(c.mobile) };
}
const shownRow = <R extends { candidate: { idLast4: string; mobile: string } }>(r: R) => ({ ...r, candidate: shownCandidate(r.candidate, 'full') });
import { personalLinkDelegate, requireLinks } from './links.service';
import { delegateById, getCandidate, listCandidates, listDelegates, loadDraw, noDrawYet, respondPreconditions, respondStatements } from './delegates.service';

/** Candidates, reviews and delegate lists: organisers see all venues, venue staff only their own. */
export const delegateRoutes = new Hono<AppEnv>();

const actorOf = (c: Context<AppEnv>) => ({ id: staffUser(c).id, name: staffUser(c).username });

/** The venue a request may look at: venue staff are pinned to theirs; others may filter. */
function scopedVenue(c: Context<AppEnv>): string | undefined {
  const user = staffUser(c);
  if (user.role === 'venue_staff') {
    const asked = c.req.query('venue');
    if (asked) assertInScope(user, { venue: asked });
    return user.venueName ?? '';
  }
  return c.req.query('venue') || undefined;
}

async function candidatesPage(c: Context<AppEnv>, campaign: Campaign, extra: { error?: { candidateId: string; kind: ReviewKind; message: string } } = {}, status: 200 | 422 = 200) {
  const db = c.var.db;
  const venue = scopedVenue(c);
  const [rows, venues, draw] = await Promise.all([listCandidates(db, campaign.id, venue), loadVenues(db, campaign.id), loadDraw(db, campaign.id)]);
  return page(
    c,
    { title: '候选人与审核', campaignCode: campaign.code, status },
    <CandidatesPage
      campaign={campaign}
      rows={rows.map((r) => shownCandidate(r, 'masked'))}
      role={staffUser(c).role}
      venueFilter={venue}
      venues={staffUser(c).role === 'venue_staff' ? [venue!] : venues.map((v) => v.name)}
      csrfToken={c.var.csrfToken}
      frozen={Boolean(draw)}
      flash={c.req.query('done') === 'saved' ? '已记录审核结果' : undefined}
      error={extra.error}
    />,
  );
}

delegateRoutes.get('/staff/c/:code/candidates', requireRole('organiser', 'qualifier', 'venue_staff'), async (c) =>
  candidatesPage(c, await getCampaign(c.var.db, c.req.param('code'))),
);

type ReviewKind = 'qualification' | 'districtReview';

/** Records one review decision; a rejection needs a reason the candidate can be told. */
async function decide(c: Context<AppEnv>, db: Db, kind: ReviewKind) {
  const campaign = await getCampaign(db, c.req.param('code') ?? '');
  if (await loadDraw(db, campaign.id)) throw new AppError(409, 'CANDIDATES_FROZEN', '候选名单已随抽签承诺封存,审核结果不能再修改');
  const candidate = await getCandidate(db, campaign.id, c.req.param('id') ?? '');
  if (!candidate) throw notFound('候选人');
  if (kind === 'districtReview') {
    // venue staff of the candidate's own venue only (the route admits no other role)
    assertInScope(c.var.user, { venue: candidate.venueName });
    if (candidate.qualification !== 'passed') throw new AppError(409, 'QUALIFICATION_FIRST', '该候选人尚未通过资格审查,不能进行区(市)审核');
  }
  const form = await formFields(c);
  const decision = form['decision'] as 'passed' | 'rejected' | undefined;
  const reason = (form['reason'] ?? '').trim();
  const refuse = (message: string) => candidatesPage(c, campaign, { error: { candidateId: candidate.id, kind, message } }, 422);
  if (decision !== 'passed' && decision !== 'rejected') return refuse('请选择通过或不通过');
  if (decision === 'rejected' && (reason.length < 2 || reason.length > 200)) return refuse('不通过时须填写原因(2–200 个字),以便告知候选人');
  const current = kind === 'qualification' ? candidate.qualification : candidate.districtReview;
  if (current !== 'pending') throw new AppError(409, 'ALREADY_DECIDED', '该候选人已审核,不能重复审核');
  const set =
    kind === 'qualification'
      ? { qualification: decision, qualificationReason: decision === 'rejected' ? reason : null }
      : { districtReview: decision, districtReviewReason: decision === 'rejected' ? reason : null };
  const pendingColumn = kind === 'qualification' ? candidates.qualification : candidates.districtReview;
  // the action names the decision; the digest binds the reason, which is kept with the candidate
  // (a rejection reason may be sensitive, so the log holds its digest, not its text)
  const action = `${kind === 'qualification' ? 'candidate.qualification' : 'candidate.district_review'}.${decision}`;
  const change = decision === 'rejected' ? { decision, reason } : { decision };
  await audited(
    db,
    actorOf(c),
    action,
    `candidate:${campaign.code}/${candidate.code}`,
    change,
    [db.update(candidates).set(set).where(and(eq(candidates.id, candidate.id), eq(pendingColumn, 'pending')))],
    [
      noDrawYet(db, campaign.id, new AppError(409, 'CANDIDATES_FROZEN', '候选名单已随抽签承诺封存,审核结果不能再修改')),
      stillHolds(db, candidates, and(eq(candidates.id, candidate.id), eq(pendingColumn, 'pending')), new AppError(409, 'ALREADY_DECIDED', '该候选人已审核,不能重复审核')),
      // a district review needs the qualification pass it was checked against
      ...(kind === 'districtReview' ? [stillHolds(db, candidates, and(eq(candidates.id, candidate.id), eq(candidates.qualification, 'passed')), new AppError(409, 'QUALIFICATION_FIRST', '该候选人尚未通过资格审查,不能进行区(市)审核'))] : []),
    ],
  );
  return c.redirect(`/staff/c/${campaign.code}/candidates?done=saved`, 303);
}

delegateRoutes.post('/staff/c/:code/candidates/:id/qualification', requireRole('qualifier'), (c) => decide(c, c.var.db, 'qualification'));
delegateRoutes.post('/staff/c/:code/candidates/:id/district-review', requireRole('venue_staff'), (c) => decide(c, c.var.db, 'districtReview'));

async function delegateList(c: Context<AppEnv>) {
  const db = c.var.db;
  const campaign = await getCampaign(db, c.req.param('code') ?? '');
  const venue = scopedVenue(c);
  const [rows, venues] = await Promise.all([listDelegates(db, campaign.id, venue), loadVenues(db, campaign.id)]);
  return { db, campaign, venue, rows, venues: venues.map((v) => v.name) };
}

delegateRoutes.get('/staff/c/:code/delegates', requireRole('organiser', 'venue_staff'), async (c) => {
  const { campaign, venue, rows, venues } = await delegateList(c);
  return page(
    c,
    { title: '市民代表名单', campaignCode: campaign.code },
    <DelegatesPage campaign={campaign} rows={rows.map(shownRow)} venue={venue} venues={venues} canChooseVenue={staffUser(c).role === 'organiser'} csrfToken={c.var.csrfToken} />,
  );
});

delegateRoutes.get('/staff/c/:code/delegates/print', requireRole('organiser', 'venue_staff'), async (c) => {
  const { db, campaign, venue, rows, venues } = await delegateList(c);
  // one venue at a time: the notices carry a QR each, and a venue is what one printer serves
  if (!venue) throw new AppError(422, 'VENUE_REQUIRED', '请先选择一个会场,再打印该会场的通知名单');
  const links = requireLinks(c.var.delegateLinks);
  await audited(db, actorOf(c), 'delegates.export', `delegates:${campaign.code}/${venue}`, { format: 'print', rows: rows.length });
  const { groups } = await loadAgenda(db, campaign.id);
  c.header('Cache-Control', 'no-store');
  return page(
    c,
    { title: '通知名单', campaignCode: campaign.code },
    <DelegatesPage
      campaign={campaign}
      rows={rows.map(shownRow)}
      venue={venue}
      venues={venues}
      canChooseVenue={false}
      csrfToken={c.var.csrfToken}
      printable
      notices={<DelegateNotices campaign={campaign} rows={rows.map((r) => ({ ...shownRow(r), linkToken: links.token(r.delegate.id) }))} groups={groups} origin={new URL(c.req.url).origin} />}
    />,
  );
});

delegateRoutes.get('/staff/c/:code/delegates.csv', requireRole('organiser', 'venue_staff'), async (c) => {
  const { db, campaign, venue, rows } = await delegateList(c);
  await audited(db, actorOf(c), 'delegates.export', `delegates:${campaign.code}/${venue ?? '全部'}`, { format: 'csv', rows: rows.length });
  const header = ['会场', '分组', '类别', '姓名', '身份证后四位', '手机', '代表码', '状态', '候补顺位', '个人通知链接'];
  const origin = new URL(c.req.url).origin;
  const links = requireLinks(c.var.delegateLinks);
  // the token is derived here from the delegate's id: the database holds only its keyed hash
  const lines = rows.map(({ delegate: d, candidate: p }) =>
    [d.venueName, d.groupNo, d.category, p.name, p.idLast4, p.mobile, d.delegateCode, d.state, d.reserveRank, `${origin}/d/${links.token(d.id)}`].map(csvCell).join(','),
  );
  const body = '\uFEFF' + [header.join(','), ...lines].join('\r\n') + '\r\n';
  const filename = encodeURIComponent(`delegates-${campaign.code}-${venue ?? 'all'}.csv`);
  return c.body(body, 200, { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename*=UTF-8''${filename}`, 'cache-control': 'no-store' });
});

delegateRoutes.post('/staff/c/:code/delegates/:id/respond', requireRole('organiser', 'venue_staff'), async (c) => {
  const db = c.var.db;
  const campaign = await getCampaign(db, c.req.param('code'));
  const row = await delegateById(db, campaign.id, c.req.param('id'));
  if (!row) throw notFound('代表');
  assertInScope(c.var.user, { venue: row.delegate.venueName });
  const answer = (await formFields(c))['answer'];
  if (answer !== 'confirm' && answer !== 'decline') throw new AppError(422, 'VALIDATION_FAILED', '请选择确认或婉拒');
  assertAnswerable(row.delegate, answer);
  await audited(db, actorOf(c), `delegate.${answer}`, `delegate:${campaign.code}/${row.delegate.delegateCode}`, { answer, byStaff: true }, [...respondStatements(db, row.delegate, answer)], respondPreconditions(db, row.delegate, answer, answeredMeanwhile()));
  return c.redirect(`/staff/c/${campaign.code}/delegates${staffUser(c).role === 'organiser' ? `?venue=${encodeURIComponent(row.delegate.venueName)}` : ''}`, 303);
});

const answeredMeanwhile = () => new AppError(409, 'ALREADY_ANSWERED', '此通知刚刚已经答复过,请刷新页面查看最新状态');

/** Only a seated delegate answers; a second confirmation or a decline after declining is refused, not logged twice. */
function assertAnswerable(d: { state: string }, answer: 'confirm' | 'decline') {
  if (d.state === 'declined' || d.state === 'reserve') throw new AppError(409, 'NOT_OPEN', '此通知当前不需要答复');
  if (answer === 'confirm' && d.state === 'confirmed') throw new AppError(409, 'ALREADY_CONFIRMED', '已确认参加,无需重复确认');
}

/** The delegate's own page, opened from the notification link; the token is the only key. */
delegateRoutes.get('/d/:token', async (c) => {
  const db = c.var.db;
  const row = await personalLinkDelegate(c, c.req.param('token'));
  const [campaign] = await db.select().from(campaigns).where(eq(campaigns.id, row.delegate.campaignId));
  const { groups } = await loadAgenda(db, campaign!.id);
  const flash = { confirm: '已确认参加,感谢您!', decline: '已登记您不能参加。' }[c.req.query('done') ?? ''] as string | undefined;
  const surveys = (await listSurveys(db, campaign!.id)).filter((s) => s.state === 'open' && s.access === 'invited').map((s) => ({ id: s.id, title: s.title }));
  c.header('Cache-Control', 'no-store');
  c.header('X-Robots-Tag', 'noindex');
  return page(
    c,
    { title: '市民代表通知', campaignCode: campaign!.code },
    <DelegatePersonalPage campaign={campaign!} delegate={row.delegate} candidate={shownCandidate(row.candidate, 'masked')} group={groups.find((g) => g.no === row.delegate.groupNo)} csrfToken={c.var.csrfToken} token={c.req.param('token')} flash={flash} surveys={surveys} />,
  );
});

delegateRoutes.post('/d/:token', async (c) => {
  const db = c.var.db;
  const token = c.req.param('token');
  const row = await personalLinkDelegate(c, token);
  const answer = (await formFields(c))['answer'];
  if (answer !== 'confirm' && answer !== 'decline') throw new AppError(422, 'VALIDATION_FAILED', '请选择确认参加或不能参加');
  assertAnswerable(row.delegate, answer);
  await audited(db, { id: null, name: `delegate:${row.delegate.delegateCode}` }, `delegate.${answer}`, `delegate:${row.delegate.delegateCode}`, { answer, last4: maskId(row.candidate.idLast4) }, [
    ...respondStatements(db, row.delegate, answer),
  ], respondPreconditions(db, row.delegate, answer, answeredMeanwhile()));
  return c.redirect(`/d/${token}?done=${answer}`, 303);
});
