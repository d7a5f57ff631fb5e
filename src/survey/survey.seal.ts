/**
 * A survey's sealed tally: the key ceremony, share hand-in and unsealing of src/tally, scoped to
 * one survey instead of one group. It calls the same ceremony and sealing core functions
 * (seat keys from the custodian's session, Shamir split, shares sealed to seats, fingerprints,
 * k-of-n combine, public-key check, commitment root) with the survey's scope string in place of
 * the campaign and group 0, so a tally share can never be taken for a survey share or back.
 * Nothing here returns a figure about response content before `survey_results` has the row.
 */
import { and, asc, eq } from 'drizzle-orm';
import { audited, type Actor } from '../audit/audit.repo';
import type { Campaign } from '../campaigns/campaigns.repo';
import type { Db } from '../db/client';
import { surveyResponses, surveyResults, surveySeats, surveys, surveyUnsealShares } from '../db/schema';
import { sha256Hex } from '../lib/crypto';
import { openText, requireAtRest, sealText, secretRows, type AtRest } from '../lib/at-rest';
import { AppError } from '../lib/errors';
import { maskPersonalData } from '../lib/personal-data.core';
import {
  ceremonyParamsProblem,
  combineShares,
  commitmentRoot,
  openShare,
  parseShareInput,
  printableShare,
  sealShare,
  seatKeyFrom,
  seatOfShare,
  shuffled,
  splitKey,
} from '../tally/ceremony.core';
import { generateTallyKeyPair, openBytes, publicKeyOf } from '../tally/seal.core';
import { fastBytesOpener } from '../tally/hpke-fast';
import { allQuestions, tallySurvey, type Answers, type SurveyTally } from './survey.core';
import { parseDefinition, responseInfo, surveyScope, type Survey } from './survey.repo';
import { readResponse } from './response.core';

const target = (campaign: Campaign, s: Survey, seat?: number) => `survey:${campaign.code}:${s.id}${seat ? `:${seat}` : ''}`;

export async function setSurveyParams(db: Db, actor: Actor, campaign: Campaign, survey: Survey, shareCount: number, threshold: number) {
  const problem = ceremonyParamsProblem(shareCount, threshold);
  if (problem) throw new AppError(422, 'INVALID_TALLY_PARAMS', problem, { shareCount: problem });
  const seats = await db.select().from(surveySeats).where(eq(surveySeats.surveyId, survey.id));
  if (seats.length || survey.sealKey) throw new AppError(409, 'CEREMONY_STARTED', '已有保管人加入密钥仪式,不能再修改保管人数和门限');
  await audited(db, actor, 'survey.tally.settings', target(campaign, survey), { shareCount, threshold }, [
    db.update(surveys).set({ shareCount, threshold }).where(eq(surveys.id, survey.id)),
  ]);
}

export async function joinSurveyCeremony(db: Db, actor: Actor & { id: string }, campaign: Campaign, survey: Survey, secret: string) {
  if (survey.state !== 'draft') throw new AppError(409, 'CEREMONY_LOCKED', '问卷已经开放,密钥仪式已锁定');
  const scope = surveyScope(campaign, survey);
  const seats = await db.select().from(surveySeats).where(eq(surveySeats.surveyId, survey.id));
  const seatKey = (await seatKeyFrom(secret, scope, 0)).publicKey;
  const mine = seats.find((s) => s.custodianId === actor.id);
  if (mine) {
    await audited(db, actor, 'survey.seat.renew', target(campaign, survey, mine.seatNo), { seatKey }, [
      db.update(surveySeats).set({ seatKey }).where(and(eq(surveySeats.surveyId, survey.id), eq(surveySeats.seatNo, mine.seatNo))),
    ]);
    return mine.seatNo;
  }
  const taken = new Set(seats.map((s) => s.seatNo));
  const seatNo = Array.from({ length: survey.shareCount }, (_, i) => i + 1).find((n) => !taken.has(n));
  if (!seatNo) throw new AppError(409, 'SEATS_FULL', `本问卷的 ${survey.shareCount} 个保管席位已满`);
  const row = { surveyId: survey.id, seatNo, custodianId: actor.id, custodianName: actor.name, seatKey };
  await audited(db, actor, 'survey.seat.join', target(campaign, survey, seatNo), row, [db.insert(surveySeats).values(row)]);
  return seatNo;
}

