/**
 * A survey's sealed tally on the custodians' side, pure: the commitment file published at
 * closing, the committed responses file, unsealing with k shares (the ballots' `rebuildKey`,
 * scoped to the survey: src/tally/unseal.core.ts) and what the server checks of the result the
 * custodians post. No database, no network: `npm run unseal` and the tests run it.
 *
 * Scope: a survey's ceremony, shares, fingerprints and seat keys use `surveyScope` (campaign code
 * and survey id) in place of the campaign, and group 0, so a group's share never opens a survey
 * (nor rebuilds its key) and back.
 */
import { canonicalJson, sha256Hex } from '../lib/crypto';
import { commitmentRoot, isReceipt, shuffled } from '../tally/ceremony.core';
import { receiptHasher } from '../tally/digest.core';
import { fastBytesOpener } from '../tally/hpke-fast.core';
import { b64url, isRawPublicKey, openBytes } from '../tally/seal.core';
import { rebuildKey, UnsealError } from '../tally/unseal.core';
import { readResponse, responseInfo, surveyScope } from './response.core';
import { allQuestions, tallySurvey, type Answers, type SurveyDefinition, type SurveyTally } from './survey.core';

/** Fixed at closing: what the survey's result must be computed from. */
export interface SurveyCommitment {
  v: 1;
  kind: 'sanmin-survey-commitment';
  campaign: string;
  survey: string;
  /** surveyScope(campaign, survey): the ceremony's "campaign", group 0 */
  scope: string;
  title: string;
  definition: SurveyDefinition;
  publicKey: string;
  shareCount: number;
  threshold: number;
  responseCount: number;
  root: string;
  receipts: string[];
  closedAt: string;
  /** SHA-256("sanmin-survey-commitment-file-v1\n" + canonical JSON of every other field) */
  digest: string;
}

export type SurveyCommitmentBody = Pick<SurveyCommitment, 'campaign' | 'survey' | 'title' | 'definition' | 'publicKey' | 'shareCount' | 'threshold' | 'receipts' | 'closedAt'>;

const digestOf = (doc: Omit<SurveyCommitment, 'digest'>) => sha256Hex('sanmin-survey-commitment-file-v1\n' + canonicalJson(doc));

export function buildSurveyCommitment(body: SurveyCommitmentBody): SurveyCommitment {
  const scope = surveyScope(body.campaign, body.survey);
  const receipts = [...body.receipts].sort();
  const doc: Omit<SurveyCommitment, 'digest'> = {
    v: 1,
    kind: 'sanmin-survey-commitment',
    campaign: body.campaign,
    survey: body.survey,
    scope,
    title: body.title,
    definition: body.definition,
    publicKey: body.publicKey,
    shareCount: body.shareCount,
    threshold: body.threshold,
    responseCount: receipts.length,
    root: commitmentRoot(scope, 0, receipts),
    receipts,
    closedAt: body.closedAt,
  };
  return { ...doc, digest: digestOf(doc) };
}

/** What is wrong with a survey commitment on its own (null when nothing): shape, scope, count and root, digest. */
export function surveyCommitmentProblem(data: unknown): string | null {
  const c = data as Partial<SurveyCommitment> | null;
  if (!c || typeof c !== 'object' || c.kind !== 'sanmin-survey-commitment' || c.v !== 1) return '这不是三民问卷承诺文件';
  if (typeof c.campaign !== 'string' || typeof c.survey !== 'string' || c.scope !== surveyScope(c.campaign, c.survey)) return '承诺文件的评议活动、问卷或范围不正确';
  if (!c.definition || !Array.isArray(c.definition.sections) || !Array.isArray(c.definition.scale)) return '承诺文件缺少问卷定义';
  if (!isRawPublicKey(c.publicKey)) return '承诺文件中的问卷公钥格式不正确';
  if (!Number.isInteger(c.threshold) || !Number.isInteger(c.shareCount) || c.threshold! < 2 || c.threshold! > c.shareCount!) return '承诺文件的门限不正确';
  if (!Array.isArray(c.receipts) || !c.receipts.every(isReceipt) || c.receipts.length !== c.responseCount) return '承诺文件的回执或答卷数不正确';
  if (new Set(c.receipts).size !== c.receipts.length || c.receipts.some((r, i) => i > 0 && c.receipts![i - 1]! > r)) return '承诺文件的回执未排序或重复';
  if (commitmentRoot(c.scope, 0, c.receipts) !== c.root) return '承诺文件的根摘要与回执不符';
  const { digest, ...rest } = c as SurveyCommitment;
  if (digestOf(rest) !== digest) return '承诺文件的摘要与内容不符(文件被改动过)';
  return null;
}

