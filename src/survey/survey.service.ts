/**
 * Questionnaires (orchestration): the builder's drafts, opening (freezes the definition and
 * creates the blind-signing key), invitations (one-time codes that buy one blind signature),
 * the idempotent one-batch response, closing with a commitment, and audit entries for every
 * organiser and custodian act. Responses are sealed before anything is stored; nothing here
 * returns a figure about their content before `survey_results` holds the survey's row.
 */
import { v4 as uuidv4 } from 'uuid';
import { audited, stillHolds, type Actor, type Precondition } from '../audit/audit.service';
import { assertInScope } from '../auth/scope.service';
import type { SessionUser } from '../env';
import { getCampaign, loadAgenda, loadScale, type Campaign } from '../campaigns/campaigns.service';
// the campaign a survey URL names (routes call services, not the campaigns repo)
export { defaultCampaign, getCampaign } from '../campaigns/campaigns.service';
import type { Db } from '../db/client';
import { surveys, type SurveyAccess, type SurveyKind } from '../db/schema';
import { randomCode } from '../delegates/delegates.core';
import { canonicalCode } from '../lib/codes.core';
import { blindedHash, credentialHash, decodeCredential, generateVenueKey, verifyCredential, type Credential } from '../hearing/credential.core';
import { toHex } from '../lib/bytes.core';
import { decodeBlinded, signBlinded } from '../hearing/hearing.service';
import { openText, requireAtRest, sealText, secretRows, type AtRest } from '../lib/at-rest';
import { sha256Hex } from '../lib/crypto';
import { AppError, editConflict, notFound } from '../lib/errors';
import { ballotReceipt } from '../tally/seal.core';
import { commitmentRoot } from '../tally/ceremony.core';
import { definitionProblems, type SurveyDefinition } from './survey.core';
import { ciphertextProblem, responseBlockLimit } from './response.core';
import { disciplineTemplate, socialSurveyTemplate } from './templates.core';
import * as repo from './survey.repo';
import { parseDefinition, surveyScope, type Survey } from './survey.repo';

export { campaignById, parseDefinition, responseInfo, surveyScope, type Survey } from './survey.repo';

/** An invitation's stored identity: the hash of its one canonical spelling; null for what cannot be an invitation code (as ticketHash). */
export const invitationHash = (code: string): string | null => {
  const canonical = canonicalCode('invitation', code);
  return canonical && sha256Hex(`sanmin-survey-invitation-v1:${canonical}`);
};

export const listSurveys = (db: Db, campaignId: string): Promise<Survey[]> => repo.listSurveys(db, campaignId);

export async function getSurvey(db: Db, campaign: Campaign, id: string): Promise<Survey> {
  const s = await repo.findSurvey(db, campaign.id, id);
  if (!s) throw new AppError(404, 'SURVEY_NOT_FOUND', '找不到该问卷');
  return s;
}

/** The campaign's discipline questionnaire that respondents should reach: the open one, else the newest. */
export async function disciplineSurvey(db: Db, campaign: Campaign): Promise<Survey | undefined> {
  const rows = await repo.surveysOfKind(db, campaign.id, 'discipline');
  return rows.find((s) => s.state === 'open') ?? rows[0];
}

const frozen = (s: Survey) =>
  new AppError(409, 'SURVEY_FROZEN', s.state === 'open' ? '问卷已经开放作答,内容已冻结,不能再修改' : '问卷已经结束,内容已冻结,不能再修改');

