import { applyD1Migrations } from 'cloudflare:test';
import { env, exports } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { drizzle } from 'drizzle-orm/d1';
import { schema, type Db } from '../../src/db/client';
import { reindexPublic } from '../../src/suggestions/suggestions.service';

const e = env as unknown as { DB: D1Database; TEST_MIGRATIONS: Parameters<typeof applyD1Migrations>[1] };
const worker = (exports as unknown as { default: { fetch(req: Request): Promise<Response> } }).default;

beforeAll(async () => {
  await applyD1Migrations(e.DB, e.TEST_MIGRATIONS);
});

describe('suggestions on the Worker over D1', () => {
  it('takes a suggestion through the JSON intake (row, MinHash bands and all in one batch)', async () => {
    const res = await worker.fetch(
      new Request('http://sanmin.test/api/suggestions', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ authorName: '张三', mobile: '13912345678', theme: '共享', area: '民生保障', title: '增加老城区公交线路', body: '老城区居民出行不便,建议增加公交线路并加密班次,方便老人就医和买菜。' }),
      }),
    );
    expect(res.status).toBe(201);
    const { code } = (await res.json()) as { code: string };
    const bands = await e.DB.prepare('SELECT count(*) AS n FROM suggestion_bands WHERE suggestion_seq = (SELECT seq FROM suggestions WHERE code = ?)').bind(code).first<{ n: number }>();
    expect(bands!.n).toBeGreaterThan(0);
  });

  it('re-indexes a published answer in both search indexes from masked text, replacing the old entries', async () => {
    const db = drizzle(e.DB, { schema }) as unknown as Db;
    const s = { seq: 4242, title: '公交线路', body: '加密班次,我叫张三,电话13912345678', authorName: '张三', mobile: '13912345678', email: null };
    await db.batch(reindexPublic(db, s, '') as [any, ...any[]]);
    await db.batch(reindexPublic(db, s, '已增开夜班车') as [any, ...any[]]);
    const fts = await e.DB.prepare('SELECT body, public_answer FROM suggestions_fts WHERE rowid = 4242').all<{ body: string; public_answer: string }>();
    expect(fts.results).toHaveLength(1);
    expect(fts.results[0]!.body).not.toMatch(/张三|13912345678/);
    expect(fts.results[0]!.public_answer).toBe('已增开夜班车');
    const rows = await e.DB.prepare("SELECT rowid FROM suggestions_bigrams WHERE suggestions_bigrams MATCH '夜班'").all();
    expect(rows.results).toHaveLength(1);
    const all = await e.DB.prepare('SELECT count(*) AS n FROM suggestions_bigrams WHERE rowid = 4242').first<{ n: number }>();
    expect(all!.n).toBe(1);
  });

  it('finds a dispatched suggestion by a 3+ character phrase and by a two-character word (the index drives the query on D1 too)', async () => {
    const res = await worker.fetch(
      new Request('http://sanmin.test/api/suggestions', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'cf-connecting-ip': '198.51.100.9' },
        body: JSON.stringify({ authorName: '李四', mobile: '13912345679', theme: '共享', area: '民生保障', title: '海水浴场淋浴收费太贵', body: '第一海水浴场的淋浴和更衣室收费二十元,建议降价或者免费开放。' }),
      }),
    );
    expect(res.status).toBe(201);
    const { code } = (await res.json()) as { code: string };
    const db = drizzle(e.DB, { schema }) as unknown as Db;
    const row = await e.DB.prepare("UPDATE suggestions SET status = 'dispatched' WHERE code = ? RETURNING seq, title, body, author_name").bind(code).first<{ seq: number; title: string; body: string; author_name: string }>();
    await db.batch(reindexPublic(db, { seq: row!.seq, title: row!.title, body: row!.body, authorName: row!.author_name }, '') as [any, ...any[]]);
    for (const q of ['海水浴场', '淋浴', '海水浴场 淋浴']) {
      const found = await worker.fetch(new Request(`http://sanmin.test/api/suggestions?status=all&q=${encodeURIComponent(q)}`));
      expect(found.status).toBe(200);
      const body = (await found.json()) as { total: number; items: { code: string }[] };
      expect(body.items.map((i) => i.code)).toEqual([code]);
    }
  });
});

