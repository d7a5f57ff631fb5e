import { QUESTION_KINDS, KIND_LABELS, type QuestionKind } from './states.core';
// the vocabulary lives beside the states it names (views read it from there)
export { QUESTION_KINDS, KIND_LABELS, type QuestionKind };
/**
 * Questionnaires, pure: the definition an organiser builds (sections; single choice, multiple
 * choice, rating scale and free-text questions), the validation of a definition and of a
 * response, the tally of unsealed responses (distributions and satisfaction rates), the CSV,
 * and a detector of personal data in free text. No hono, no drizzle.
 *
 * Satisfaction rate of a rating question, defined like the ballot scale (DOMAIN.md): the
 * number of answers on options marked `satisfied` divided by the number of valid answers,
 * where an answer is valid when its option is marked `valid` (不了解-style options are not)
 * and blanks are not answers. No valid answer → no rate (null), never 0.
 */
import { csvCell } from '../lib/csv.core';


export interface ScaleOption {
  label: string;
  valid: boolean; // counted in the base of the satisfaction rate
  satisfied: boolean; // counted in the numerator
}

export interface Question {
  id: string; // stable within the survey: q1, q2, …
  kind: QuestionKind;
  title: string;
  required: boolean;
  /** single / multiple: the options' labels. */
  options?: string[];
  /** multiple: how many may / must be chosen. */
  minChoices?: number;
  maxChoices?: number;
  /** text: the longest answer accepted. */
  maxLength?: number;
}

export interface Section {
  id: string; // s1, s2, …
  title: string;
  note?: string;
  questions: Question[];
}

export interface SurveyDefinition {
  intro: string;
  /** The scale every rating question uses (the campaign's ballot scale by default). */
  scale: ScaleOption[];
  sections: Section[];
}

export const DEFAULT_SCALE: ScaleOption[] = [
  { label: '满意', valid: true, satisfied: true },
  { label: '比较满意', valid: true, satisfied: true },
  { label: '不满意', valid: true, satisfied: false },
  { label: '不了解', valid: false, satisfied: false },
];

export const DEFAULT_TEXT_LENGTH = 500;
export const MAX_QUESTIONS = 80;

export const allQuestions = (def: SurveyDefinition): Question[] => def.sections.flatMap((s) => s.questions);

/** The labels a respondent chooses among for a question (rating: the survey's scale). */
export const optionLabels = (def: SurveyDefinition, q: Question): string[] => (q.kind === 'rating' ? def.scale.map((o) => o.label) : (q.options ?? []));

/**
 * Everything wrong with a definition, keyed by where it is (`sections.0.questions.2.options`),
 * in Chinese. An empty object means it can be opened.
 */
export function definitionProblems(def: SurveyDefinition, opts: { forOpening?: boolean } = {}): Record<string, string> {
  const out: Record<string, string> = {};
  const put = (k: string, m: string) => (out[k] ??= m);
  if (def.scale.length < 2 || def.scale.length > 7) put('scale', '评价等级须为 2–7 项');
  if (!def.scale.some((o) => o.satisfied)) put('scale', '评价等级中至少要有一项计为“满意”');
  if (def.scale.some((o) => o.satisfied && !o.valid)) put('scale', '计为“满意”的等级必须计入有效答卷');
  if (new Set(def.scale.map((o) => o.label.trim())).size !== def.scale.length || def.scale.some((o) => !o.label.trim())) put('scale', '评价等级名称不能为空或重复');
  const ids = new Set<string>();
  let count = 0;
  def.sections.forEach((s, si) => {
    if (!s.title.trim() || s.title.length > 60) put(`sections.${si}.title`, '栏目标题须为 1–60 字');
    s.questions.forEach((q, qi) => {
      count++;
      const at = `sections.${si}.questions.${qi}`;
      if (ids.has(q.id)) put(`${at}.id`, `题目编号 ${q.id} 重复`);
      ids.add(q.id);
      if (!(QUESTION_KINDS as readonly string[]).includes(q.kind)) put(`${at}.kind`, '题型不正确');
      if (!q.title.trim() || q.title.length > 200) put(`${at}.title`, '题目须为 1–200 字');
      if (q.kind === 'single' || q.kind === 'multiple') {
        const o = (q.options ?? []).map((x) => x.trim());
        if (o.length < 2 || o.length > 60) put(`${at}.options`, '选择题须有 2–60 个选项');
        else if (o.some((x) => !x || x.length > 60)) put(`${at}.options`, '选项须为 1–60 字');
        else if (new Set(o).size !== o.length) put(`${at}.options`, '选项不能重复');
      }
      if (q.kind === 'multiple') {
        const n = (q.options ?? []).length;
        const min = q.minChoices ?? (q.required ? 1 : 0);
        const max = q.maxChoices ?? n;
        if (!Number.isInteger(min) || !Number.isInteger(max) || min < 0 || max < 1 || min > max || max > n) {
          put(`${at}.choices`, `可选项数须满足 0 ≤ 最少 ≤ 最多 ≤ 选项数(${n})`);
        } else if (q.required && min < 1) put(`${at}.choices`, '必答的多选题至少要选 1 项');
      }
      if (q.kind === 'text') {
        const max = q.maxLength ?? DEFAULT_TEXT_LENGTH;
        if (!Number.isInteger(max) || max < 10 || max > 2000) put(`${at}.maxLength`, '文字题字数上限须为 10–2000');
      }
    });
  });
  if (count > MAX_QUESTIONS) put('sections', `题目不能超过 ${MAX_QUESTIONS} 道`);
  if (opts.forOpening && count === 0) put('sections', '问卷还没有题目,不能开放');
  return out;
}

