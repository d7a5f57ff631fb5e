/**
 * A survey's sealed tally with the database, the same ceremony and unsealing as the groups'
 * (src/tally): custodians register public seat keys (passphrase or key file, on their side:
 * src/tally/seat-key.core.ts, with the survey's scope string and group 0), the ceremony runs off
 * the server (`npm run ceremony -- --survey <id>`, the same `runCeremonyCore`) and the server
 * stores only the public key, the sealed shares and their fingerprints; at closing the responses
 * are committed; the custodians unseal on their side (`npm run unseal`), post the result, and k
 * approvals publish it. The server never holds the survey's private key or a share it can open.
 * Nothing here returns a figure about response content before `survey_results` has the row.
 */
import { and, asc, eq, isNull, sql } from 'drizzle-orm';
import { audited, auditedAll, type Actor, type AuditRecord } from '../audit/audit.service';
import type { Campaign } from '../campaigns/campaigns.service';
import type { Db } from '../db/client';
import { surveyResponses, surveyResultApprovals, surveyResultDrafts, surveyResults, surveySeats, surveys } from '../db/schema';
import { canonicalJson, sha256Hex } from '../lib/crypto';
import { AppError } from '../lib/errors';
import { maskPersonalData } from '../lib/pii.core';
import { ceremonyParamsProblem, ceremonyProblem, shuffled, type CeremonyFile, type SealedShareFile, type SeatsDocument } from '../tally/ceremony.core';
import { isRawPublicKey } from '../tally/seal.core';
import { allQuestions, type Answers, type SurveyTally } from './survey.core';
import { buildSurveyCommitment, checkPostedSurveyResult, type SurveyCommitment, type SurveyResponsesFile } from './survey-unseal.core';
import { parseDefinition, surveyScope, type Survey } from './survey.service';

const target = (campaign: Campaign, s: Survey, seat?: number) => `survey:${campaign.code}:${s.id}${seat ? `:${seat}` : ''}`;
const bySurvey = (surveyId: string) => eq(surveySeats.surveyId, surveyId);
const isDraftSql = (surveyId: string) => sql`EXISTS (SELECT 1 FROM surveys WHERE id = ${surveyId} AND state = 'draft')`;
const locked = () => new AppError(409, 'CEREMONY_LOCKED', '问卷已经开放,密钥仪式已锁定');

export async function setSurveyParams(db: Db, actor: Actor, campaign: Campaign, survey: Survey, shareCount: number, threshold: number) {
  const problem = ceremonyParamsProblem(shareCount, threshold);
  if (problem) throw new AppError(422, 'INVALID_TALLY_PARAMS', problem, { shareCount: problem });
  const seats = await db.select().from(surveySeats).where(bySurvey(survey.id));
  if (seats.length || survey.sealKey) throw new AppError(409, 'CEREMONY_STARTED', '已有保管人加入密钥仪式,不能再修改保管人数和门限');
  await audited(db, actor, 'survey.tally.settings', target(campaign, survey), { shareCount, threshold }, [
    db.update(surveys).set({ shareCount, threshold }).where(and(eq(surveys.id, survey.id), eq(surveys.state, 'draft'), isNull(surveys.sealKey))),
  ], [{ holds: sql`NOT EXISTS (SELECT 1 FROM survey_seats WHERE survey_id = ${survey.id})`, otherwise: new AppError(409, 'CEREMONY_STARTED', '已有保管人加入密钥仪式,不能再修改保管人数和门限') }]);
}

/**
 * A custodian takes seat `seatNo` of the survey's ceremony with the public seat key they derived
 * on their side for this survey's scope and seat, or re-registers their own seat's key (which
 * voids a ceremony already held: the survey needs a new one before opening). Drafts only.
 */
