import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notificationOutbox, suggestionAssignments, suggestions } from '../../src/db/schema';
import { smtpTransport } from '../../src/node/smtp-transport';
import { LEASE_MS } from '../../src/notifications/outbox.core';
import { smsTransportFrom } from '../../src/notifications/providers.service';
import { drainOutbox, type SenderDeps } from '../../src/notifications/sender.service';
import { addUser, Browser, testApp } from '../helpers/app';
import { startAliyunStandIn, startSmtp } from '../helpers/notify';
import { suggestionFlows } from '../helpers/suggestions';

let t: Awaited<ReturnType<typeof testApp>>;
let organiser: Browser;
let edu: Browser;
let smtp: Awaited<ReturnType<typeof startSmtp>>;
let sms: Awaited<ReturnType<typeof startAliyunStandIn>>;
let mailer: ReturnType<typeof smtpTransport>;
/** The sender's clock runs ahead of the wall clock by `ahead` (leases, backoff). */
let ahead = 0;
const now = () => Date.now() + ahead;

const TEMPLATES = { received: 'SMS_100001', dispatched: 'SMS_100002', published: 'SMS_100003', reopened: 'SMS_100004', closed: 'SMS_100005' };

beforeAll(async () => {
  t = await testApp();
  await addUser(t.db, 'org', 'organiser');
  await addUser(t.db, 'edu', 'dept_handler', { departmentName: '市教育局' });
  organiser = new Browser(t.app);
  await organiser.login('org');
  edu = new Browser(t.app);
  await edu.login('edu');
  smtp = await startSmtp();
  sms = await startAliyunStandIn('LTAI-test-id', 'test-secret');
  mailer = smtpTransport(smtp.url, '三民活动组委会 <noreply@sanmin.qingdao.gov.cn>');
});
afterAll(async () => {
  mailer.close();
  await smtp.close();
  await sms.close();
  t.close();
});

const { submit, dispatch, answer, publish } = suggestionFlows(() => t.app, () => organiser);

function drain(extra: Partial<SenderDeps> = {}) {
  return drainOutbox({
    db: t.db,
    atRest: t.atRest,
    transports: {
      email: mailer,
      sms: smsTransportFrom({ ALIYUN_SMS_ACCESS_KEY_ID: 'LTAI-test-id', ALIYUN_SMS_ACCESS_KEY_SECRET: 'test-secret', ALIYUN_SMS_SIGN_NAME: '青岛三民活动', ALIYUN_SMS_TEMPLATES: TEMPLATES, ALIYUN_SMS_ENDPOINT: sms.endpoint }, now)!,
    },
    publicUrl: 'https://sanmin.example.cn',
    messageDomain: 'sanmin.qingdao.gov.cn',
    now,
    ...extra,
  });
}

const outboxOf = async (code: string) => {
  const [s] = await t.db.select().from(suggestions).where(eq(suggestions.code, code));
  return t.db.select().from(notificationOutbox).where(eq(notificationOutbox.suggestionSeq, s!.seq)).orderBy(notificationOutbox.createdAt, notificationOutbox.id);
};

const mailsTo = (to: string) => smtp.mails.filter((m) => m.to === to);