export async function createSurvey(db: Db, actor: Actor, campaign: Campaign, input: { title: string; kind: SurveyKind; access?: SurveyAccess; definition?: SurveyDefinition }) {
  const title = input.title.trim();
  if (!title || title.length > 60) throw new AppError(422, 'VALIDATION_FAILED', '问卷标题须为 1–60 字', { title: '问卷标题须为 1–60 字' });
  const scale = (await loadScale(db, campaign.id)).map((o) => ({ label: o.label, valid: o.valid, satisfied: o.satisfied }));
  const definition: SurveyDefinition = input.definition ?? { intro: '', scale: scale.length >= 2 ? scale : socialSurveyTemplate().definition.scale, sections: [] };
  const problems = definitionProblems(definition);
  if (Object.keys(problems).length) throw new AppError(422, 'INVALID_DEFINITION', Object.values(problems)[0]!, problems);
  const row = {
    id: uuidv4(),
    campaignId: campaign.id,
    kind: input.kind,
    access: input.access ?? (input.kind === 'discipline' ? ('open' as const) : ('invited' as const)),
    title,
    definition: JSON.stringify(definition),
    state: 'draft' as const,
    createdAt: Date.now(),
  };
  await audited(db, actor, 'survey.create', `survey:${campaign.code}:${row.id}`, { title, kind: row.kind, access: row.access }, [repo.insertSurvey(db, row)]);
  return row.id;
}

/** The 社情民意调查 with the 13 fields, on the campaign's own scale. */
export async function createSocialSurvey(db: Db, actor: Actor, campaign: Campaign) {
  const scale = (await loadScale(db, campaign.id)).map((o) => ({ label: o.label, valid: o.valid, satisfied: o.satisfied }));
  const t = socialSurveyTemplate(scale.length >= 2 ? scale : undefined);
  return createSurvey(db, actor, campaign, { title: `${campaign.year}年度${t.title}`, kind: 'social', access: 'invited', definition: t.definition });
}

export async function createDisciplineSurvey(db: Db, actor: Actor, campaign: Campaign) {
  const { groups } = await loadAgenda(db, campaign.id);
  const t = disciplineTemplate(groups.flatMap((g) => g.departments.map((d) => d.name)));
  return createSurvey(db, actor, campaign, { title: t.title, kind: 'discipline', access: 'open', definition: t.definition });
}

/** The survey is still a draft, and still at the version the change was made on (re-checked in the batch). */
function draftAt(db: Db, survey: Survey, version: number): Precondition[] {
  return [
    stillHolds(db, surveys, repo.surveyInState(survey.id, 'draft'), new AppError(409, 'SURVEY_FROZEN', '问卷已经开放作答或已经结束,内容已冻结,不能再修改')),
    stillHolds(db, surveys, repo.surveyAtVersion(survey.id, version), editConflict()),
  ];
}

/**
 * Saves a new definition of a draft made from the one read at `version` (the form's, or the
 * request's own read). The batch re-checks both: an edit racing the opening cannot land after
 * it, and of two edits made on the same version the second answers EDIT_CONFLICT instead of
 * silently dropping the first one's questions.
 */
export async function saveDefinition(db: Db, actor: Actor, campaign: Campaign, survey: Survey, definition: SurveyDefinition, title = survey.title, version = survey.version) {
  if (survey.state !== 'draft') throw frozen(survey);
  const problems = definitionProblems(definition);
  if (Object.keys(problems).length) throw new AppError(422, 'INVALID_DEFINITION', Object.values(problems)[0]!, problems);
  const text = JSON.stringify(definition);
  await audited(
    db,
    actor,
    'survey.edit',
    `survey:${campaign.code}:${survey.id}`,
    { title, definition: sha256Hex(text) },
    [repo.updateDraftDefinition(db, survey.id, version, text, title)],
    draftAt(db, survey, version),
  );
}

