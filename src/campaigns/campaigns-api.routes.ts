import { Hono } from 'hono';
import type { AppEnv } from '../env';
import { agendaSlots } from './campaigns.core';
import { getCampaign, listCampaigns, loadAgenda, loadScale, loadSuggestionTerms, loadVenues } from './campaigns.service';

/** Public JSON: what the published plan contains, never delegates or results. */
export const campaignApi = new Hono<AppEnv>();

campaignApi.get('/campaigns', async (c) => {
  const all = await listCampaigns(c.var.db);
  return c.json({ campaigns: all.map(({ code, name, year, status }) => ({ code, name, year, status })) });
});

campaignApi.get('/campaigns/:code', async (c) => {
  const db = c.var.db;
  const campaign = await getCampaign(db, c.req.param('code'));
  const [{ groups, internal }, venues, scale, terms] = await Promise.all([
    loadAgenda(db, campaign.id),
    loadVenues(db, campaign.id),
    loadScale(db, campaign.id),
    loadSuggestionTerms(db, campaign.id),
  ]);
  return c.json({
    code: campaign.code,
    name: campaign.name,
    year: campaign.year,
    status: campaign.status,
    minutesPerDepartment: campaign.minutesPerDepartment,
    ballotsPerGroup: campaign.ballotsPerGroup,
    groups: groups.map((g) => {
      const slots = agendaSlots(g.startTime, campaign.minutesPerDepartment, g.departments.length);
      return {
        no: g.no,
        date: g.date,
        departments: g.departments.map((d, i) => ({ id: d.id, name: d.name, start: slots[i]!.start, end: slots[i]!.end })),
      };
    }),
    internalOnlyDepartments: internal.map((d) => ({ id: d.id, name: d.name })),
    venues: venues.map((v) => ({ name: v.name, kind: v.kind, seats: Object.fromEntries(v.seats) })),
    scale: scale.map(({ label, weight, valid, satisfied }) => ({ label, weight, valid, satisfied })),
    suggestionThemes: terms.filter((t) => t.kind === 'theme').map((t) => t.name),
    suggestionAreas: terms.filter((t) => t.kind === 'area').map((t) => t.name),
  });
});
