// npx tsx bench/routing-accuracy.ts [--eval] [--curve] [--json]
// Routing accuracy on the labelled sets, feature by feature (see README, Routing):
//   old set   test/fixtures/routing-labelled.tsv (167 items written with the project), 10-fold CV
//   training  the training part of test/fixtures/routing-written.tsv, 10-fold CV, old set as history
//   eval      (--eval only) the written set's evaluation part, routed by a model whose history is the
//             old set and the whole training part; never used to tune anything
import { buildRouter, measureAccuracy, scoreItems, type LabelledSuggestion, type RouterSetup } from '../src/suggestions/routing.core';
import { citySegmenter, routingVocabulary as vocabulary } from '../src/suggestions/vocabulary.service';
import { isEvaluationItem, oldSet, seedProfiles, writtenSet } from '../test/helpers/routing-sets';

const args = new Set(process.argv.slice(2));
const profiles = seedProfiles();
const segment = citySegmenter(profiles.map((p) => p.name));
const old = oldSet();
const written = writtenSet();
const train = written.filter((x) => !isEvaluationItem(x));
const evaluation = written.filter(isEvaluationItem);

const pct = (x: number) => (x * 100).toFixed(1);
const variants: [string, RouterSetup][] = [
  ['n-grams only (the old router)', {}],
  ['+ words (jieba)', { segment }],
  ['+ vocabulary', { segment, vocabulary }],
  ['words only + vocabulary', { segment, vocabulary, gramWeight: 0 }],
];
const out: Record<string, unknown> = {};
for (const [name, setup] of variants) {
  const o = measureAccuracy(profiles, old, { options: setup });
  const oc = measureAccuracy(profiles, old, { options: setup, withHistory: false });
  const row: Record<string, unknown> = { oldCv: [o.top1, o.top3], oldCold: [oc.top1, oc.top3] };
  let line = `${name.padEnd(34)} old CV ${pct(o.top1)}/${pct(o.top3)}  old cold ${pct(oc.top1)}/${pct(oc.top3)}`;
  if (train.length) {
    const t = measureAccuracy(profiles, train, { options: setup, extraHistory: old });
    const tc = measureAccuracy(profiles, train, { options: setup, withHistory: false });
    row['trainCv'] = [t.top1, t.top3, t.bothInTop2.share];
    row['trainCold'] = [tc.top1, tc.top3];
    line += `  train CV ${pct(t.top1)}/${pct(t.top3)} (pairs ${pct(t.bothInTop2.share)} of ${t.bothInTop2.n})  train cold ${pct(tc.top1)}/${pct(tc.top3)}`;
    if (args.has('--misses') && name === variants.at(-1)![0]) for (const m of t.misses) console.log('  miss', m.expected, '→', m.got.join(' '), '|', m.title);
  }
  out[name] = row;
  if (!args.has('--json')) console.log(line);
}
if (args.has('--curve') && train.length) {
  // accuracy against how much dispatched history the router has: 10-fold CV over the training
  // part, each fold's history the old set plus the first `share` of the other folds
  const setup = { segment, vocabulary };
  for (const share of [0, 0.25, 0.5, 0.75, 1]) {
    let top1 = 0;
    let top3 = 0;
    for (let f = 0; f < 10; f++) {
      const others = train.filter((_, j) => j % 10 !== f);
      const history = [...old, ...others.slice(0, Math.round(others.length * share))].map((x) => ({ department: x.department, text: `${x.title} ${x.body}` }));
      const r = scoreItems(buildRouter(profiles, history, setup), train.filter((_, j) => j % 10 === f));
      top1 += r.top1;
      top3 += r.top3;
    }
    console.log(`history: old set + ${Math.round(share * 100)}% of the other folds  train CV ${pct(top1 / train.length)}/${pct(top3 / train.length)}`);
  }
}
if (args.has('--eval') && evaluation.length) {
  const history = [...old, ...train].flatMap((x: LabelledSuggestion) => [{ department: x.department, text: `${x.title} ${x.body}` }, ...(x.second ? [{ department: x.second, text: `${x.title} ${x.body}` }] : [])]);
  for (const [name, setup] of variants) {
    const r = scoreItems(buildRouter(profiles, history, setup), evaluation);
    const cold = scoreItems(buildRouter(profiles, [], setup), evaluation);
    out[`eval ${name}`] = { top1: r.top1 / evaluation.length, top3: r.top3 / evaluation.length, pairs: r.pairs ? r.pairHits / r.pairs : null, coldTop1: cold.top1 / evaluation.length };
    console.log(`EVAL ${name.padEnd(30)} n=${evaluation.length} top-1 ${pct(r.top1 / evaluation.length)} top-3 ${pct(r.top3 / evaluation.length)} pairs ${r.pairHits}/${r.pairs}  cold top-1 ${pct(cold.top1 / evaluation.length)}`);
  }
}
if (args.has('--json')) console.log(JSON.stringify(out));
