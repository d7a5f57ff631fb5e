/**
 * Routing: which department should answer a suggestion. Pure; plain data in, ranking out.
 *
 * Citizens rarely write in the words of a department's duties ("楼上半夜装修吵得睡不着", not
 * "社会生活噪声"), so four signals are combined, each normalised to the best department:
 * - the department's document, its published duties (weighted up), goals, year-end report,
 *   its everyday vocabulary (seed/<year>/vocabulary.json) and the suggestions already dispatched
 *   to it, ranked with Okapi BM25 over words (jieba, injected as `segment`) and character
 *   bigrams/trigrams (which survive typos and words jieba cuts differently);
 * - the residents' phrases of the vocabulary found verbatim in the text, each worth its
 *   rarity across departments;
 * - the vocabulary's "looks like, belongs elsewhere" rules (all cue words present → that
 *   department), which settle the classic confusions (night construction noise vs a noisy
 *   neighbour);
 * - a vote of the most similar dispatched suggestions, so every dispatch, reassignment and split
 *   teaches the model without a deploy (e.g. 停车收费 → 市物价局, not 市交通运输委).
 */
import { LruCache } from '../lib/cache.core';

export interface DepartmentProfile {
  name: string;
  duties: string;
  goals?: string;
  report?: string;
}

export interface DispatchedExample {
  department: string;
  text: string;
}

export interface RoutingCandidate {
  department: string;
  score: number;
}

/** Why a department was proposed: the words that matched, for the dispatcher. */
export interface RoutingReason {
  department: string;
  score: number;
  /** Residents' phrases of the vocabulary found in the text. */
  phrases: string[];
  /** Words of the text that weigh most in the department's document (duties, vocabulary, history). */
  words: string[];
  /** Notes of the confusion rules that fired for this department. */
  rules: string[];
  /** How many similar dispatched suggestions went to this department. */
  neighbours: number;
}

/** A "looks like but belongs elsewhere" rule: when every cue appears, `department` is meant, not `instead`. */
export interface ConfusionRule {
  when: string[];
  department: string;
  instead?: string;
  note: string;
}

/** Each department's everyday vocabulary, as data (seed/<year>/vocabulary.json). */
export interface Vocabulary {
  departments: Record<string, string[]>;
  confusions: ConfusionRule[];
}

/** Cuts a text into words (jieba on both runtimes; see segmenter.ts). */
export type Segmenter = (text: string) => string[];

export interface RouterOptions {
  /** Repetitions of the duties text in the department document (duties say most precisely what a department does). */
  dutiesWeight: number;
  goalsWeight: number;
  reportWeight: number;
  /** Weight of each vocabulary phrase inside its department's document. */
  vocabularyDocWeight: number;
  /** Weight of each dispatched example inside its department's document. */
  historyWeight: number;
  /** Weight of the verbatim-phrase signal relative to the department-document score. */
  phraseWeight: number;
  /** Added to a department when all cues of one of its confusion rules appear. */
  ruleWeight: number;
  /** Weight of the nearest-neighbour vote relative to the department-document score. */
  neighbourWeight: number;
  /** Neighbours that vote. */
  k: number;
  /** Weight of character n-grams against words (0: words only; words are 1). */
  gramWeight: number;
  /** Weight of words (0: character n-grams only, the old router). */
  wordWeight: number;
  k1: number;
  b: number;
}

// Tuned by bench/routing-tune.ts on the training part of the written set and the old set only
// (never on the evaluation part), 2 Dec 2026.
export const DEFAULT_ROUTER_OPTIONS: RouterOptions = {
  dutiesWeight: 3,
  goalsWeight: 1,
  reportWeight: 1,
  vocabularyDocWeight: 2,
  historyWeight: 0.2,
  phraseWeight: 0.6,
  ruleWeight: 0.4,
  neighbourWeight: 0.1,
  k: 11,
  gramWeight: 0.25,
  wordWeight: 1,
  k1: 1.2,
  b: 0.5,
};

