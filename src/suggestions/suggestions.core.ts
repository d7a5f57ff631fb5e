/**
 * Suggestions: the rules, with no I/O. Validation of an intake, duplicate detection, the
 * handling workflow and its deadlines, what the public and departments may see, statistics.
 */
import { validateMobile } from '../delegates/idcard.core';
import { sha256Hex } from '../lib/crypto';
import { LruCache } from '../lib/cache.core';
import { maskName, maskPersonalData } from '../lib/pii.core';
import { NOTIFY_CHANNELS, type Adoption, type AssignmentStatus, type NotifyChannel, type Rating, type SuggestionStatus } from './states.core';
import { LIMITS, STATUS_LABELS, ASSIGNMENT_LABELS, ADOPTION_LABELS, RATING_LABELS, MAX_REOPEN_ROUNDS, RATING_COMMENT_MAX } from './states.core';
// the vocabulary lives beside the states it names (views read it from there)
export { LIMITS, STATUS_LABELS, ASSIGNMENT_LABELS, ADOPTION_LABELS, RATING_LABELS, MAX_REOPEN_ROUNDS, RATING_COMMENT_MAX };


/** Days the dispatcher has to route an item, and a department to answer it. */
export const DISPATCH_DAYS = 3;
export const ANSWER_DAYS = 15;
const DAY = 24 * 60 * 60 * 1000;




export interface IntakeContext {
  themes: readonly string[];
  areas: readonly string[];
  departments: readonly string[];
}

export interface SuggestionInput {
  authorName: string;
  mobile: string;
  email: string | null;
  theme: string;
  area: string;
  title: string;
  body: string;
  targetDepartment: string | null;
  organisation: string | null;
  /** How the author wants to hear about it (SMS to `mobile`, e-mail to `email`, or not at all). */
  notify: NotifyChannel;
}

export type Checked<T> = { ok: true; value: T } | { ok: false; errors: Record<string, string> };

const chars = (s: string) => [...s].length;
const str = (v: unknown) => (typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v)).trim();
const NAME = /^[\p{Script=Han}A-Za-z·•. ]+$/u;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Checks one suggestion (form, JSON or CSV row alike); every problem gets a Chinese message. */
export function validateSuggestion(input: Record<string, unknown>, ctx: IntakeContext): Checked<SuggestionInput> {
  const errors: Record<string, string> = {};
  const authorName = str(input['authorName']).replace(/\s+/g, ' ');
  if (!authorName) errors['authorName'] = '请填写真实姓名';
  else if (chars(authorName) < LIMITS.name.min || chars(authorName) > LIMITS.name.max || !NAME.test(authorName)) {
    errors['authorName'] = `姓名应为 ${LIMITS.name.min}–${LIMITS.name.max} 个字(汉字、字母或间隔号)`;
  }
  const mobile = validateMobile(str(input['mobile']));
  if (!mobile.ok) errors['mobile'] = mobile.message;
  const emailRaw = str(input['email']);
  if (emailRaw && (emailRaw.length > LIMITS.email || !EMAIL.test(emailRaw))) errors['email'] = '电子邮箱格式不正确(可不填)';
  const theme = str(input['theme']);
  if (!ctx.themes.includes(theme)) errors['theme'] = `请选择建议主题:${ctx.themes.join('、')}`;
  const area = str(input['area']);
  if (!ctx.areas.includes(area)) errors['area'] = '请选择建议所属领域';
  const title = str(input['title']).replace(/\s+/g, ' ');
  if (!title) errors['title'] = '请填写建议标题';
  else if (chars(title) < LIMITS.title.min) errors['title'] = `标题太短,至少 ${LIMITS.title.min} 个字`;
  else if (chars(title) > LIMITS.title.max) errors['title'] = `标题不能超过 ${LIMITS.title.max} 个字(现在 ${chars(title)} 个字)`;
  const body = str(input['body']);
  if (!body) errors['body'] = '请填写建议内容';
  else if (chars(body) < LIMITS.body.min) errors['body'] = `建议内容太短,至少 ${LIMITS.body.min} 个字,请写清问题和建议`;
  else if (chars(body) > LIMITS.body.max) errors['body'] = `建议内容不能超过 ${LIMITS.body.max} 个字(现在 ${chars(body)} 个字),请精简或分条提交`;
  const target = str(input['targetDepartment']);
  if (target && !ctx.departments.includes(target)) errors['targetDepartment'] = `没有名为“${target}”的部门,可不填`;
  const organisation = str(input['organisation']);
  if (chars(organisation) > LIMITS.organisation) errors['organisation'] = `单位名称不能超过 ${LIMITS.organisation} 个字`;
  const notifyRaw = str(input['notify']) || 'none';
  const notify = (NOTIFY_CHANNELS as readonly string[]).includes(notifyRaw) ? (notifyRaw as NotifyChannel) : undefined;
  if (!notify) errors['notify'] = '请选择通知方式:短信、电子邮件或不需要通知';
  else if (notify === 'email' && !emailRaw && !errors['email']) errors['email'] = '选择邮件通知时请填写电子邮箱';
  if (Object.keys(errors).length || !mobile.ok || !notify) return { ok: false, errors };
  return {
    ok: true,
    value: { authorName, mobile: mobile.value, email: emailRaw || null, theme, area, title, body, targetDepartment: target || null, organisation: organisation || null, notify },
  };
}

