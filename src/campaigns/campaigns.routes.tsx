import { HandlingScoresTable } from '../../views/components/handling-scores';
import { departmentHandling } from '../suggestions/handling-score.service';
import { Hono } from 'hono';
import { AgendaPage, CampaignHome, DepartmentPage, DepartmentsPage, VenuesPage, type AgendaView } from '../../views/campaigns/public';
import type { Db } from '../db/client';
import type { AppEnv } from '../env';
import { notFound } from '../lib/errors';
import { page } from '../lib/render';
import { agendaSlots, seatTotals } from './campaigns.core';
import {
  defaultCampaign,
  getCampaign,
  getDepartment,
  listCampaigns,
  listMaterials,
  loadAgenda,
  loadVenues,
  type Campaign,
} from './campaigns.service';

export const campaignRoutes = new Hono<AppEnv>();

export async function agendaView(db: Db, campaign: Campaign): Promise<{ agenda: AgendaView[]; internal: Awaited<ReturnType<typeof loadAgenda>>['internal'] }> {
  const { groups, internal } = await loadAgenda(db, campaign.id);
  return {
    agenda: groups.map((group) => ({
      group,
      slots: agendaSlots(group.startTime, campaign.minutesPerDepartment, group.departments.length),
    })),
    internal,
  };
}

campaignRoutes.get('/', async (c) => {
  const campaign = await defaultCampaign(c.var.db);
  if (!campaign) throw notFound('年度活动');
  return c.redirect(`/c/${campaign.code}`, 302);
});

campaignRoutes.get('/c/:code', async (c) => {
  const db = c.var.db;
  const campaign = await getCampaign(db, c.req.param('code'));
  const [{ agenda, internal }, venues, all] = await Promise.all([agendaView(db, campaign), loadVenues(db, campaign.id), listCampaigns(db)]);
  const seats = seatTotals(venues.flatMap((v) => [...v.seats].map(([groupNo, n]) => ({ groupNo, seats: n }))));
  return page(
    c,
    { title: campaign.name, campaignCode: campaign.code },
    <CampaignHome
      campaign={campaign}
      agenda={agenda}
      internal={internal}
      venueCount={venues.length}
      seatsPerGroup={seats}
      others={all.filter((x) => x.id !== campaign.id)}
    />,
  );
});

campaignRoutes.get('/c/:code/agenda', async (c) => {
  const campaign = await getCampaign(c.var.db, c.req.param('code'));
  const { agenda, internal } = await agendaView(c.var.db, campaign);
  return page(c, { title: '述职安排', campaignCode: campaign.code }, <AgendaPage campaign={campaign} agenda={agenda} internal={internal} />);
});

campaignRoutes.get('/c/:code/departments', async (c) => {
  const campaign = await getCampaign(c.var.db, c.req.param('code'));
  const { agenda, internal } = await agendaView(c.var.db, campaign);
  return page(c, { title: '述职部门', campaignCode: campaign.code }, <DepartmentsPage campaign={campaign} agenda={agenda} internal={internal} />);
});

campaignRoutes.get('/c/:code/departments/:id', async (c) => {
  const db = c.var.db;
  const campaign = await getCampaign(db, c.req.param('code'));
  const department = await getDepartment(db, campaign.id, c.req.param('id'));
  const [{ agenda }, materials, handling] = await Promise.all([agendaView(db, campaign), listMaterials(db, department.id), departmentHandling(db, campaign, [department.name])]);
  const view = agenda.find((a) => a.group.id === department.groupId);
  const index = view?.group.departments.findIndex((d) => d.id === department.id) ?? -1;
  return page(
    c,
    { title: department.name, campaignCode: campaign.code },
    <>
      <DepartmentPage campaign={campaign} department={department} group={view?.group} slot={view?.slots[index]} materials={materials} />
      {/* public once the handling period has closed */}
      {handling.closed && <HandlingScoresTable scores={handling.scores} formula={handling.formula} heading="本部门市民建议办理情况" />}
    </>,
  );
});

campaignRoutes.get('/c/:code/venues', async (c) => {
  const db = c.var.db;
  const campaign = await getCampaign(db, c.req.param('code'));
  const { agenda } = await agendaView(db, campaign);
  const venues = await loadVenues(db, campaign.id);
  const totals = seatTotals(venues.flatMap((v) => [...v.seats].map(([groupNo, seats]) => ({ groupNo, seats }))));
  return page(
    c,
    { title: '会场与代表名额', campaignCode: campaign.code },
    <VenuesPage campaign={campaign} venues={venues} groupNos={agenda.map((a) => a.group.no)} totals={totals} />,
  );
});