/** Opening: the definition must be complete and the ceremony held; the blind-signing key is made here. */
export async function openSurvey(db: Db, actor: Actor, campaign: Campaign, survey: Survey, atRest: AtRest | undefined) {
  const cipher = requireAtRest(atRest);
  if (survey.state !== 'draft') throw new AppError(409, 'SURVEY_NOT_DRAFT', survey.state === 'open' ? '问卷已经开放' : '问卷已经结束,不能重新开放');
  const problems = definitionProblems(parseDefinition(survey), { forOpening: true });
  if (Object.keys(problems).length) throw new AppError(422, 'INVALID_DEFINITION', Object.values(problems)[0]!, problems);
  if (!survey.sealKey) throw new AppError(409, 'NO_SEAL_KEY', '本问卷尚未完成密钥仪式,答卷无法加密封存,不能开放');
  const key = await generateVenueKey();
  // stored only sealed under the data-encryption key, bound to this survey's row
  const sealedKey = await sealText(cipher, secretRows.surveyKey(survey.id), key.privateKey);
  await audited(db, actor, 'survey.open', `survey:${campaign.code}:${survey.id}`, { definition: sha256Hex(survey.definition), signPublicKey: key.publicKey }, [
    repo.openDraft(db, survey.id, key.publicKey, sealedKey),
    // the definition opened is the one checked above, and a second opening at once opens nothing
  ], draftAt(db, survey, survey.version));
}

/**
 * Closing: the state changes and the commitment over the sorted receipts is fixed in one
 * statement that lands only if the survey still has exactly the responses that were read.
 */
export async function closeSurvey(db: Db, actor: Actor, campaign: Campaign, survey: Survey) {
  if (survey.state !== 'open') throw new AppError(409, 'SURVEY_NOT_OPEN', '问卷不在作答中,不能结束');
  const rows = await repo.storedResponses(db, survey.id);
  const bad = rows.find((r) => sha256Hex(r.ciphertext) !== r.receipt);
  if (bad) throw new AppError(409, 'RESPONSE_ALTERED', `答卷 ${bad.receipt} 的密文与回执不符,不能结束;请联系监督人员`);
  const receipts = rows.map((r) => r.receipt).sort();
  const root = commitmentRoot(surveyScope(campaign, survey), 0, receipts);
  // the signing key is dropped at closing: no credential can be issued any more
  await audited(db, actor, 'survey.close', `survey:${campaign.code}:${survey.id}`, { root, responses: receipts.length }, [
    repo.closeOpen(db, survey.id, root, receipts.length),
  ], [
    stillHolds(db, surveys, repo.surveyInState(survey.id, 'open'), new AppError(409, 'SURVEY_NOT_OPEN', '问卷不在作答中,不能结束')),
    { holds: repo.responseCountIs(survey.id, receipts.length), otherwise: new AppError(409, 'RESPONSES_CHANGED', '结束过程中答卷集合发生变化,请重试') },
  ]);
  return { root, responses: receipts.length };
}

// ---- invitations ----

/** Citizens' codes in a numbered batch, shown once (only their hashes are stored). */
export async function issueCitizenCodes(db: Db, actor: Actor, campaign: Campaign, survey: Survey, count: number) {
  if (survey.access !== 'invited') throw new AppError(409, 'OPEN_SURVEY', '本问卷凭链接作答,不需要邀请码');
  if (survey.state === 'closed') throw new AppError(409, 'SURVEY_CLOSED', '问卷已经结束,不能再发放邀请码');
  if (!Number.isInteger(count) || count < 1 || count > 2000) throw new AppError(422, 'VALIDATION_FAILED', '每批邀请码数量须为 1–2000', { count: '每批邀请码数量须为 1–2000' });
  const batch = randomCode('', 1);
  const codes = Array.from({ length: count }, () => randomCode('', 3));
  const rows = codes.map((c) => ({ id: uuidv4(), surveyId: survey.id, channel: 'citizen' as const, delegateId: null, ticketHash: invitationHash(c)!, blindHash: null, state: 'issued' as const, batch }));
  const inserts = repo.insertInvitations(db, rows);
  await audited(db, actor, 'survey.invite.citizens', `survey:${campaign.code}:${survey.id}`, { batch, count }, inserts);
  return { batch, codes };
}

