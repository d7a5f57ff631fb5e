import { Hono, type Context } from 'hono';
import { and, eq, sql } from 'drizzle-orm';
import { v7 as uuidv7 } from 'uuid';
import {
  DepartmentEditPage,
  DepartmentForm,
  EditCampaignPage,
  FormAlonePage,
  GroupForm,
  MaterialsSection,
  VenueForm,
} from '../../views/campaigns/manage';
import { DepartmentStaffPage, VenueStaffPage } from '../../views/campaigns/staff-pages';
import { audited, stillHolds } from '../audit/audit.service';
import { assertInScope } from '../auth/scope.service';
import { requireRole, staffUser } from '../auth/auth.middleware';
import { campaigns, departmentMaterials, departments, groups, venueSeats, venues } from '../db/schema';
import type { AppEnv } from '../env';
import { AppError, editConflict, forbidden, isEditConflict, notFound } from '../lib/errors';
import { formFields, page, wantsFragment } from '../lib/render';
import { fieldErrors, isUniqueViolation, submittedVersion } from '../lib/validation';
import { agendaSlots, assertEditable, moveInOrder } from './campaigns.core';
import {
  campaignStillDraft,
  getCampaign,
  getDepartment,
  getGroup,
  getVenue,
  listMaterials,
  loadAgenda,
  loadVenues,
  nextPositionInGroup,
  stillAtVersion,
  type Campaign,
} from './campaigns.service';
import { departmentInput, groupInput, materialInput, moveInput, newDepartmentInput, venueInput, venueSeatsInput } from './campaigns.schemas';

/** Staff pages of one campaign: organisers edit its structure; venue staff and handlers see their own scope. */
export const editRoutes = new Hono<AppEnv>();

const actorOf = (c: Context<AppEnv>) => ({ id: staffUser(c).id, name: staffUser(c).username });
const campaignOf = (c: Context<AppEnv>) => getCampaign(c.var.db, c.req.param('code') ?? '');

/** After a successful form post: the updated fragment for htmx, a redirect (PRG) otherwise. */
function afterSave(c: Context<AppEnv>, redirectTo: string, fragment: () => unknown) {
  if (wantsFragment(c)) return c.html(fragment() as string);
  return c.redirect(redirectTo, 303);
}

/**
 * A 422 with the form and its messages (or a 409 with the newer values after a concurrent edit):
 * the fragment for htmx, the form on its own page otherwise.
 */
function rejected(c: Context<AppEnv>, campaign: Campaign, title: string, back: string, form: () => unknown, status: 409 | 422 = 422) {
  if (wantsFragment(c)) return c.html(form() as string, status);
  return page(
    c,
    { title, campaignCode: campaign.code, status },
    <FormAlonePage title={title} back={back}>
      {form()}
    </FormAlonePage>,
  );
}

editRoutes.get('/edit', requireRole('organiser'), async (c) => {
  const db = c.var.db;
  const campaign = await campaignOf(c);
  const [{ groups: agenda, internal }, vs] = await Promise.all([loadAgenda(db, campaign.id), loadVenues(db, campaign.id)]);
  const flash = { saved: '已保存', started: '活动已开始,结构已冻结', created: '已新增部门' }[c.req.query('done') ?? ''] as string | undefined;
  return page(
    c,
    { title: `编辑 ${campaign.name}`, campaignCode: campaign.code },
    <EditCampaignPage campaign={campaign} agenda={agenda} internal={internal} venues={vs} csrfToken={c.var.csrfToken} flash={flash} />,
  );
});