// ---------------------------------------------------------------- duplicates

/** Text reduced to what makes it the same suggestion: Han characters, letters and digits. */
export function normaliseText(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[^\p{Script=Han}a-z0-9]/gu, '');
}

/** Identical copies (ignoring punctuation, spacing and width) share this fingerprint. */
export function fingerprint(title: string, body: string): string {
  return sha256Hex(normaliseText(`${title}\n${body}`));
}

function shingles(text: string): Set<string> {
  const s = Array.from(normaliseText(text));
  const out = new Set<string>();
  if (s.length < 3) {
    if (s.length) out.add(s.join(''));
    return out;
  }
  for (let i = 0; i + 3 <= s.length; i++) out.add(s[i]! + s[i + 1]! + s[i + 2]!);
  return out;
}

/**
 * Shingles of texts seen lately: the intake compares each new text with up to ~70 candidates,
 * and the same earlier texts come up again and again (a campaign's recurring themes).
 */
const recentShingles = new LruCache<string, Set<string>>({ max: 5000 });
function shinglesOf(text: string): Set<string> {
  return recentShingles.getOrSet(text, () => shingles(text));
}

/** Jaccard similarity of character 3-gram sets (0..1). */
export function similarity(a: string, b: string): number {
  return jaccard(shinglesOf(a), shinglesOf(b));
}

function jaccard(x: Set<string>, y: Set<string>): number {
  if (!x.size || !y.size) return 0;
  let both = 0;
  for (const g of x) if (y.has(g)) both++;
  return both / (x.size + y.size - both);
}

const BANDS = 8;
const ROWS = 4;

function fnv1a(s: string, seed: number): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  // a final avalanche so that seeds give independent-looking permutations
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  return h >>> 0;
}

/**
 * MinHash locality-sensitive bands (8 bands of 4 rows): two texts with 3-gram Jaccard 0.7
 * share a band with probability ~0.9, at 0.3 with ~0.06. Stored per suggestion so candidate
 * near-duplicates are found by index probes, then confirmed with `similarity`.
 */
export function minhashBands(text: string): string[] {
  const sh = [...shinglesOf(text)];
  if (!sh.length) return [];
  const mins = new Array<number>(BANDS * ROWS).fill(0xffffffff);
  for (const g of sh) for (let k = 0; k < mins.length; k++) mins[k] = Math.min(mins[k]!, fnv1a(g, k * 0x9e3779b1));
  const bands: string[] = [];
  for (let b = 0; b < BANDS; b++) bands.push(`${b}:${mins.slice(b * ROWS, b * ROWS + ROWS).map((x) => x.toString(36)).join('.')}`);
  return bands;
}

/** Same author: this similar is the same suggestion sent again. */
export const SAME_AUTHOR_SIMILARITY = 0.6;
/** Another author: this similar is a copy of the same text (linked as a supporter, 附议). */
export const NEAR_IDENTICAL_SIMILARITY = 0.8;

export interface ExistingText {
  seq: number;
  code: string;
  /** The author's mobile as stored: a keyed hash, compared for equality only. */
  mobileKey: string;
  title: string;
  body: string;
}

export type DuplicateVerdict = { kind: 'same_author' | 'near_identical'; of: ExistingText; similarity: number } | null;