/** A delegate's invitation (at the venue desk or from their personal link): one per delegate and survey. */
/**
 * One survey invitation for a delegate: at a desk, only by staff whose scope covers the delegate's
 * venue (organisers: any); or by the delegate themselves from their personal link.
 */
export async function issueDelegateCode(db: Db, actor: Actor, by: SessionUser | 'the delegate', campaign: Campaign, survey: Survey, delegateCode: string) {
  if (survey.access !== 'invited') throw new AppError(409, 'OPEN_SURVEY', '本问卷凭链接作答,不需要邀请码');
  if (survey.state !== 'open') throw new AppError(409, 'SURVEY_NOT_OPEN', '问卷尚未开放或已经结束');
  const found = await repo.delegateByCode(db, campaign.id, canonicalCode('delegate', delegateCode) ?? '');
  if (!found) throw new AppError(404, 'DELEGATE_NOT_FOUND', '代表证号不存在,请核对后重新输入');
  // another venue's delegate: refused before their name or state is looked at
  if (by !== 'the delegate') assertInScope(by, { venue: found.venueName });
  if (found.state !== 'selected' && found.state !== 'confirmed') throw new AppError(409, 'NOT_A_DELEGATE', '该人员不是正式代表,不能领取问卷邀请码');
  const already = await repo.delegateInvitation(db, survey.id, found.id);
  if (already) throw new AppError(409, 'ALREADY_INVITED', '该代表已经领取过本问卷的邀请码,不能重复领取');
  const code = randomCode('', 3);
  await audited(db, actor, 'survey.invite.delegate', `survey:${campaign.code}:${survey.id}`, { delegate: canonicalCode('delegate', delegateCode) }, [
    repo.insertDelegateInvitation(db, { id: uuidv4(), surveyId: survey.id, channel: 'delegate', delegateId: found.id, ticketHash: invitationHash(code)!, state: 'issued' }),
  ]);
  const mine = await repo.invitationByHash(db, invitationHash(code)!);
  if (!mine) throw new AppError(409, 'ALREADY_INVITED', '该代表已经领取过本问卷的邀请码,不能重复领取');
  return { code, name: found.name };
}

export async function findInvitation(db: Db, code: string) {
  const hash = invitationHash(code);
  const row = hash ? await repo.invitationByHash(db, hash) : undefined;
  if (!row) throw new AppError(404, 'INVITATION_NOT_FOUND', '邀请码无效,请核对后重新输入');
  const survey = await repo.surveyById(db, row.surveyId);
  if (survey?.state !== 'open') throw new AppError(409, 'SURVEY_NOT_OPEN', survey?.state === 'closed' ? '本问卷已经结束,不再接收答卷' : '本问卷尚未开放');
  return { invitation: row, survey };
}

/**
 * Exchanges an invitation code for a blind signature (hearing.repo's redeemTicket, for surveys):
 * the same blinded message may come again (a lost answer) and gets the same signature; any
 * other message after the first is refused, even under concurrent requests.
 */
/** A survey's signing key, opened from its sealed row once per process and kept in memory only. */
const openedSurveyKeys = new WeakMap<AtRest, Map<string, Promise<string>>>();
function surveySigningKey(atRest: AtRest | undefined, survey: Pick<Survey, 'id' | 'signPrivateKey'>): Promise<string> {
  const cipher = requireAtRest(atRest);
  if (!survey.signPrivateKey) throw new AppError(409, 'SURVEY_NOT_OPEN', '本问卷不在作答中');
  let surveyKeys = openedSurveyKeys.get(cipher);
  if (!surveyKeys) openedSurveyKeys.set(cipher, (surveyKeys = new Map()));
  const id = `${survey.id}|${survey.signPrivateKey}`;
  let key = surveyKeys.get(id);
  if (!key) {
    if (surveyKeys.size > 1000) surveyKeys.clear();
    key = openText(cipher, secretRows.surveyKey(survey.id), survey.signPrivateKey);
    surveyKeys.set(id, key);
    key.catch(() => surveyKeys.delete(id));
  }
  return key;
}