editRoutes.post('/start', requireRole('organiser'), async (c) => {
  const campaign = await campaignOf(c);
  assertEditable(campaign);
  const form = await formFields(c);
  if (form['confirm'] !== 'yes') throw new AppError(422, 'CONFIRMATION_REQUIRED', '请勾选确认结构已经定稿,再开始活动');
  await audited(
    c.var.db,
    actorOf(c),
    'campaign.start',
    `campaign:${campaign.code}`,
    { from: 'draft', to: 'started' },
    [c.var.db.update(campaigns).set({ status: 'started' }).where(and(eq(campaigns.id, campaign.id), eq(campaigns.status, 'draft')))],
    [campaignStillDraft(c.var.db, campaign)],
  );
  return c.redirect(`/staff/c/${campaign.code}/edit?done=started`, 303);
});

editRoutes.post('/groups/:no', requireRole('organiser'), async (c) => {
  const db = c.var.db;
  const campaign = await campaignOf(c);
  assertEditable(campaign);
  const group = await getGroup(db, campaign.id, Number(c.req.param('no')));
  const form = await formFields(c);
  const parsed = groupInput.safeParse(form);
  const render = (extra: { values?: Record<string, string>; errors?: Record<string, string>; saved?: boolean }, g = group) => (
    <GroupForm campaign={campaign} group={g} csrfToken={c.var.csrfToken} frozen={false} {...extra} />
  );
  if (!parsed.success) {
    return rejected(c, campaign, `编辑${group.title}`, `/staff/c/${campaign.code}/edit`, () => render({ values: form, errors: fieldErrors(parsed.error) }));
  }
  const version = submittedVersion(form);
  try {
    await audited(
      db,
      actorOf(c),
      'group.update',
      `group:${campaign.code}/${group.no}`,
      { before: group, after: parsed.data },
      [db.update(groups).set({ ...parsed.data, version: sql`${groups.version} + 1` }).where(and(eq(groups.id, group.id), eq(groups.version, version)))],
      [campaignStillDraft(db, campaign), stillAtVersion(db, groups, group.id, version)],
    );
  } catch (err) {
    if (!isEditConflict(err)) throw err;
    const fresh = await getGroup(db, campaign.id, group.no);
    return rejected(c, campaign, `编辑${group.title}`, `/staff/c/${campaign.code}/edit`, () => render({ errors: { _form: err.message } }, fresh), 409);
  }
  return afterSave(c, `/staff/c/${campaign.code}/edit?done=saved`, () => render({ saved: true }, { ...group, ...parsed.data, version: version + 1 }));
});

/** Resolves the group select ('' = internal-only) to a group row, or a field error. */
async function groupFromField(c: Context<AppEnv>, campaign: Campaign, value: string) {
  if (value === '') return null;
  const { groups: all } = await loadAgenda(c.var.db, campaign.id);
  const g = all.find((x) => String(x.no) === value);
  if (!g) throw new AppError(422, 'VALIDATION_FAILED', '请选择有效的分组', { group: '请选择有效的分组' });
  return g;
}

editRoutes.post('/departments', requireRole('organiser'), async (c) => {
  const db = c.var.db;
  const campaign = await campaignOf(c);
  assertEditable(campaign);
  const form = await formFields(c);
  const parsed = newDepartmentInput.safeParse(form);
  const again = async (errors: Record<string, string>) => {
    const [{ groups: agenda, internal }, vs] = await Promise.all([loadAgenda(db, campaign.id), loadVenues(db, campaign.id)]);
    return page(
      c,
      { title: `编辑 ${campaign.name}`, campaignCode: campaign.code, status: 422 },
      <EditCampaignPage campaign={campaign} agenda={agenda} internal={internal} venues={vs} csrfToken={c.var.csrfToken} newDepartment={{ values: form, errors }} />,
    );
  };
  if (!parsed.success) return again(fieldErrors(parsed.error));
  const group = await groupFromField(c, campaign, parsed.data.group);
  const row = {
    id: uuidv7(),
    campaignId: campaign.id,
    groupId: group?.id ?? null,
    position: await nextPositionInGroup(db, campaign.id, group?.id ?? null),
    name: parsed.data.name,
    internalOnly: group === null,
  };
  try {
    await audited(db, actorOf(c), 'department.create', `department:${campaign.code}/${row.name}`, row, [db.insert(departments).values(row)], [campaignStillDraft(db, campaign)]);
  } catch (err) {
    if (isUniqueViolation(err)) return again({ name: '本年度已有同名部门' });
    throw err;
  }
  return c.redirect(`/staff/c/${campaign.code}/departments/${row.id}/edit`, 303);
});

