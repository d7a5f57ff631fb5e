import { expect } from 'vitest';
import { Browser } from './app';

type Fetchable = ConstructorParameters<typeof Browser>[0];

/**
 * A citizen's suggestion form and the organiser's and handlers' steps over HTTP, as the
 * suggestion tests drive them: `organiser` is read when a step runs (it logs in in beforeAll).
 */
export function suggestionFlows(app: () => Fetchable, organiser: () => Browser) {
  let mobileCounter = 0;
  const nextMobile = () => `139${String(10_000_000 + ++mobileCounter).slice(-8)}`;

  const form = (over: Record<string, string> = {}) => ({
    authorName: '张三',
    mobile: nextMobile(),
    theme: '共享',
    area: '民生保障',
    title: '增开社区公交接驳线路',
    body: '我们社区附近没有公交站,到地铁站要走二十分钟,建议增开社区公交接驳线路。',
    ...over,
  });

  async function submit(over: Record<string, string> = {}, b = new Browser(app())) {
    await b.get('/c/2018/suggestions/new');
    const r = await b.post('/c/2018/suggestions', form(over));
    const code = r.body.match(/data-testid="tracking-code">(JY[0-9A-Z-]+)</)?.[1];
    return { ...r, code: code! };
  }

  /** A form post with repeated fields (checkbox groups), which Browser.post cannot express. */
  async function postMulti(b: Browser, path: string, pairs: [string, string][]) {
    const params = new URLSearchParams(pairs);
    params.set('_csrf', b.csrf);
    const res = await app().request(`http://localhost${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: [...b.cookies].map(([k, v]) => `${k}=${v}`).join('; ') },
      body: params.toString(),
    });
    return { status: res.status, body: await res.text(), res };
  }

  async function dispatch(code: string, departments: string[]) {
    await organiser().get(`/staff/c/2018/suggestions/${code}`);
    const r = await postMulti(organiser(), `/staff/c/2018/suggestions/${code}/dispatch`, departments.map((d) => ['departments', d]));
    expect(r.status).toBe(303);
  }

  async function answer(handler: Browser, code: string, text: string, adoption = 'none') {
    await handler.get(`/staff/c/2018/handling/${code}`);
    const r = await handler.post(`/staff/c/2018/handling/${code}/answer`, { answer: text, adoption });
    expect(r.status).toBe(303);
  }

  async function publish(code: string) {
    await organiser().get(`/staff/c/2018/suggestions/${code}`);
    const r = await organiser().post(`/staff/c/2018/suggestions/${code}/publish`, {});
    expect(r.status).toBe(303);
  }

  return { nextMobile, form, submit, postMulti, dispatch, answer, publish };
}
