import { ADOPTION_LABELS, ASSIGNMENT_LABELS, LIMITS, MAX_REOPEN_ROUNDS, STATUS_LABELS } from '../components/vocabulary';
import type { Campaign } from '../components/models';
import { CsrfField, FieldError, Flash } from '../components/layout';
import { SuggestionForm, fmtDate, type FormOptions } from './public';
import { base, StaffNav, RatingsCard, type SuggestionStatus, type RoutingReason, type Assignment, type Suggestion, type RatingView } from './parts';

export function AnswerTemplatesPage(props: {
  campaign: Campaign;
  themes: readonly string[];
  templates: readonly { id: string; theme: string; title: string; body: string }[];
  csrfToken: string;
  values?: Record<string, string>;
  errors?: Record<string, string>;
  flash?: string | undefined;
}) {
  const e = props.errors ?? {};
  const v = props.values ?? {};
  const b = `${base(props.campaign)}/templates`;
  return (
    <section>
      <h1>答复模板</h1>
      <StaffNav campaign={props.campaign} />
      {props.flash && <Flash kind="ok">{props.flash}</Flash>}
      {props.themes.map((theme) => {
        const mine = props.templates.filter((t) => t.theme === theme);
        return (
          <div>
            <h2>{theme}</h2>
            {mine.length === 0 ? (
              <p class="muted">暂无模板。</p>
            ) : (
              <ul>
                {mine.map((t) => (
                  <li>
                    <strong>{t.title}</strong>:<span class="prose">{t.body}</span>
                    <form class="inline" method="post" action={`${b}/${t.id}/delete`}>
                      <CsrfField token={props.csrfToken} />
                      <button class="small secondary" type="submit">
                        删除
                      </button>
                    </form>
                  </li>
                ))}
              </ul>
            )}
          </div>
        );
      })}
      <h2>新建模板</h2>
      <form class="card stack" method="post" action={b} novalidate>
        <CsrfField token={props.csrfToken} />
        {Object.keys(e).length > 0 && <Flash kind="err">提交的内容有误,请按提示修改</Flash>}
        <div>
          <label for="tpl-theme">建议主题</label>
          <select id="tpl-theme" name="theme" aria-describedby={e['theme'] ? 'tpl-theme-error' : undefined}>
            <option value="">请选择</option>
            {props.themes.map((t) => (
              <option value={t} selected={v['theme'] === t}>
                {t}
              </option>
            ))}
          </select>
          <FieldError id="tpl-theme-error" message={e['theme']} />
        </div>
        <div>
          <label for="tpl-title">模板名称</label>
          <input id="tpl-title" name="title" type="text" value={v['title'] ?? ''} aria-describedby={e['title'] ? 'tpl-title-error' : undefined} />
          <FieldError id="tpl-title-error" message={e['title']} />
        </div>
        <div>
          <label for="tpl-body">答复内容(承办人在此基础上修改)</label>
          <textarea id="tpl-body" name="body" rows={6} aria-describedby={e['body'] ? 'tpl-body-error' : undefined}>
            {v['body'] ?? ''}
          </textarea>
          <FieldError id="tpl-body-error" message={e['body']} />
        </div>
        <div>
          <button type="submit">保存模板</button>
        </div>
      </form>
    </section>
  );
}

const STATUS_FILTERS: (SuggestionStatus | 'overdue')[] = ['received', 'overdue', 'dispatched', 'in_progress', 'answered', 'published', 'merged', 'not_accepted'];

