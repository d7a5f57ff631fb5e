import { ADOPTION_LABELS, LIMITS, RATING_COMMENT_MAX, RATING_LABELS, STATUS_LABELS } from '../components/vocabulary';
import { chinaDate } from '../components/format';
import type { Campaign } from '../components/models';
import { CsrfField, FieldError, Flash } from '../components/layout';

/* The view model: the fields this page shows. */
export interface PublicSuggestionView {
  code: string;
  author: string;
  theme: string;
  area: string;
  title: string;
  body: string;
  status: 'received' | 'dispatched' | 'in_progress' | 'answered' | 'published' | 'merged' | 'not_accepted';
  publicAnswer: string;
  adoption: 'none' | 'next_year_plan' | 'work_report';
  createdAt: number;
  publishedAt: number | null;
  rejectReason: string | null;
}
export type Adoption = 'none' | 'next_year_plan' | 'work_report';
export type SuggestionStatus = 'received' | 'dispatched' | 'in_progress' | 'answered' | 'published' | 'merged' | 'not_accepted';

type Errors = Record<string, string>;
type Values = Record<string, string>;

export interface FormOptions {
  themes: readonly string[];
  areas: readonly string[];
  departments: readonly string[];
}

export const fmtDate = (ms: number | null | undefined) => (ms ? chinaDate(ms) : '—');

/** The intake form: public (phone first) and staff paper entry share it. */
export function SuggestionForm(props: {
  action: string;
  options: FormOptions;
  csrfToken: string;
  values?: Values | undefined;
  errors?: Errors | undefined;
  staff?: boolean;
  submitLabel?: string;
}) {
  const errors = props.errors ?? {};
  const v = props.values ?? {};
  const id = (n: string) => `sg-${n}`;
  const described = (n: string, hint?: boolean) => [errors[n] ? `${id(n)}-error` : '', hint ? `${id(n)}-hint` : ''].filter(Boolean).join(' ') || undefined;
  const input = (name: string, label: string, extra: Record<string, unknown> = {}, hint?: string) => (
    <div>
      <label for={id(name)}>{label}</label>
      <input id={id(name)} name={name} type="text" value={v[name] ?? ''} aria-invalid={errors[name] ? 'true' : undefined} aria-describedby={described(name, Boolean(hint))} {...extra} />
      {hint && (
        <div class="muted" id={`${id(name)}-hint`}>
          {hint}
        </div>
      )}
      <FieldError id={`${id(name)}-error`} message={errors[name]} />
    </div>
  );
  const select = (name: string, label: string, options: readonly string[], empty = '请选择') => (
    <div>
      <label for={id(name)}>{label}</label>
      <select id={id(name)} name={name} aria-invalid={errors[name] ? 'true' : undefined} aria-describedby={described(name)}>
        <option value="">{empty}</option>
        {options.map((o) => (
          <option value={o} selected={v[name] === o}>
            {o}
          </option>
        ))}
      </select>
      <FieldError id={`${id(name)}-error`} message={errors[name]} />
    </div>
  );
  return (
    <form class="stack" method="post" action={props.action} novalidate>
      <CsrfField token={props.csrfToken} />
      {Object.keys(errors).length > 0 && <Flash kind="err">{errors['_form'] ?? '提交的内容有误,请按提示修改'}</Flash>}
      <div class="hp" aria-hidden="true">
        <label for={id('website')}>网站(请留空)</label>
        <input id={id('website')} name="website" type="text" tabindex={-1} autocomplete="off" />
      </div>
      {input('authorName', '姓名(实名)', { autocomplete: props.staff ? 'off' : 'name', required: true, maxlength: LIMITS.name.max })}
      {input('mobile', '手机号码', { inputmode: 'tel', autocomplete: props.staff ? 'off' : 'tel', required: true, maxlength: 20 }, '仅用于联系和查询,不会公开,也不会提供给承办部门')}
      {input('email', '电子邮箱(选填)', { inputmode: 'email', autocomplete: props.staff ? 'off' : 'email', maxlength: LIMITS.email })}
      <fieldset aria-describedby={errors['notify'] ? `${id('notify')}-error` : undefined}>
        <legend>办理进度通知</legend>
        {(
          [
            ['sms', '短信通知(发到上面的手机号)'],
            ['email', '电子邮件通知(请填写邮箱)'],
            ['none', '不需要通知,我自己查询'],
          ] as const
        ).map(([value, label]) => (
          <label class="choice">
            <input type="radio" name="notify" value={value} checked={(v['notify'] ?? 'none') === value} /> {label}
          </label>
        ))}
        <div class="muted">受理、分派、答复公开、重新交办和办结时通知您;答复公开后可一键评价是否满意。</div>
        <FieldError id={`${id('notify')}-error`} message={errors['notify']} />
      </fieldset>
      {select('theme', '建议主题', props.options.themes)}
      {select('area', '所属领域', props.options.areas)}
      {input('title', `建议标题(${LIMITS.title.min}–${LIMITS.title.max} 字)`, { required: true, maxlength: LIMITS.title.max })}
      <div>
        <label for={id('body')}>{`建议内容(${LIMITS.body.min}–${LIMITS.body.max} 字)`}</label>
        <textarea id={id('body')} name="body" rows={8} required maxlength={LIMITS.body.max} aria-invalid={errors['body'] ? 'true' : undefined} aria-describedby={described('body', true)}>
          {v['body'] ?? ''}
        </textarea>
        <div class="muted" id={`${id('body')}-hint`}>
          请写清楚问题在哪里、是什么情况、您的具体建议。
        </div>
        <FieldError id={`${id('body')}-error`} message={errors['body']} />
      </div>
      {select('targetDepartment', '建议由哪个部门办理(选填,不确定可不选)', props.options.departments, '不确定,由组委会分派')}
      {props.staff && input('organisation', '报送单位(选填)', { maxlength: LIMITS.organisation })}
      <div>
        <button type="submit">{props.submitLabel ?? '提交建议'}</button>
      </div>
    </form>
  );
}

