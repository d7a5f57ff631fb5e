/**
 * Routing: which department should answer a suggestion. Pure; plain data in, ranking out.
 *
 * Chinese has no spaces and Intl.Segmenter splits it poorly, so texts become overlapping
 * character bigrams and trigrams (runs of Latin letters and digits stay whole words). Each
 * department is one "document" built from its published duties (weighted up), annual goals,
 * year-end report and the suggestions already dispatched to it; documents are ranked with
 * Okapi BM25. Suggestions already dispatched also vote directly: the most similar earlier
 * items (BM25 over single items) add their department's share, so the model learns the
 * dispatcher's habits (e.g. 停车收费 → 市物价局, not 市交通运输委) as they accumulate.
 */

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

export interface RouterOptions {
  /** Repetitions of the duties text in the department document (duties say most precisely what a department does). */
  dutiesWeight: number;
  goalsWeight: number;
  reportWeight: number;
  /** Weight of each dispatched example inside its department's document. */
  historyWeight: number;
  /** Weight of the nearest-neighbour vote relative to the department-document score. */
  neighbourWeight: number;
  /** Neighbours that vote. */
  k: number;
  k1: number;
  b: number;
}

export const DEFAULT_ROUTER_OPTIONS: RouterOptions = {
  dutiesWeight: 3,
  goalsWeight: 1,
  reportWeight: 1,
  historyWeight: 0.2,
  neighbourWeight: 0.2,
  k: 5,
  k1: 1.2,
  b: 0.5,
};

// Words every suggestion uses; as n-grams they only add noise.
const STOP_GRAMS = new Set(['建议', '希望', '我们', '市民', '问题', '加强', '进一步', '有关', '部门', '政府', '青岛', '全市', '我市', '负责', '推进', '工作', '加大', '力度', '市区']);

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

function termCounts(grams: readonly string[], weight = 1, into = new Map<string, number>()): Map<string, number> {
  for (const g of grams) into.set(g, (into.get(g) ?? 0) + weight);
  return into;
}

interface Doc {
  tf: Map<string, number>;
  length: number;
}

/** Okapi BM25 over a fixed set of documents, with an inverted index so a query touches only its postings. */
class Bm25 {
  private postings = new Map<string, number[]>();
  private norm: Float64Array;
  constructor(
    readonly docs: Doc[],
    private k1: number,
    b: number,
  ) {
    docs.forEach((d, i) => {
      for (const t of d.tf.keys()) {
        const list = this.postings.get(t);
        if (list) list.push(i);
        else this.postings.set(t, [i]);
      }
    });
    const avgdl = docs.reduce((s, d) => s + d.length, 0) / Math.max(1, docs.length) || 1;
    this.norm = Float64Array.from(docs, (d) => k1 * (1 - b + (b * d.length) / avgdl));
  }
  idf(term: string): number {
    const n = this.postings.get(term)?.length ?? 0;
    return Math.log(1 + (this.docs.length - n + 0.5) / (n + 0.5));
  }
  /** Scores of every document (0 for those sharing no term with the query). */
  scoreAll(query: Map<string, number>): Float64Array {
    const out = new Float64Array(this.docs.length);
    for (const [t, qtf] of query) {
      const list = this.postings.get(t);
      if (!list) continue;
      const w = this.idf(t) * Math.sqrt(qtf);
      for (const i of list) {
        const tf = this.docs[i]!.tf.get(t)!;
        out[i] = out[i]! + (w * (tf * (this.k1 + 1))) / (tf + this.norm[i]!);
      }
    }
    return out;
  }
}

export interface Router {
  rank(title: string, body: string): RoutingCandidate[];
  departments: readonly string[];
}

// term counts per profile object, so rebuilding with new history (or leave-one-out) skips re-reading duties
const profileTerms = new WeakMap<DepartmentProfile, { key: string; tf: Map<string, number> }>();