/** The committed responses of a closed survey (GET …/tally/responses), sorted by receipt. */
export interface SurveyResponsesFile {
  v: 1;
  kind: 'sanmin-survey-responses';
  campaign: string;
  survey: string;
  publicKey: string;
  root: string;
  responseCount: number;
  responses: { receipt: string; ciphertext: string }[];
}

/** Checks the responses file against the commitment; names the first response that differs. */
export async function responsesProblem(commitment: SurveyCommitment, file: SurveyResponsesFile): Promise<string | null> {
  if (file?.kind !== 'sanmin-survey-responses' || file.v !== 1 || !Array.isArray(file.responses)) return '这不是三民问卷答卷文件';
  if (file.campaign !== commitment.campaign || file.survey !== commitment.survey) return '答卷文件与承诺文件不是同一问卷';
  if (file.publicKey !== commitment.publicKey) return '答卷文件中的问卷公钥与承诺文件不符';
  if (file.responses.length !== commitment.responseCount) return `答卷文件有 ${file.responses.length} 份答卷,承诺文件为 ${commitment.responseCount} 份`;
  const hash = await receiptHasher();
  for (const [i, r] of file.responses.entries()) {
    if (r?.receipt !== commitment.receipts[i]) return `答卷文件第 ${i + 1} 份的回执 ${String(r?.receipt)} 不在承诺中的这个位置`;
    if (typeof r.ciphertext !== 'string' || hash(r.ciphertext) !== r.receipt) return `答卷 ${r.receipt} 的密文与回执不符(被改动过)`;
  }
  return null;
}

/** What the custodians post (the public edition: no key) and the server checks. */
export interface SurveyResult {
  v: 1;
  kind: 'sanmin-survey-result';
  campaign: string;
  survey: string;
  publicKey: string;
  commitment: { root: string; responseCount: number; digest: string };
  /** Each committed response decrypted and read (null: invalid), in random order. */
  answers: (Answers | null)[];
  tally: SurveyTally;
  unsealedAt: string;
  privateKey?: string;
}

/**
 * Shares of surveys unsealed before the ceremony left the server name the campaign code and the
 * survey id instead of the scope string: read them as the scope's (their fingerprints were
 * always the scope's).
 */
function scopedShareText(text: string, commitment: SurveyCommitment): string {
  if (!text.trim().startsWith('{')) return text;
  try {
    const f = JSON.parse(text) as { kind?: string; campaign?: string; survey?: string; group?: number };
    if (f.kind === 'sanmin-tally-share' && f.survey === commitment.survey && f.campaign === commitment.campaign && f.group === 0) return JSON.stringify({ ...f, campaign: commitment.scope });
  } catch {
    /* parseShareInput refuses it */
  }
  return text;
}

/**
 * The whole unsealing of a survey with k shares: key rebuilt and checked, responses checked
 * against the commitment, each decrypted and read (what does not decrypt or is not a response
 * of this definition counts invalid), tallied with `tallySurvey`. Returns the public edition and
 * the audit edition (plus the key, kept by the custodians).
 */
