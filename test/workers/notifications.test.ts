import { applyD1Migrations } from 'cloudflare:test';
import { env, exports } from 'cloudflare:workers';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { scheduled } from '../../src/worker';
import { stringToSign } from '../../src/notifications/aliyun-sms.service';
import { enqueueReminders } from '../../src/notifications/outbox.repo';
import { drizzle } from 'drizzle-orm/d1';
import { schema, type Db } from '../../src/db/client';

const e = env as unknown as { DB: D1Database; SECRET_KEY: string; TEST_MIGRATIONS: Parameters<typeof applyD1Migrations>[1] };
const worker = (exports as unknown as { default: { fetch(req: Request): Promise<Response> } }).default;
const realFetch = globalThis.fetch;

beforeAll(async () => {
  await applyD1Migrations(e.DB, e.TEST_MIGRATIONS);
});
afterEach(() => {
  globalThis.fetch = realFetch;
});

/** The provider, as far as the adapter can tell from workerd: its signature checked with WebCrypto. */
function standInProvider(secret: string, sent: Record<string, string>[]) {
  return async (_url: RequestInfo | URL, init?: RequestInit) => {
    const params = Object.fromEntries(new URLSearchParams(String(init?.body)));
    const { Signature, ...signed } = params;
    const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(`${secret}&`), { name: 'HMAC', hash: 'SHA-1' }, false, ['verify']);
    const sig = Uint8Array.from(atob(Signature ?? ''), (ch) => ch.charCodeAt(0));
    const ok = await crypto.subtle.verify('HMAC', key, sig, new TextEncoder().encode(stringToSign('POST', signed)));
    if (!ok) return new Response(JSON.stringify({ Code: 'SignatureDoesNotMatch', Message: 'bad signature' }), { status: 400 });
    sent.push(signed);
    return new Response(JSON.stringify({ Code: 'OK', Message: 'OK', BizId: `biz-${sent.length}`, RequestId: 'r' }), { headers: { 'content-type': 'application/json' } });
  };
}

describe('notifications on the Worker over D1', () => {
  it('intake queues the SMS in its batch; the Cron Trigger sends it through the Alibaba Cloud adapter with the outbox id as OutId, and leaves e-mail waiting', async () => {
    const post = (body: Record<string, string>) =>
      worker.fetch(new Request('http://sanmin.test/api/suggestions', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }));
    const base = { authorName: '李四', theme: '共享', area: '民生保障' };
    expect((await post({ ...base, mobile: '13800001111', notify: 'sms', title: '社区增设快递柜', body: '小区没有快递柜,快递经常丢失,建议在每个小区增设智能快递柜并规范管理。' })).status).toBe(201);
    expect((await post({ ...base, mobile: '13800002222', notify: 'email', email: 'li@example.com', title: '公园增加公共厕所', body: '大公园只有一个公共厕所,周末人多排长队,建议增加公共厕所并加强保洁。' })).status).toBe(201);
    const sent: Record<string, string>[] = [];
    globalThis.fetch = standInProvider('worker-secret', sent) as typeof fetch;
    const waits: Promise<unknown>[] = [];
    const ctx = { waitUntil: (p: Promise<unknown>) => void waits.push(p), passThroughOnException() {} } as unknown as ExecutionContext;
    await scheduled({} as ScheduledController, {
      DB: e.DB,
      SECRET_KEY: e.SECRET_KEY,
      ALIYUN_SMS_ACCESS_KEY_ID: 'worker-id',
      ALIYUN_SMS_ACCESS_KEY_SECRET: 'worker-secret',
      ALIYUN_SMS_SIGN_NAME: '青岛三民活动',
      ALIYUN_SMS_TEMPLATES: '{"received":"SMS_200001"}',
      SANMIN_PUBLIC_URL: 'https://sanmin.example.cn',
    }, ctx);
    await Promise.all(waits);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ Action: 'SendSms', PhoneNumbers: '13800001111', TemplateCode: 'SMS_200001', SignName: '青岛三民活动' });
    const rows = await e.DB.prepare('SELECT id, channel, status, provider_id FROM notification_outbox ORDER BY channel').all<{ id: string; channel: string; status: string; provider_id: string | null }>();
    expect(rows.results.map((r) => [r.channel, r.status])).toEqual([
      ['email', 'pending'],
      ['sms', 'sent'],
    ]);
    expect(sent[0]!['OutId']).toBe(rows.results[1]!.id);
  });

  it('the reminder scan runs on D1 (json_object, strftime, RETURNING), once per assignment', async () => {
    const db = drizzle(e.DB, { schema }) as unknown as Db;
    const now = Date.now();
    const dept = await e.DB.prepare('SELECT id, name FROM departments LIMIT 1').first<{ id: string; name: string }>();
    const seq = await e.DB.prepare('SELECT seq FROM suggestions LIMIT 1').first<{ seq: number }>();
    await e.DB.prepare("INSERT INTO users (id, username, display_name, password_hash, role, department_name, email) VALUES ('u-w', 'handler_w', '承办人', 'x', 'dept_handler', ?, 'h@qingdao.gov.cn')").bind(dept!.name).run();
    await e.DB.prepare("INSERT INTO suggestion_assignments (id, suggestion_seq, department_id, department_name, status, assigned_at, deadline_at) VALUES ('a-w', ?, ?, ?, 'dispatched', ?, ?)")
      .bind(seq!.seq, dept!.id, dept!.name, now - 11 * 86_400_000, now + 4 * 86_400_000)
      .run();
    expect(await enqueueReminders(db, now)).toBe(1);
    expect(await enqueueReminders(db, now)).toBe(0);
    const row = await e.DB.prepare("SELECT event, params FROM notification_outbox WHERE user_id = 'u-w'").first<{ event: string; params: string }>();
    expect(row!.event).toBe('reminder_day10');
    expect(JSON.parse(row!.params)).toMatchObject({ department: dept!.name, deadline: expect.stringMatching(/^\d{4}-\d\d-\d\d$/) });
  });
});
