import type { Campaign } from '../components/models';
import { CsrfField, FieldError, Flash } from '../components/layout';
import { base, StaffNav } from './parts';

export function ExcellencePage(props: {
  campaign: Campaign;
  rows: { seq: number; code: string; title: string; authorName: string; area: string; excellence: string; published: boolean; mean: number | null; reviewers: number; myScore: number | null }[];
  csrfToken: string;
  flash?: string | undefined;
  errors?: Record<string, string>;
}) {
  const b = base(props.campaign);
  const errors = props.errors ?? {};
  return (
    <section>
      <h1>优秀建议评选</h1>
      <StaffNav campaign={props.campaign} />
      {props.flash && <Flash kind="ok">{props.flash}</Flash>}
      {errors['_form'] && <Flash kind="err">{errors['_form']}</Flash>}
      <p>在建议详情页将答复较好的建议“列入优秀建议候选”;评审人各自打分(1–100 分),按平均分排序;勾选入选建议后公布。入选建议人可导出为下一年度“往年获评优秀建议市民代表”类别的候选人。</p>
      {props.rows.length === 0 ? (
        <p class="muted">尚无候选建议。</p>
      ) : (
        <>
          <table>
            <thead>
              <tr>
                <th>建议</th>
                <th>建议人</th>
                <th class="num">平均分(评审人数)</th>
                <th>我的评分</th>
              </tr>
            </thead>
            <tbody>
              {props.rows.map((r) => (
                <tr>
                  <td>
                    <a href={`${b}/${r.code}`}>{r.title}</a> {r.excellence === 'selected' && <span class="badge draft">{r.published ? '已公布' : '已入选'}</span>}
                  </td>
                  <td>{r.authorName}</td>
                  <td class="num">
                    {r.mean ?? '—'}({r.reviewers})
                  </td>
                  <td>
                    <form method="post" action={`${b}/${r.code}/score`} class="row">
                      <CsrfField token={props.csrfToken} />
                      <label for={`score-${r.seq}`} class="sr-only">
                        {r.title} 的评分
                      </label>
                      <input id={`score-${r.seq}`} name="score" type="number" min={1} max={100} value={r.myScore === null ? '' : String(r.myScore)} class="maxw-6em" />
                      <button type="submit" class="small">
                        评分
                      </button>
                    </form>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <form method="post" action={`${b}/excellent/publish`} class="stack">
            <CsrfField token={props.csrfToken} />
            <fieldset aria-describedby={errors['selected'] ? 'select-error' : undefined}>
              <legend>入选并公布的优秀建议</legend>
              {props.rows.map((r) => (
                <label class="fw-normal block">
                  <input type="checkbox" name="selected" value={r.code} checked={r.excellence === 'selected'} /> {r.title}({r.mean ?? '未评分'})
                </label>
              ))}
              <FieldError id="select-error" message={errors['selected']} />
            </fieldset>
            <div>
              <button type="submit">公布优秀建议名单</button>
            </div>
          </form>
          <p>
            <a href={`${b}/excellent/candidates.csv`} hx-boost="false">
              导出入选建议人(下一年度市民代表候选,CSV)
            </a>
          </p>
        </>
      )}
    </section>
  );
}
