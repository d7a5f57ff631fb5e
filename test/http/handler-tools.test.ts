import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notificationOutbox, suggestionAssignments, suggestions, users } from '../../src/db/schema';
import { smtpTransport } from '../../src/node/smtp-transport';
import { enqueueReminders } from '../../src/notifications/outbox.repo';
import { drainOutbox } from '../../src/notifications/sender.service';
import { addUser, Browser, testApp } from '../helpers/app';
import { startSmtp } from '../helpers/notify';
import { suggestionFlows } from '../helpers/suggestions';

let t: Awaited<ReturnType<typeof testApp>>;
let organiser: Browser;
let edu: Browser;
let eduId = '';
let smtp: Awaited<ReturnType<typeof startSmtp>>;
let mailer: ReturnType<typeof smtpTransport>;
const DAY = 86_400_000;

beforeAll(async () => {
  t = await testApp();
  await addUser(t.db, 'org', 'organiser');
  eduId = await addUser(t.db, 'edu', 'dept_handler', { departmentName: '市教育局' });
  await addUser(t.db, 'edu2', 'dept_handler', { departmentName: '市教育局' }); // no e-mail: no reminders
  organiser = new Browser(t.app);
  await organiser.login('org');
  edu = new Browser(t.app);
  await edu.login('edu');
  smtp = await startSmtp();
  mailer = smtpTransport(smtp.url, '三民活动组委会 <noreply@sanmin.qingdao.gov.cn>');
});
afterAll(async () => {
  mailer.close();
  await smtp.close();
  t.close();
});

const { submit, dispatch, answer, publish } = suggestionFlows(() => t.app, () => organiser);
const drain = (now = Date.now()) => drainOutbox({ db: t.db, atRest: t.atRest, transports: { email: mailer }, publicUrl: 'https://sanmin.example.cn', now: () => now });

describe('staff e-mail addresses', () => {
  it('an organiser sets a handler’s work e-mail; a malformed one is refused with a Chinese message', async () => {
    await organiser.get('/staff/users');
    const bad = await organiser.post(`/staff/users/${eduId}/email`, { email: 'not-an-address' });
    expect(bad.status).toBe(422);
    expect(bad.body).toContain('电子邮箱格式不正确');
    expect((await organiser.post(`/staff/users/${eduId}/email`, { email: 'edu.handler@qingdao.gov.cn' })).status).toBe(303);
    const [u] = await t.db.select().from(users).where(eq(users.id, eduId));
    expect(u!.email).toBe('edu.handler@qingdao.gov.cn');
    expect((await organiser.get('/staff/users')).body).toContain('value="edu.handler@qingdao.gov.cn"');
  });

  it('a handler cannot set addresses', async () => {
    expect((await edu.post(`/staff/users/${eduId}/email`, { email: 'x@y.cn' })).status).toBe(403);
  });
});

describe('answer templates per theme', () => {
  let templateId = '';
  it('an organiser adds one; an incomplete one comes back at 422', async () => {
    await organiser.get('/staff/c/2018/suggestions/templates');
    const bad = await organiser.post('/staff/c/2018/suggestions/templates', { theme: '', title: '一', body: '短' });
    expect(bad.status).toBe(422);
    expect(bad.body).toContain('请选择建议主题');
    const ok = await organiser.post('/staff/c/2018/suggestions/templates', { theme: '共享', title: '已纳入计划', body: '感谢您的建议。经研究,我单位已将该事项纳入下一年度工作计划,具体安排如下:' });
    expect(ok.status).toBe(303);
    const page = await organiser.get('/staff/c/2018/suggestions/templates');
    expect(page.body).toContain('已纳入计划');
    templateId = /templates\/([0-9a-f-]{36})\/delete/.exec(page.body)![1]!;
    expect((await edu.get('/staff/c/2018/suggestions/templates')).status).toBe(403);
  });

  it('the handler sees the theme’s templates and starts the answer from one (no JavaScript needed)', async () => {
    const s = await submit({ theme: '共享', title: '增加学校课后托管', body: '双职工家庭下午接孩子很困难,建议所有小学开展课后托管服务,并适当减免费用。' });
    await dispatch(s.code, ['市教育局']);
    const item = await edu.get(`/staff/c/2018/handling/${s.code}`);
    expect(item.body).toContain('data-testid="answer-template"');
    const filled = await edu.get(`/staff/c/2018/handling/${s.code}?template=${templateId}`);
    expect(filled.body).toMatch(/<textarea id="answer-text"[^>]*>感谢您的建议。经研究,我单位已将该事项纳入下一年度工作计划/);
  });
});

