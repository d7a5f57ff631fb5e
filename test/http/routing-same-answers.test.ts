import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp } from '../helpers/app';
import { SAME_ANSWER_TEXTS } from '../fixtures/routing-same-answers';

// The Node half of "same answers on Workers": the preview of a fresh campaign (no dispatches yet)
// must equal test/fixtures/routing-same-answers.json, which test/workers/routing.test.ts holds the
// Worker to as well. UPDATE_ROUTING_ANSWERS=1 rewrites the file after a deliberate change.
const FILE = 'test/fixtures/routing-same-answers.json';

let t: Awaited<ReturnType<typeof testApp>>;
beforeAll(async () => {
  t = await testApp();
});
afterAll(() => t.close());

describe('routing preview on Node', () => {
  it('ranks the shared texts exactly as recorded for the Worker', async () => {
    const answers = [];
    for (const text of SAME_ANSWER_TEXTS) {
      const res = await t.app.request('http://localhost/api/routing/preview', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(text) }, { incoming: { socket: { remoteAddress: '192.0.2.8' } } });
      expect(res.status).toBe(200);
      answers.push(((await res.json()) as { candidates: unknown[] }).candidates.slice(0, 5));
    }
    if (process.env['UPDATE_ROUTING_ANSWERS']) writeFileSync(FILE, `${JSON.stringify(answers, null, 1)}\n`);
    expect(answers).toEqual(JSON.parse(readFileSync(FILE, 'utf8')));
  });
});
