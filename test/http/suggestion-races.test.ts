import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog, suggestionAssignments, suggestions } from '../../src/db/schema';
import { addUser, Browser, testApp } from '../helpers/app';
import { suggestionFlows } from '../helpers/suggestions';

/** Suggestion handling: each status transition re-checks, in its batch, the handling it was decided on. */
let t: Awaited<ReturnType<typeof testApp>>;
let organiser: Browser;
let edu: Browser;
let traffic: Browser;

beforeAll(async () => {
  t = await testApp();
  await addUser(t.db, 'org', 'organiser');
  await addUser(t.db, 'edu', 'dept_handler', { departmentName: '市教育局' });
  await addUser(t.db, 'traffic', 'dept_handler', { departmentName: '市交通运输委' });
  await addUser(t.db, 'police', 'dept_handler', { departmentName: '市公安局' });
  organiser = new Browser(t.app);
  await organiser.login('org');
  edu = new Browser(t.app);
  await edu.login('edu');
  traffic = new Browser(t.app);
  await traffic.login('traffic');
});
afterAll(() => t.close());

const { submit, postMulti, dispatch, answer } = suggestionFlows(() => t.app, () => organiser);

const seqOf = async (code: string) => (await t.db.select().from(suggestions).where(eq(suggestions.code, code)))[0]!;
const handlingEntries = async (code: string) => (await t.db.select().from(auditLog).where(eq(auditLog.target, `suggestion:${code}`))).map((e) => e.action);

describe('suggestion status transitions racing', () => {
  it('two departments answering the same suggestion at once never leave it marked as still being handled', async () => {
    const { code } = await submit({ title: '校门口交通拥堵', body: '学校门口上下学时段交通拥堵严重,建议教育和交通部门共同治理,增设接送车位。' });
    await dispatch(code, ['市教育局', '市交通运输委']);
    await edu.get(`/staff/c/2018/handling/${code}`);
    await traffic.get(`/staff/c/2018/handling/${code}`);
    const text = '已会同有关部门研究,下学期起增设临时接送车位并安排交警疏导。';
    const [a, b] = await Promise.all([
      edu.post(`/staff/c/2018/handling/${code}/answer`, { answer: text, adoption: 'work_report' }),
      traffic.post(`/staff/c/2018/handling/${code}/answer`, { answer: text, adoption: 'work_report' }),
    ]);
    expect([a.status, b.status]).toContain(303);
    for (const r of [a, b].filter((r) => r.status !== 303)) {
      expect(r.status).toBe(409);
      expect(r.body).toContain('刚刚被他人更新');
    }
    // the one told to refresh answers again, on the current handling
    if (a.status === 409) await answer(edu, code, text, 'work_report');
    if (b.status === 409) await answer(traffic, code, text, 'work_report');
    const s = await seqOf(code);
    const rows = await t.db.select().from(suggestionAssignments).where(eq(suggestionAssignments.suggestionSeq, s.seq));
    expect(rows.map((r) => r.status)).toEqual(['answered', 'answered']);
    expect(s.status).toBe('answered');
    expect((await handlingEntries(code)).filter((x) => x === 'suggestion.answer')).toHaveLength(2);
  });

  it('an answer whose body arrives after the organiser re-dispatched the suggestion elsewhere is refused and logs nothing', async () => {
    const { code } = await submit({ title: '中小学课后服务', body: '希望中小学课后服务延长到下午六点,方便双职工家庭接送孩子,增加托管的课程内容。' });
    await dispatch(code, ['市教育局']);
    await edu.get(`/staff/c/2018/handling/${code}`);
    const held = edu.postHeld(`/staff/c/2018/handling/${code}/answer`, { answer: '已研究,将在全市推广课后延时服务并增加课程内容。', adoption: 'work_report' });
    await held.reading;
    await dispatch(code, ['市交通运输委']); // moved away from 市教育局 meanwhile
    const before = await handlingEntries(code);
    held.release();
    const res = await held.done;
    expect(res.status).toBe(409);
    // refused by the batch's re-check, or (the edge reads whole bodies before the route) by the route's own check made after it
    expect(res.body).toMatch(/刚刚被他人更新|不能答复/);
    const s = await seqOf(code);
    const rows = await t.db.select().from(suggestionAssignments).where(eq(suggestionAssignments.suggestionSeq, s.seq));
    expect(rows.find((r) => r.departmentName === '市教育局')!.status).toBe('returned');
    expect(rows.find((r) => r.departmentName === '市教育局')!.answer).toBeNull();
    expect(await handlingEntries(code)).toEqual(before);
  });

  it('rejecting and dispatching the same suggestion at once: one of them happens, the other is told', async () => {
    const { code } = await submit({ title: '老旧小区加装电梯', body: '老旧小区老人上下楼困难,建议加快推进加装电梯并简化审批流程和补贴发放。' });
    await organiser.get(`/staff/c/2018/suggestions/${code}`);
    const [rej, dis] = await Promise.all([
      organiser.post(`/staff/c/2018/suggestions/${code}/reject`, { reason: '不属于本次活动征集范围' }),
      postMulti(organiser, `/staff/c/2018/suggestions/${code}/dispatch`, [['departments', '市教育局']]),
    ]);
    expect([rej.status, dis.status].sort()).toEqual([303, 409]);
    const s = await seqOf(code);
    const rows = await t.db.select().from(suggestionAssignments).where(eq(suggestionAssignments.suggestionSeq, s.seq));
    if (rej.status === 303) {
      expect(s.status).toBe('not_accepted');
      expect(rows).toHaveLength(0);
    } else {
      expect(s.status).not.toBe('not_accepted');
      expect(rows).toHaveLength(1);
    }
    expect((await handlingEntries(code)).filter((x) => x === 'suggestion.reject' || x === 'suggestion.dispatch')).toHaveLength(1);
  });

  it('shortlisting the same suggestion twice at the same instant (a double tap) shortlists and logs it once', async () => {
    const { code } = await submit({ title: '社区食堂', body: '建议在老年人集中的社区开办社区食堂,提供价格实惠的午餐和送餐服务。' });
    await dispatch(code, ['市民政局']);
    const [s] = await t.db.select().from(suggestions).where(eq(suggestions.code, code));
    // answered by its department (set directly: the handling steps have their own tests)
    await t.db.update(suggestions).set({ status: 'answered' }).where(eq(suggestions.seq, s!.seq));
    const other = new Browser(t.app);
    await other.login('org');
    await organiser.get(`/staff/c/2018/suggestions/${code}`);
    await other.get(`/staff/c/2018/suggestions/${code}`);
    const [a, b] = await Promise.all([organiser.post(`/staff/c/2018/suggestions/${code}/shortlist`, {}), other.post(`/staff/c/2018/suggestions/${code}/shortlist`, {})]);
    // the loser is either told (409) or, arriving after the winner landed, sees it already shortlisted (303, nothing written)
    for (const r of [a, b]) expect([303, 409]).toContain(r.status);
    expect((await handlingEntries(code)).filter((x) => x === 'suggestion.shortlist')).toHaveLength(1);
    const refused = a.status === 409 ? a : b;
    if (refused.status === 409) expect(refused.body).toContain('无需重复操作');
  });
});