// Words every suggestion uses; as n-grams they only add noise.
const STOP_GRAMS = new Set(['建议', '希望', '我们', '市民', '问题', '加强', '进一步', '有关', '部门', '政府', '青岛', '全市', '我市', '负责', '推进', '工作', '加大', '力度', '市区']);

// Function words and filler of written and spoken Chinese: they say nothing about the department.
const STOP_WORDS = new Set([
  ...'的了是我你他她它们在有和与及或就都也还又很太再才把被给让向对从到为以于上下中里这那哪啥吗呢吧啊呀哦嘛么着过地得之其而但如若则却并且个些每各该此本'.split(''),
  ...['我们', '你们', '他们', '大家', '自己', '这个', '那个', '这些', '那些', '什么', '怎么', '怎么办', '咋办', '为什么', '一下', '一些', '一个', '没有', '不是', '就是', '可以', '能够', '应该', '需要', '非常', '特别', '已经', '现在', '目前', '还是', '但是', '因为', '所以', '如果', '希望', '建议', '问题', '情况', '相关', '有关', '部门', '政府', '市民', '居民', '群众', '反映', '请问', '谢谢', '感谢', '麻烦', '领导', '同志', '你好', '您好', '尽快', '解决', '处理', '一直', '经常', '很多', '多次', '时候', '今年', '去年', '明年', '青岛', '青岛市', '我市', '全市', '市里', '有人', '真的', '实在', '不能', '不要', '能否', '是否', '希望能', '加强', '进一步', '推进', '工作', '方面', '问题是'],
]);

/** NFKC, lower case; everything but Han characters, letters and digits separates runs. */
export function textRuns(text: string): string[] {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .split(/[^\p{Script=Han}a-z0-9]+/u)
    .filter(Boolean);
}

/** Character bigrams and trigrams of Han runs; whole tokens of Latin/digit runs. */
export function ngrams(text: string): string[] {
  const out: string[] = [];
  for (const run of textRuns(text)) {
    // split a mixed run into Han and non-Han pieces
    for (const piece of run.match(/\p{Script=Han}+|[a-z0-9]+/gu) ?? []) {
      if (!/\p{Script=Han}/u.test(piece)) {
        if (piece.length >= 2) out.push(piece);
        continue;
      }
      const chars = [...piece];
      if (chars.length === 1) continue;
      for (let i = 0; i + 1 < chars.length; i++) {
        const bi = chars[i]! + chars[i + 1]!;
        if (!STOP_GRAMS.has(bi)) out.push(bi);
        if (i + 2 < chars.length) {
          const tri = bi + chars[i + 2]!;
          if (!STOP_GRAMS.has(tri)) out.push(tri);
        }
      }
    }
  }
  return out;
}

/** Words of a text (by `segment`), without function words, punctuation and bare numbers. */
export function words(text: string, segment: Segmenter): string[] {
  const out: string[] = [];
  for (const run of textRuns(text)) {
    for (const w of segment(run)) {
      if (STOP_WORDS.has(w) || /^[0-9]+$/.test(w)) continue;
      out.push(w);
    }
  }
  return out;
}

// Words and n-grams share one term space; n-grams carry a prefix so 交通 the word and 交通 the bigram stay apart.
const GRAM = '\u0001';

/** The weighted terms of a text: its words and (prefixed) character n-grams. */
function termsOf(text: string, segment: Segmenter | undefined, o: RouterOptions, weight = 1, into = new Map<string, number>()): Map<string, number> {
  if (o.gramWeight > 0 || !segment) for (const g of ngrams(text)) into.set(GRAM + g, (into.get(GRAM + g) ?? 0) + weight * (segment ? o.gramWeight : 1));
  if (segment && o.wordWeight > 0) for (const w of words(text, segment)) into.set(w, (into.get(w) ?? 0) + weight * o.wordWeight);
  return into;
}

interface Doc {
  tf: Map<string, number>;
  length: number;
}

