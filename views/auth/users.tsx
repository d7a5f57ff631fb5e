import { CsrfField, FieldError, Flash } from '../components/layout';

/* The view model: the fields this page shows. */
export interface User {
  id: string;
  username: string;
  displayName: string;
  role: string;
  /** The role as staff read it (the route passes the domain's label). */
  roleLabel: string;
  venueName: string | null;
  departmentName: string | null;
  email: string | null;
  active: boolean;
}


export function UsersPage(props: {
  users: User[];
  /** Every role a new account may take, in order, with its label. */
  roleOptions: { value: string; label: string }[];
  venues: string[];
  departments: string[];
  csrfToken: string;
  values?: Record<string, string>;
  errors?: Record<string, string>;
  flash?: string | undefined;
}) {
  const errors = props.errors ?? {};
  const v = props.values ?? { role: 'venue_staff' };
  const field = (name: string, label: string, type = 'text', autocomplete?: string) => (
    <div>
      <label for={`user-${name}`}>{label}</label>
      <input id={`user-${name}`} name={name} type={type} value={type === 'password' ? '' : (v[name] ?? '')} autocomplete={autocomplete} aria-invalid={errors[name] ? 'true' : undefined} aria-describedby={errors[name] ? `user-${name}-error` : undefined} />
      <FieldError id={`user-${name}-error`} message={errors[name]} />
    </div>
  );
  return (
    <section>
      <h1>工作人员账号</h1>
      {props.flash && <Flash kind="ok">{props.flash}</Flash>}
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">用户名</th>
              <th scope="col">姓名</th>
              <th scope="col">角色</th>
              <th scope="col">范围</th>
              <th scope="col">状态</th>
              <th scope="col">操作</th>
            </tr>
          </thead>
          <tbody>
            {props.users.map((u) => (
              <tr>
                <td>{u.username}</td>
                <td>{u.displayName}</td>
                <td>{u.roleLabel}</td>
                <td>
                  {u.venueName ?? u.departmentName ?? '—'}
                  {u.role === 'dept_handler' && (
                    <form class="inline" method="post" action={`/staff/users/${u.id}/email`}>
                      <CsrfField token={props.csrfToken} />
                      <label class="sr-only" for={`email-${u.id}`}>
                        {u.username} 的工作邮箱
                      </label>
                      <input id={`email-${u.id}`} name="email" type="email" value={u.email ?? ''} placeholder="工作邮箱" />
                      <button class="small secondary" type="submit">
                        保存邮箱
                      </button>
                    </form>
                  )}
                </td>
                <td>{u.active ? '启用' : '已停用'}</td>
                <td>
                  <form class="inline" method="post" action={`/staff/users/${u.id}/active`}>
                    <CsrfField token={props.csrfToken} />
                    <input type="hidden" name="active" value={u.active ? 'no' : 'yes'} />
                    <button class="small secondary" type="submit">
                      {u.active ? '停用' : '启用'}
                    </button>
                  </form>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <h2>新建账号</h2>
      <form class="card stack" method="post" action="/staff/users">
        <CsrfField token={props.csrfToken} />
        {Object.keys(errors).length > 0 && <Flash kind="err">{errors['_form'] ?? '提交的内容有误,请按提示修改'}</Flash>}
        {field('username', '用户名(字母、数字、点、下划线)', 'text', 'off')}
        {field('displayName', '姓名')}
        <div>
          <label for="user-role">角色</label>
          <select id="user-role" name="role">
            {props.roleOptions.map((r) => (
              <option value={r.value} selected={v['role'] === r.value}>
                {r.label}
              </option>
            ))}
          </select>
          <FieldError id="user-role-error" message={errors['role']} />
        </div>
        <div>
          <label for="user-venueName">所属会场(会场工作人员必填)</label>
          <select id="user-venueName" name="venueName">
            <option value="">—</option>
            {props.venues.map((n) => (
              <option value={n} selected={v['venueName'] === n}>
                {n}
              </option>
            ))}
          </select>
          <FieldError id="user-venueName-error" message={errors['venueName']} />
        </div>
        <div>
          <label for="user-departmentName">所属部门(部门承办人必填)</label>
          <select id="user-departmentName" name="departmentName">
            <option value="">—</option>
            {props.departments.map((n) => (
              <option value={n} selected={v['departmentName'] === n}>
                {n}
              </option>
            ))}
          </select>
          <FieldError id="user-departmentName-error" message={errors['departmentName']} />
        </div>
        {field('email', '工作邮箱(选填;部门承办人用于接收办理提醒)', 'email', 'off')}
        {field('password', '初始密码(至少 12 位)', 'password', 'new-password')}
        <div>
          <button type="submit">新建账号</button>
        </div>
      </form>
    </section>
  );
}

