import { applyD1Migrations } from 'cloudflare:test';
import { env, exports } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { SAME_ANSWER_TEXTS } from '../fixtures/routing-same-answers';
import nodeAnswers from '../fixtures/routing-same-answers.json';

const e = env as unknown as { DB: D1Database; TEST_MIGRATIONS: Parameters<typeof applyD1Migrations>[1] };
const worker = (exports as unknown as { default: { fetch(req: Request): Promise<Response> } }).default;

beforeAll(async () => {
  await applyD1Migrations(e.DB, e.TEST_MIGRATIONS);
});

describe('routing on the Worker', () => {
  it('gives the same candidates and scores as Node (same jieba wasm, dictionary and vocabulary)', async () => {
    expect(nodeAnswers).toHaveLength(SAME_ANSWER_TEXTS.length);
    const answers = [];
    for (const text of SAME_ANSWER_TEXTS) {
      const res = await worker.fetch(new Request('http://sanmin.test/api/routing/preview', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(text) }));
      expect(res.status).toBe(200);
      answers.push(((await res.json()) as { candidates: unknown[] }).candidates.slice(0, 5));
    }
    expect(answers).toEqual(nodeAnswers);
  });
});