const docOf = (tf: Map<string, number>): Doc => ({ tf, length: [...tf.values()].reduce((s, x) => s + x, 0) });

/** Okapi BM25 over a fixed set of documents, with an inverted index so a query touches only its postings. */
class Bm25 {
  private postings = new Map<string, { doc: number; tf: number }[]>();
  private norm: Float64Array;
  constructor(
    readonly docs: Doc[],
    private k1: number,
    b: number,
  ) {
    docs.forEach((d, i) => {
      for (const [t, tf] of d.tf) {
        const list = this.postings.get(t);
        if (list) list.push({ doc: i, tf });
        else this.postings.set(t, [{ doc: i, tf }]);
      }
    });
    const avgdl = docs.reduce((s, d) => s + d.length, 0) / Math.max(1, docs.length) || 1;
    this.norm = Float64Array.from(docs, (d) => k1 * (1 - b + (b * d.length) / avgdl));
  }
  idf(term: string): number {
    const n = this.postings.get(term)?.length ?? 0;
    return Math.log(1 + (this.docs.length - n + 0.5) / (n + 0.5));
  }
  /** What one query term adds to document i (0 when absent). */
  contribution(term: string, qtf: number, i: number): number {
    const tf = this.docs[i]!.tf.get(term);
    if (!tf) return 0;
    return (this.idf(term) * Math.sqrt(qtf) * (tf * (this.k1 + 1))) / (tf + this.norm[i]!);
  }
  /** Scores of every document (0 for those sharing no term with the query). */
  scoreAll(query: Map<string, number>): Float64Array {
    const out = new Float64Array(this.docs.length);
    for (const [t, qtf] of query) {
      const list = this.postings.get(t);
      if (!list) continue;
      const w = this.idf(t) * Math.sqrt(qtf);
      for (const { doc, tf } of list) out[doc] = out[doc]! + (w * (tf * (this.k1 + 1))) / (tf + this.norm[doc]!);
    }
    return out;
  }
}

/** Normalises a text for verbatim phrase matching: NFKC, lower case, only Han, letters and digits. */
const compact = (text: string) => textRuns(text).join('');

/** The vocabulary's phrases, indexed by their first two characters, each with its departments and weight. */
class PhraseIndex {
  private byHead = new Map<string, { phrase: string; depts: number[]; weight: number }[]>();
  constructor(entries: Map<string, Set<number>>, departments: number) {
    for (const [phrase, depts] of entries) {
      const chars = [...phrase];
      if (chars.length < 2) continue;
      // rarer phrases (one department) and longer ones say more
      const weight = Math.log(1 + departments / depts.size) * Math.min(2, 0.5 + chars.length / 4);
      const head = chars[0]! + chars[1]!;
      const list = this.byHead.get(head) ?? [];
      list.push({ phrase, depts: [...depts], weight });
      this.byHead.set(head, list);
    }
  }
  /** Phrases found in the text (each counted once) with their departments and weights. */
  find(text: string): { phrase: string; depts: number[]; weight: number }[] {
    const chars = [...text];
    const seen = new Set<string>();
    const out: { phrase: string; depts: number[]; weight: number }[] = [];
    for (let i = 0; i + 1 < chars.length; i++) {
      const list = this.byHead.get(chars[i]! + chars[i + 1]!);
      if (!list) continue;
      const rest = chars.slice(i).join('');
      for (const p of list) {
        if (seen.has(p.phrase) || !rest.startsWith(p.phrase)) continue;
        seen.add(p.phrase);
        out.push(p);
      }
    }
    // a phrase inside a longer matched one (噪音 in 施工噪音) does not count twice
    return out.filter((p) => !out.some((q) => q !== p && q.phrase.length > p.phrase.length && q.phrase.includes(p.phrase)));
  }
}

export interface Router {
  rank(title: string, body: string): RoutingCandidate[];
  /** The ranking with, for each department, the words that made it (for the dispatch screen). */
  explain(title: string, body: string, top?: number): RoutingReason[];
  departments: readonly string[];
}