/** Decides whether a new suggestion repeats an existing one, and how. */
export function findDuplicate(input: { mobileKey: string; title: string; body: string }, existing: readonly ExistingText[]): DuplicateVerdict {
  const mine = shinglesOf(`${input.title}\n${input.body}`);
  let best: DuplicateVerdict = null;
  for (const e of existing) {
    const sim = jaccard(mine, shinglesOf(`${e.title}\n${e.body}`));
    const kind = e.mobileKey === input.mobileKey && sim >= SAME_AUTHOR_SIMILARITY ? 'same_author' : sim >= NEAR_IDENTICAL_SIMILARITY ? 'near_identical' : null;
    if (!kind) continue;
    // the same author's own earlier item wins over someone else's copy
    const rank = (v: NonNullable<DuplicateVerdict>) => (v.kind === 'same_author' ? 2 : 1) + v.similarity;
    const verdict = { kind, of: e, similarity: Math.round(sim * 1000) / 1000 } as const;
    if (!best || rank(verdict) > rank(best)) best = verdict;
  }
  return best;
}

/**
 * The search tokens of a text for two-character queries: its distinct character bigrams (Han,
 * letters, digits), space-separated for an FTS5 unicode61 index.
 */
export function bigramTokens(...texts: string[]): string {
  const out = new Set<string>();
  for (const text of texts) {
    for (const run of text.normalize('NFKC').toLowerCase().split(/[^\p{Script=Han}a-z0-9]+/u)) {
      const c = [...run];
      for (let i = 0; i + 1 < c.length; i++) out.add(c[i]! + c[i + 1]!);
    }
  }
  return [...out].join(' ');
}

// ---------------------------------------------------------------- workflow

export type WorkflowAction = 'dispatch' | 'accept' | 'answer' | 'return' | 'merge' | 'reject' | 'publish';

export class WorkflowError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'WorkflowError';
  }
}

const SUGGESTION_ACTIONS: Record<'dispatch' | 'merge' | 'reject' | 'publish', readonly SuggestionStatus[]> = {
  // dispatching again before any department has answered is a reassignment
  dispatch: ['received', 'dispatched', 'in_progress'],
  merge: ['received', 'dispatched'],
  reject: ['received'],
  publish: ['answered'],
};

const ASSIGNMENT_ACTIONS: Record<'accept' | 'answer' | 'return', readonly AssignmentStatus[]> = {
  accept: ['dispatched'],
  answer: ['dispatched', 'in_progress'],
  return: ['dispatched', 'in_progress'],
};

const ACTION_NAMES: Record<WorkflowAction, string> = {
  dispatch: '分派',
  accept: '签收',
  answer: '答复',
  return: '退回',
  merge: '合并',
  reject: '不予受理',
  publish: '公开',
};

/** Throws a WorkflowError (stable code, Chinese message) unless `action` is allowed on a suggestion in `status`. */
export function assertSuggestionAction(status: SuggestionStatus, action: keyof typeof SUGGESTION_ACTIONS): void {
  if (!SUGGESTION_ACTIONS[action].includes(status)) {
    throw new WorkflowError('INVALID_TRANSITION', `该建议当前状态为“${STATUS_LABELS[status]}”,不能${ACTION_NAMES[action]}`);
  }
}

export function assertAssignmentAction(status: AssignmentStatus, action: keyof typeof ASSIGNMENT_ACTIONS): void {
  if (!ASSIGNMENT_ACTIONS[action].includes(status)) {
    throw new WorkflowError('INVALID_TRANSITION', `本部门的办理状态为“${ASSIGNMENT_LABELS[status]}”,不能${ACTION_NAMES[action]}`);
  }
}

/**
 * A dispatched suggestion's status follows its departments: none left (all sent back) →
 * back to the dispatcher; all answered → answered; any started → in progress.
 */
export function deriveStatus(assignments: readonly { status: AssignmentStatus }[]): SuggestionStatus {
  const active = assignments.filter((a) => a.status !== 'returned' && a.status !== 'reopened');
  if (!active.length) return 'received';
  if (active.every((a) => a.status === 'answered')) return 'answered';
  if (active.some((a) => a.status !== 'dispatched')) return 'in_progress';
  return 'dispatched';
}

/** The strongest adoption among the answers (纳入政府工作报告 > 纳入下一年度计划 > 未采纳). */
export function overallAdoption(adoptions: readonly Adoption[]): Adoption {
  return adoptions.includes('work_report') ? 'work_report' : adoptions.includes('next_year_plan') ? 'next_year_plan' : 'none';
}

export const dispatchDeadline = (createdAt: number) => createdAt + DISPATCH_DAYS * DAY;
export const answerDeadline = (assignedAt: number) => assignedAt + ANSWER_DAYS * DAY;

/**
 * The suggestion's own change after one department's step: its status from all its departments,
 * and the clock that status starts (answered: when; back with the dispatcher: a fresh deadline).
 */
