// npx tsx bench/routing-tune.ts — coordinate search of the router's weights on the TRAINING part of
// the written set (10-fold CV, the old set as earlier history) and on the old set; the evaluation
// part is never read here. Prints each improvement; the chosen weights go into DEFAULT_ROUTER_OPTIONS.
import { DEFAULT_ROUTER_OPTIONS, measureAccuracy, type RouterOptions } from '../src/suggestions/routing.core';
import { citySegmenter, routingVocabulary as vocabulary } from '../src/suggestions/vocabulary.service';
import { isEvaluationItem, oldSet, seedProfiles, writtenSet } from '../test/helpers/routing-sets';

const profiles = seedProfiles();
const segment = citySegmenter(profiles.map((p) => p.name));
const old = oldSet();
const train = writtenSet().filter((x) => !isEvaluationItem(x));

function objective(o: RouterOptions) {
  const setup = { ...o, vocabulary, segment };
  const t = measureAccuracy(profiles, train, { options: setup, extraHistory: old });
  const tc = measureAccuracy(profiles, train, { options: setup, withHistory: false });
  const ol = measureAccuracy(profiles, old, { options: setup });
  // training CV first; the cold start and the old set keep the weights from over-fitting the history
  return { score: t.top1 + 0.3 * t.top3 + 0.3 * tc.top1 + 0.2 * ol.top1, t, tc, ol };
}

const grid: Partial<Record<keyof RouterOptions, number[]>> = {
  phraseWeight: [0.3, 0.6, 1, 1.5],
  ruleWeight: [0.4, 0.8, 1.2],
  neighbourWeight: [0.1, 0.3, 0.6, 1],
  k: [3, 5, 7, 11],
  historyWeight: [0.1, 0.2, 0.5, 1],
  gramWeight: [0, 0.25, 0.5, 1],
  vocabularyDocWeight: [0.5, 1, 2, 4],
  dutiesWeight: [1, 2, 3],
  b: [0.3, 0.5, 0.75],
  k1: [0.8, 1.2, 2],
};
let best = { ...DEFAULT_ROUTER_OPTIONS };
let bestR = objective(best);
const show = (r: ReturnType<typeof objective>) =>
  `score ${r.score.toFixed(4)}  train CV ${(r.t.top1 * 100).toFixed(1)}/${(r.t.top3 * 100).toFixed(1)} pairs ${(r.t.bothInTop2.share * 100).toFixed(0)}%  cold ${(r.tc.top1 * 100).toFixed(1)}  old ${(r.ol.top1 * 100).toFixed(1)}`;
console.log('start', show(bestR));
for (let pass = 0; pass < 2; pass++) {
  for (const [key, values] of Object.entries(grid) as [keyof RouterOptions, number[]][]) {
    for (const v of values) {
      if (best[key] === v) continue;
      const cand = { ...best, [key]: v };
      const r = objective(cand);
      if (r.score > bestR.score + 1e-9) {
        best = cand;
        bestR = r;
        console.log(`${key}=${v}`, show(r));
      }
    }
  }
}
console.log(JSON.stringify(best));