export async function joinSurveyCeremony(db: Db, actor: Actor & { id: string }, campaign: Campaign, survey: Survey, seatNo: unknown, seatKey: unknown, displayName = actor.name) {
  if (!Number.isInteger(seatNo) || (seatNo as number) < 1 || (seatNo as number) > survey.shareCount) {
    throw new AppError(422, 'INVALID_SEAT', `席位号应为 1 至 ${survey.shareCount} 之间的整数`, { seat: '席位号不正确' });
  }
  if (!isRawPublicKey(seatKey)) throw new AppError(422, 'INVALID_SEAT_KEY', '席位公钥应为 32 字节 X25519 公钥的规范 base64url 编码(43 个字符)', { seatKey: '席位公钥格式不正确' });
  if (survey.state !== 'draft') throw locked();
  const seat = seatNo as number;
  const seats = await db.select().from(surveySeats).where(bySurvey(survey.id));
  if (seats.some((s) => s.seatKey === seatKey && s.seatNo !== seat)) throw new AppError(409, 'SEAT_KEY_REUSED', '这把席位公钥已被本问卷另一席位使用', { seatKey: '公钥重复' });
  const mine = seats.find((s) => s.custodianId === actor.id);
  const draft = { holds: isDraftSql(survey.id), otherwise: locked() };
  if (mine) {
    if (mine.seatNo !== seat) throw new AppError(409, 'ALREADY_SEATED', `您已是本问卷第 ${mine.seatNo} 席的保管人`);
    await audited(db, actor, 'survey.seat.renew', target(campaign, survey, seat), { seatKey, voidsCeremony: survey.sealKey }, [
      db.update(surveySeats).set({ seatKey, sealedShare: null, fingerprint: null, downloadedAt: null }).where(and(bySurvey(survey.id), eq(surveySeats.seatNo, seat), eq(surveySeats.custodianId, actor.id))),
      db.update(surveys).set({ sealKey: null }).where(and(eq(surveys.id, survey.id), eq(surveys.state, 'draft'))),
    ], [draft]);
    return seat;
  }
  if (survey.sealKey) throw new AppError(409, 'CEREMONY_HELD', '本问卷密钥仪式已经举行,席位已固定');
  if (seats.some((s) => s.seatNo === seat)) throw new AppError(409, 'SEAT_TAKEN', `第 ${seat} 席已有保管人`);
  const row = { surveyId: survey.id, seatNo: seat, custodianId: actor.id, custodianName: displayName, seatKey };
  await audited(db, actor, 'survey.seat.join', target(campaign, survey, seat), row, [db.insert(surveySeats).values(row)], [
    draft,
    { holds: sql`EXISTS (SELECT 1 FROM surveys WHERE id = ${survey.id} AND seal_key IS NULL)`, otherwise: new AppError(409, 'CEREMONY_HELD', '本问卷密钥仪式已经举行,席位已固定') },
    { holds: sql`NOT EXISTS (SELECT 1 FROM survey_seats WHERE survey_id = ${survey.id} AND (seat_no = ${seat} OR custodian_id = ${actor.id}))`, otherwise: new AppError(409, 'SEAT_TAKEN', `第 ${seat} 席已有保管人`) },
  ]);
  return seat;
}

/** The ceremony's input for a survey (GET …/surveys/{id}/tally/seats): the scope string as campaign, group 0. */
export async function surveySeatsDocument(db: Db, campaign: Campaign, survey: Survey): Promise<SeatsDocument> {
  const seats = await db.select().from(surveySeats).where(bySurvey(survey.id)).orderBy(asc(surveySeats.seatNo));
  return {
    v: 1,
    kind: 'sanmin-tally-seats',
    campaign: surveyScope(campaign, survey),
    group: 0,
    shareCount: survey.shareCount,
    threshold: survey.threshold,
    replaces: survey.sealKey ?? null,
    seats: seats.map((s) => ({ seat: s.seatNo, custodian: s.custodianName, seatKey: s.seatKey })),
  };
}

/**
 * The statistician uploads the ceremony file from the offline machine: checked against the seats
 * as published, then the public key, sealed shares and fingerprints are stored in one batch that
 * lands only while the survey is a draft with the key the file replaces and the same seat keys.
 */