editRoutes.get('/departments/:id/edit', requireRole('organiser'), async (c) => {
  const db = c.var.db;
  const campaign = await campaignOf(c);
  const department = await getDepartment(db, campaign.id, c.req.param('id'));
  const [{ groups: gs }, materials] = await Promise.all([loadAgenda(db, campaign.id), listMaterials(db, department.id)]);
  return page(
    c,
    { title: `编辑 ${department.name}`, campaignCode: campaign.code },
    <DepartmentEditPage
      campaign={campaign}
      department={department}
      groups={gs}
      materials={materials}
      csrfToken={c.var.csrfToken}
      saved={c.req.query('done') === 'saved'}
      frozen={campaign.status !== 'draft'}
    />,
  );
});

editRoutes.post('/departments/:id', requireRole('organiser'), async (c) => {
  const db = c.var.db;
  const campaign = await campaignOf(c);
  assertEditable(campaign);
  const department = await getDepartment(db, campaign.id, c.req.param('id'));
  const { groups: gs } = await loadAgenda(db, campaign.id);
  const form = await formFields(c);
  const render = (extra: { values?: Record<string, string>; errors?: Record<string, string>; saved?: boolean }, d = department) => (
    <DepartmentForm campaign={campaign} department={d} groups={gs} csrfToken={c.var.csrfToken} frozen={false} {...extra} />
  );
  const back = `/staff/c/${campaign.code}/departments/${department.id}/edit`;
  const parsed = departmentInput.safeParse(form);
  if (!parsed.success) return rejected(c, campaign, `编辑 ${department.name}`, back, () => render({ values: form, errors: fieldErrors(parsed.error) }));
  const group = gs.find((g) => String(g.no) === parsed.data.group) ?? null;
  if (parsed.data.group !== '' && !group) {
    return rejected(c, campaign, `编辑 ${department.name}`, back, () => render({ values: form, errors: { group: '请选择有效的分组' } }));
  }
  const moved = (group?.id ?? null) !== department.groupId;
  const changes = {
    name: parsed.data.name,
    duties: parsed.data.duties,
    goals: parsed.data.goals,
    report: parsed.data.report,
    groupId: group?.id ?? null,
    internalOnly: group === null,
    // a department moved to another group reports last there
    position: moved ? await nextPositionInGroup(db, campaign.id, group?.id ?? null) : department.position,
  };
  const version = submittedVersion(form);
  try {
    await audited(
      db,
      actorOf(c),
      'department.update',
      `department:${campaign.code}/${department.name}`,
      { id: department.id, changes },
      [db.update(departments).set({ ...changes, version: sql`${departments.version} + 1` }).where(and(eq(departments.id, department.id), eq(departments.version, version)))],
      [campaignStillDraft(db, campaign), stillAtVersion(db, departments, department.id, version)],
    );
  } catch (err) {
    if (isUniqueViolation(err)) return rejected(c, campaign, `编辑 ${department.name}`, back, () => render({ values: form, errors: { name: '本年度已有同名部门' } }));
    if (!isEditConflict(err)) throw err;
    const fresh = await getDepartment(db, campaign.id, department.id);
    return rejected(c, campaign, `编辑 ${department.name}`, back, () => render({ errors: { _form: err.message } }, fresh), 409);
  }
  return afterSave(c, `${back}?done=saved`, () => render({ saved: true }, { ...department, ...changes, version: version + 1 }));
});