/** One answer: single/rating → 1-based option; multiple → 1-based options; text → string; null = blank. */
export type Answer = number | number[] | string | null;
export type Answers = Record<string, Answer>;

/**
 * Checks a response against the definition. Returns the normalised answers (every question
 * present, blanks as null, multiple choices sorted, text trimmed) or per-question messages.
 */
export function checkResponse(def: SurveyDefinition, raw: unknown): { ok: true; answers: Answers } | { ok: false; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const answers: Answers = {};
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { ok: false, errors: { _form: '答卷格式不正确' } };
  const input = raw as Record<string, unknown>;
  const known = new Set(allQuestions(def).map((q) => q.id));
  for (const k of Object.keys(input)) if (!known.has(k)) errors['_form'] = `答卷中有问卷没有的题目(${k.slice(0, 20)})`;
  for (const q of allQuestions(def)) {
    let v = input[q.id];
    if (v === undefined || v === '' || (Array.isArray(v) && v.length === 0)) v = null;
    if (v === null) {
      if (q.required) errors[q.id] = q.kind === 'text' ? '此题为必答题,请填写' : '此题为必答题,请选择';
      answers[q.id] = null;
      continue;
    }
    const n = optionLabels(def, q).length;
    const isOption = (x: unknown) => Number.isInteger(x) && (x as number) >= 1 && (x as number) <= n;
    if (q.kind === 'single' || q.kind === 'rating') {
      if (!isOption(v)) errors[q.id] = '请选择列表中的一项';
      else answers[q.id] = v as number;
    } else if (q.kind === 'multiple') {
      if (!Array.isArray(v) || !v.every(isOption) || new Set(v).size !== v.length) {
        errors[q.id] = '请选择列表中的选项';
        continue;
      }
      const min = q.minChoices ?? (q.required ? 1 : 0);
      const max = q.maxChoices ?? n;
      if (v.length < min) errors[q.id] = `此题至少选 ${min} 项(已选 ${v.length} 项)`;
      else if (v.length > max) errors[q.id] = `此题最多选 ${max} 项(已选 ${v.length} 项)`;
      else answers[q.id] = [...(v as number[])].sort((a, b) => a - b);
    } else {
      if (typeof v !== 'string') {
        errors[q.id] = '请填写文字';
        continue;
      }
      const t = v.trim();
      const max = q.maxLength ?? DEFAULT_TEXT_LENGTH;
      if (!t) {
        if (q.required) errors[q.id] = '此题为必答题,请填写';
        answers[q.id] = null;
      } else if ([...t].length > max) errors[q.id] = `最多 ${max} 字(现为 ${[...t].length} 字)`;
      else answers[q.id] = t;
    }
  }
  return Object.keys(errors).length ? { ok: false, errors } : { ok: true, answers };
}