export async function uploadSurveyCeremony(db: Db, actor: Actor, campaign: Campaign, survey: Survey, data: unknown) {
  if (survey.state !== 'draft') throw new AppError(409, 'CEREMONY_LOCKED', '问卷已经开放,不能重新举行密钥仪式');
  const expected = await surveySeatsDocument(db, campaign, survey);
  if (expected.seats.length < expected.shareCount) throw new AppError(409, 'SEATS_MISSING', `还有 ${expected.shareCount - expected.seats.length} 位保管人未加入,不能举行仪式`);
  const problem = ceremonyProblem(data, expected);
  if (problem) throw new AppError(problem.code === 'CEREMONY_STALE' ? 409 : 422, problem.code, problem.message, { ceremony: problem.message });
  const f = data as CeremonyFile;
  const keyAsRead = expected.replaces ? sql`seal_key = ${expected.replaces}` : sql`seal_key IS NULL`;
  const stale = (m: string) => new AppError(409, 'CEREMONY_STALE', m);
  await audited(
    db,
    actor,
    'survey.ceremony',
    target(campaign, survey),
    { publicKey: f.publicKey, shareCount: f.shareCount, threshold: f.threshold, digest: f.digest, fingerprints: f.seats.map((s) => s.fingerprint), replaces: expected.replaces },
    [
      db.update(surveys).set({ sealKey: f.publicKey }).where(and(eq(surveys.id, survey.id), eq(surveys.state, 'draft'))),
      ...f.seats.map((s) =>
        db
          .update(surveySeats)
          .set({ sealedShare: s.sealedShare, fingerprint: s.fingerprint, downloadedAt: null })
          .where(and(bySurvey(survey.id), eq(surveySeats.seatNo, s.seat), eq(surveySeats.seatKey, s.seatKey))),
      ),
    ],
    [
      { holds: isDraftSql(survey.id), otherwise: new AppError(409, 'CEREMONY_LOCKED', '问卷已经开放,不能重新举行密钥仪式') },
      { holds: sql`EXISTS (SELECT 1 FROM surveys WHERE id = ${survey.id} AND ${keyAsRead})`, otherwise: stale('本问卷密钥已被另一份仪式文件设定,请重新下载席位文件') },
      { holds: sql`(SELECT count(*) FROM survey_seats WHERE survey_id = ${survey.id}) = ${expected.seats.length}`, otherwise: stale('本问卷席位已变化,请重新下载席位文件') },
      ...f.seats.map((s) => ({
        holds: sql`EXISTS (SELECT 1 FROM survey_seats WHERE survey_id = ${survey.id} AND seat_no = ${s.seat} AND seat_key = ${s.seatKey})`,
        otherwise: stale(`第 ${s.seat} 席的席位公钥已变化,请重新下载席位文件`),
      })),
    ],
  );
  return { publicKey: f.publicKey, digest: f.digest, fingerprints: f.seats.map((s) => ({ seat: s.seat, fingerprint: s.fingerprint })) };
}

async function seatOf(db: Db, surveyId: string, custodianId: string) {
  const [seat] = await db.select().from(surveySeats).where(and(bySurvey(surveyId), eq(surveySeats.custodianId, custodianId)));
  return seat;
}

/** A custodian's share, still sealed to their seat key: as often as needed, from any device; the first download is recorded. */
export async function sealedSurveyShareFor(db: Db, actor: Actor & { id: string }, campaign: Campaign, survey: Survey): Promise<SealedShareFile> {
  const seat = await seatOf(db, survey.id, actor.id);
  if (!seat) throw new AppError(404, 'NO_SEAT', '您不是本问卷密钥仪式的保管人');
  if (!survey.sealKey || !seat.sealedShare || !seat.fingerprint) throw new AppError(409, 'NO_SEAL_KEY', '本问卷密钥仪式尚未举行');
  if (seat.downloadedAt === null) {
    await audited(db, actor, 'survey.share.download', target(campaign, survey, seat.seatNo), { seat: seat.seatNo, fingerprint: seat.fingerprint }, [
      db.update(surveySeats).set({ downloadedAt: Date.now() }).where(and(bySurvey(survey.id), eq(surveySeats.seatNo, seat.seatNo), isNull(surveySeats.downloadedAt))),
    ]);
  }
  return {
    v: 1,
    kind: 'sanmin-tally-sealed-share',
    campaign: surveyScope(campaign, survey),
    group: 0,
    seat: seat.seatNo,
    shareCount: survey.shareCount,
    threshold: survey.threshold,
    publicKey: survey.sealKey,
    sealedShare: seat.sealedShare,
    fingerprint: seat.fingerprint,
  };
}

