import { formatRate } from './format';

/* The view model: the fields this page shows. */
export interface HandlingScore {
  department: string;
  received: number;
  onTimeRate: number | null;
  medianDays: number | null;
  ratings: number;
  satisfactionRate: number | null;
  reopenedRate: number | null;
  adopted: number;
  score: number | null;
}

/** Each department's handling of suggestions, beside its ballot result; the formula in plain Chinese. */
export function HandlingScoresTable(props: { scores: readonly HandlingScore[]; formula: string; csvHref?: string | undefined; heading?: string }) {
  return (
    <section aria-labelledby="handling-heading">
      <h2 id="handling-heading">{props.heading ?? '市民建议办理情况'}</h2>
      <div class="table-wrap">
        <table data-testid="handling-scores">
          <thead>
            <tr>
              <th>部门</th>
              <th>收到建议</th>
              <th>按期答复率</th>
              <th>答复中位天数</th>
              <th>回访满意率(评价数)</th>
              <th>重新交办率</th>
              <th>采纳为下一年度计划</th>
              <th>办理得分</th>
            </tr>
          </thead>
          <tbody>
            {props.scores.map((s) => (
              <tr>
                <td>{s.department}</td>
                <td>{s.received}</td>
                <td>{formatRate(s.onTimeRate)}</td>
                <td>{s.medianDays ?? '—'}</td>
                <td>
                  {formatRate(s.satisfactionRate)}({s.ratings})
                </td>
                <td>{formatRate(s.reopenedRate)}</td>
                <td>{s.adopted}</td>
                <td>
                  <strong>{s.score ?? '—'}</strong>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p class="muted">{props.formula}</p>
      {props.csvHref && (
        <p>
          <a href={props.csvHref}>下载办理情况 CSV</a>
        </p>
      )}
    </section>
  );
}

/** Organisers: when the handling period closes (scores become public on department pages) and the formula's weights. */
export function HandlingSettingsForm(props: {
  action: string;
  csrfToken: string;
  values: { closesOn: string; onTime: string; satisfaction: string; notReopened: string };
  formula: string;
  errors?: Record<string, string>;
  flash?: string | undefined;
}) {
  const e = props.errors ?? {};
  const field = (name: keyof typeof props.values, label: string, type = 'number') => (
    <div>
      <label for={`hs-${name}`}>{label}</label>
      <input id={`hs-${name}`} name={name} type={type} value={props.values[name]} aria-invalid={e[name] ? 'true' : undefined} aria-describedby={e[name] ? `hs-${name}-error` : undefined} />
      {e[name] && (
        <div class="field-error" id={`hs-${name}-error`}>
          {e[name]}
        </div>
      )}
    </div>
  );
  return (
    <section aria-labelledby="hs-heading">
      <h2 id="hs-heading">办理得分的公布与计算</h2>
      {props.flash && <p class="flash ok">{props.flash}</p>}
      <form method="post" action={props.action} class="stack" novalidate>
        <input type="hidden" name="_csrf" value={props.csrfToken} />
        {field('closesOn', '办理期截止日期(此后各部门页面公布办理得分;留空则在活动结束时公布)', 'date')}
        {field('onTime', '按期答复率权重(%)')}
        {field('satisfaction', '回访满意率权重(%)')}
        {field('notReopened', '未重新交办权重(%)')}
        <div>
          <button type="submit">保存</button>
        </div>
      </form>
      <p class="muted">{props.formula}</p>
    </section>
  );
}
