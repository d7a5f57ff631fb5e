import { Hono, type Context } from 'hono';
import { and, eq } from 'drizzle-orm';
import { UsersPage } from '../../views/auth/users';
import { audited, stillHolds } from '../audit/audit.service';
import { defaultCampaign, loadAgenda, loadVenues } from '../campaigns/campaigns.service';
import { users } from '../db/schema';
import type { AppEnv } from '../env';
import { AppError, notFound, httpError } from '../lib/errors';
import { formFields, page } from '../lib/render';
import { requireRole, staffUser } from './auth.middleware';
import { ROLE_LABELS, roleOptions } from './roles.core';
import { deleteUserSessions, getUser, listUsers } from './auth.service';
import { createStaffUser } from './users.service';
import { staffEmail } from './users.schemas';

/** Organisers manage the other staff accounts. */
export const userRoutes = new Hono<AppEnv>();
userRoutes.use('*', requireRole('organiser'));

async function usersPage(c: Context<AppEnv>, extra: { values?: Record<string, string>; errors?: Record<string, string>; flash?: string }, status: 200 | 422 = 200) {
  const db = c.var.db;
  const campaign = await defaultCampaign(db);
  const [all, vs, agenda] = await Promise.all([
    listUsers(db),
    campaign ? loadVenues(db, campaign.id) : [],
    campaign ? loadAgenda(db, campaign.id) : { groups: [], internal: [] },
  ]);
  const departments = [...agenda.groups.flatMap((g) => g.departments), ...agenda.internal].map((d) => d.name);
  return page(
    c,
    { title: '工作人员账号', campaignCode: campaign?.code, status },
    <UsersPage users={all.map((u) => ({ ...u, roleLabel: ROLE_LABELS[u.role] }))} roleOptions={roleOptions()} venues={vs.map((v) => v.name)} departments={departments} csrfToken={c.var.csrfToken} {...extra} />,
  );
}

userRoutes.get('/', (c) => usersPage(c, { flash: c.req.query('done') === 'created' ? '账号已创建' : c.req.query('done') === 'saved' ? '已保存' : undefined } as { flash?: string }));

userRoutes.post('/', async (c) => {
  const form = await formFields(c);
  try {
    await createStaffUser(c.var.db, { id: staffUser(c).id, name: staffUser(c).username }, form as never);
  } catch (caught) {
    const err = httpError(caught) ?? caught; // a domain error, as HTTP
    if (err instanceof AppError && err.status === 422) return usersPage(c, { values: form, errors: err.fields }, 422);
    throw err;
  }
  return c.redirect('/staff/users?done=created', 303);
});

/** A handler's work e-mail (reminders at day 10 and 14); empty clears it. */
userRoutes.post('/:id/email', async (c) => {
  const db = c.var.db;
  const target = await getUser(db, c.req.param('id'));
  if (!target) throw notFound('账号');
  const parsed = staffEmail.safeParse((await formFields(c))['email'] ?? '');
  if (!parsed.success) return usersPage(c, { errors: { _form: parsed.error.issues[0]?.message ?? '电子邮箱格式不正确' } }, 422);
  await audited(db, { id: staffUser(c).id, name: staffUser(c).username }, 'user.email', `user:${target.username}`, { set: parsed.data !== null }, [db.update(users).set({ email: parsed.data }).where(eq(users.id, target.id))]);
  return c.redirect('/staff/users?done=saved', 303);
});

userRoutes.post('/:id/active', async (c) => {
  const db = c.var.db;
  const target = await getUser(db, c.req.param('id'));
  if (!target) throw notFound('账号');
  const active = (await formFields(c))['active'] === 'yes';
  if (!active && target.id === staffUser(c).id) throw new AppError(409, 'CANNOT_DISABLE_SELF', '不能停用自己的账号');
  await audited(db, { id: staffUser(c).id, name: staffUser(c).username }, active ? 'user.enable' : 'user.disable', `user:${target.username}`, { active }, [
    db.update(users).set({ active }).where(eq(users.id, target.id)),
    // a disabled account loses its open sessions at once
    ...(active ? [] : [deleteUserSessions(db, target.id)]),
  ], [
    // two admins toggling at once record one change
    stillHolds(db, users, and(eq(users.id, target.id), eq(users.active, !active)), new AppError(409, 'ALREADY_SET', active ? '该账号已经是启用状态' : '该账号已经停用')),
  ]);
  return c.redirect('/staff/users?done=saved', 303);
});