export function suggestionAfterStep(assignments: readonly { status: AssignmentStatus }[], now: number): { status: SuggestionStatus; answeredAt?: number; dispatchBy?: number } {
  const status = deriveStatus(assignments);
  if (status === 'answered') return { status, answeredAt: now };
  if (status === 'received') return { status, dispatchBy: dispatchDeadline(now) };
  return { status };
}

/** Overdue: a received item not routed by its dispatch deadline. */
export function isDispatchOverdue(s: { status: SuggestionStatus; dispatchBy: number }, now: number): boolean {
  return s.status === 'received' && now > s.dispatchBy;
}

/** Overdue: a department's share not answered (or sent back) by its deadline. */
export function isAnswerOverdue(a: { status: AssignmentStatus; deadlineAt: number }, now: number): boolean {
  return (a.status === 'dispatched' || a.status === 'in_progress') && now > a.deadlineAt;
}

/** The handler's dashboard reminder: from day 10 (five days left) and day 14 (due tomorrow) of an open assignment. */
export function reminderLevel(a: { status: AssignmentStatus; assignedAt: number }, now: number): 'day10' | 'day14' | null {
  if (a.status !== 'dispatched' && a.status !== 'in_progress') return null;
  const days = (now - a.assignedAt) / DAY;
  return days >= 14 ? 'day14' : days >= 10 ? 'day10' : null;
}

/** Whole days late (at least 1 once overdue). */
export const daysLate = (deadline: number, now: number) => Math.max(1, Math.ceil((now - deadline) / DAY));

/** What a page shows of one deadline: days late (null while on time) and the handler's reminder. Decided here; views only print it. */
export interface DeadlineMarks {
  lateDays: number | null;
  reminder: 'day10' | 'day14' | null;
}
export const dispatchMarks = (s: { status: SuggestionStatus; dispatchBy: number }, now: number): DeadlineMarks => ({
  lateDays: isDispatchOverdue(s, now) ? daysLate(s.dispatchBy, now) : null,
  reminder: null,
});
export const answerMarks = (a: { status: AssignmentStatus; deadlineAt: number; assignedAt: number }, now: number): DeadlineMarks => ({
  lateDays: isAnswerOverdue(a, now) ? daysLate(a.deadlineAt, now) : null,
  reminder: reminderLevel(a, now),
});

// ---------------------------------------------------------------- 回访 (follow-up)



export interface FollowUpState {
  status: SuggestionStatus;
  reopenRound: number;
  closedAt: number | null;
  organiserReview: boolean;
}

export type FollowUpDecision = { kind: 'close' } | { kind: 'reopen'; round: number } | { kind: 'organiser' };

/** Whether the author can rate now: a published answer, not yet closed or with the organiser. */
export function canRate(s: FollowUpState): boolean {
  return s.status === 'published' && s.closedAt === null && !s.organiserReview;
}

/**
 * What a rating does: 满意 or 基本满意 closes the item; 不满意 reopens it to the same
 * departments for another round, up to MAX_REOPEN_ROUNDS, and after that goes to the organiser.
 */
export function decideFollowUp(s: FollowUpState, rating: Rating): FollowUpDecision {
  if (!canRate(s)) throw new WorkflowError('CANNOT_RATE', s.closedAt !== null ? '该建议的办理已结束,不能再评价' : s.organiserReview ? '该建议已提交组委会研究处理,暂不能评价' : '该建议尚未公开答复,答复公开后才能评价');
  if (rating !== 'unsatisfied') return { kind: 'close' };
  return s.reopenRound < MAX_REOPEN_ROUNDS ? { kind: 'reopen', round: s.reopenRound + 1 } : { kind: 'organiser' };
}


/** A rating from a form: the verdict, and a comment (required, 2+ characters, for 不满意: the reason). */
export function validateRating(input: Record<string, unknown>): Checked<{ rating: Rating; comment: string }> {
  const rating = str(input['rating']) as Rating;
  const comment = str(input['comment']);
  const errors: Record<string, string> = {};
  if (!(rating in RATING_LABELS)) errors['rating'] = '请选择:满意、基本满意或不满意';
  if (chars(comment) > RATING_COMMENT_MAX) errors['comment'] = `意见不能超过 ${RATING_COMMENT_MAX} 个字`;
  else if (rating === 'unsatisfied' && chars(comment) < 2) errors['comment'] = '请写明不满意的原因,将转交承办部门重新办理';
  return Object.keys(errors).length ? { ok: false, errors } : { ok: true, value: { rating, comment } };
}

// ---------------------------------------------------------------- answer templates

export const TEMPLATE_LIMITS = { title: { min: 2, max: 40 }, body: { min: 10, max: LIMITS.answer.max } } as const;

