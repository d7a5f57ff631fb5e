import { Hono } from 'hono';
import { v7 as uuidv7 } from 'uuid';
import { CampaignsPage, Dashboard } from '../../views/staff/dashboard';
import { audited } from '../audit/audit.service';
import { requireRole, staffUser } from '../auth/auth.middleware';
import { ROLE_LABELS } from '../auth/roles.core';
import { copySnapshot } from '../campaigns/campaigns.core';
import { defaultCampaign, findCampaign, listCampaigns, loadAgenda, loadSnapshot, loadVenues, snapshotInserts } from '../campaigns/campaigns.service';
import { copyCampaignInput } from '../campaigns/campaigns.schemas';
import type { AppEnv } from '../env';
import { formFields, page } from '../lib/render';
import { fieldErrors, isUniqueViolation } from '../lib/validation';

export const staffRoutes = new Hono<AppEnv>();

staffRoutes.get('/', requireRole(), async (c) => {
  const db = c.var.db;
  const campaign = await defaultCampaign(db);
  const [vs, agenda] = await Promise.all([
    campaign ? loadVenues(db, campaign.id) : [],
    campaign ? loadAgenda(db, campaign.id) : { groups: [], internal: [] },
  ]);
  const departments = [...agenda.groups.flatMap((g) => g.departments), ...agenda.internal];
  return page(c, { title: '工作台', campaignCode: campaign?.code }, <Dashboard user={{ ...staffUser(c), roleLabel: ROLE_LABELS[staffUser(c).role] }} campaign={campaign} venues={vs} departments={departments} />);
});

staffRoutes.get('/campaigns', requireRole('organiser'), async (c) => {
  const all = await listCampaigns(c.var.db);
  const flash = c.req.query('done') === 'copied' ? '新年度活动已创建,可在“编辑”中修改' : undefined;
  return page(c, { title: '年度活动' }, <CampaignsPage campaigns={all} csrfToken={c.var.csrfToken} flash={flash} />);
});

staffRoutes.post('/campaigns/copy', requireRole('organiser'), async (c) => {
  const db = c.var.db;
  const form = await formFields(c);
  const again = async (errors: Record<string, string>) =>
    page(c, { title: '年度活动', status: 422 }, <CampaignsPage campaigns={await listCampaigns(db)} csrfToken={c.var.csrfToken} values={form} errors={errors} />);
  const parsed = copyCampaignInput.safeParse(form);
  if (!parsed.success) return again(fieldErrors(parsed.error));
  const source = await findCampaign(db, parsed.data.from);
  if (!source) return again({ from: '找不到要复制的年度' });
  if (await findCampaign(db, parsed.data.code)) return again({ code: '该活动代码已被使用' });
  const { from, ...meta } = parsed.data;
  const copy = copySnapshot(await loadSnapshot(db, source.id), meta, uuidv7);
  try {
    await audited(
      db,
      { id: staffUser(c).id, name: staffUser(c).username },
      'campaign.copy',
      `campaign:${copy.campaign.code}`,
      { from, ...meta },
      snapshotInserts(db, copy),
    );
  } catch (err) {
    if (isUniqueViolation(err)) return again({ code: '该活动代码已被使用' });
    throw err;
  }
  return c.redirect('/staff/campaigns?done=copied', 303);
});
