import { Hono, type Context } from 'hono';
import { v4 as uuidv4 } from 'uuid';
import { SignupDone, SignupPage } from '../../views/delegates/signup';
import { spendBudget } from '../lib/rate-limit.service';
import { getCampaign, loadAgenda, loadVenues, type Campaign } from '../campaigns/campaigns.service';
import { candidates } from '../db/schema';
import type { AppEnv } from '../env';
import { hmacHex } from '../lib/crypto';
import { AppError } from '../lib/errors';
import { formFieldsAll, page } from '../lib/render';
import { isUniqueViolation } from '../lib/validation';
import { formatGroups, maskId, randomCode, volunteerCategory } from './delegates.core';
import { loadDraw, loadQuotaTables } from './delegates.service';
import { todayInChina } from './idcard.core';
import { validateSignup, type SignupContext } from './signup.core';

export const signupRoutes = new Hono<AppEnv>();

const SIGNUP_LIMIT = { max: 10, windowMs: 60 * 60 * 1000 };

/** Venues, districts, dates and categories the form offers, from the campaign's own data. */
async function signupContext(c: Context<AppEnv>, campaign: Campaign) {
  const db = c.var.db;
  const [{ groups }, venues] = await Promise.all([loadAgenda(db, campaign.id), loadVenues(db, campaign.id)]);
  const tables = await loadQuotaTables(db, campaign.id, groups.map((g) => g.no));
  const strip = (name: string) => name.split('/').pop()!;
  const categories = [...new Set(tables.sub.categories.map((x) => strip(x.name)).filter((n) => !n.includes('自愿报名'))), '其他'];
  const ctx: SignupContext = {
    venues: venues.map((v) => ({ name: v.name, kind: v.kind })),
    districts: venues.filter((v) => v.kind === 'sub').map((v) => v.name),
    groupDates: new Map(groups.map((g) => [g.no, g.date])),
    categories,
    today: todayInChina(),
  };
  const draw = await loadDraw(db, campaign.id);
  const closed = draw ? '本年度报名已截止:候选名单已封存并公布抽签承诺。' : campaign.status === 'closed' ? '本年度活动已结束。' : undefined;
  return { ctx, groups, venues, tables, closed };
}

function render(c: Context<AppEnv>, campaign: Campaign, data: Awaited<ReturnType<typeof signupContext>>, extra: { values?: Record<string, string | string[]>; errors?: Record<string, string> } = {}, status: 200 | 409 | 422 = 200) {
  return page(
    c,
    { title: '市民代表自愿报名', campaignCode: campaign.code, status },
    <SignupPage
      campaign={campaign}
      groups={data.groups}
      districts={data.ctx.districts}
      venues={data.venues.map((v) => v.name)}
      categories={data.ctx.categories}
      csrfToken={c.var.csrfToken}
      closed={data.closed}
      {...extra}
    />,
  );
}

signupRoutes.get('/c/:code/signup', async (c) => {
  const campaign = await getCampaign(c.var.db, c.req.param('code'));
  return render(c, campaign, await signupContext(c, campaign));
});

signupRoutes.post('/c/:code/signup', async (c) => {
  const db = c.var.db;
  const campaign = await getCampaign(db, c.req.param('code'));
  const data = await signupContext(c, campaign);
  if (data.closed) throw new AppError(409, 'SIGNUP_CLOSED', data.closed);
  if (!c.var.idHashKey) throw new AppError(503, 'ID_KEY_MISSING', '报名服务暂未配置,请稍后再试');
  const form = await formFieldsAll(c);
  await spendBudget(c, `signup:ip:${c.var.clientIp}`, SIGNUP_LIMIT, '提交过于频繁,请稍后再试');
  const { idNumber: _omit, ...values } = form; // the ID number is never echoed back into a page
  // a filled honeypot is a bot: answer as if accepted, store nothing
  if (typeof form['website'] === 'string' && form['website'] !== '') {
    return page(c, { title: '报名成功', campaignCode: campaign.code }, <SignupDone campaign={campaign} name="" maskedId="—" venue="—" />);
  }
  const checked = validateSignup(form, data.ctx);
  if (!checked.ok) return render(c, campaign, data, { values: { ...values, idNumber: '' }, errors: checked.errors }, 422);
  const s = checked.value;
  const venue = data.venues.find((v) => v.name === s.venueName)!;
  const category = volunteerCategory(data.tables[venue.kind].categories.map((x) => x.name));
  if (!category) throw new AppError(409, 'NO_VOLUNTEER_SEATS', `${venue.name}没有自愿报名市民代表名额,请选择其他会场`);
  const row = {
    id: uuidv4(),
    campaignId: campaign.id,
    code: randomCode('K'),
    source: 'volunteer' as const,
    name: s.name,
    idHash: hmacHex(c.var.idHashKey, s.idNumber),
    idLast4: s.idLast4,
    mobile: s.mobile,
    venueName: venue.name,
    category,
    groups: formatGroups(s.groups),
    district: s.district,
    occupation: s.occupation,
    declaredCategory: s.declaredCategory,
    resident: s.resident,
    yearsInCity: s.yearsInCity,
    createdAt: Date.now(),
  };
  try {
    await db.insert(candidates).values(row);
  } catch (err) {
    if (isUniqueViolation(err)) {
      return render(c, campaign, data, { values: { ...values, idNumber: '' }, errors: { idNumber: '该身份证号码已报名或已被推荐参加本年度活动,每人只能报名一次' } }, 409);
    }
    throw err;
  }
  return page(c, { title: '报名成功', campaignCode: campaign.code, status: 201 }, <SignupDone campaign={campaign} name={s.name} maskedId={maskId(s.idLast4)} venue={venue.name} />);
});