async function storedResponses(db: Db, survey: Survey) {
  const rows = await db.select({ receipt: surveyResponses.receipt, ciphertext: surveyResponses.ciphertext }).from(surveyResponses).where(eq(surveyResponses.surveyId, survey.id));
  return rows.sort((a, b) => (a.receipt < b.receipt ? -1 : a.receipt > b.receipt ? 1 : 0));
}

/**
 * The commitment file of a closed survey: everything fixed at closing (definition, key, k of n,
 * the sorted receipts and the root stored then, the time). Refused if the stored responses no
 * longer give the root fixed at closing.
 */
export async function surveyCommitment(db: Db, campaign: Campaign, survey: Survey): Promise<SurveyCommitment> {
  if (survey.state !== 'closed' || !survey.root || !survey.sealKey) throw new AppError(409, 'SURVEY_NOT_CLOSED', '问卷尚未结束,答卷集合尚未承诺');
  const rows = await storedResponses(db, survey);
  const commitment = buildSurveyCommitment({
    campaign: campaign.code,
    survey: survey.id,
    title: survey.title,
    definition: parseDefinition(survey),
    publicKey: survey.sealKey,
    shareCount: survey.shareCount,
    threshold: survey.threshold,
    receipts: rows.map((r) => r.receipt),
    closedAt: new Date(survey.closedAt ?? 0).toISOString(),
  });
  if (commitment.root !== survey.root) throw new AppError(409, 'COMMITMENT_MISMATCH', '库中答卷与结束时的承诺不符;请联系监督人员');
  return commitment;
}

/** The committed responses (receipts and ciphertexts) the custodians unseal on their side. */
export async function surveyResponsesFile(db: Db, campaign: Campaign, survey: Survey): Promise<SurveyResponsesFile> {
  const commitment = await surveyCommitment(db, campaign, survey);
  const rows = await storedResponses(db, survey);
  return { v: 1, kind: 'sanmin-survey-responses', campaign: campaign.code, survey: survey.id, publicKey: commitment.publicKey, root: commitment.root, responseCount: rows.length, responses: rows };
}

export async function isSurveyUnsealed(db: Db, surveyId: string) {
  const [row] = await db.select({ at: surveyResults.unsealedAt }).from(surveyResults).where(eq(surveyResults.surveyId, surveyId));
  return Boolean(row);
}

const draftDigest = (answers: unknown, tally: unknown) => sha256Hex(`sanmin-survey-result-draft-v1\n${canonicalJson({ answers, tally })}`);
const notUnsealedSql = (surveyId: string) => sql`NOT EXISTS (SELECT 1 FROM survey_results WHERE survey_id = ${surveyId})`;
const alreadyUnsealed = () => new AppError(409, 'ALREADY_UNSEALED', '本问卷已经开封');

/**
 * The custodians post the result computed on their side (public edition, no key). Accepted only
 * if count and root are the commitment's and the tally recomputes with `tallySurvey` from the
 * posted answers; it then awaits k approvals. A new post replaces an unapproved draft.
 */
export async function postSurveyResult(db: Db, actor: Actor, campaign: Campaign, survey: Survey, data: unknown) {
  const commitment = await surveyCommitment(db, campaign, survey);
  if (await isSurveyUnsealed(db, survey.id)) throw alreadyUnsealed();
  const checked = checkPostedSurveyResult(data, commitment);
  if (!checked.ok) throw new AppError(422, checked.code, checked.message, { result: checked.message });
  const digest = draftDigest(checked.answers, checked.tally);
  const stated = Date.parse(String((data as { unsealedAt?: unknown }).unsealedAt));
  const row = { surveyId: survey.id, digest, answers: JSON.stringify(checked.answers), tally: JSON.stringify(checked.tally), unsealedAt: Number.isFinite(stated) ? stated : Date.now(), postedBy: actor.id ?? actor.name };
  await audited(db, actor, 'survey.result.post', target(campaign, survey), { digest, root: commitment.root, responses: commitment.responseCount, invalid: checked.tally.invalid }, [
    db.delete(surveyResultApprovals).where(eq(surveyResultApprovals.surveyId, survey.id)),
    db.insert(surveyResultDrafts).values(row).onConflictDoUpdate({ target: surveyResultDrafts.surveyId, set: row }),
  ], [{ holds: notUnsealedSql(survey.id), otherwise: alreadyUnsealed() }]);
  return { digest, threshold: commitment.threshold, tally: checked.tally };
}