export function SuggestPage(props: { campaign: Campaign; options: FormOptions; csrfToken: string; values?: Values; errors?: Errors; closed?: string | undefined }) {
  const base = `/c/${props.campaign.code}/suggestions`;
  return (
    <section>
      <h1>我有建议</h1>
      <p>
        {props.campaign.name}面向市民征集意见建议。请实名填写,每条建议都会分派到责任部门办理并公开答复;提交后您会得到一个<strong>跟踪码</strong>,可随时
        <a href={`${base}/track`}>查询办理进度</a>。
      </p>
      {props.closed ? (
        <Flash kind="warn">{props.closed}</Flash>
      ) : (
        <SuggestionForm action={base} options={props.options} csrfToken={props.csrfToken} values={props.values} errors={props.errors} />
      )}
      <p>
        <a href={base}>查看已公开的建议答复</a>
      </p>
    </section>
  );
}

export function SuggestDone(props: { campaign: Campaign; code: string; duplicate?: 'same_author' | 'near_identical' | undefined; feedbackUrl?: string | undefined }) {
  const base = `/c/${props.campaign.code}/suggestions`;
  return (
    <section>
      <h1>{props.duplicate ? '建议已收到(与已有建议合并)' : '建议提交成功'}</h1>
      <Flash kind="ok">
        您的跟踪码是 <strong class="code" data-testid="tracking-code">{props.code}</strong>,请保存,用于查询办理进度和答复。
      </Flash>
      {props.duplicate === 'same_author' && <p>您此前已提交过内容相近的建议,系统没有重复登记,跟踪码与上次相同。</p>}
      {props.duplicate === 'near_identical' && <p>已有市民提交了内容几乎相同的建议,您的意见已作为附议合并到该建议,一并办理和答复。</p>}
      {props.feedbackUrl && (
        <p>
          答复公开后,请通过您的专用评价链接告诉我们是否满意(请保存,勿转发他人):
          <br />
          <a href={props.feedbackUrl} data-testid="feedback-link">
            {props.feedbackUrl}
          </a>
        </p>
      )}
      <p>
        <a class="button" href={`${base}/track?code=${encodeURIComponent(props.code)}`}>
          查询办理进度
        </a>
      </p>
      <p>
        <a href={base}>查看已公开的建议答复</a>
      </p>
    </section>
  );
}

/** Already masked by the route (author as 张*, personal data blanked): the view shows it as given. */
export interface PublicItem extends PublicSuggestionView {
  departments: string[];
  supporters?: number;
}

