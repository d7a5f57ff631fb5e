export function ErrorPage({ status, message, code }: { status: number; message: string; code: string }) {
  return (
    <section role="alert">
      <h1>{status === 404 ? '找不到页面' : status === 403 ? '无权访问' : status >= 500 ? '系统出现问题' : '无法完成操作'}</h1>
      <p>{message}</p>
      <p class="muted">
        错误代码:{code}(HTTP {status})
      </p>
      <p>
        <a href="/">返回首页</a>
      </p>
    </section>
  );
}
