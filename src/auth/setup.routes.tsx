import { Hono, type Context } from 'hono';
import { eq } from 'drizzle-orm';
import { CsrfField, FieldError, Flash } from '../../views/components/layout';
import { users } from '../db/schema';
import { SETUP_TOKEN_MIN_LENGTH, type AppEnv } from '../env';
import { constantTimeEqual } from '../lib/crypto';
import { AppError, notFound, httpError } from '../lib/errors';
import { formFields, page } from '../lib/render';
import { createStaffUser } from './users.service';
import { spendBudget } from '../lib/rate-limit.service';

/**
 * First organiser without a shell: enabled only while a setup token (SANMIN_SETUP_TOKEN, on Node
 * and Workers alike) is configured and no organiser exists; afterwards the page does not exist.
 * A token shorter than the minimum keeps the page closed: Node refuses to start with one, and a
 * Worker's secret is checked here, on every request.
 */
export const setupRoutes = new Hono<AppEnv>();

async function assertOpen(c: Context<AppEnv>) {
  if (!c.var.setupToken) throw notFound();
  const [organiser] = await c.var.db.select({ id: users.id }).from(users).where(eq(users.role, 'organiser')).limit(1);
  if (organiser) throw notFound();
  if (c.var.setupToken.length < SETUP_TOKEN_MIN_LENGTH) {
    throw new AppError(503, 'SETUP_TOKEN_TOO_SHORT', `初始化口令 SANMIN_SETUP_TOKEN 太短(至少 ${SETUP_TOKEN_MIN_LENGTH} 个字符),初始化页面已停用;请重新设置更长的口令`);
  }
}

function SetupPage(props: { csrfToken: string; values?: Record<string, string>; errors?: Record<string, string> }) {
  const e = props.errors ?? {};
  const v = props.values ?? {};
  const field = (name: string, label: string, type = 'text') => (
    <div>
      <label for={`setup-${name}`}>{label}</label>
      <input id={`setup-${name}`} name={name} type={type} value={type === 'password' ? '' : (v[name] ?? '')} required aria-invalid={e[name] ? 'true' : undefined} aria-describedby={e[name] ? `setup-${name}-error` : undefined} />
      <FieldError id={`setup-${name}-error`} message={e[name]} />
    </div>
  );
  return (
    <section>
      <h1>创建第一个组织者账号</h1>
      {Object.keys(e).length > 0 && <Flash kind="err">{e['_form'] ?? '提交的内容有误,请按提示修改'}</Flash>}
      <form class="stack" method="post" action="/setup">
        <CsrfField token={props.csrfToken} />
        {field('token', '部署时设置的初始化口令', 'password')}
        {field('username', '用户名')}
        {field('displayName', '姓名')}
        {field('password', '密码(至少 12 位)', 'password')}
        <div>
          <button type="submit">创建组织者</button>
        </div>
      </form>
    </section>
  );
}

setupRoutes.get('/setup', async (c) => {
  await assertOpen(c);
  return page(c, { title: '初始化' }, <SetupPage csrfToken={c.var.csrfToken} />);
});

setupRoutes.post('/setup', async (c) => {
  await assertOpen(c);
  await spendBudget(c, `setup:ip:${c.var.clientIp}`, { max: 10, windowMs: 15 * 60 * 1000 }, '尝试过于频繁,请稍后再试');
  const form = await formFields(c);
  if (!constantTimeEqual(form['token'] ?? '', c.var.setupToken!)) {
    return page(c, { title: '初始化', status: 403 }, <SetupPage csrfToken={c.var.csrfToken} values={form} errors={{ token: '初始化口令不正确' }} />);
  }
  try {
    await createStaffUser(c.var.db, { id: null, name: 'setup' }, { username: form['username'] ?? '', displayName: form['displayName'] ?? '', role: 'organiser', password: form['password'] ?? '' });
  } catch (caught) {
    const err = httpError(caught) ?? caught; // a domain error, as HTTP
    if (err instanceof AppError && err.status === 422) return page(c, { title: '初始化', status: 422 }, <SetupPage csrfToken={c.var.csrfToken} values={form} errors={err.fields} />);
    throw err;
  }
  return c.redirect('/login?next=/staff', 303);
});