describe('the citizen hears back by e-mail, rates, and a 不满意 reopens the item', () => {
  const email = 'citizen.zhang@example.com';
  let code = '';
  let rateLink = '';

  it('at intake the citizen chooses e-mail: the address is sealed at rest and the 已受理 message is queued with the row', async () => {
    const r = await submit({ notify: 'email', email, title: '学校门口增设护学岗', body: '孩子学校门口早上车很多,很不安全,建议上学放学时段增设护学岗并设置临时停车区。' });
    expect(r.status).toBe(201);
    code = r.code;
    expect(r.body).toContain('data-testid="feedback-link"');
    const [row] = await t.db.select().from(suggestions).where(eq(suggestions.code, code));
    expect(row!.notifyChannel).toBe('email');
    expect(row!.notifyContact).toMatch(/^sm-aes1\./);
    expect(row!.notifyContact).not.toContain('example.com');
    const queued = await outboxOf(code);
    expect(queued.map((m) => [m.event, m.channel, m.status])).toEqual([['received', 'email', 'pending']]);
    // no address or name in the outbox itself
    expect(JSON.stringify(queued)).not.toMatch(/example\.com|张三/);
  });

  it('the sender delivers it through the real SMTP server with the outbox id as Message-ID', async () => {
    expect(await drain()).toMatchObject({ sent: 1 });
    const [m] = mailsTo(email);
    const [row] = await outboxOf(code);
    expect(m!.messageId).toBe(`<${row!.id}@sanmin.qingdao.gov.cn>`);
    expect(m!.subject).toBe(`您的建议已受理(跟踪码 ${code})`);
    expect(m!.text).toContain(`https://sanmin.example.cn/c/2018/suggestions/track?code=${code}`);
    expect(row).toMatchObject({ status: 'sent', attempts: 1, resends: 0 });
  });

  it('dispatching tells the citizen which department handles it and by when', async () => {
    await dispatch(code, ['市教育局']);
    await drain();
    const m = mailsTo(email).at(-1)!;
    expect(m.subject).toContain('已分派办理');
    expect(m.text).toMatch(/已分派给 市教育局 办理,答复期限为 \d{4}-\d\d-\d\d/);
  });

  it('when the sender dies between sending and recording, the resend carries the same Message-ID and is counted', async () => {
    await answer(edu, code, '我局已会同公安交警部门在该校门口设置护学岗,上下学时段安排专人值守。');
    await publish(code);
    let crashed = false;
    await expect(
      drain({
        afterSend: () => {
          if (!crashed) {
            crashed = true;
            throw new Error('process killed');
          }
        },
      }),
    ).rejects.toThrow('process killed');
    const published = () => outboxOf(code).then((rows) => rows.find((r) => r.event === 'published')!);
    expect(await published()).toMatchObject({ status: 'sending', attempts: 1, resends: 0 });
    // within the lease no other drain touches it
    expect(await drain()).toMatchObject({ sent: 0 });
    ahead += LEASE_MS + 1000;
    expect(await drain()).toMatchObject({ sent: 1 });
    const row = await published();
    expect(row).toMatchObject({ status: 'sent', attempts: 2, resends: 1 });
    const copies = mailsTo(email).filter((m) => m.subject.includes('已答复'));
    expect(copies).toHaveLength(2);
    expect(copies[0]!.messageId).toBe(copies[1]!.messageId);
    expect(copies[0]!.messageId).toBe(`<${row.id}@sanmin.qingdao.gov.cn>`);
    expect([copies[0]!.resend, copies[1]!.resend]).toEqual([false, true]);
    rateLink = /https:\/\/sanmin\.example\.cn(\/c\/2018\/suggestions\/[^\s]+\/feedback\?t=[A-Za-z0-9_-]+)/.exec(copies[1]!.text)![1]!;
  });

  it('a forged or altered 回访 link is refused', async () => {
    const b = new Browser(t.app);
    const bad = rateLink.replace(/t=.{4}/, 't=AAAA');
    expect((await b.get(bad)).status).toBe(403);
    expect((await b.get(`/c/2018/suggestions/${code}/feedback`)).body).toContain('评价链接无效');
  });

  it('不满意 without a reason is sent back; with one it reopens the item to the same department with a new deadline', async () => {
    const citizen = new Browser(t.app);
    const page = await citizen.get(rateLink);
    expect(page.status).toBe(200);
    expect(page.body).toContain('您对这次答复满意吗');
    const token = new URL(`http://x${rateLink}`).searchParams.get('t')!;
    const empty = await citizen.post(`/c/2018/suggestions/${code}/feedback`, { t: token, rating: 'unsatisfied', comment: '' });
    expect(empty.status).toBe(422);
    expect(empty.body).toContain('请写明不满意的原因');
    const r = await citizen.post(`/c/2018/suggestions/${code}/feedback`, { t: token, rating: 'unsatisfied', comment: '护学岗只有早上有,下午放学没有人。有事请打我电话 13987654321' });
    expect(r.status).toBe(303);
    expect((await citizen.get(r.res.headers.get('location')!)).body).toContain('已转交承办部门重新办理');
    const [s] = await t.db.select().from(suggestions).where(eq(suggestions.code, code));
    expect(s).toMatchObject({ status: 'dispatched', reopenRound: 1, closedAt: null });
    const assigns = await t.db.select().from(suggestionAssignments).where(eq(suggestionAssignments.suggestionSeq, s!.seq)).orderBy(suggestionAssignments.round);
    expect(assigns.map((a) => [a.departmentName, a.status, a.round])).toEqual([
      ['市教育局', 'reopened', 0],
      ['市教育局', 'dispatched', 1],
    ]);
    expect(assigns[1]!.deadlineAt).toBeGreaterThan(assigns[0]!.deadlineAt);
    // rating the same round again is refused
    const again = await citizen.post(`/c/2018/suggestions/${code}/feedback`, { t: token, rating: 'satisfied', comment: '' });
    expect(again.status).toBe(409);
    await drain();
    expect(mailsTo(email).at(-1)!.subject).toContain('已重新交办');
  });

  it('the department sees the rating and the masked reason, never the citizen', async () => {
    const r = await edu.get(`/staff/c/2018/handling/${code}`);
    expect(r.body).toContain('不满意');
    expect(r.body).toContain('下午放学没有人');
    expect(r.body).not.toContain('13987654321');
    expect(r.body).not.toContain(email);
    expect(r.body).not.toContain('张三');
  });

  it('re-answered and published, the citizen rates 满意 and the item closes; every message was delivered', async () => {
    await answer(edu, code, '已调整值守安排,下午放学时段同样安排护学岗专人值守,并增设临时停车区。');
    await publish(code);
    await drain();
    const second = mailsTo(email).at(-1)!;
    expect(second.subject).toContain('已答复');
    const link = /https:\/\/sanmin\.example\.cn(\/c\/2018\/suggestions\/[^\s]+)/.exec(second.text)![1]!;
    const citizen = new Browser(t.app);
    await citizen.get(link);
    const token = new URL(`http://x${link}`).searchParams.get('t')!;
    expect((await citizen.post(`/c/2018/suggestions/${code}/feedback`, { t: token, rating: 'satisfied', comment: '' })).status).toBe(303);
    await drain();
    const [s] = await t.db.select().from(suggestions).where(eq(suggestions.code, code));
    expect(s!.closedAt).not.toBeNull();
    const events = (await outboxOf(code)).map((m) => [m.event, m.status]);
    expect(events).toEqual([
      ['received', 'sent'],
      ['dispatched', 'sent'],
      ['published', 'sent'],
      ['reopened', 'sent'],
      ['published', 'sent'],
      ['closed', 'sent'],
    ]);
    const subjects = mailsTo(email).map((m) => m.subject.replace(/(跟踪码 .*)/, ''));
    expect(subjects).toEqual(['您的建议已受理(', '您的建议已分派办理(', '您的建议已答复,请评价(', '您的建议已答复,请评价(', '您的建议已重新交办(', '您的建议已答复,请评价(', '您的建议办理已结束(']);
    expect(new Set(mailsTo(email).map((m) => m.messageId)).size).toBe(6);
  });

  it('a supporter of the same text gets no 回访 link of their own', async () => {
    const r = await submit({ notify: 'email', email: 'other@example.com', title: '学校门口增设护学岗', body: '孩子学校门口早上车很多,很不安全,建议上学放学时段增设护学岗并设置临时停车区。' });
    expect(r.body).toContain('附议');
    expect(r.body).not.toContain('data-testid="feedback-link"');
  });
});