/** An organiser's answer template: a theme of the campaign, a title, and the answer text handlers start from. */
export function validateTemplate(input: Record<string, unknown>, themes: readonly string[]): Checked<{ theme: string; title: string; body: string }> {
  const theme = str(input['theme']);
  const title = str(input['title']);
  const body = str(input['body']);
  const errors: Record<string, string> = {};
  if (!themes.includes(theme)) errors['theme'] = '请选择建议主题';
  if (chars(title) < TEMPLATE_LIMITS.title.min || chars(title) > TEMPLATE_LIMITS.title.max) errors['title'] = `模板名称须为 ${TEMPLATE_LIMITS.title.min}–${TEMPLATE_LIMITS.title.max} 个字`;
  if (chars(body) < TEMPLATE_LIMITS.body.min || chars(body) > TEMPLATE_LIMITS.body.max) errors['body'] = `模板内容须为 ${TEMPLATE_LIMITS.body.min}–${TEMPLATE_LIMITS.body.max} 个字`;
  return Object.keys(errors).length ? { ok: false, errors } : { ok: true, value: { theme, title, body } };
}

// ---------------------------------------------------------------- privacy

export { maskName };

/**
 * Who wrote a suggestion, as far as masking needs to know: their name, and their mobile and e-mail
 * when the caller has them in the clear (at intake; stored rows keep them only sealed, and the
 * general rules mask any number or address anyway).
 */
export interface AuthorIdentity {
  authorName: string;
  mobile?: string | null;
  email?: string | null;
}

/**
 * Text a department or the public will read (title, body): every ID, phone, e-mail, bank-card
 * number and name-like phrase is masked by the one personal-data module, and the author's own
 * name, mobile and e-mail wherever they appear (complainants' identities must not reach the
 * department concerned).
 */
export function maskForOthers(text: string, author: AuthorIdentity): string {
  return maskPersonalData(text, { names: [author.authorName], numbers: [author.mobile], emails: [author.email] });
}

/** A suggestion as anyone but the organisers may see it: the author as 张*, masked text, no mobile or e-mail. */
export interface PublicSuggestionView {
  code: string;
  author: string;
  theme: string;
  area: string;
  title: string;
  body: string;
  status: SuggestionStatus;
  publicAnswer: string;
  adoption: Adoption;
  createdAt: number;
  publishedAt: number | null;
  rejectReason: string | null;
}

export function publicView(
  s: AuthorIdentity & Omit<PublicSuggestionView, 'author' | 'rejectReason'> & { rejectReason?: string | null },
): PublicSuggestionView {
  return {
    code: s.code,
    author: maskName(s.authorName),
    theme: s.theme,
    area: s.area,
    title: maskForOthers(s.title, s),
    body: maskForOthers(s.body, s),
    status: s.status,
    publicAnswer: s.publicAnswer,
    adoption: s.adoption,
    createdAt: s.createdAt,
    publishedAt: s.publishedAt,
    rejectReason: s.rejectReason ?? null,
  };
}

// ---------------------------------------------------------------- statistics

export function median(values: readonly number[]): number | null {
  if (!values.length) return null;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Milliseconds as 天/小时, for handling times. */
export function formatDuration(ms: number | null): string {
  if (ms === null) return '—';
  const days = ms / DAY;
  if (days >= 1) return `${days.toFixed(1)} 天`;
  return `${Math.max(0, ms / 3_600_000).toFixed(1)} 小时`;
}

export { barChart, type Bar, type BarChart } from '../lib/bar-chart.core';

// ---------------------------------------------------------------- excellent suggestions

export interface ScoreRow {
  suggestionSeq: number;
  score: number;
}

/** Mean reviewer score per suggestion, best first (ties by more reviewers, then earlier). */
export function rankByScores(rows: readonly ScoreRow[]): { suggestionSeq: number; mean: number; reviewers: number }[] {
  const by = new Map<number, number[]>();
  for (const r of rows) by.set(r.suggestionSeq, [...(by.get(r.suggestionSeq) ?? []), r.score]);
  return [...by]
    .map(([suggestionSeq, s]) => ({ suggestionSeq, mean: Math.round((s.reduce((a, b) => a + b, 0) / s.length) * 10) / 10, reviewers: s.length }))
    .sort((a, b) => b.mean - a.mean || b.reviewers - a.reviewers || a.suggestionSeq - b.suggestionSeq);
}

/** A reviewer's score: a whole number 1–100. */
export function parseScore(input: string): number | undefined {
  const n = Number(input.trim());
  return Number.isInteger(n) && n >= 1 && n <= 100 ? n : undefined;
}
