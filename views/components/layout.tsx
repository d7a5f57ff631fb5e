import { scriptSrc } from './scripts';
import type { Child } from 'hono/jsx';

export interface LayoutProps {
  title: string;
  /** The signed-in staff member as the header shows them (the route names the role). */
  user: { displayName: string; roleLabel: string } | null;
  csrfToken: string;
  campaignCode?: string | undefined;
  children?: Child;
}

// htmx swaps every response (error pages and 422 forms included), except 204.
const HTMX_CONFIG = JSON.stringify({
  responseHandling: [
    { code: '204', swap: false },
    { code: '...', swap: true },
  ],
  historyCacheSize: 0,
  // under the Content-Security-Policy: no inline <style> of its own (its rules are in app.css), no eval
  includeIndicatorStyles: false,
  allowEval: false,
});

export function Layout({ title, user, csrfToken, campaignCode, children }: LayoutProps) {
  const c = campaignCode ? `/c/${campaignCode}` : '';
  return (
    <html lang="zh-CN">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="htmx-config" content={HTMX_CONFIG} />
        <title>{`${title} · 三民活动`}</title>
        <link rel="stylesheet" href="/static/app.css" />
        <script src="/static/htmx.min.js" defer></script>
        <script src={scriptSrc('page.js')} defer></script>
      </head>
      <body hx-boost="true" hx-headers={JSON.stringify({ 'X-CSRF-Token': csrfToken })}>
        <a class="skip" href="#main">跳到正文</a>
        <header class="site">
          <div class="bar">
            <a class="brand" href={c || '/'}>三民活动 · 向市民报告 听市民意见 请市民评议</a>
            <nav aria-label="主导航">
              {c && <a href={`${c}/agenda`}>述职安排</a>}
              {c && <a href={`${c}/departments`}>部门</a>}
              {c && <a href={`${c}/venues`}>会场</a>}
              {c && <a href={`${c}/results`}>评议结果</a>}
              {c && <a href={`${c}/suggestions`}>市民建议</a>}
              {user ? (
                <>
                  <a href="/staff">工作台({user.displayName} · {user.roleLabel})</a>
                  <form class="inline" method="post" action="/logout" hx-boost="false">
                    <input type="hidden" name="_csrf" value={csrfToken} />
                    <button class="small secondary" type="submit">退出</button>
                  </form>
                </>
              ) : (
                <a href="/login">工作人员登录</a>
              )}
            </nav>
          </div>
        </header>
        <main id="main" tabindex={-1}>
          {children}
        </main>
        <footer class="site">三民活动评议系统 · 评议票匿名填写、密封保管、第三方统计</footer>
      </body>
    </html>
  );
}

export function Flash({ kind, children }: { kind: 'ok' | 'err' | 'warn'; children?: Child }) {
  return (
    <div class={`flash ${kind}`} role={kind === 'err' ? 'alert' : 'status'}>
      {children}
    </div>
  );
}

export function FieldError({ message, id }: { message?: string | undefined; id: string }) {
  return message ? (
    <div class="field-error" id={id}>
      {message}
    </div>
  ) : null;
}

export function CsrfField({ token }: { token: string }) {
  return <input type="hidden" name="_csrf" value={token} />;
}