/** The draft awaiting approval: its digest, the tally each custodian previews, the seats that approved. Never the answers. */
export async function surveyResultDraft(db: Db, surveyId: string) {
  const [draft] = await db.select().from(surveyResultDrafts).where(eq(surveyResultDrafts.surveyId, surveyId));
  if (!draft) return undefined;
  const approvals = await db.select().from(surveyResultApprovals).where(and(eq(surveyResultApprovals.surveyId, surveyId), eq(surveyResultApprovals.digest, draft.digest)));
  return { digest: draft.digest, tally: JSON.parse(draft.tally) as SurveyTally, unsealedAt: draft.unsealedAt, approvedSeats: approvals.map((a) => a.seatNo).sort((a, b) => a - b) };
}

/** The free-text answers of the posted answers, in random order, awaiting review (publishTexts). */
function textsOf(survey: Survey, answers: (Answers | null)[]): TextAnswer[] {
  const textIds = allQuestions(parseDefinition(survey)).filter((q) => q.kind === 'text').map((q) => q.id);
  return shuffled(answers.flatMap((a) => (a ? textIds.filter((id) => typeof a[id] === 'string').map((id) => ({ questionId: id, text: a[id] as string })) : [])));
}

/**
 * A seated custodian approves the draft they previewed (by its digest). The k-th approval
 * publishes the tally into `survey_results` in the same batch (the free-text answers kept there
 * for review, as before) and deletes the draft; each approval is in the audit chain.
 */
export async function approveSurveyResult(db: Db, actor: Actor & { id: string }, campaign: Campaign, survey: Survey, digest: unknown) {
  const seat = await seatOf(db, survey.id, actor.id);
  if (!seat) throw new AppError(403, 'NO_SEAT', '只有本问卷的保管人可以确认结果');
  if (await isSurveyUnsealed(db, survey.id)) throw alreadyUnsealed();
  const draft = await surveyResultDraft(db, survey.id);
  if (!draft) throw new AppError(409, 'NO_DRAFT', '还没有待确认的结果');
  if (digest !== draft.digest) throw new AppError(409, 'DRAFT_CHANGED', '您确认的结果不是当前待确认的结果(已被替换),请重新预览');
  const others = draft.approvedSeats.filter((s) => s !== seat.seatNo);
  const publishes = others.length + 1 >= survey.threshold;
  const records: AuditRecord[] = [{ actor, action: 'survey.result.approve', target: target(campaign, survey, seat.seatNo), change: { seat: seat.seatNo, digest } }];
  const publish = [];
  if (publishes) {
    const [row] = await db.select().from(surveyResultDrafts).where(eq(surveyResultDrafts.surveyId, survey.id));
    const texts = textsOf(survey, JSON.parse(row!.answers) as (Answers | null)[]);
    records.push({ actor, action: 'survey.unseal', target: target(campaign, survey), change: { root: survey.root, digest, approvedBy: [...others, seat.seatNo].sort((a, b) => a - b), responses: survey.responses, invalid: draft.tally.invalid } });
    publish.push(
      db.insert(surveyResults).values({ surveyId: survey.id, tally: row!.tally, texts: JSON.stringify(texts), unsealedAt: row!.unsealedAt }),
      db.delete(surveyResultApprovals).where(eq(surveyResultApprovals.surveyId, survey.id)),
      db.delete(surveyResultDrafts).where(eq(surveyResultDrafts.surveyId, survey.id)),
    );
  }
  const now = Date.now();
  await auditedAll(
    db,
    records,
    [
      db
        .insert(surveyResultApprovals)
        .values({ surveyId: survey.id, seatNo: seat.seatNo, digest, approvedAt: now })
        .onConflictDoUpdate({ target: [surveyResultApprovals.surveyId, surveyResultApprovals.seatNo], set: { digest, approvedAt: now } }),
      ...publish,
    ],
    [
      { holds: sql`EXISTS (SELECT 1 FROM survey_result_drafts WHERE survey_id = ${survey.id} AND digest = ${digest})`, otherwise: new AppError(409, 'DRAFT_CHANGED', '待确认的结果已被替换,请重新预览') },
      {
        holds: sql`(SELECT count(*) FROM survey_result_approvals WHERE survey_id = ${survey.id} AND digest = ${digest} AND seat_no <> ${seat.seatNo}) = ${others.length}`,
        otherwise: new AppError(409, 'APPROVALS_CHANGED', '确认过程中其他保管人也在确认,请重试'),
      },
      { holds: notUnsealedSql(survey.id), otherwise: alreadyUnsealed() },
    ],
  );
  return { seat: seat.seatNo, approvals: others.length + 1, threshold: survey.threshold, published: publishes };
}