editRoutes.post('/departments/:id/move', requireRole('organiser'), async (c) => {
  const db = c.var.db;
  const campaign = await campaignOf(c);
  assertEditable(campaign);
  const department = await getDepartment(db, campaign.id, c.req.param('id'));
  const parsed = moveInput.safeParse(await formFields(c));
  if (!parsed.success) throw new AppError(422, 'VALIDATION_FAILED', '移动方向无效');
  const { groups: gs, internal } = await loadAgenda(db, campaign.id);
  const siblings = department.groupId ? (gs.find((g) => g.id === department.groupId)?.departments ?? []) : internal;
  const changes = moveInOrder(siblings, department.id, parsed.data.direction);
  if (changes.length) {
    await audited(
      db,
      actorOf(c),
      'department.move',
      `department:${campaign.code}/${department.name}`,
      { direction: parsed.data.direction, changes },
      changes.map((ch) => db.update(departments).set({ position: ch.position }).where(eq(departments.id, ch.id))),
      [
        campaignStillDraft(db, campaign),
        // the order moved from is still the order on the page: a concurrent move is not undone
        ...changes.map((ch) => stillHolds(db, departments, and(eq(departments.id, ch.id), eq(departments.position, siblings.find((x) => x.id === ch.id)!.position)), editConflict('部门顺序刚被他人调整过,请刷新页面后重试'))),
      ],
    );
  }
  return c.redirect(`/staff/c/${campaign.code}/edit?done=saved`, 303);
});

editRoutes.post('/departments/:id/materials', requireRole('organiser'), async (c) => {
  const db = c.var.db;
  const campaign = await campaignOf(c);
  assertEditable(campaign);
  const department = await getDepartment(db, campaign.id, c.req.param('id'));
  const form = await formFields(c);
  const parsed = materialInput.safeParse(form);
  const back = `/staff/c/${campaign.code}/departments/${department.id}/edit`;
  const materials = await listMaterials(db, department.id);
  if (!parsed.success) {
    return rejected(c, campaign, `${department.name} 的材料`, back, () => (
      <MaterialsSection campaign={campaign} department={department} materials={materials} csrfToken={c.var.csrfToken} values={form} errors={fieldErrors(parsed.error)} frozen={false} />
    ));
  }
  const row = { id: uuidv7(), departmentId: department.id, position: (materials.at(-1)?.position ?? 0) + 1, ...parsed.data };
  await audited(db, actorOf(c), 'material.add', `department:${campaign.code}/${department.name}`, row, [db.insert(departmentMaterials).values(row)], [campaignStillDraft(db, campaign)]);
  return c.redirect(`${back}?done=saved#materials`, 303);
});

editRoutes.post('/materials/:mid/delete', requireRole('organiser'), async (c) => {
  const db = c.var.db;
  const campaign = await campaignOf(c);
  assertEditable(campaign);
  const [m] = await db
    .select({ material: departmentMaterials, department: departments })
    .from(departmentMaterials)
    .innerJoin(departments, eq(departments.id, departmentMaterials.departmentId))
    .where(and(eq(departmentMaterials.id, c.req.param('mid')), eq(departments.campaignId, campaign.id)));
  if (!m) throw notFound('材料');
  await audited(
    db,
    actorOf(c),
    'material.delete',
    `department:${campaign.code}/${m.department.name}`,
    m.material,
    [db.delete(departmentMaterials).where(eq(departmentMaterials.id, m.material.id))],
    // deleted twice (two tabs, a double click) records one deletion
    [campaignStillDraft(db, campaign), stillHolds(db, departmentMaterials, eq(departmentMaterials.id, m.material.id), notFound('材料'))],
  );
  return c.redirect(`/staff/c/${campaign.code}/departments/${m.department.id}/edit?done=saved#materials`, 303);
});

