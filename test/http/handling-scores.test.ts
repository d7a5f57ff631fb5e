import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getCampaign, loadAgenda, type Campaign } from '../../src/campaigns/campaigns.service';
import { campaigns, departments, suggestionAssignments, suggestions } from '../../src/db/schema';
import type { ShareFile } from '../../src/tally/ceremony.core';
import { rehearsalCeremony, rehearsalUnseal } from '../../src/tally/rehearsal.service';
import { addUser, Browser, testApp } from '../helpers/app';
import { castSealed, closeAllVenues } from '../helpers/tally';
import { suggestionFlows } from '../helpers/suggestions';

let t: Awaited<ReturnType<typeof testApp>>;
let campaign: Campaign;
let organiser: Browser;
let handler: Browser;
let shares: ShareFile[];
let dept = '';
let deptId = '';

const { submit, dispatch, answer, publish } = suggestionFlows(() => t.app, () => organiser);
const get = (path: string) => new Browser(t.app).get(path);

beforeAll(async () => {
  t = await testApp();
  campaign = await getCampaign(t.db, '2018');
  const group1 = (await loadAgenda(t.db, campaign.id)).groups.find((g) => g.no === 1)!;
  dept = group1.departments[0]!.name;
  [{ id: deptId }] = (await t.db.select({ id: departments.id }).from(departments).where(eq(departments.name, dept))) as [{ id: string }];
  await addUser(t.db, 'org', 'organiser');
  await addUser(t.db, 'h', 'dept_handler', { departmentName: dept });
  organiser = new Browser(t.app);
  await organiser.login('org');
  handler = new Browser(t.app);
  await handler.login('h');
  // two suggestions for the department: one answered and published, one answered late
  const one = await submit({ title: '增加夜间公交班次', body: '夜间公交班次太少,下夜班的人等车要等半个小时以上,建议增加夜间公交班次。' });
  const two = await submit({ title: '地铁站增设无障碍电梯', body: '地铁站出入口没有无障碍电梯,坐轮椅和推婴儿车的市民出行很不方便,建议尽快增设。' });
  for (const s of [one, two]) await dispatch(s.code, [dept]);
  await answer(handler, one.code, '我单位已研究增加夜间班次,将于明年一季度实施,感谢您的建议。', 'next_year_plan');
  await publish(one.code);
  await answer(handler, two.code, '已将无障碍电梯纳入站点改造计划,明年完成首批改造。');
  // the second answer came 20 days after dispatch: past its 15-day deadline
  const [s2] = await t.db.select().from(suggestions).where(eq(suggestions.code, two.code));
  const [a2] = await t.db.select().from(suggestionAssignments).where(eq(suggestionAssignments.suggestionSeq, s2!.seq));
  await t.db.update(suggestionAssignments).set({ answeredAt: a2!.assignedAt + 20 * 86_400_000 }).where(eq(suggestionAssignments.id, a2!.id));
  // group 1 votes and is closed, still sealed
  const n = (await loadAgenda(t.db, campaign.id)).groups.find((g) => g.no === 1)!.departments.length;
  const ceremony = await rehearsalCeremony(t.db, campaign, 1);
  shares = ceremony.shares;
  await castSealed(t.db, campaign, 1, ceremony.publicKey, Array.from({ length: 6 }, () => Array.from({ length: n }, () => 1)));
  await closeAllVenues(t.db, campaign, 1);
});
afterAll(() => t.close());

describe('handling scores beside the ballot result', () => {
  it('before unsealing, neither the result nor the handling CSV of the group is shown', async () => {
    expect((await get('/c/2018/results/1')).status).toBe(404);
    const csv = await get('/c/2018/results/1/handling.csv');
    expect(csv.status).toBe(404);
    expect(csv.body).toContain('尚未开封');
  });

  it('after unsealing, the group result page shows each department’s handling with the formula in plain Chinese', async () => {
    await rehearsalUnseal(t.db, campaign, 1, shares.slice(0, 3));
    const r = await get('/c/2018/results/1');
    expect(r.status).toBe(200);
    expect(r.body).toContain('各部门市民建议办理情况');
    const row = new RegExp(`<tr><td>${dept}</td><td>2</td><td>50%</td><td>[0-9.]+</td><td>—\\(0\\)</td><td>0%</td><td>1</td><td><strong>([0-9.]+)</strong>`).exec(r.body);
    expect(row, 'the department’s row: 2 received, 50% on time, no ratings, 0% reopened, 1 adopted').not.toBeNull();
    // on time 0.5 × 40 and not reopened 1 × 20, over the 60 points that have data
    expect(row![1]).toBe('66.7');
    expect(r.body).toContain('按期答复率 × 40%');
  });

  it('the handling CSV sits beside the group’s result CSV (format unchanged), and the campaign’s results CSV carries the figures beside each ballot result', async () => {
    const csv = await get('/c/2018/results/1/handling.csv');
    expect(csv.status).toBe(200);
    expect(csv.res.headers.get('content-type')).toContain('text/csv');
    expect(csv.body).toContain(`${dept},2,50%,`);
    const result = await get('/c/2018/results/1/result.csv');
    expect(result.body).not.toContain('按期答复率');
    // the campaign's results CSV carries them beside each department's ballot result
    const all = await get('/c/2018/results.csv');
    expect(all.status).toBe(200);
    expect(all.body.split('\r\n')[0]).toContain('满意率(%),加权得分,组内排名,收到建议,按期答复率');
    expect(all.body).toMatch(new RegExp(`,${dept},[^\r\n]*,2,50%,`));
  });

  it('the department page shows the scores only once the handling period has closed, as the organiser sets it', async () => {
    expect((await get(`/c/2018/departments/${deptId}`)).body).not.toContain('本部门市民建议办理情况');
    await organiser.get('/staff/c/2018/suggestions/stats');
    const bad = await organiser.post('/staff/c/2018/suggestions/handling-settings', { closesOn: '2018-12-31', onTime: '50', satisfaction: '50', notReopened: '10' });
    expect(bad.status).toBe(422);
    expect(bad.body).toContain('三项权重之和须为 100');
    const ok = await organiser.post('/staff/c/2018/suggestions/handling-settings', { closesOn: '2018-12-31', onTime: '50', satisfaction: '50', notReopened: '0' });
    expect(ok.status).toBe(303);
    const [c] = await t.db.select().from(campaigns).where(eq(campaigns.code, '2018'));
    expect(c!.handlingFormula).toBe('{"onTime":50,"satisfaction":50,"notReopened":0}');
    const page = await get(`/c/2018/departments/${deptId}`);
    expect(page.body).toContain('本部门市民建议办理情况');
    expect(page.body).toContain('按期答复率 × 50% + 回访满意率 × 50%');
    // only on-time has data now: 50
    expect(page.body).toContain('<strong>50</strong>');
  });
});