/** Builds a router from department profiles and the history of dispatched suggestions. */
export function buildRouter(profiles: readonly DepartmentProfile[], history: readonly DispatchedExample[] = [], options: Partial<RouterOptions> = {}): Router {
  const o = { ...DEFAULT_ROUTER_OPTIONS, ...options };
  const names = profiles.map((p) => p.name);
  const index = new Map(names.map((n, i) => [n, i]));
  const deptDocs: Doc[] = profiles.map((p) => {
    const key = `${o.dutiesWeight}/${o.goalsWeight}/${o.reportWeight}`;
    let cached = profileTerms.get(p);
    if (cached?.key !== key) {
      const tf = termCounts(ngrams(p.duties), o.dutiesWeight);
      if (p.goals) termCounts(ngrams(p.goals), o.goalsWeight, tf);
      if (p.report) termCounts(ngrams(p.report), o.reportWeight, tf);
      cached = { key, tf };
      profileTerms.set(p, cached);
    }
    // a copy: history is added into it below
    return { tf: new Map(cached.tf), length: 0 };
  });
  const examples: { dept: number; doc: Doc }[] = [];
  for (const h of history) {
    const i = index.get(h.department);
    if (i === undefined) continue;
    const grams = ngrams(h.text);
    termCounts(grams, o.historyWeight, deptDocs[i]!.tf);
    examples.push({ dept: i, doc: { tf: termCounts(grams), length: grams.length } });
  }
  for (const d of deptDocs) d.length = [...d.tf.values()].reduce((s, x) => s + x, 0);
  const deptModel = new Bm25(deptDocs, o.k1, o.b);
  const exampleModel = examples.length ? new Bm25(examples.map((e) => e.doc), o.k1, o.b) : undefined;

  return {
    departments: names,
    rank(title: string, body: string): RoutingCandidate[] {
      // the title says what the suggestion is about: count it twice
      const query = termCounts(ngrams(body), 1, termCounts(ngrams(title), 2));
      const scores = deptModel.scoreAll(query);
      const top = Math.max(...scores, 0);
      const combined = top > 0 ? [...scores].map((s) => s / top) : [...scores];
      if (exampleModel && o.neighbourWeight > 0) {
        const sims = exampleModel.scoreAll(query);
        const order = [...sims.keys()].filter((i) => sims[i]! > 0).sort((a, b) => sims[b]! - sims[a]!).slice(0, o.k);
        const best = order.length ? sims[order[0]!]! : 0;
        for (const i of order) combined[examples[i]!.dept] = combined[examples[i]!.dept]! + (o.neighbourWeight * sims[i]!) / best;
      }
      return names
        .map((department, i) => ({ department, score: Math.round(combined[i]! * 1000) / 1000 }))
        .filter((c) => c.score > 0)
        .sort((a, b) => b.score - a.score || a.department.localeCompare(b.department, 'zh'));
    },
  };
}

export interface LabelledSuggestion {
  department: string;
  title: string;
  body: string;
}

export interface AccuracyReport {
  n: number;
  top1: number;
  top3: number;
  misses: { expected: string; got: string[]; title: string }[];
}

/**
 * Cross-validated accuracy (10 folds, item i in fold i mod 10): each item is routed by a model
 * built from the department profiles and the items of the other folds, as if those had been
 * dispatched before it. `withHistory: false` measures the duties-only cold start.
 */
export function measureAccuracy(
  profiles: readonly DepartmentProfile[],
  labelled: readonly LabelledSuggestion[],
  opts: { withHistory?: boolean; options?: Partial<RouterOptions>; folds?: number } = {},
): AccuracyReport {
  const folds = opts.folds ?? 10;
  let top1 = 0;
  let top3 = 0;
  const misses: AccuracyReport['misses'] = [];
  const cold = opts.withHistory === false ? buildRouter(profiles, [], opts.options) : undefined;
  for (let f = 0; f < folds; f++) {
    const router =
      cold ??
      buildRouter(
        profiles,
        labelled.filter((_, j) => j % folds !== f).map((x) => ({ department: x.department, text: `${x.title} ${x.body}` })),
        opts.options,
      );
    labelled.forEach((item, i) => {
      if (i % folds !== f) return;
      const ranked = router.rank(item.title, item.body).map((c) => c.department);
      if (ranked[0] === item.department) top1++;
      else misses.push({ expected: item.department, got: ranked.slice(0, 3), title: item.title });
      if (ranked.slice(0, 3).includes(item.department)) top3++;
    });
  }
  return { n: labelled.length, top1: top1 / labelled.length, top3: top3 / labelled.length, misses };
}

/** Parses the labelled set's TSV (department, title, body; # comments). */
export function parseLabelled(tsv: string): LabelledSuggestion[] {
  return tsv
    .split(/\r?\n/)
    .filter((l) => l.trim() && !l.startsWith('#'))
    .map((l) => {
      const [department, title, body] = l.split('\t');
      return { department: department!.trim(), title: (title ?? '').trim(), body: (body ?? '').trim() };
    });
}