/** Canonical text of a normalised response: keys in question order, so equal answers give equal text. */
export function canonicalResponse(def: SurveyDefinition, answers: Answers): string {
  return JSON.stringify(allQuestions(def).map((q) => answers[q.id] ?? null));
}

// ---- tally ----

export interface OptionCount {
  label: string;
  count: number;
  /** share of the respondents who answered this question, in % (multiple: may sum over 100). */
  percent: number | null;
}

export interface QuestionResult {
  id: string;
  section: string;
  title: string;
  kind: QuestionKind;
  answered: number;
  blank: number;
  options: OptionCount[];
  /** rating only */
  valid?: number;
  satisfied?: number;
  satisfactionRate?: number | null;
}

export interface SurveyTally {
  /** valid responses: the base of every figure */
  responses: number;
  /** responses that decrypted to garbage or to answers the definition does not allow (sealed on a device, so unchecked until now) */
  invalid: number;
  questions: QuestionResult[];
}

const pct = (n: number, d: number) => (d ? Math.round((10000 * n) / d) / 100 : null);

/**
 * Distributions per question and satisfaction rates per rating question. Each response is
 * checked against the definition first (devices seal what the server never saw): one that is
 * not a response of this definition (null for one that did not even decrypt) counts as invalid
 * and in no figure.
 */
export function tallySurvey(def: SurveyDefinition, raw: readonly unknown[]): SurveyTally {
  const responses: Answers[] = [];
  let invalid = 0;
  for (const r of raw) {
    const checked = r === null || r === undefined ? null : checkResponse(def, r);
    if (checked?.ok) responses.push(checked.answers);
    else invalid++;
  }
  const questions: QuestionResult[] = [];
  for (const s of def.sections) {
    for (const q of s.questions) {
      const labels = optionLabels(def, q);
      const counts = labels.map(() => 0);
      let answered = 0;
      for (const r of responses) {
        const a = r[q.id];
        if (a === null || a === undefined) continue;
        answered++;
        if (typeof a === 'number') counts[a - 1]!++;
        else if (Array.isArray(a)) for (const x of a) counts[x - 1]!++;
      }
      const res: QuestionResult = {
        id: q.id,
        section: s.title,
        title: q.title,
        kind: q.kind,
        answered,
        blank: responses.length - answered,
        options: labels.map((label, i) => ({ label, count: counts[i]!, percent: pct(counts[i]!, answered) })),
      };
      if (q.kind === 'rating') {
        const valid = def.scale.reduce((a, o, i) => a + (o.valid ? counts[i]! : 0), 0);
        const satisfied = def.scale.reduce((a, o, i) => a + (o.satisfied ? counts[i]! : 0), 0);
        Object.assign(res, { valid, satisfied, satisfactionRate: pct(satisfied, valid) });
      }
      questions.push(res);
    }
  }
  return { responses: responses.length, invalid, questions };
}

/** One row per question × option; rating questions carry their valid base and satisfaction rate. UTF-8 with BOM (Excel). */
export function surveyCsv(title: string, tally: SurveyTally): string {
  const rows: (string | number | null | undefined)[][] = [['问卷', '栏目', '题号', '题目', '题型', '选项', '人次', '占答题人数%', '答题人数', '有效答卷', '满意人次', '满意率%']];
  for (const q of tally.questions) {
    if (q.kind === 'text') {
      rows.push([title, q.section, q.id, q.title, KIND_LABELS[q.kind], '', '', '', q.answered, '', '', '']);
      continue;
    }
    for (const o of q.options) {
      rows.push([title, q.section, q.id, q.title, KIND_LABELS[q.kind], o.label, o.count, o.percent, q.answered, q.valid, q.satisfied, q.kind === 'rating' ? q.satisfactionRate : '']);
    }
  }
  return '\uFEFF' + rows.map((r) => r.map(csvCell).join(',')).join('\r\n') + '\r\n';
}

// ---- personal data in free text ----
// Found and masked by the one module every free text shown to others goes through:
// src/lib/pii.core.ts (findPersonalData, maskPersonalData, PERSONAL_DATA_LABELS).