export async function unsealSurveyWithShares(
  commitment: SurveyCommitment,
  file: SurveyResponsesFile,
  shareInputs: readonly string[],
  now: Date = new Date(),
): Promise<{ result: SurveyResult; auditEdition: SurveyResult; seats: number[] }> {
  const problem = surveyCommitmentProblem(commitment);
  if (problem) throw new UnsealError('COMMITMENT_INVALID', `承诺文件无效:${problem}`);
  const bad = await responsesProblem(commitment, file);
  if (bad) throw new UnsealError('COMMITMENT_MISMATCH', bad);
  const { privateKey, seats } = await rebuildKey(
    { campaign: commitment.scope, group: 0, threshold: commitment.threshold, publicKey: commitment.publicKey },
    shareInputs.map((t) => scopedShareText(t, commitment)),
    { unit: '本问卷', mismatch: '由分片恢复的密钥与本问卷公钥不符:有分片不属于本问卷或已损坏' },
  );
  try {
    const info = responseInfo(commitment.campaign, commitment.survey);
    const fast = await fastBytesOpener(privateKey, info);
    const answers: (Answers | null)[] = [];
    for (const r of file.responses) {
      let plaintext: Uint8Array | null;
      try {
        plaintext = fast ? fast(r.ciphertext) : await openBytes(privateKey, info, r.ciphertext);
      } catch {
        plaintext = null;
      }
      answers.push(readResponse(commitment.definition, commitment.survey, plaintext));
    }
    const result: SurveyResult = {
      v: 1,
      kind: 'sanmin-survey-result',
      campaign: commitment.campaign,
      survey: commitment.survey,
      publicKey: commitment.publicKey,
      commitment: { root: commitment.root, responseCount: commitment.responseCount, digest: commitment.digest },
      answers: shuffled(answers),
      tally: tallySurvey(commitment.definition, answers),
      unsealedAt: now.toISOString(),
    };
    return { result, auditEdition: { ...result, privateKey: b64url(privateKey) }, seats };
  } finally {
    privateKey.fill(0);
  }
}

/**
 * What the server checks of a posted survey result (null = accepted): no key; the survey, key,
 * count and root are the commitment's; as many answers as committed responses; the tally
 * recomputes with `tallySurvey` from the posted answers on the committed definition. It cannot
 * check the decryptions (any k custodians can re-run the unsealing and compare).
 */
export function checkPostedSurveyResult(data: unknown, commitment: SurveyCommitment): { ok: false; code: string; message: string } | { ok: true; answers: (Answers | null)[]; tally: SurveyTally } {
  const bad = (code: string, message: string) => ({ ok: false as const, code, message });
  const r = data as Partial<SurveyResult> | null;
  if (!r || typeof r !== 'object' || r.kind !== 'sanmin-survey-result' || r.v !== 1) return bad('RESULT_UNREADABLE', '这不是三民问卷结果文件');
  if ('privateKey' in r) return bad('RESULT_WITH_KEY', '请上传公开版结果文件:服务器不接收问卷私钥(审计版由保管人保存)');
  if (r.campaign !== commitment.campaign || r.survey !== commitment.survey) return bad('RESULT_OTHER_SURVEY', '结果文件不是本问卷的');
  if (r.publicKey !== commitment.publicKey) return bad('RESULT_MISMATCH', '结果文件中的问卷公钥与承诺不符');
  if (!r.commitment || r.commitment.root !== commitment.root || r.commitment.responseCount !== commitment.responseCount) {
    return bad('ROOT_MISMATCH', `结果文件的根摘要或答卷数与承诺不符(承诺:${commitment.responseCount} 份,根摘要 ${commitment.root.slice(0, 16)}…)`);
  }
  if (!Array.isArray(r.answers) || r.answers.length !== commitment.responseCount) {
    return bad('COUNT_MISMATCH', `结果文件有 ${Array.isArray(r.answers) ? r.answers.length : 0} 份解密答卷,承诺为 ${commitment.responseCount} 份`);
  }
  const ids = new Set(allQuestions(commitment.definition).map((q) => q.id));
  for (const [i, a] of r.answers.entries()) {
    if (a !== null && (typeof a !== 'object' || Array.isArray(a) || Object.keys(a).some((k) => !ids.has(k)))) return bad('RESULT_MALFORMED', `第 ${i + 1} 份解密答卷不是本问卷答卷的格式(无效答卷应记为 null)`);
  }
  const tally = tallySurvey(commitment.definition, r.answers);
  if (!r.tally || canonicalJson(tally) !== canonicalJson(r.tally)) return bad('TALLY_MISMATCH', '结果文件中的统计与由解密答卷重算的统计不符');
  return { ok: true, answers: r.answers as (Answers | null)[], tally };
}