/** The ceremony: key pair in memory, split, each share sealed to its seat, public key stored, private key dropped. Drafts only. */
export async function runSurveyCeremony(db: Db, actor: Actor, campaign: Campaign, survey: Survey) {
  if (survey.state !== 'draft') throw new AppError(409, 'CEREMONY_LOCKED', '问卷已经开放,不能重新举行密钥仪式');
  const scope = surveyScope(campaign, survey);
  const seats = await db.select().from(surveySeats).where(eq(surveySeats.surveyId, survey.id)).orderBy(asc(surveySeats.seatNo));
  if (seats.length < survey.shareCount) throw new AppError(409, 'SEATS_MISSING', `还有 ${survey.shareCount - seats.length} 位保管人未加入,不能生成密钥`);
  const pair = await generateTallyKeyPair();
  const shares = await splitKey(pair.privateKey, scope, 0, survey.shareCount, survey.threshold);
  pair.privateKey.fill(0);
  const sealed = await Promise.all(shares.map((s) => sealShare(seats[s.seat - 1]!.seatKey, scope, 0, s.seat, s.share)));
  for (const s of shares) s.share.fill(0);
  await audited(db, actor, 'survey.ceremony', target(campaign, survey), { publicKey: pair.publicKey, fingerprints: shares.map((s) => s.fingerprint) }, [
    db.update(surveys).set({ sealKey: pair.publicKey }).where(and(eq(surveys.id, survey.id), eq(surveys.state, 'draft'))),
    ...shares.map((s, i) =>
      db
        .update(surveySeats)
        .set({ sealedShare: sealed[i]!, fingerprint: s.fingerprint, downloadedAt: null })
        .where(and(eq(surveySeats.surveyId, survey.id), eq(surveySeats.seatNo, s.seat))),
    ),
  ]);
  return { publicKey: pair.publicKey };
}

export interface SurveyShareFile {
  v: 1;
  kind: 'sanmin-tally-share';
  campaign: string;
  survey: string;
  group: 0;
  seat: number;
  shareCount: number;
  threshold: number;
  publicKey: string;
  share: string;
  fingerprint: string;
}

