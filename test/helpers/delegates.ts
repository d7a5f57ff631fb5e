import { v4 as uuidv4 } from 'uuid';
import { getCampaign } from '../../src/campaigns/campaigns.service';
import { candidates } from '../../src/db/schema';
import { seedCommitment } from '../../src/delegates/draw.core';
import { Browser, type testApp } from './app';

type T = Awaited<ReturnType<typeof testApp>>;

export const RESIDENTS = '服务对象代表/社区或村居民代表'; // 30 seats in group 1 at a 210-seat venue
export const EXPERTS = '社会各界代表/专家学者代表'; // 4 seats in group 1 at a 210-seat venue

/**
 * Candidates who already passed both reviews (the review itself is tested over HTTP in
 * review.test.ts), with stable codes so two databases can hold the same list:
 * 市南区: 40 residents (S01–S40) for 30 seats + 6 reserves, 2 experts (E1, E2) for 4 seats,
 * one rejected resident (X01); 崂山区: 5 residents (L01–L05) for 30 seats.
 */
export async function seedEligibleCandidates(db: T['db']) {
  const row = (code: string, name: string, venueName: string, category: string, review: 'passed' | 'rejected' = 'passed') => ({
    id: uuidv4(),
    campaignId: '',
    code,
    source: 'volunteer' as const,
    name,
    idHash: `hash-${code}`,
    idLast4: code.slice(-4).padStart(4, '0'),
    mobile: `139${String(code.charCodeAt(0)).padStart(3, '0')}${code.slice(1).padStart(5, '0')}`,
    venueName,
    category,
    groups: '1',
    qualification: review,
    qualificationReason: review === 'rejected' ? '户籍信息核验未通过' : null,
    districtReview: review === 'passed' ? ('passed' as const) : ('pending' as const),
    createdAt: 1,
  });
  const campaign = await getCampaign(db, '2018');
  const rows = [
    ...Array.from({ length: 40 }, (_, i) => row(`S${String(i + 1).padStart(2, '0')}`, `南居民${i + 1}号`, '市南区', RESIDENTS)),
    row('E1', '南专家甲', '市南区', EXPERTS),
    row('E2', '南专家乙', '市南区', EXPERTS),
    row('X01', '南落选者', '市南区', RESIDENTS, 'rejected'),
    ...Array.from({ length: 5 }, (_, i) => row(`L0${i + 1}`, `崂居民${i + 1}号`, '崂山区', RESIDENTS)),
  ].map((r) => ({ ...r, campaignId: campaign.id }));
  for (let i = 0; i < rows.length; i += 6) await db.insert(candidates).values(rows.slice(i, i + 6));
  return rows;
}

/** Organiser starts the campaign, publishes a commitment to `seed` (external mode) and draws with it. */
export const PUBLIC_SOURCE = '中国福利彩票双色球 第 2018140 期开奖号码(2018 年 12 月 2 日开奖)';
export const PUBLIC_VALUE = '31 07 12 03 25 19 + 09';

export async function drawWithSeed(t: T, organiser: string, seed: string, publicValue = PUBLIC_VALUE) {
  const b = new Browser(t.app);
  await b.login(organiser);
  await b.get('/staff/c/2018/edit');
  await b.post('/staff/c/2018/start', { confirm: 'yes' });
  await b.get('/staff/c/2018/draw');
  const commit = await b.post('/staff/c/2018/draw/commit', { mode: 'external', commitment: seedCommitment(seed), publicSource: PUBLIC_SOURCE });
  if (commit.status !== 200) throw new Error(`commit failed: ${commit.status}`);
  const run = await b.post('/staff/c/2018/draw/run', { seed, publicValue });
  if (run.status !== 303) throw new Error(`draw failed: ${run.status}`);
  return b;
}