editRoutes.post('/venues/:id', requireRole('organiser'), async (c) => {
  const db = c.var.db;
  const campaign = await campaignOf(c);
  assertEditable(campaign);
  const venue = await getVenue(db, campaign.id, c.req.param('id'));
  const { groups: gs } = await loadAgenda(db, campaign.id);
  const groupNos = gs.map((g) => g.no);
  const form = await formFields(c);
  const render = (extra: { values?: Record<string, string>; errors?: Record<string, string>; saved?: boolean }, v = venue) => (
    <VenueForm campaign={campaign} venue={v} groupNos={groupNos} csrfToken={c.var.csrfToken} frozen={false} {...extra} />
  );
  const back = `/staff/c/${campaign.code}/edit`;
  const base = venueInput.safeParse(form);
  const seats = venueSeatsInput(groupNos).safeParse(form);
  if (!base.success || !seats.success) {
    const errors = { ...(base.success ? {} : fieldErrors(base.error)), ...(seats.success ? {} : fieldErrors(seats.error)) };
    return rejected(c, campaign, `编辑 ${venue.name}`, back, () => render({ values: form, errors }));
  }
  const seatRows = groupNos.map((n) => ({ venueId: venue.id, groupNo: n, seats: Number(seats.data[`seats_${n}`]) }));
  const version = submittedVersion(form);
  try {
    await audited(
      db,
      actorOf(c),
      'venue.update',
      `venue:${campaign.code}/${venue.name}`,
      { id: venue.id, ...base.data, seats: seatRows },
      [
        db.update(venues).set({ ...base.data, version: sql`${venues.version} + 1` }).where(and(eq(venues.id, venue.id), eq(venues.version, version))),
        ...seatRows.map((s) =>
          db.insert(venueSeats).values(s).onConflictDoUpdate({ target: [venueSeats.venueId, venueSeats.groupNo], set: { seats: s.seats } }),
        ),
      ],
      // the seats are part of the venue's form: the venue's version covers them
      [campaignStillDraft(db, campaign), stillAtVersion(db, venues, venue.id, version)],
    );
  } catch (err) {
    if (isUniqueViolation(err)) return rejected(c, campaign, `编辑 ${venue.name}`, back, () => render({ values: form, errors: { name: '本年度已有同名会场' } }));
    if (!isEditConflict(err)) throw err;
    const fresh = await getVenue(db, campaign.id, venue.id);
    return rejected(c, campaign, `编辑 ${venue.name}`, back, () => render({ errors: { _form: err.message } }, fresh), 409);
  }
  const updated = { ...venue, ...base.data, version: version + 1, seats: new Map(seatRows.map((s) => [s.groupNo, s.seats])) };
  return afterSave(c, `${back}?done=saved`, () => render({ saved: true }, updated));
});

/** A venue's own page: its organisers and its own staff only. */
editRoutes.get('/venues/:id', requireRole('organiser', 'venue_staff'), async (c) => {
  const db = c.var.db;
  const campaign = await campaignOf(c);
  const venue = await getVenue(db, campaign.id, c.req.param('id'));
  assertInScope(c.var.user, { venue: venue.name });
  const { groups: gs } = await loadAgenda(db, campaign.id);
  return page(c, { title: venue.name, campaignCode: campaign.code }, <VenueStaffPage campaign={campaign} venue={venue} groups={gs} />);
});

/** A department's own page: organisers and that department's handlers only. */
editRoutes.get('/departments/:id', requireRole('organiser', 'dept_handler'), async (c) => {
  const db = c.var.db;
  const campaign = await campaignOf(c);
  const department = await getDepartment(db, campaign.id, c.req.param('id'));
  assertInScope(c.var.user, { department: department.name });
  const { groups: gs } = await loadAgenda(db, campaign.id);
  const group = gs.find((g) => g.id === department.groupId);
  const index = group?.departments.findIndex((d) => d.id === department.id) ?? -1;
  const slot = group ? agendaSlots(group.startTime, campaign.minutesPerDepartment, group.departments.length)[index] : undefined;
  const materials = await listMaterials(db, department.id);
  return page(
    c,
    { title: department.name, campaignCode: campaign.code },
    <DepartmentStaffPage campaign={campaign} department={department} group={group} slot={slot} materials={materials} />,
  );
});