/** One suggestion as the public sees it: name masked, phone never, personal details blanked from the text. */
export function PublicSuggestion({ item, full }: { item: PublicItem; full?: boolean }) {
  return (
    <article class="card">
      <h3>{item.title}</h3>
      <p class="muted">
        {item.author} · {item.area} · {item.theme} · {fmtDate(item.createdAt)} · <span class="badge">{STATUS_LABELS[item.status]}</span>
        {item.departments.length > 0 && <> · 承办:{item.departments.join('、')}</>}
        {item.supporters ? <> · 附议 {item.supporters} 人</> : null}
      </p>
      <p class="prose">{full ? item.body : excerpt(item.body, 120)}</p>
      {full && item.status === 'not_accepted' && item.rejectReason && <p>不予受理的原因:{item.rejectReason}</p>}
      {full && item.status === 'merged' && item.publicAnswer && <p class="muted">本建议已与内容相同的建议合并办理,以下为合并办理的答复。</p>}
      {(item.status === 'published' || (full && item.status === 'merged')) && item.publicAnswer && (
        <div>
          <h4>答复({fmtDate(item.publishedAt)})</h4>
          <p class="prose">{full ? item.publicAnswer : excerpt(item.publicAnswer, 160)}</p>
          {item.adoption !== 'none' && <p class="badge draft">{ADOPTION_LABELS[item.adoption]}</p>}
        </div>
      )}
    </article>
  );
}

const excerpt = (s: string, n: number) => ([...s].length > n ? `${[...s].slice(0, n).join('')}…` : s);

export function TrackPage(props: { campaign: Campaign; code: string; item?: PublicItem | undefined; notFound?: boolean }) {
  const base = `/c/${props.campaign.code}/suggestions`;
  return (
    <section>
      <h1>查询建议办理进度</h1>
      <form method="get" action={`${base}/track`} class="row" role="search">
        <label for="track-code" class="sr-only">
          跟踪码
        </label>
        <input id="track-code" name="code" type="text" value={props.code} placeholder="跟踪码,如 JYABCD-2345" autocomplete="off" class="maxw-18em" aria-describedby={props.notFound ? 'track-error' : undefined} />
        <button type="submit">查询</button>
      </form>
      {props.notFound && (
        <div class="field-error" id="track-error" role="alert">
          没有找到跟踪码为“{props.code}”的建议,请核对后重试(跟踪码不区分大小写)。
        </div>
      )}
      {props.item && (
        <>
          <p>
            跟踪码 <strong>{props.item.code}</strong>:<span class="badge" data-testid="track-status">{STATUS_LABELS[props.item.status]}</span>
          </p>
          <PublicSuggestion item={props.item} full />
        </>
      )}
    </section>
  );
}

export interface ColumnFilters {
  q: string;
  area: string;
  department: string;
  status: string;
}

export function FeedbackColumn(props: {
  campaign: Campaign;
  options: FormOptions;
  filters: ColumnFilters;
  rows: PublicItem[];
  total: number;
  totalCapped?: boolean;
  page: number;
  pageSize: number;
}) {
  const base = `/c/${props.campaign.code}/suggestions`;
  const f = props.filters;
  const pages = Math.max(1, Math.ceil(props.total / props.pageSize));
  const link = (page: number) => `${base}?${new URLSearchParams({ ...f, page: String(page) }).toString()}`;
  return (
    <section>
      <h1>建议办理公开栏</h1>
      <p>
        <a class="button" href={`${base}/new`}>
          我有建议
        </a>{' '}
        <a class="button secondary" href={`${base}/track`}>
          查询办理进度
        </a>{' '}
        <a class="button secondary" href={`${base}/excellent`}>
          优秀建议
        </a>
      </p>
      <form method="get" action={base} class="stack" role="search" aria-label="搜索建议">
        <div>
          <label for="q">关键词</label>
          <input id="q" name="q" type="text" value={f.q} placeholder="如:公交线路、停车、学位" />
        </div>
        <div class="row">
          <div>
            <label for="f-area">领域</label>
            <select id="f-area" name="area">
              <option value="">全部领域</option>
              {props.options.areas.map((a) => (
                <option value={a} selected={f.area === a}>
                  {a}
                </option>
              ))}
            </select>
          </div>
          <div>
            <label for="f-dept">承办部门</label>
            <select id="f-dept" name="department">
              <option value="">全部部门</option>
              {props.options.departments.map((d) => (
                <option value={d} selected={f.department === d}>
                  {d}
                </option>
              ))}
            </select>
          </div>
          <div>
            <label for="f-status">状态</label>
            <select id="f-status" name="status">
              <option value="published" selected={f.status === 'published' || !f.status}>
                已公开答复
              </option>
              <option value="handling" selected={f.status === 'handling'}>
                办理中
              </option>
              <option value="all" selected={f.status === 'all'}>
                全部
              </option>
            </select>
          </div>
        </div>
        <div>
          <button type="submit">搜索</button>
        </div>
      </form>
      <p role="status">
        共 {props.total}
        {props.totalCapped ? '+' : ''} 条
      </p>
      <div class="stack maxw-none">
        {props.rows.map((r) => (
          <PublicSuggestion item={r} />
        ))}
      </div>
      {pages > 1 && (
        <nav aria-label="分页" class="row">
          {props.page > 1 && <a href={link(props.page - 1)}>上一页</a>}
          <span>
            第 {props.page} / {pages} 页
          </span>
          {props.page < pages && <a href={link(props.page + 1)}>下一页</a>}
        </nav>
      )}
    </section>
  );
}