// Term counts of texts already cut, so a rebuild after a dispatch (or a leave-one-out fold) cuts
// only what is new: department texts by their content, dispatched examples by their text. Bounded;
// the oldest entries go first (a Map iterates in insertion order).
const TERM_CACHE_LIMIT = 8000;
const termCache = new LruCache<string, Map<string, number>>({ max: TERM_CACHE_LIMIT });
function cachedTerms(key: string, make: () => Map<string, number>): Map<string, number> {
  return termCache.getOrSet(key, make);
}
const vocabularyTerms = new WeakMap<Vocabulary, { key: string; tf: Map<string, Map<string, number>> }>();

/** Builds a router from department profiles, their vocabulary and the history of dispatched suggestions. */
export function buildRouter(profiles: readonly DepartmentProfile[], history: readonly DispatchedExample[] = [], options: Partial<RouterOptions> & { vocabulary?: Vocabulary; segment?: Segmenter } = {}): Router {
  const { vocabulary, segment, ...rest } = options;
  const o = { ...DEFAULT_ROUTER_OPTIONS, ...rest };
  const names = profiles.map((p) => p.name);
  const index = new Map(names.map((n, i) => [n, i]));
  const termKey = `${o.gramWeight}/${o.wordWeight}/${segment ? 'w' : '-'}`;
  const vocabTf = (() => {
    if (!vocabulary) return undefined;
    const key = `${termKey}/${o.vocabularyDocWeight}`;
    let cached = vocabularyTerms.get(vocabulary);
    if (cached?.key !== key) {
      const tf = new Map<string, Map<string, number>>();
      for (const [dept, phrases] of Object.entries(vocabulary.departments)) {
        const m = new Map<string, number>();
        for (const p of phrases) termsOf(p, segment, o, o.vocabularyDocWeight, m);
        tf.set(dept, m);
      }
      cached = { key, tf };
      vocabularyTerms.set(vocabulary, cached);
    }
    return cached.tf;
  })();
  const deptTf: Map<string, number>[] = profiles.map((p) => {
    const cached = cachedTerms(`p/${termKey}/${o.dutiesWeight}/${o.goalsWeight}/${o.reportWeight}\u0000${p.duties}\u0000${p.goals ?? ''}\u0000${p.report ?? ''}`, () => {
      const tf = termsOf(p.duties, segment, o, o.dutiesWeight);
      if (p.goals) termsOf(p.goals, segment, o, o.goalsWeight, tf);
      if (p.report) termsOf(p.report, segment, o, o.reportWeight, tf);
      return tf;
    });
    // a copy: vocabulary and history are added into it below
    const tf = new Map(cached);
    for (const [t, n] of vocabTf?.get(p.name) ?? []) tf.set(t, (tf.get(t) ?? 0) + n);
    return tf;
  });
  const examples: { dept: number; doc: Doc }[] = [];
  for (const h of history) {
    const i = index.get(h.department);
    if (i === undefined) continue;
    const tf = cachedTerms(`h/${termKey}\u0000${h.text}`, () => termsOf(h.text, segment, o));
    for (const [t, n] of tf) deptTf[i]!.set(t, (deptTf[i]!.get(t) ?? 0) + n * o.historyWeight);
    examples.push({ dept: i, doc: docOf(tf) });
  }
  const deptModel = new Bm25(deptTf.map(docOf), o.k1, o.b);
  const exampleModel = examples.length ? new Bm25(examples.map((e) => e.doc), o.k1, o.b) : undefined;

  const phraseDepts = new Map<string, Set<number>>();
  for (const [dept, phrases] of Object.entries(vocabulary?.departments ?? {})) {
    const i = index.get(dept);
    if (i === undefined) continue;
    for (const p of phrases) {
      const c = compact(p);
      const set = phraseDepts.get(c) ?? new Set<number>();
      set.add(i);
      phraseDepts.set(c, set);
    }
  }
  const phrases = new PhraseIndex(phraseDepts, names.length);
  const rules = (vocabulary?.confusions ?? [])
    .filter((r) => index.has(r.department) && r.when.length)
    .map((r) => ({ ...r, dept: index.get(r.department)!, cues: r.when.map((w) => w.split('|').map(compact)) }));

  function score(title: string, body: string) {
    // the title says what the suggestion is about: count it twice
    const query = termsOf(body, segment, o, 1, termsOf(title, segment, o, 2));
    const docScores = deptModel.scoreAll(query);
    const top = Math.max(...docScores, 0);
    const combined = top > 0 ? [...docScores].map((s) => s / top) : [...docScores];
    const text = compact(`${title} ${body}`);
    const found = phrases.find(text);
    const phraseScores = new Float64Array(names.length);
    for (const p of found) for (const d of p.depts) phraseScores[d] = phraseScores[d]! + p.weight;
    const topPhrase = Math.max(...phraseScores, 0);
    if (topPhrase > 0) for (let d = 0; d < names.length; d++) combined[d] = combined[d]! + (o.phraseWeight * phraseScores[d]!) / topPhrase;
    // a cue may list spellings: "工地|施工" is either
    const fired = rules.filter((r) => r.cues.every((alts) => alts.some((a) => text.includes(a))));
    for (const r of fired) combined[r.dept] = combined[r.dept]! + o.ruleWeight;
    const votes = new Array<number>(names.length).fill(0);
    if (exampleModel && o.neighbourWeight > 0) {
      const sims = exampleModel.scoreAll(query);
      const order = [...sims.keys()].filter((i) => sims[i]! > 0).sort((a, b) => sims[b]! - sims[a]!).slice(0, o.k);
      const best = order.length ? sims[order[0]!]! : 0;
      for (const i of order) {
        const d = examples[i]!.dept;
        combined[d] = combined[d]! + (o.neighbourWeight * sims[i]!) / best;
        votes[d]!++;
      }
    }
    return { query, combined, found, fired, votes };
  }

  const ranked = (combined: number[]) =>
    names
      .map((department, i) => ({ department, i, score: Math.round(combined[i]! * 1000) / 1000 }))
      .filter((c) => c.score > 0)
      .sort((a, b) => b.score - a.score || a.department.localeCompare(b.department, 'zh'));

  return {
    departments: names,
    rank(title: string, body: string): RoutingCandidate[] {
      return ranked(score(title, body).combined).map(({ department, score }) => ({ department, score }));
    },
    explain(title: string, body: string, topN = 5): RoutingReason[] {
      const s = score(title, body);
      return ranked(s.combined)
        .slice(0, topN)
        .map(({ department, i, score }) => {
          const words = [...s.query]
            .filter(([t]) => !t.startsWith(GRAM))
            .map(([t, q]) => [t, deptModel.contribution(t, q, i)] as const)
            .filter(([, c]) => c > 0)
            .sort((a, b) => b[1] - a[1])
            .map(([t]) => t)
            // search mode also yields the pieces of a word (养老金 → 养老, 老金): show the word once
            .filter((t, _, all) => !all.some((u) => u !== t && u.includes(t)))
            .slice(0, 6);
          return {
            department,
            score,
            phrases: s.found.filter((p) => p.depts.includes(i)).map((p) => p.phrase),
            words,
            rules: s.fired.filter((r) => r.dept === i).map((r) => r.note),
            neighbours: s.votes[i]!,
          };
        });
    },
  };
}