describe('SMS through the Alibaba Cloud API stand-in', () => {
  it('a signed SendSms carries the template, the tracking code and the outbox id as OutId; flow control waits at least an hour', async () => {
    ahead = 0;
    sms.refuse.push('isv.BUSINESS_LIMIT_CONTROL');
    const mobile = '13800138000';
    const r = await submit({ notify: 'sms', mobile, title: '老旧小区加装电梯补贴', body: '我们小区都是六层老楼,老人上下楼困难,建议提高加装电梯的补贴并简化审批流程。' });
    await drain();
    const [row] = await outboxOf(r.code);
    expect(row).toMatchObject({ channel: 'sms', status: 'pending', attempts: 1 });
    expect(row!.lastError).toContain('isv.BUSINESS_LIMIT_CONTROL');
    expect(row!.nextAttemptAt - Date.now()).toBeGreaterThanOrEqual(59 * 60_000);
    ahead = 30 * 60_000;
    await drain();
    expect(sms.sent).toHaveLength(0);
    ahead = 61 * 60_000;
    await drain();
    expect(sms.sent).toEqual([{ phone: mobile, template: 'SMS_100001', params: { code: r.code }, outId: row!.id, signName: '青岛三民活动' }]);
    expect((await outboxOf(r.code))[0]).toMatchObject({ status: 'sent', providerId: 'biz-1^0', attempts: 2 });
  });

  it('a crash after the provider accepted an SMS resends it with the same OutId, counted', async () => {
    ahead = 0;
    const r = await submit({ notify: 'sms', title: '增加社区食堂网点', body: '社区里老人很多,吃饭不方便,建议在每个街道至少开设一个社区食堂并给予补贴。' });
    await expect(drain({ afterSend: () => Promise.reject(new Error('killed')) })).rejects.toThrow('killed');
    ahead = LEASE_MS + 1000;
    await drain();
    const [row] = await outboxOf(r.code);
    const copies = sms.sent.filter((m) => m.params['code'] === r.code);
    expect(copies.map((m) => m.outId)).toEqual([row!.id, row!.id]);
    expect(row).toMatchObject({ status: 'sent', resends: 1 });
  });

  it('a wrong secret is refused by the provider (SignatureDoesNotMatch): the message waits in the outbox', async () => {
    ahead = 0;
    const r = await submit({ notify: 'sms', title: '公园增设儿童游乐设施', body: '附近公园没有儿童游乐设施,周末孩子没有地方玩,建议在公园增设适合低龄儿童的游乐设施。' });
    await drainOutbox({
      db: t.db,
      atRest: t.atRest,
      transports: { sms: smsTransportFrom({ ALIYUN_SMS_ACCESS_KEY_ID: 'LTAI-test-id', ALIYUN_SMS_ACCESS_KEY_SECRET: 'wrong', ALIYUN_SMS_SIGN_NAME: '青岛三民活动', ALIYUN_SMS_TEMPLATES: TEMPLATES, ALIYUN_SMS_ENDPOINT: sms.endpoint }, now)! },
      publicUrl: 'https://sanmin.example.cn',
      now,
    });
    const [row] = await outboxOf(r.code);
    expect(row).toMatchObject({ status: 'pending' });
    expect(row!.lastError).toContain('SignatureDoesNotMatch');
  });
});

describe('without providers', () => {
  it('messages stay in the outbox, visible to organisers with the recipient masked and no content of the suggestion', async () => {
    ahead = 0;
    const r = await submit({ notify: 'email', email: 'waiting@example.com', title: '夜间公交延长运营', body: '晚上九点以后很多公交线路就停运了,下夜班的人回家困难,建议延长部分线路的运营时间。' });
    expect(await drainOutbox({ db: t.db, atRest: t.atRest, transports: {}, publicUrl: 'https://x', now })).toEqual({ sent: 0, retrying: 0, failed: 0 });
    expect((await outboxOf(r.code))[0]).toMatchObject({ status: 'pending', attempts: 0 });
    const page = await organiser.get('/staff/c/2018/notifications');
    expect(page.status).toBe(200);
    expect(page.body).toContain(r.code);
    expect(page.body).toContain('待发送');
    expect(page.body).not.toContain('waiting@example.com');
    const stranger = new Browser(t.app);
    await stranger.login('edu');
    expect((await stranger.get('/staff/c/2018/notifications')).status).toBe(403);
  });
});