describe('one answer for a group of merged duplicates', () => {
  it('publishing the original answers the merged items too: their tracking page shows it and their authors are told', async () => {
    const original = await submit({ notify: 'email', email: 'first@example.com', title: '校园周边增设减速带', body: '学校周边道路车速过快,学生过马路很危险,建议增设减速带和人行横道信号灯。' });
    const dup = await submit({ notify: 'email', email: 'second@example.com', title: '学校附近车开得太快', body: '我家孩子的学校旁边车都开得很快,希望装减速带,保障孩子们过马路的安全。' });
    expect(dup.code).not.toBe(original.code);
    await organiser.get(`/staff/c/2018/suggestions/${dup.code}`);
    expect((await organiser.post(`/staff/c/2018/suggestions/${dup.code}/merge`, { into: original.code })).status).toBe(303);
    await dispatch(original.code, ['市教育局']);
    expect((await edu.get(`/staff/c/2018/handling/${original.code}`)).body).toContain('本建议合并了 1 条内容相同的建议');
    await answer(edu, original.code, '已会同交警部门在学校周边增设减速带和信号灯,本月底完成。');
    await publish(original.code);
    const track = await new Browser(t.app).get(`/c/2018/suggestions/track?code=${dup.code}`);
    expect(track.body).toContain('合并办理的答复');
    expect(track.body).toContain('增设减速带和信号灯');
    await drain();
    const toSecond = smtp.mails.filter((m) => m.to === 'second@example.com');
    expect(toSecond.map((m) => m.subject)).toEqual([`您的建议已受理(跟踪码 ${dup.code})`, `与您的建议相同的建议已答复(跟踪码 ${dup.code})`]);
    expect(toSecond[1]!.text).toContain(`track?code=${original.code}`);
    // the merged item's author is a supporter: no rating link, and their own feedback page refuses a rating
    expect(toSecond[1]!.text).not.toContain('feedback');
  });
});

describe('reminders at day 10 and 14 of the 15-day deadline', () => {
  it('the dashboard and the handler’s e-mail remind at day 10 and again at day 14, each once', async () => {
    const s = await submit({ title: '增加中小学心理老师', body: '现在学生心理问题越来越多,建议每所中小学至少配备一名专职心理健康教师。' });
    await dispatch(s.code, ['市教育局']);
    const [row] = await t.db.select().from(suggestions).where(eq(suggestions.code, s.code));
    const [a] = await t.db.select().from(suggestionAssignments).where(eq(suggestionAssignments.suggestionSeq, row!.seq));
    const now = Date.now();
    // dispatched ten and a half days ago
    await t.db.update(suggestionAssignments).set({ assignedAt: now - 10.5 * DAY, deadlineAt: now + 4.5 * DAY }).where(eq(suggestionAssignments.id, a!.id));
    const list = await edu.get('/staff/c/2018/handling');
    expect(list.body).toContain('已办理 10 天,距答复期限不足 5 天');
    expect(list.body).toContain('剩余不足 5 天');
    expect(await enqueueReminders(t.db, now)).toBe(1); // edu has an address, edu2 has none
    expect(await enqueueReminders(t.db, now + 60_000)).toBe(0);
    await drain(now);
    const first = smtp.mails.filter((m) => m.to === 'edu.handler@qingdao.gov.cn');
    expect(first.map((m) => m.subject)).toEqual([`【提醒】建议 ${s.code} 的答复期限还有 5 天`]);
    expect(first[0]!.text).toContain(`https://sanmin.example.cn/staff/c/2018/handling/${s.code}`);
    // four days later: due tomorrow
    expect(await enqueueReminders(t.db, now + 3.8 * DAY)).toBe(1);
    await drain(now + 3.8 * DAY);
    expect(smtp.mails.filter((m) => m.to === 'edu.handler@qingdao.gov.cn').at(-1)!.subject).toBe(`【催办】建议 ${s.code} 明天到期`);
    const reminders = await t.db.select().from(notificationOutbox).where(eq(notificationOutbox.userId, eduId));
    expect(reminders.map((r) => r.event).sort()).toEqual(['reminder_day10', 'reminder_day14']);
  });

  it('an answered item is not reminded of', async () => {
    const s = await submit({ title: '中小学食堂公开菜谱', body: '希望学校食堂每周公开菜谱和食材来源,让家长放心,也便于家长监督。' });
    await dispatch(s.code, ['市教育局']);
    await answer(edu, s.code, '各中小学食堂将自下学期起每周公开菜谱和食材来源。');
    const [row] = await t.db.select().from(suggestions).where(eq(suggestions.code, s.code));
    await t.db.update(suggestionAssignments).set({ assignedAt: Date.now() - 11 * DAY }).where(eq(suggestionAssignments.suggestionSeq, row!.seq));
    expect(await enqueueReminders(t.db, Date.now())).toBe(0);
  });
});