export function QueuePage(props: {
  campaign: Campaign;
  rows: (Suggestion & { assignments: Assignment[] })[];
  total: number;
  page: number;
  pageSize: number;
  status: string;
  area: string;
  areas: readonly string[];
  now: number;
  flash?: string | undefined;
}) {
  const b = base(props.campaign);
  const pages = Math.max(1, Math.ceil(props.total / props.pageSize));
  const link = (page: number) => `${b}?${new URLSearchParams({ status: props.status, area: props.area, page: String(page) })}`;
  return (
    <section>
      <h1>市民建议分派与办理</h1>
      <StaffNav campaign={props.campaign} />
      {props.flash && <Flash kind="ok">{props.flash}</Flash>}
      <form method="get" action={b} class="row" aria-label="筛选">
        <div>
          <label for="q-status">状态</label>
          <select id="q-status" name="status">
            <option value="">全部</option>
            {STATUS_FILTERS.map((s) => (
              <option value={s} selected={props.status === s}>
                {s === 'overdue' ? '逾期未分派' : STATUS_LABELS[s]}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label for="q-area">领域</label>
          <select id="q-area" name="area">
            <option value="">全部</option>
            {props.areas.map((a) => (
              <option value={a} selected={props.area === a}>
                {a}
              </option>
            ))}
          </select>
        </div>
        <button type="submit">筛选</button>
      </form>
      <p>共 {props.total} 条</p>
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th>跟踪码</th>
              <th>标题</th>
              <th>领域</th>
              <th>收到</th>
              <th>状态</th>
              <th>承办部门</th>
            </tr>
          </thead>
          <tbody>
            {props.rows.map((r) => {
              const overdue = r.marks.lateDays !== null || r.assignments.some((a) => a.marks.lateDays !== null);
              return (
                <tr>
                  <td>
                    <a href={`${b}/${r.code}`}>{r.code}</a>
                  </td>
                  <td>{r.title}</td>
                  <td>{r.area}</td>
                  <td>{fmtDate(r.createdAt)}</td>
                  <td>
                    {STATUS_LABELS[r.status]} {overdue && <span class="badge frozen">逾期</span>}
                  </td>
                  <td>
                    {r.assignments
                      .filter((a) => a.status !== 'returned')
                      .map((a) => a.departmentName)
                      .join('、')}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
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

/** The matched words behind a proposal, in a line: 市民用语, 职责与往例中的词, 易混规则, 相似往例. */
function whyText(r: RoutingReason): string {
  const parts: string[] = [];
  if (r.phrases.length) parts.push(`市民用语:${r.phrases.slice(0, 5).join('、')}`);
  const words = r.words.filter((w) => !r.phrases.includes(w)).slice(0, 5);
  if (words.length) parts.push(`匹配词:${words.join('、')}`);
  if (r.rules.length) parts.push(`规则:${r.rules.join(';')}`);
  if (r.neighbours) parts.push(`相似的已分派建议 ${r.neighbours} 条`);
  return parts.join(' · ');
}

export function DetailPage(props: {
  campaign: Campaign;
  s: Suggestion;
  assignments: Assignment[];
  supporters: { authorName: string; similarity: number; createdAt: number }[];
  /** The author's mobile and e-mail, opened from their sealed copy for the organisers. */
  contact?: { mobile: string; email: string | null } | undefined;
  candidates: RoutingReason[];
  departments: readonly string[];
  csrfToken: string;
  now: number;
  errors?: Record<string, string>;
  flash?: string | undefined;
  ratings?: readonly RatingView[];
}) {
  const { s } = props;
  const b = `${base(props.campaign)}/${s.code}`;
  const errors = props.errors ?? {};
  const active = props.assignments.filter((a) => a.status !== 'returned');
  const activeNames = new Set(active.map((a) => a.departmentName));
  const preselect = activeNames.size ? activeNames : new Set([s.targetDepartment ?? props.candidates[0]?.department].filter(Boolean) as string[]);
  const ranked = new Map(props.candidates.map((c) => [c.department, c.score]));
  const shown = [...props.candidates.slice(0, 8).map((c) => c.department), ...props.departments.filter((d) => !ranked.has(d) || props.candidates.findIndex((c) => c.department === d) >= 8)];
  // why each proposed department came up: the dispatcher checks the words before confirming
  const reasons = new Map(props.candidates.filter((c) => whyText(c)).map((c) => [c.department, whyText(c)]));
  const canDispatch = s.status === 'received' || s.status === 'dispatched' || s.status === 'in_progress';
  return (
    <section>
      <h1>
        {s.title} <span class="badge">{STATUS_LABELS[s.status]}</span>
      </h1>
      <StaffNav campaign={props.campaign} />
      {props.flash && <Flash kind="ok">{props.flash}</Flash>}
      {Object.keys(errors).length > 0 && <Flash kind="err">{errors['_form'] ?? '操作未完成,请按提示修改'}</Flash>}
      <dl class="cards">
        <div class="card">
          <dt>跟踪码</dt>
          <dd>{s.code}</dd>
          <dt>建议人(仅组委会可见,不提供给承办部门)</dt>
          <dd>
            {s.authorName} · {props.contact ? props.contact.mobile : '(联系方式无法解密,请联系技术保障组)'}
            {props.contact?.email ? ` · ${props.contact.email}` : ''}
            {s.organisation ? ` · ${s.organisation}` : ''}
          </dd>
          <dt>主题 / 领域</dt>
          <dd>
            {s.theme} / {s.area}
          </dd>
          <dt>收到 / 分派期限</dt>
          <dd>
            {fmtDate(s.createdAt)} / {fmtDate(s.dispatchBy)} {s.marks.lateDays !== null && <span class="badge frozen">逾期 {s.marks.lateDays} 天</span>}
          </dd>
          {s.targetDepartment && (
            <>
              <dt>市民建议的部门</dt>
              <dd>{s.targetDepartment}</dd>
            </>
          )}
        </div>
        <div class="card">
          <p class="prose">{s.body}</p>
          {props.supporters.length > 0 && (
            <p class="muted">
              附议 {props.supporters.length} 人:{props.supporters.map((x) => x.authorName).join('、')}
            </p>
          )}
          {s.rejectReason && <p>不予受理原因:{s.rejectReason}</p>}
          {s.duplicateOf !== null && <p>已合并到另一条建议。</p>}
        </div>
      </dl>

      <RatingsCard ratings={props.ratings ?? []} />
      {s.closedAt !== null && <p class="badge">已办结({fmtDate(s.closedAt)})</p>}
      {s.organiserReview && <Flash kind="warn">{`市民对第 ${MAX_REOPEN_ROUNDS + 1} 次答复仍不满意,已超过重新交办次数,请组委会研究决定。`}</Flash>}
      {s.status === 'published' && s.closedAt === null && (
        <form method="post" action={`${b}/close`} class="stack">
          <CsrfField token={props.csrfToken} />
          <label for="close-note">办结说明(组委会决定结束回访)</label>
          <input id="close-note" name="note" type="text" maxlength={LIMITS.reason.max} aria-describedby={errors['note'] ? 'close-error' : undefined} />
          <FieldError id="close-error" message={errors['note']} />
          <div>
            <button type="submit">办结</button>
          </div>
        </form>
      )}

      <h2>承办部门</h2>
      {props.assignments.length === 0 ? (
        <p class="muted">尚未分派。</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th>部门</th>
              <th>状态</th>
              <th>期限</th>
              <th>答复 / 退回原因</th>
            </tr>
          </thead>
          <tbody>
            {props.assignments.map((a) => (
              <tr>
                <td>{a.departmentName}</td>
                <td>
                  {ASSIGNMENT_LABELS[a.status]} {a.marks.lateDays !== null && <span class="badge frozen">逾期 {a.marks.lateDays} 天</span>}
                </td>
                <td>{fmtDate(a.deadlineAt)}</td>
                <td class="prose">
                  {a.answer ?? ''}
                  {a.answer && <div class="muted">{ADOPTION_LABELS[a.adoption]}</div>}
                  {a.returnReason && <div class="muted">退回:{a.returnReason}</div>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}

      {canDispatch && (
        <form method="post" action={`${b}/dispatch`} class="stack">
          <CsrfField token={props.csrfToken} />
          <fieldset aria-describedby={errors['departments'] ? 'dispatch-error' : undefined}>
            <legend>分派(系统推荐按得分排序;勾选一个即确认或改派,勾选多个即拆分给多个部门)</legend>
            {shown.map((d) => (
              <label class="fw-normal block">
                <input type="checkbox" name="departments" value={d} checked={preselect.has(d)} /> {d}
                {ranked.has(d) && <span class="muted"> · 得分 {ranked.get(d)}</span>}
                {reasons.has(d) && <span class="muted routing-why"> · {reasons.get(d)}</span>}
              </label>
            ))}
            <FieldError id="dispatch-error" message={errors['departments']} />
          </fieldset>
          <div>
            <button type="submit">{active.length ? '确认改派' : '确认分派'}</button>
          </div>
        </form>
      )}

      {s.status === 'answered' && (
        <form method="post" action={`${b}/publish`} class="stack">
          <CsrfField token={props.csrfToken} />
          <p>各承办部门均已答复。公开后,答复将出现在建议办理公开栏(建议人姓名只显示姓氏,手机号不公开)。</p>
          <div>
            <button type="submit">公开答复</button>
          </div>
        </form>
      )}

      {(s.status === 'published' || s.status === 'answered') && s.excellence === 'none' && (
        <form method="post" action={`${b}/shortlist`}>
          <CsrfField token={props.csrfToken} />
          <button type="submit" class="secondary">
            列入优秀建议候选
          </button>
        </form>
      )}

      {(s.status === 'received' || s.status === 'dispatched') && (
        <div class="cards">
          <form method="post" action={`${b}/merge`} class="stack card">
            <CsrfField token={props.csrfToken} />
            <div>
              <label for="merge-into">合并为重复建议:原建议的跟踪码</label>
              <input id="merge-into" name="into" type="text" aria-describedby={errors['into'] ? 'merge-error' : undefined} />
              <FieldError id="merge-error" message={errors['into']} />
            </div>
            <div>
              <button type="submit" class="secondary">
                合并
              </button>
            </div>
          </form>
          {s.status === 'received' && (
            <form method="post" action={`${b}/reject`} class="stack card">
              <CsrfField token={props.csrfToken} />
              <div>
                <label for="reject-reason">不予受理的原因(将告知建议人)</label>
                <textarea id="reject-reason" name="reason" rows={3} maxlength={LIMITS.reason.max} aria-describedby={errors['reason'] ? 'reject-error' : undefined}></textarea>
                <FieldError id="reject-error" message={errors['reason']} />
              </div>
              <div>
                <button type="submit" class="secondary">
                  不予受理
                </button>
              </div>
            </form>
          )}
        </div>
      )}
    </section>
  );
}

export function PaperEntryPage(props: { campaign: Campaign; options: FormOptions; csrfToken: string; values?: Record<string, string>; errors?: Record<string, string>; flash?: string | undefined }) {
  return (
    <section>
      <h1>录入纸质建议</h1>
      <StaffNav campaign={props.campaign} />
      {props.flash && <Flash kind="ok">{props.flash}</Flash>}
      <p>现场收集的纸质建议表逐份录入;录入后按同样规则查重和分派。</p>
      <SuggestionForm action={`${base(props.campaign)}/new`} options={props.options} csrfToken={props.csrfToken} values={props.values} errors={props.errors} staff submitLabel="录入" />
    </section>
  );
}

export function SuggestionImportPage(props: {
  campaign: Campaign;
  csrfToken: string;
  organisation?: string;
  result?: { imported: string[]; bad: { line: number; reason: string }[] } | undefined;
  error?: string | undefined;
  columns: string;
}) {
  return (
    <section>
      <h1>批量导入组织报送的建议</h1>
      <StaffNav campaign={props.campaign} />
      <p>
        区(市)、社会团体、研究机构汇总报送的建议,可用 Excel 另存为 CSV(UTF-8 或 GBK 均可)上传。第一行为表头:<code>{props.columns}</code>
        (邮箱、建议部门、单位可选)。合格的行一次全部导入(要么全部成功,要么都不导入);有问题的行按行号列出,改正后可单独再导入。
      </p>
      {props.error && (
        <Flash kind="err">
          <span id="import-error">{props.error}</span>
        </Flash>
      )}
      {props.result && (
        <>
          <Flash kind={props.result.bad.length ? 'warn' : 'ok'}>
            已导入 {props.result.imported.length} 条{props.result.bad.length ? `,${props.result.bad.length} 行有问题未导入` : ''}。
          </Flash>
          {props.result.bad.length > 0 && (
            <table>
              <thead>
                <tr>
                  <th>行号</th>
                  <th>问题</th>
                </tr>
              </thead>
              <tbody>
                {props.result.bad.map((b) => (
                  <tr>
                    <td class="num">第 {b.line} 行</td>
                    <td>{b.reason}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
      <form method="post" action={`${base(props.campaign)}/import`} enctype="multipart/form-data" class="stack" hx-boost="false">
        <CsrfField token={props.csrfToken} />
        <div>
          <label for="import-org">报送单位</label>
          <input id="import-org" name="organisation" type="text" value={props.organisation ?? ''} maxlength={LIMITS.organisation} />
        </div>
        <div>
          <label for="import-file">CSV 文件</label>
          <input id="import-file" name="file" type="file" accept=".csv,text/csv" aria-describedby={props.error ? 'import-error' : undefined} />
        </div>
        <div>
          <button type="submit">导入</button>
        </div>
      </form>
    </section>
  );
}
