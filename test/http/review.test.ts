import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { desc, eq } from 'drizzle-orm';
import { changeDigest } from '../../src/audit/audit.core';
import { auditLog, candidates } from '../../src/db/schema';
import { addUser, Browser, testApp } from '../helpers/app';
import { makeId } from '../helpers/ids';

let t: Awaited<ReturnType<typeof testApp>>;
const ids: Record<string, string> = {};
beforeAll(async () => {
  t = await testApp();
  await addUser(t.db, 'chief', 'organiser');
  await addUser(t.db, 'shinan', 'venue_staff', { venueName: '市南区' });
  await addUser(t.db, 'laoshan', 'venue_staff', { venueName: '崂山区' });
  await addUser(t.db, 'police', 'qualifier');
  // three volunteers sign up: two in 市南区, one in 崂山区
  for (const [name, venue, seq] of [['钱一', '市南区', 1], ['孙二', '市南区', 2], ['周三', '崂山区', 3]] as const) {
    const b = new Browser(t.app);
    await b.get('/c/2018/signup');
    const r = await b.post('/c/2018/signup', {
      name, idNumber: makeId('1980-01-01', seq), mobile: `1380000000${seq}`, district: venue, venueName: venue,
      occupation: '职员', declaredCategory: '社区或村居民代表', groups: '1', resident: 'yes', consent: 'yes',
    });
    expect(r.status).toBe(201);
  }
  for (const c of await t.db.select().from(candidates)) ids[c.name] = c.id;
});
afterAll(() => t.close());

const candidate = async (name: string) => (await t.db.select().from(candidates).where(eq(candidates.id, ids[name]!)))[0]!;
const lastAudit = async () => (await t.db.select().from(auditLog).orderBy(desc(auditLog.seq)).limit(1))[0]!;

async function as(username: string) {
  const b = new Browser(t.app);
  await b.login(username);
  await b.get('/staff/c/2018/candidates');
  return b;
}

describe('qualification check (公安) and district review', () => {
  it('the qualifier sees every candidate with masked ID and mobile; venue staff only their own venue', async () => {
    const police = await as('police');
    const page = await police.get('/staff/c/2018/candidates');
    expect(page.status).toBe(200);
    for (const name of ['钱一', '孙二', '周三']) expect(page.body).toContain(name);
    expect(page.body).not.toContain(makeId('1980-01-01', 1));
    expect(page.body).toContain(`**************${makeId('1980-01-01', 1).slice(-4)}`);
    expect(page.body).toContain('138****0001');
    const shinan = await as('shinan');
    const own = await shinan.get('/staff/c/2018/candidates');
    expect(own.body).toContain('钱一');
    expect(own.body).not.toContain('周三');
    expect((await shinan.get('/staff/c/2018/candidates?venue=崂山区')).status).toBe(403);
  });

  it('only the qualifier decides qualification; a pass is audit-logged under the decision', async () => {
    const shinan = await as('shinan');
    expect((await shinan.post(`/staff/c/2018/candidates/${ids['钱一']}/qualification`, { decision: 'passed' })).status).toBe(403);
    const chief = await as('chief');
    expect((await chief.post(`/staff/c/2018/candidates/${ids['钱一']}/qualification`, { decision: 'passed' })).status).toBe(403);
    const police = await as('police');
    const r = await police.post(`/staff/c/2018/candidates/${ids['钱一']}/qualification`, { decision: 'passed' });
    expect(r.status).toBe(303);
    expect(await candidate('钱一')).toMatchObject({ qualification: 'passed', qualificationReason: null, districtReview: 'pending' });
    const c = await candidate('钱一');
    expect(await lastAudit()).toMatchObject({ actorName: 'police', action: 'candidate.qualification.passed', target: `candidate:2018/${c.code}`, digest: changeDigest({ decision: 'passed' }) });
  });

  it('a rejection without a reason is re-rendered at 422 beside the form; with a reason it is recorded and logged', async () => {
    const police = await as('police');
    const before = (await lastAudit()).seq;
    const bare = await police.post(`/staff/c/2018/candidates/${ids['孙二']}/qualification`, { decision: 'rejected', reason: ' ' });
    expect(bare.status).toBe(422);
    expect(bare.body).toContain('不通过时须填写原因');
    expect(bare.body).toContain(`id="reason-qualification-${ids['孙二']}-error"`);
    expect((await candidate('孙二')).qualification).toBe('pending');
    expect((await lastAudit()).seq).toBe(before);

    const reason = '户籍信息核验未通过';
    const r = await police.post(`/staff/c/2018/candidates/${ids['孙二']}/qualification`, { decision: 'rejected', reason });
    expect(r.status).toBe(303);
    const c = await candidate('孙二');
    expect(c).toMatchObject({ qualification: 'rejected', qualificationReason: reason });
    // the log names the decision and binds the reason by digest (the reason's text stays with the candidate)
    expect(await lastAudit()).toMatchObject({ actorName: 'police', action: 'candidate.qualification.rejected', target: `candidate:2018/${c.code}`, digest: changeDigest({ decision: 'rejected', reason }) });
    const page = await police.get('/staff/c/2018/candidates');
    expect(page.body).toContain(`未通过(${reason})`);
  });

  it('a decision cannot be taken twice', async () => {
    const police = await as('police');
    const r = await police.post(`/staff/c/2018/candidates/${ids['钱一']}/qualification`, { decision: 'rejected', reason: '改主意' });
    expect(r.status).toBe(409);
    expect(r.body).toContain('已审核,不能重复审核');
    expect((await candidate('钱一')).qualification).toBe('passed');
  });

  it('district review comes after qualification, by the staff of the candidate’s own venue only', async () => {
    const laoshan = await as('laoshan');
    const early = await laoshan.post(`/staff/c/2018/candidates/${ids['周三']}/district-review`, { decision: 'passed' });
    expect(early.status).toBe(409);
    expect(early.body).toContain('尚未通过资格审查');
    // 崂山区 staff cannot review a 市南区 candidate, and the qualifier cannot do district review
    expect((await laoshan.post(`/staff/c/2018/candidates/${ids['钱一']}/district-review`, { decision: 'passed' })).status).toBe(403);
    const police = await as('police');
    expect((await police.post(`/staff/c/2018/candidates/${ids['钱一']}/district-review`, { decision: 'passed' })).status).toBe(403);
    expect((await candidate('钱一')).districtReview).toBe('pending');

    const shinan = await as('shinan');
    const r = await shinan.post(`/staff/c/2018/candidates/${ids['钱一']}/district-review`, { decision: 'passed' });
    expect(r.status).toBe(303);
    expect(await candidate('钱一')).toMatchObject({ qualification: 'passed', districtReview: 'passed' });
    expect(await lastAudit()).toMatchObject({ actorName: 'shinan', action: 'candidate.district_review.passed' });
  });

  it('a district rejection carries its reason the same way', async () => {
    const police = await as('police');
    await police.post(`/staff/c/2018/candidates/${ids['周三']}/qualification`, { decision: 'passed' });
    const laoshan = await as('laoshan');
    const reason = '本人表示评议当日无法到场';
    expect((await laoshan.post(`/staff/c/2018/candidates/${ids['周三']}/district-review`, { decision: 'rejected', reason })).status).toBe(303);
    expect(await candidate('周三')).toMatchObject({ districtReview: 'rejected', districtReviewReason: reason });
    expect(await lastAudit()).toMatchObject({ actorName: 'laoshan', action: 'candidate.district_review.rejected', digest: changeDigest({ decision: 'rejected', reason }) });
  });
});