export async function takeSurveyShare(db: Db, actor: Actor & { id: string }, campaign: Campaign, survey: Survey, secret: string) {
  const [seat] = await db.select().from(surveySeats).where(and(eq(surveySeats.surveyId, survey.id), eq(surveySeats.custodianId, actor.id)));
  if (!survey.sealKey || !seat) throw new AppError(404, 'NO_SEAT', '您不是本问卷密钥仪式的保管人,或仪式尚未举行');
  if (!seat.sealedShare) throw new AppError(410, 'SHARE_TAKEN', '您的密钥分片已经下载过,服务器不再保存,不能再次下载');
  const scope = surveyScope(campaign, survey);
  let shareHex: string;
  try {
    const key = await seatKeyFrom(secret, scope, 0);
    const bytes = await openShare(key.privateKey, scope, 0, seat.seatNo, seat.sealedShare);
    shareHex = [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
  } catch {
    throw new AppError(409, 'SEAT_KEY_CHANGED', '无法打开您的分片:加入仪式后重新登录过。请重新加入席位,并请统计人员重新举行密钥仪式(问卷开放前可以)');
  }
  await audited(db, actor, 'survey.share.take', target(campaign, survey, seat.seatNo), { seat: seat.seatNo, fingerprint: seat.fingerprint }, [
    db.update(surveySeats).set({ sealedShare: null, downloadedAt: Date.now() }).where(and(eq(surveySeats.surveyId, survey.id), eq(surveySeats.seatNo, seat.seatNo))),
  ]);
  const file: SurveyShareFile = {
    v: 1,
    kind: 'sanmin-tally-share',
    campaign: campaign.code,
    survey: survey.id,
    group: 0,
    seat: seat.seatNo,
    shareCount: survey.shareCount,
    threshold: survey.threshold,
    publicKey: survey.sealKey,
    share: shareHex,
    fingerprint: seat.fingerprint!,
  };
  return { file, code: printableShare(0, seat.seatNo, shareHex) };
}

export async function isSurveyUnsealed(db: Db, surveyId: string) {
  const [row] = await db.select({ at: surveyResults.unsealedAt }).from(surveyResults).where(eq(surveyResults.surveyId, surveyId));
  return Boolean(row);
}

/** A custodian hands in a share; checked against the published fingerprints; the k-th unseals. Closed surveys only. */
export async function submitSurveyShare(db: Db, actor: Actor, campaign: Campaign, survey: Survey, input: string, atRest: AtRest | undefined) {
  const cipher = requireAtRest(atRest);
  if (survey.state !== 'closed') throw new AppError(409, 'SURVEY_NOT_CLOSED', '问卷尚未结束,不能提交密钥分片');
  if (await isSurveyUnsealed(db, survey.id)) throw new AppError(409, 'ALREADY_UNSEALED', '本问卷已经开封');
  const parsed = parseShareInput(input);
  if (!parsed) throw new AppError(422, 'SHARE_UNREADABLE', '无法识别的密钥分片:请上传分片文件,或完整输入打印的分片码', { share: '无法识别的密钥分片' });
  const seats = await db.select({ seatNo: surveySeats.seatNo, fingerprint: surveySeats.fingerprint }).from(surveySeats).where(eq(surveySeats.surveyId, survey.id));
  const seatNo = seatOfShare(surveyScope(campaign, survey), 0, parsed.shareHex, seats);
  if (!seatNo) throw new AppError(422, 'SHARE_UNKNOWN', '该分片与本问卷公布的任何分片指纹都不符', { share: '该分片与本问卷公布的任何分片指纹都不符' });
  await audited(db, actor, 'survey.share.submit', target(campaign, survey, seatNo), { seat: seatNo }, [
    // sealed under the data-encryption key and bound to its seat: a database copy holds no share
    db.insert(surveyUnsealShares).values({ surveyId: survey.id, seatNo, share: await sealText(cipher, secretRows.surveyShare(survey.id, seatNo), parsed.shareHex) }).onConflictDoNothing(),
  ]);
  const stored = await db.select({ seatNo: surveyUnsealShares.seatNo }).from(surveyUnsealShares).where(eq(surveyUnsealShares.surveyId, survey.id));
  if (stored.length >= survey.threshold) {
    await unsealSurvey(db, actor, campaign, survey, [], cipher);
    return { seatNo, submitted: stored.length, threshold: survey.threshold, unsealed: true };
  }
  return { seatNo, submitted: stored.length, threshold: survey.threshold, unsealed: false };
}

/**
 * Unsealing: k checked shares rebuild the key in memory; it must match the survey's public key;
 * the stored responses must be exactly the committed receipts; each is decrypted, the tally
 * computed, free-text answers kept in random order for review, shares deleted, key zeroed.
 */
export async function unsealSurvey(db: Db, actor: Actor, campaign: Campaign, survey: Survey, extraShares: readonly string[] = [], atRest?: AtRest) {
  if (survey.state !== 'closed' || !survey.root) throw new AppError(409, 'SURVEY_NOT_CLOSED', '问卷尚未结束,不能开封');
  if (await isSurveyUnsealed(db, survey.id)) throw new AppError(409, 'ALREADY_UNSEALED', '本问卷已经开封');
  const scope = surveyScope(campaign, survey);
  const seats = await db.select({ seatNo: surveySeats.seatNo, fingerprint: surveySeats.fingerprint }).from(surveySeats).where(eq(surveySeats.surveyId, survey.id));
  const bySeat = new Map<number, string>();
  for (const s of await db.select().from(surveyUnsealShares).where(eq(surveyUnsealShares.surveyId, survey.id))) {
    bySeat.set(s.seatNo, await openText(requireAtRest(atRest), secretRows.surveyShare(survey.id, s.seatNo), s.share));
  }
  for (const text of extraShares) {
    const parsed = parseShareInput(text);
    const seat = parsed && seatOfShare(scope, 0, parsed.shareHex, seats);
    if (!seat) throw new AppError(422, 'SHARE_UNKNOWN', '有一份分片与本问卷公布的分片指纹不符');
    bySeat.set(seat, parsed.shareHex);
  }
  if (bySeat.size < survey.threshold) {
    throw new AppError(409, 'NOT_ENOUGH_SHARES', `开封本问卷需要至少 ${survey.threshold} 位保管人的密钥分片,目前只有 ${bySeat.size} 份,不能开封`);
  }
  const privateKey = await combineShares([...bySeat.values()].slice(0, survey.threshold));
  try {
    if ((await publicKeyOf(privateKey)) !== survey.sealKey) throw new AppError(409, 'KEY_MISMATCH', '由分片恢复的密钥与本问卷公钥不符,不能开封;请联系监督人员');
    const stored = await db.select({ receipt: surveyResponses.receipt, ciphertext: surveyResponses.ciphertext }).from(surveyResponses).where(eq(surveyResponses.surveyId, survey.id));
    for (const r of stored) if (sha256Hex(r.ciphertext) !== r.receipt) throw new AppError(409, 'COMMITMENT_MISMATCH', `答卷 ${r.receipt} 的密文被改动(与回执不符),不能开封`);
    if (commitmentRoot(scope, 0, stored.map((r) => r.receipt)) !== survey.root) throw new AppError(409, 'COMMITMENT_MISMATCH', '库中答卷与结束时的承诺不符,不能开封');
    const def = parseDefinition(survey);
    const info = responseInfo(campaign, survey);
    const fast = await fastBytesOpener(privateKey, info);
    // devices sealed what the server never checked: a response that does not decrypt, is not
    // JSON of this survey, or answers outside the definition is read as null and counted invalid
    const read: (Answers | null)[] = [];
    for (const r of stored) {
      let plaintext: Uint8Array | null;
      try {
        plaintext = fast ? fast(r.ciphertext) : await openBytes(privateKey, info, r.ciphertext);
      } catch {
        plaintext = null;
      }
      read.push(readResponse(def, survey.id, plaintext));
    }
    const tally = tallySurvey(def, read);
    const answers = read.filter((a): a is Answers => a !== null);
    const textIds = allQuestions(def).filter((q) => q.kind === 'text').map((q) => q.id);
    const texts = shuffled(answers.flatMap((a) => textIds.filter((id) => typeof a[id] === 'string').map((id) => ({ questionId: id, text: a[id] as string }))));
    await audited(db, actor, 'survey.unseal', target(campaign, survey), { root: survey.root, seats: [...bySeat.keys()].sort((a, b) => a - b), responses: stored.length, invalid: tally.invalid }, [
      db.insert(surveyResults).values({ surveyId: survey.id, tally: JSON.stringify(tally), texts: JSON.stringify(texts), unsealedAt: Date.now() }),
      db.delete(surveyUnsealShares).where(eq(surveyUnsealShares.surveyId, survey.id)),
    ]);
    return tally;
  } finally {
    privateKey.fill(0);
  }
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
  const [seats, submitted, unsealed] = await Promise.all([
    db.select().from(surveySeats).where(eq(surveySeats.surveyId, survey.id)).orderBy(asc(surveySeats.seatNo)),
    db.select({ seatNo: surveyUnsealShares.seatNo }).from(surveyUnsealShares).where(eq(surveyUnsealShares.surveyId, survey.id)),
    isSurveyUnsealed(db, survey.id),
  ]);
  return {
    seats: seats.map(({ sealedShare, seatKey: _k, ...s }) => ({ ...s, shareWaiting: sealedShare !== null })),
    submittedSeats: submitted.map((s) => s.seatNo).sort((a, b) => a - b),
    unsealed,
  };
}
export type SurveySealState = Awaited<ReturnType<typeof surveySealState>>;
