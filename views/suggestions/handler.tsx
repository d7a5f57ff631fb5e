import { ADOPTION_LABELS, ASSIGNMENT_LABELS, LIMITS } from '../components/vocabulary';
import type { Campaign } from '../components/models';
import { CsrfField, FieldError, Flash } from '../components/layout';
import { fmtDate } from './public';
import { RatingsCard, type Adoption, type AssignmentStatus, type DeadlineMarks, type RatingView } from './parts';

export interface HandlerRow {
  marks: DeadlineMarks;
  code: string;
  title: string;
  body: string;
  theme: string;
  area: string;
  status: AssignmentStatus;
  answer: string | null;
  adoption: Adoption;
  returnReason: string | null;
  assignedAt: number;
  deadlineAt: number;
}

export function HandlerListPage(props: { campaign: Campaign; department: string; rows: HandlerRow[]; now: number; flash?: string | undefined }) {
  return (
    <section>
      <h1>{props.department} · 待办建议</h1>
      {props.flash && <Flash kind="ok">{props.flash}</Flash>}
      <p class="muted">按工作纪律,建议人的姓名和联系方式不向承办部门提供;如需联系,请通过组委会。</p>
      {(() => {
        const urgent = props.rows.filter((r) => r.marks.reminder === 'day14').length;
        const soon = props.rows.filter((r) => r.marks.reminder === 'day10').length;
        return urgent + soon > 0 ? (
          <Flash kind="warn">
            <span data-testid="handling-reminder">
              {urgent > 0 && `${urgent} 件明天到期(已办理 14 天),请今天内答复。`}
              {soon > 0 && `${soon} 件已办理 10 天,距答复期限不足 5 天。`}
            </span>
          </Flash>
        ) : null;
      })()}
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th>跟踪码</th>
              <th>标题</th>
              <th>领域</th>
              <th>状态</th>
              <th>答复期限</th>
            </tr>
          </thead>
          <tbody>
            {props.rows.map((r) => (
              <tr>
                <td>
                  <a href={`/staff/c/${props.campaign.code}/handling/${r.code}`}>{r.code}</a>
                </td>
                <td>{r.title}</td>
                <td>{r.area}</td>
                <td>{ASSIGNMENT_LABELS[r.status]}</td>
                <td>
                  {fmtDate(r.deadlineAt)} {r.marks.lateDays !== null && <span class="badge frozen">逾期 {r.marks.lateDays} 天</span>}
                  {r.marks.lateDays === null && r.marks.reminder === 'day14' && <span class="badge frozen">明天到期</span>}
                  {r.marks.reminder === 'day10' && <span class="badge draft">剩余不足 5 天</span>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}


export function HandlerItemPage(props: {
  campaign: Campaign;
  item: HandlerRow;
  csrfToken: string;
  now: number;
  values?: Record<string, string>;
  errors?: Record<string, string>;
  ratings?: readonly RatingView[];
  templates?: readonly { id: string; title: string }[];
  duplicates?: number;
}) {
  const { item } = props;
  const errors = props.errors ?? {};
  const v = props.values ?? {};
  const b = `/staff/c/${props.campaign.code}/handling/${item.code}`;
  const open = item.status === 'dispatched' || item.status === 'in_progress';
  return (
    <section>
      <h1>{item.title}</h1>
      <p>
        <a href={`/staff/c/${props.campaign.code}/handling`}>返回待办列表</a>
      </p>
      {Object.keys(errors).length > 0 && <Flash kind="err">操作未完成,请按提示修改</Flash>}
      <p class="muted">
        {item.code} · {item.theme} · {item.area} · {ASSIGNMENT_LABELS[item.status]} · 答复期限 {fmtDate(item.deadlineAt)}{' '}
        {item.marks.lateDays !== null && <span class="badge frozen">逾期</span>}
      </p>
      <div class="card">
        <p class="prose">{item.body}</p>
      </div>
      <RatingsCard ratings={props.ratings ?? []} />
      {item.answer && (
        <div class="card">
          <h2>本部门答复</h2>
          <p class="prose">{item.answer}</p>
          <p>{ADOPTION_LABELS[item.adoption]}</p>
        </div>
      )}
      {item.status === 'dispatched' && (
        <form method="post" action={`${b}/accept`}>
          <CsrfField token={props.csrfToken} />
          <button type="submit">签收并开始办理</button>
        </form>
      )}
      {open && (
        <>
          {(props.duplicates ?? 0) > 0 && <p class="muted">本建议合并了 {props.duplicates} 条内容相同的建议,公开时本答复一并答复这些建议人。</p>}
          {(props.templates ?? []).length > 0 && (
            <nav aria-label="答复模板" class="row">
              <span>从模板开始({item.theme}):</span>
              {props.templates!.map((t) => (
                <a href={`${b}?template=${t.id}`} data-testid="answer-template">
                  {t.title}
                </a>
              ))}
            </nav>
          )}
          <form method="post" action={`${b}/answer`} class="stack">
            <CsrfField token={props.csrfToken} />
            <div>
              <label for="answer-text">办理答复(将公开)</label>
              <textarea id="answer-text" name="answer" rows={8} maxlength={LIMITS.answer.max} aria-invalid={errors['answer'] ? 'true' : undefined} aria-describedby={errors['answer'] ? 'answer-error' : undefined}>
                {v['answer'] ?? ''}
              </textarea>
              <FieldError id="answer-error" message={errors['answer']} />
            </div>
            <fieldset aria-describedby={errors['adoption'] ? 'adoption-error' : undefined}>
              <legend>采纳情况</legend>
              {(['none', 'next_year_plan', 'work_report'] as const).map((a) => (
                <label class="fw-normal block">
                  <input type="radio" name="adoption" value={a} checked={(v['adoption'] ?? 'none') === a} /> {ADOPTION_LABELS[a]}
                </label>
              ))}
              <FieldError id="adoption-error" message={errors['adoption']} />
            </fieldset>
            <div>
              <button type="submit">提交答复</button>
            </div>
          </form>
          <form method="post" action={`${b}/return`} class="stack">
            <CsrfField token={props.csrfToken} />
            <div>
              <label for="return-reason">不属于本部门职责?退回组委会重新分派,并说明原因</label>
              <textarea id="return-reason" name="reason" rows={3} maxlength={LIMITS.reason.max} aria-invalid={errors['reason'] ? 'true' : undefined} aria-describedby={errors['reason'] ? 'return-error' : undefined}>
                {v['reason'] ?? ''}
              </textarea>
              <FieldError id="return-error" message={errors['reason']} />
            </div>
            <div>
              <button type="submit" class="secondary">
                退回
              </button>
            </div>
          </form>
        </>
      )}
    </section>
  );
}