export interface TextAnswer {
  questionId: string;
  text: string;
}

/** The unsealed result, or undefined while sealed (the only read of response content). */
export async function loadSurveyResult(db: Db, surveyId: string) {
  const [row] = await db.select().from(surveyResults).where(eq(surveyResults.surveyId, surveyId));
  if (!row) return undefined;
  // results unsealed before devices sealed carry no invalid count: every response was checked on arrival then
  const tally = JSON.parse(row.tally) as Omit<SurveyTally, 'invalid'> & { invalid?: number };
  return {
    tally: { ...tally, invalid: tally.invalid ?? 0 } as SurveyTally,
    texts: JSON.parse(row.texts) as TextAnswer[],
    publishedTexts: row.publishedTexts ? (JSON.parse(row.publishedTexts) as TextAnswer[]) : null,
    reviewedBy: row.reviewedBy,
    unsealedAt: row.unsealedAt,
  };
}

/**
 * A reviewer publishes the free-text answers after redacting personal data (and the personal-data
 * module masks whatever it recognises in what they publish). The audit entry
 * records how many answers were published, how many were changed and how many withheld, and
 * a digest of what was published; publishing happens once.
 */
export async function publishTexts(db: Db, actor: Actor, campaign: Campaign, survey: Survey, edited: (string | null)[]) {
  const result = await loadSurveyResult(db, survey.id);
  if (!result) throw new AppError(404, 'NOT_UNSEALED', '本问卷尚未开封');
  if (result.publishedTexts) throw new AppError(409, 'ALREADY_PUBLISHED', '文字答复已经审核发布,不能再修改');
  if (edited.length !== result.texts.length) throw new AppError(422, 'VALIDATION_FAILED', '审核内容与文字答复条数不符,请刷新后重试');
  const published: TextAnswer[] = [];
  let changed = 0;
  let withheld = 0;
  result.texts.forEach((t, i) => {
    const e = edited[i];
    if (e === null || e === undefined || !e.trim()) return void withheld++;
    // what the reviewer missed or left in, the detector masks anyway: published text never
    // carries an ID, phone, e-mail, card number or name-like phrase it can recognise
    const text = maskPersonalData(e.trim().slice(0, 2000));
    if (text !== t.text) changed++;
    published.push({ questionId: t.questionId, text });
  });
  const text = JSON.stringify(published);
  await audited(db, actor, 'survey.texts.redact', target(campaign, survey), { published: published.length, redacted: changed, withheld, digest: sha256Hex(text) }, [
    db.update(surveyResults).set({ publishedTexts: text, reviewedBy: actor.name }).where(eq(surveyResults.surveyId, survey.id)),
  ]);
  return { published: published.length, redacted: changed, withheld };
}

export async function surveySealState(db: Db, survey: Survey) {
  const [seats, draft, unsealed] = await Promise.all([
    db.select().from(surveySeats).where(bySurvey(survey.id)).orderBy(asc(surveySeats.seatNo)),
    surveyResultDraft(db, survey.id),
    isSurveyUnsealed(db, survey.id),
  ]);
  return {
    seats: seats.map(({ sealedShare, seatKey: _k, ...s }) => ({ ...s, shareWaiting: sealedShare !== null })),
    draft: draft && { digest: draft.digest, approvedSeats: draft.approvedSeats, tally: draft.tally },
    unsealed,
  };
}
export type SurveySealState = Awaited<ReturnType<typeof surveySealState>>;