export async function redeemInvitation(db: Db, code: string, blindedMsg: string, atRest: AtRest | undefined) {
  requireAtRest(atRest);
  const { invitation, survey } = await findInvitation(db, code);
  const blinded = decodeBlinded(blindedMsg);
  const blindHash = blindedHash('sanmin-survey-blind-v2', blinded);
  const used = new AppError(409, 'INVITATION_USED', '该邀请码已经领取过答卷凭证,不能再次使用');
  if (invitation.state === 'redeemed' && invitation.blindHash !== blindHash) throw used;
  const blindSig = await signBlinded(await surveySigningKey(atRest, survey), blinded);
  if (invitation.state === 'issued') {
    await repo.markRedeemed(db, invitation.id, blindHash);
    const now = await repo.invitationRedemption(db, invitation.id);
    if (now?.state !== 'redeemed' || now.blindHash !== blindHash) throw used;
  }
  return { blindSig };
}

// ---- responding ----

export type RespondOutcome = { status: 'accepted' | 'duplicate'; receipt: string };

/** 422 unless the ciphertext has the one shape a device's sealed response of this survey can have. */
function requireCiphertext(survey: Survey, ciphertext: string) {
  const problem = ciphertextProblem(ciphertext, responseBlockLimit(parseDefinition(survey), survey.id));
  if (problem) throw new AppError(422, 'INVALID_CIPHERTEXT', `${problem},答卷未被接收;请刷新页面后重新提交`, { ciphertext: problem });
}

/** The device sealed to another key than the survey's: it is told the current one (public) to seal again. */
const sealKeyChanged = (current: string | null) =>
  new AppError(409, 'SEAL_KEY_CHANGED', '本问卷的加密公钥与您设备上的不一致,答卷未被接收;请核对公布的公钥后重新提交', current ? { sealKey: current } : {});

/**
 * Why a response that should have been written was not, read after the conditional batch wrote
 * nothing: the survey closed, its key is not the one sealed to, or the ciphertext is already
 * stored (under another credential, or for another survey).
 */
async function notStored(db: Db, survey: Survey, sealKey: string, receipt: string, otherwise: AppError): Promise<AppError> {
  const now = await repo.surveyStateAndKey(db, survey.id);
  if (now?.state !== 'open') return new AppError(409, 'SURVEY_NOT_OPEN', '本问卷已经结束,答卷未被接收');
  if (now.sealKey !== sealKey) return sealKeyChanged(now.sealKey);
  if (await repo.responseByReceipt(db, receipt)) return ciphertextReplayed();
  return otherwise;
}

const ciphertextReplayed = () =>
  new AppError(409, 'CIPHERTEXT_REPLAYED', '这份加密答卷已经提交过(由另一张答卷凭证或在另一份问卷中),不能重复提交;如果这是您本人刚刚加密的答卷,说明它在传输途中被人复制,请联系监督人员');

/**
 * One response on an anonymous credential: a ciphertext the device sealed to the survey key
 * (the server never sees the answers), its receipt the SHA-256 of the ciphertext text. One batch,
 * each statement re-checking: the credential is spent on this receipt only while the survey is
 * open under this seal key, fewer responses are stored than signatures issued, and no stored
 * response has this receipt (a copied ciphertext spends nothing); then the counter moves and the
 * response is stored, both only while this credential's use names this receipt and no response
 * with it exists yet — so the identical retry, whose receipt is the same, writes nothing twice.
 */