export interface LabelledSuggestion {
  department: string;
  /** A second department the item also concerns (the written set's second column), if any. */
  second?: string;
  /** How it is written (colloquial, formal, dialect, typo, title-only…), when the set says. */
  register?: string;
  title: string;
  body: string;
}

export interface AccuracyReport {
  n: number;
  top1: number;
  top3: number;
  /** Items with a second department: the share whose two departments are both in the top 2. */
  bothInTop2: { n: number; share: number };
  misses: { expected: string; got: string[]; title: string }[];
}

export type RouterSetup = Partial<RouterOptions> & { vocabulary?: Vocabulary; segment?: Segmenter };

/** Routes `items` with `router` and counts top-1, top-3 and two-department hits. */
export function scoreItems(router: Router, items: readonly LabelledSuggestion[]): Omit<AccuracyReport, 'n' | 'top1' | 'top3' | 'bothInTop2'> & { top1: number; top3: number; pairs: number; pairHits: number } {
  let top1 = 0;
  let top3 = 0;
  let pairs = 0;
  let pairHits = 0;
  const misses: AccuracyReport['misses'] = [];
  for (const item of items) {
    const ranked = router.rank(item.title, item.body).map((c) => c.department);
    if (ranked[0] === item.department) top1++;
    else misses.push({ expected: item.department, got: ranked.slice(0, 3), title: item.title });
    if (ranked.slice(0, 3).includes(item.department)) top3++;
    if (item.second) {
      pairs++;
      const two = ranked.slice(0, 2);
      if (two.includes(item.department) && two.includes(item.second)) pairHits++;
    }
  }
  return { top1, top3, pairs, pairHits, misses };
}

