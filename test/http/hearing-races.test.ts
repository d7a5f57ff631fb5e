import { and, eq, like } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog, checkins, votingSessions } from '../../src/db/schema';
import { audited } from '../../src/audit/audit.service';
import { getCampaign } from '../../src/campaigns/campaigns.service';
import { prepareCheckin } from '../../src/hearing/hearing.service';
import { addUser, PASSWORD, testApp } from '../helpers/app';
import { addDelegates, api, prepareHearing, tokenFor } from '../helpers/hearing';
import { changeDigest } from '../../src/audit/audit.core';

/** Hearing-day state machines: every write re-checks, in its own batch, the state it was decided on. */
let t: Awaited<ReturnType<typeof testApp>>;
let org: string;
let campaignId: string;
const entries = (prefix: string) => t.db.select().from(auditLog).where(like(auditLog.target, `${prefix}%`));
const open = (group: number, venue: string) => api(t.app, `/api/campaigns/2018/groups/${group}/venues/${encodeURIComponent(venue)}/open`, {}, org);
const close = (group: number, venue: string, note?: string) => api(t.app, `/api/campaigns/2018/groups/${group}/venues/${encodeURIComponent(venue)}/close`, note ? { note } : {}, org);
const checkin = (code: string, venue: string, group = 1) => api(t.app, '/api/campaigns/2018/checkins', { delegateCode: code, group, venue }, org);

beforeAll(async () => {
  t = await testApp();
  await addUser(t.db, 'org', 'organiser');
  await addUser(t.db, 'shinan', 'venue_staff', { venueName: '市南区' });
  ({ campaignId } = await prepareHearing(t.db));
  org = await tokenFor(t.app, 'org', PASSWORD);
});
afterAll(() => t.close());

describe('voting open and closed', () => {
  it('two desks opening the same venue at once open one session with one key and one audit entry', async () => {
    const [a, b] = await Promise.all([open(1, '市北区'), open(1, '市北区')]);
    expect([a.status, b.status].sort()).toEqual([201, 409]);
    expect((a.status === 409 ? a : b).json.error.code).toBe('SESSION_OPEN');
    expect(await entries('voting:2018/1/市北区')).toHaveLength(1);
  });

  it('one delegate checked in at two desks at once gets one ticket and one audit entry, never a 500', async () => {
    const [d] = await addDelegates(t.db, campaignId, '市北区', 1, 1);
    const both = await Promise.all([checkin(d!.code, '市北区'), checkin(d!.code, '市北区')]);
    expect(both.map((r) => r.status).sort()).toEqual([201, 409]);
    expect(both.find((r) => r.status === 409)!.json.error.message).toContain('不能重复签到');
    expect(await t.db.select().from(checkins).where(eq(checkins.delegateId, d!.id))).toHaveLength(1);
    expect((await entries('checkin:2018/1/市北区')).length).toBe(1);
  });

  it('a check-in decided while voting was open but written after the venue closed is refused and leaves no ticket and no audit entry', async () => {
    expect((await open(1, '市南区')).status).toBe(201);
    const [d] = await addDelegates(t.db, campaignId, '市南区', 1, 1);
    const campaign = await getCampaign(t.db, '2018');
    // what the desk's route does, with the close landing between its checks and its write
    const prepared = await prepareCheckin(t.db, campaign, 1, '市南区', d!.code, 'venue');
    expect((await close(1, '市南区')).status).toBe(200);
    const before = (await entries('checkin:2018/1/市南区')).length;
    await expect(audited(t.db, { id: null, name: 'desk' }, 'checkin', 'checkin:2018/1/市南区', {}, [prepared.insert], prepared.preconditions)).rejects.toMatchObject({ status: 409, code: 'VOTING_NOT_OPEN' });
    expect(await t.db.select().from(checkins).where(eq(checkins.delegateId, d!.id))).toHaveLength(0);
    expect((await entries('checkin:2018/1/市南区')).length).toBe(before);
  });

  it('a close racing a check-in records the figures it closed on: the audit entry matches the final counts', async () => {
    expect((await open(1, '崂山区')).status).toBe(201);
    const ds = await addDelegates(t.db, campaignId, '崂山区', 1, 6);
    for (const d of ds.slice(0, 3)) expect((await checkin(d.code, '崂山区')).status).toBe(201);
    const note = '三名代表签到后未领取凭证,已核实。';
    const [closed, ...late] = await Promise.all([close(1, '崂山区', note), ...ds.slice(3).map((d) => checkin(d.code, '崂山区'))]);
    const rows = await t.db.select().from(checkins).where(and(eq(checkins.campaignId, campaignId), eq(checkins.venueName, '崂山区')));
    const [session] = await t.db.select().from(votingSessions).where(and(eq(votingSessions.venueName, '崂山区'), eq(votingSessions.groupNo, 1)));
    const closes = (await entries('voting:2018/1/崂山区')).filter((e) => e.action === 'voting.close');
    if (closed.status === 200) {
      expect(session!.state).toBe('closed');
      expect(closes).toHaveLength(1);
      // every check-in that landed, landed before the close: the figures the close recorded are the final ones
      const n = rows.length;
      expect(closes[0]!.digest).toBe(changeDigest({ reconciliation: { issued: n, cast: 0, voided: 0, unused: n, balanced: true }, note }));
    } else {
      expect(closed.status).toBe(409);
      expect(['TURNOUT_CHANGED', 'RECONCILIATION_GAP']).toContain(closed.json.error.code);
      expect(closes).toHaveLength(0);
      expect(session!.state).toBe('open');
    }
    for (const r of late) expect([201, 409]).toContain(r.status);
    expect(rows.length).toBe(3 + late.filter((r) => r.status === 201).length);
  });
});
