import { barChart } from '../components/format';
import type { Campaign } from '../components/models';
import { fmtDate } from './public';
import { base, StaffNav } from './parts';

function BarChartSvg({ title, rows, id }: { title: string; rows: { label: string; value: number }[]; id: string }) {
  const chart = barChart(rows);
  return (
    <figure class="card">
      <figcaption id={`${id}-title`}>
        <strong>{title}</strong>
      </figcaption>
      <svg viewBox={`0 0 ${chart.width} ${chart.height}`} width="100%" role="img" aria-labelledby={`${id}-title`} class="maxw-640px">
        {chart.bars.map((bar) => (
          <g>
            <text x={chart.labelWidth - 6} y={bar.y + chart.rowHeight * 0.65} text-anchor="end" font-size="13" fill="#1a1a1a">
              {bar.label}
            </text>
            <rect x={chart.labelWidth} y={bar.y + 3} width={Math.max(1, bar.length)} height={chart.rowHeight - 8} fill="#a3161a" />
            <text x={chart.labelWidth + bar.length + 6} y={bar.y + chart.rowHeight * 0.65} font-size="13" fill="#1a1a1a">
              {bar.value}
            </text>
          </g>
        ))}
      </svg>
    </figure>
  );
}

/** The organiser dashboard's card: totals and the status chart (loaded into /staff by htmx). */
export function StatsSummary(props: { campaignCode: string; total: number; overdue: number; medianHandling: string; byStatus: { label: string; value: number }[] }) {
  return (
    <div>
      <p>
        建议 <strong>{props.total}</strong> 条 · 逾期 <strong>{props.overdue}</strong> 条 · 办理时长中位数 <strong>{props.medianHandling}</strong>
      </p>
      <BarChartSvg id="dash-status" title="建议办理状态" rows={props.byStatus} />
    </div>
  );
}

export function StatsPage(props: {
  campaign: Campaign;
  total: number;
  byStatus: { label: string; value: number }[];
  byArea: { label: string; value: number }[];
  byTheme: { label: string; value: number }[];
  byDept: { label: string; value: number }[];
  medianHandling: string;
  answered: number;
  overdueDispatch: { code: string; title: string; deadline: number; lateDays: number }[];
  overdueAnswers: { code: string; title: string; department: string; deadline: number; lateDays: number }[];
  now: number;
}) {
  const b = base(props.campaign);
  return (
    <section>
      <h1>建议统计</h1>
      <StaffNav campaign={props.campaign} />
      <div class="cards four">
        <div class="card">
          <div>建议总数</div>
          <div class="stat">{props.total}</div>
        </div>
        <div class="card">
          <div>已答复</div>
          <div class="stat">{props.answered}</div>
        </div>
        <div class="card">
          <div>办理时长中位数(收到→答复)</div>
          <div class="stat">{props.medianHandling}</div>
        </div>
        <div class="card">
          <div>逾期</div>
          <div class="stat">{props.overdueDispatch.length + props.overdueAnswers.length}</div>
        </div>
      </div>
      <div class="cards">
        <BarChartSvg id="chart-status" title="按状态" rows={props.byStatus} />
        <BarChartSvg id="chart-area" title="按领域" rows={props.byArea} />
        <BarChartSvg id="chart-theme" title="按主题" rows={props.byTheme} />
        <BarChartSvg id="chart-dept" title="按承办部门(前 15)" rows={props.byDept.slice(0, 15)} />
      </div>
      <h2>逾期清单</h2>
      <table>
        <thead>
          <tr>
            <th>跟踪码</th>
            <th>标题</th>
            <th>环节</th>
            <th>期限</th>
            <th class="num">逾期天数</th>
          </tr>
        </thead>
        <tbody>
          {props.overdueDispatch.map((o) => (
            <tr>
              <td>
                <a href={`${b}/${o.code}`}>{o.code}</a>
              </td>
              <td>{o.title}</td>
              <td>待分派</td>
              <td>{fmtDate(o.deadline)}</td>
              <td class="num">{o.lateDays}</td>
            </tr>
          ))}
          {props.overdueAnswers.map((o) => (
            <tr>
              <td>
                <a href={`${b}/${o.code}`}>{o.code}</a>
              </td>
              <td>{o.title}</td>
              <td>{o.department} 答复</td>
              <td>{fmtDate(o.deadline)}</td>
              <td class="num">{o.lateDays}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {props.overdueDispatch.length + props.overdueAnswers.length === 0 && <p class="muted">没有逾期的建议。</p>}
    </section>
  );
}