const asExample = (x: LabelledSuggestion): DispatchedExample[] => [
  { department: x.department, text: `${x.title} ${x.body}` },
  // a split item was dispatched to both departments
  ...(x.second ? [{ department: x.second, text: `${x.title} ${x.body}` }] : []),
];

/**
 * Cross-validated accuracy (10 folds, item i in fold i mod 10): each item is routed by a model
 * built from the department profiles and the items of the other folds, as if those had been
 * dispatched before it. `withHistory: false` measures the cold start (no dispatches yet);
 * `extraHistory` is dispatched before every fold (e.g. the project's old labelled set).
 */
export function measureAccuracy(
  profiles: readonly DepartmentProfile[],
  labelled: readonly LabelledSuggestion[],
  opts: { withHistory?: boolean; options?: RouterSetup; folds?: number; extraHistory?: readonly LabelledSuggestion[] } = {},
): AccuracyReport {
  const folds = opts.folds ?? 10;
  let top1 = 0;
  let top3 = 0;
  let pairs = 0;
  let pairHits = 0;
  const misses: AccuracyReport['misses'] = [];
  const extra = (opts.extraHistory ?? []).flatMap(asExample);
  const cold = opts.withHistory === false ? buildRouter(profiles, extra, opts.options) : undefined;
  for (let f = 0; f < folds; f++) {
    const router = cold ?? buildRouter(profiles, [...extra, ...labelled.filter((_, j) => j % folds !== f).flatMap(asExample)], opts.options);
    const r = scoreItems(
      router,
      labelled.filter((_, i) => i % folds === f),
    );
    top1 += r.top1;
    top3 += r.top3;
    pairs += r.pairs;
    pairHits += r.pairHits;
    misses.push(...r.misses);
  }
  return { n: labelled.length, top1: top1 / labelled.length, top3: top3 / labelled.length, bothInTop2: { n: pairs, share: pairs ? pairHits / pairs : 1 }, misses };
}

/**
 * Parses a labelled set's TSV (# comments): the project's old set (department, title, body) or
 * the written set (department, second_department, register, title, body; a header line whose
 * first cell is `department` is skipped).
 */
export function parseLabelled(tsv: string): LabelledSuggestion[] {
  return tsv
    .split(/\r?\n/)
    .filter((l) => l.trim() && !l.startsWith('#') && !l.startsWith('department\t'))
    .map((l) => {
      const cells = l.split('\t').map((c) => c.trim());
      if (cells.length >= 5) {
        const [department, second, register, title, ...body] = cells;
        return { department: department!, ...(second && second !== '-' ? { second } : {}), ...(register ? { register } : {}), title: title ?? '', body: body.join(' ').trim() };
      }
      const [department, title, body] = cells;
      return { department: department!, title: title ?? '', body: body ?? '' };
    });
}