export function ExcellentList(props: { campaign: Campaign; rows: { code: string; author: string; title: string; area: string; theme: string; adoption: Adoption }[] }) {
  return (
    <section>
      <h1>优秀建议</h1>
      {props.rows.length === 0 ? (
        <p class="muted">本年度优秀建议评选结果尚未公布。</p>
      ) : (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th>序号</th>
                <th>建议</th>
                <th>建议人</th>
                <th>领域</th>
                <th>采纳情况</th>
              </tr>
            </thead>
            <tbody>
              {props.rows.map((r, i) => (
                <tr>
                  <td class="num">{i + 1}</td>
                  <td>
                    <a href={`/c/${props.campaign.code}/suggestions/track?code=${encodeURIComponent(r.code)}`}>{r.title}</a>
                  </td>
                  <td>{r.author}</td>
                  <td>{r.area}</td>
                  <td>{ADOPTION_LABELS[r.adoption]}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

/** 回访: the author's private page (reached by the link in their message) to rate the published answer. */
export function FeedbackPage(props: {
  campaign: Campaign;
  item: PublicItem;
  token: string;
  csrfToken: string;
  canRate: boolean;
  ratings: { round: number; rating: keyof typeof RATING_LABELS; comment: string }[];
  done?: string | undefined;
  values?: Values;
  errors?: Errors;
}) {
  const errors = props.errors ?? {};
  const action = `/c/${props.campaign.code}/suggestions/${props.item.code}/feedback`;
  return (
    <section>
      <h1>办理结果评价(回访)</h1>
      {props.done && <Flash kind="ok">{props.done}</Flash>}
      <PublicSuggestion item={props.item} full />
      {props.ratings.length > 0 && (
        <div>
          <h2>您的评价</h2>
          <ul>
            {props.ratings.map((r) => (
              <li data-testid="my-rating">
                第 {r.round + 1} 次答复:{RATING_LABELS[r.rating]}
                {r.comment && <>({r.comment})</>}
              </li>
            ))}
          </ul>
        </div>
      )}
      {props.canRate ? (
        <form class="stack" method="post" action={action} novalidate>
          <CsrfField token={props.csrfToken} />
          <input type="hidden" name="t" value={props.token} />
          {Object.keys(errors).length > 0 && <Flash kind="err">{errors['_form'] ?? '请按提示修改'}</Flash>}
          <fieldset aria-describedby={errors['rating'] ? 'fb-rating-error' : undefined}>
            <legend>您对这次答复满意吗?</legend>
            <div class="choices">
              {(Object.keys(RATING_LABELS) as (keyof typeof RATING_LABELS)[]).map((k) => (
                <label class="choice">
                  <input type="radio" name="rating" value={k} checked={props.values?.['rating'] === k} /> {RATING_LABELS[k]}
                </label>
              ))}
            </div>
            <FieldError id="fb-rating-error" message={errors['rating']} />
          </fieldset>
          <div>
            <label for="fb-comment">意见(选“不满意”时请写明原因,将转交承办部门重新办理)</label>
            <textarea id="fb-comment" name="comment" rows={4} maxlength={RATING_COMMENT_MAX} aria-invalid={errors['comment'] ? 'true' : undefined} aria-describedby={errors['comment'] ? 'fb-comment-error' : undefined}>
              {props.values?.['comment'] ?? ''}
            </textarea>
            <FieldError id="fb-comment-error" message={errors['comment']} />
          </div>
          <div>
            <button type="submit">提交评价</button>
          </div>
        </form>
      ) : (
        !props.done && <p class="muted">{props.item.status === 'published' ? '本次答复已评价,感谢您的反馈。' : '答复公开后即可在此评价。'}</p>
      )}
    </section>
  );
}
