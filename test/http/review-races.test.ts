import { and, eq, like } from 'drizzle-orm';
import { v4 as uuidv4 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getCampaign } from '../../src/campaigns/campaigns.service';
import { auditLog, candidates, delegates, draws } from '../../src/db/schema';
import { seedCommitment } from '../../src/delegates/draw.core';
import { addUser, Browser, testApp, delegateLinkToken } from '../helpers/app';
import { PUBLIC_SOURCE, PUBLIC_VALUE, RESIDENTS, seedEligibleCandidates } from '../helpers/delegates';

/** Candidate review, the draw and delegates' answers: each write re-checks its state in its own batch. */
let t: Awaited<ReturnType<typeof testApp>>;
let chief: Browser;
let police: Browser;
let police2: Browser;
const SEED = '3c'.repeat(32);
const entries = (prefix: string) => t.db.select().from(auditLog).where(like(auditLog.target, `${prefix}%`));

async function pendingCandidate(code: string) {
  const campaign = await getCampaign(t.db, '2018');
  const id = uuidv4();
  await t.db.insert(candidates).values({
    id, campaignId: campaign.id, code, source: 'volunteer', name: `待审${code}`, idHash: `hash-${code}`, idLast4: '0000', mobile: '13900000000',
    venueName: '市南区', category: RESIDENTS, groups: '1', qualification: 'pending', districtReview: 'pending', createdAt: 1,
  });
  return id;
}

beforeAll(async () => {
  t = await testApp();
  await addUser(t.db, 'chief', 'organiser');
  await addUser(t.db, 'chief2', 'organiser');
  await addUser(t.db, 'police', 'qualifier');
  await addUser(t.db, 'police2', 'qualifier');
  await seedEligibleCandidates(t.db);
  chief = new Browser(t.app);
  police = new Browser(t.app);
  police2 = new Browser(t.app);
  await chief.login('chief');
  await police.login('police');
  await police2.login('police2');
  await chief.get('/staff/c/2018/edit');
  expect((await chief.post('/staff/c/2018/start', { confirm: 'yes' })).status).toBe(303);
});
afterAll(() => t.close());

describe('candidate review racing', () => {
  it('two qualifiers deciding the same candidate at once: one decision is recorded, the other is told', async () => {
    const id = await pendingCandidate('P01');
    await police.get('/staff/c/2018/candidates');
    await police2.get('/staff/c/2018/candidates');
    const [a, b] = await Promise.all([
      police.post(`/staff/c/2018/candidates/${id}/qualification`, { decision: 'passed' }),
      police2.post(`/staff/c/2018/candidates/${id}/qualification`, { decision: 'rejected', reason: '户籍核验未通过' }),
    ]);
    expect([a.status, b.status].sort()).toEqual([303, 409]);
    expect((a.status === 409 ? a : b).body).toContain('该候选人已审核,不能重复审核');
    expect((await entries('candidate:2018/P01')).map((e) => e.action)).toHaveLength(1);
  });

  it('a review whose body arrives after the draw commitment is refused and leaves no audit entry', async () => {
    const id = await pendingCandidate('P02');
    await police.get('/staff/c/2018/candidates');
    const held = police.postHeld(`/staff/c/2018/candidates/${id}/qualification`, { decision: 'passed' });
    await held.reading; // the "no draw yet" check has passed
    await chief.get('/staff/c/2018/draw');
    expect((await chief.post('/staff/c/2018/draw/commit', { mode: 'external', commitment: seedCommitment(SEED), publicSource: PUBLIC_SOURCE })).status).toBe(200);
    held.release();
    const res = await held.done;
    expect(res.status).toBe(409);
    expect(res.body).toContain('候选名单已随抽签承诺封存');
    const [row] = await t.db.select().from(candidates).where(eq(candidates.id, id));
    expect(row!.qualification).toBe('pending');
    expect(await entries('candidate:2018/P02')).toHaveLength(0);
  });
});

describe('the draw racing itself', () => {
  it('two draws run at the same instant draw once: one outcome, one audit entry', async () => {
    const other = new Browser(t.app);
    await other.login('chief2');
    await other.get('/staff/c/2018/draw');
    await chief.get('/staff/c/2018/draw');
    const [a, b] = await Promise.all([chief.post('/staff/c/2018/draw/run', { seed: SEED, publicValue: PUBLIC_VALUE }), other.post('/staff/c/2018/draw/run', { seed: SEED, publicValue: PUBLIC_VALUE })]);
    expect([a.status, b.status].sort()).toEqual([303, 409]);
    expect((a.status === 409 ? a : b).body).toContain('结果不能重抽');
    const campaign = await getCampaign(t.db, '2018');
    const rows = await t.db.select().from(delegates).where(eq(delegates.campaignId, campaign.id));
    expect(new Set(rows.map((r) => r.candidateId)).size).toBe(rows.length);
    expect((await entries('draw:2018')).filter((e) => e.action === 'draw.run')).toHaveLength(1);
    expect((await t.db.select().from(draws))[0]!.state).toBe('drawn');
  });

  it('a delegate confirming twice at the same instant (a double tap) is logged once', async () => {
    const campaign = await getCampaign(t.db, '2018');
    const [d] = await t.db.select().from(delegates).where(and(eq(delegates.campaignId, campaign.id), eq(delegates.state, 'selected'))).limit(1);
    const phone = new Browser(t.app);
    await phone.get(`/d/${delegateLinkToken(t.db, d!.id)}`);
    const both = await Promise.all([phone.post(`/d/${delegateLinkToken(t.db, d!.id)}`, { answer: 'confirm' }), phone.post(`/d/${delegateLinkToken(t.db, d!.id)}`, { answer: 'confirm' })]);
    expect(both.map((r) => r.status).sort()).toEqual([303, 409]);
    expect(both.find((r) => r.status === 409)!.body).toMatch(/已经答复过|无需重复确认/);
    expect((await entries(`delegate:${d!.delegateCode}`)).filter((e) => e.action === 'delegate.confirm')).toHaveLength(1);
  });
});