export async function respondWithCredential(db: Db, campaign: Campaign, survey: Survey, cred: Credential, ciphertext: string, sealKey: string): Promise<RespondOutcome> {
  if (survey.access !== 'invited') throw new AppError(409, 'OPEN_SURVEY', '本问卷不使用答卷凭证');
  if (survey.state !== 'open') throw new AppError(409, 'SURVEY_NOT_OPEN', '本问卷不在作答期间,答卷未被接收');
  requireCiphertext(survey, ciphertext);
  if (sealKey !== survey.sealKey) throw sealKeyChanged(survey.sealKey);
  const bytes = decodeCredential(cred);
  if (!bytes || !(await verifyCredential(survey.signPublicKey!, bytes))) throw new AppError(403, 'INVALID_CREDENTIAL', '答卷凭证无效:不是本问卷签发的凭证');
  const hash = credentialHash(bytes.msg);
  const receipt = ballotReceipt(ciphertext);
  const tag = sha256Hex(`sanmin-survey-tag-v3:${toHex(bytes.msg)}:${ciphertext}`);
  const inserted = await repo.storeCredentialResponse(db, { surveyId: survey.id, sealKey, credentialHash: hash, tag, receipt, ciphertext });
  const use = await repo.credentialUse(db, hash);
  if (use) {
    if (use.receipt !== receipt) throw new AppError(409, 'CREDENTIAL_SPENT', '该答卷凭证已经提交过答卷,不能再提交另一份');
    return { status: inserted.length ? 'accepted' : 'duplicate', receipt };
  }
  throw await notStored(db, survey, sealKey, receipt, new AppError(409, 'SIGNATURES_EXHAUSTED', '已提交的答卷数已达到签发的答卷凭证数,这张凭证不能再使用;请联系工作人员核查'));
}

/**
 * A response to an open-access questionnaire (the discipline form): sealed on the device, no
 * credential. The same ciphertext again (a retry after a lost answer) is recognised by its
 * receipt and counted once; the counter moves before the insert, both on "not stored yet".
 */
export async function respondOpen(db: Db, campaign: Campaign, survey: Survey, ciphertext: string, sealKey: string): Promise<RespondOutcome> {
  if (survey.access !== 'open') throw new AppError(403, 'INVITATION_REQUIRED', '本问卷需凭邀请码作答');
  if (survey.state !== 'open') throw new AppError(409, 'SURVEY_NOT_OPEN', '本问卷不在作答期间,答卷未被接收');
  requireCiphertext(survey, ciphertext);
  if (sealKey !== survey.sealKey) throw sealKeyChanged(survey.sealKey);
  const receipt = ballotReceipt(ciphertext);
  const inserted = await repo.storeOpenResponse(db, { surveyId: survey.id, sealKey, receipt, ciphertext });
  if (inserted.length) return { status: 'accepted', receipt };
  const stored = await repo.responseByReceipt(db, receipt);
  if (stored?.surveyId === survey.id) return { status: 'duplicate', receipt };
  throw await notStored(db, survey, sealKey, receipt, new AppError(409, 'SURVEY_NOT_OPEN', '本问卷已经结束,答卷未被接收'));
}

/** Invitation counts for the organiser: issued / redeemed by channel, and responses. Counts only. */
export async function invitationCounts(db: Db, surveyId: string) {
  const rows = await repo.invitationCountRows(db, surveyId);
  const get = (ch: string, st?: string) => rows.filter((r) => r.channel === ch && (!st || r.state === st)).reduce((a, r) => a + Number(r.n), 0);
  return { delegate: get('delegate'), citizen: get('citizen'), redeemed: get('delegate', 'redeemed') + get('citizen', 'redeemed') };
}

/** A survey by campaign code and id, as the pages' URLs name it. */
export async function loadSurvey(db: Db, code: string, id: string) {
  const campaign = await getCampaign(db, code);
  return { campaign, survey: await getSurvey(db, campaign, id) };
}

/** The invited questionnaire the device's form fragment shows; 404 for any other. */
export async function invitedOpenSurvey(db: Db, id: string): Promise<Survey> {
  const survey = await repo.surveyById(db, id);
  if (!survey || survey.state !== 'open' || survey.access !== 'invited') throw notFound('问卷');
  return survey;
}
