import { CsrfField, FieldError, Flash } from '../components/layout';

export function LoginPage(props: { csrfToken: string; next: string; username?: string; error?: string }) {
  return (
    <section>
      <h1>工作人员登录</h1>
      <p class="muted">组织者、会场工作人员、统计人员、计票保管人、部门承办人和监督审计员使用本系统账号登录。</p>
      {props.error && <Flash kind="err">{props.error}</Flash>}
      <form class="stack" method="post" action="/login" hx-boost="false">
        <CsrfField token={props.csrfToken} />
        <input type="hidden" name="next" value={props.next} />
        <div>
          <label for="username">用户名</label>
          <input id="username" name="username" type="text" autocomplete="username" required value={props.username ?? ''} />
        </div>
        <div>
          <label for="password">密码</label>
          <input id="password" name="password" type="password" autocomplete="current-password" required />
          <FieldError id="password-error" message={undefined} />
        </div>
        <div>
          <button type="submit">登录</button>
        </div>
      </form>
    </section>
  );
}
