import { chinaDateTime } from '../components/format';
import { Flash } from '../components/layout';

/* The view model: the fields this page shows. */
export type ChainVerdict = { ok: true; count: number; head: string; } | { ok: false; count: number; brokenAt: number; reason: string; };
export interface AuditRow {
  seq: number;
  at: number;
  actorName: string;
  action: string;
  target: string;
  digest: string;
}


export function AuditPage(props: { rows: AuditRow[]; verdict: ChainVerdict }) {
  const { verdict } = props;
  return (
    <section>
      <h1>审计日志</h1>
      {verdict.ok ? (
        <Flash kind="ok">
          哈希链完整:共 {verdict.count} 条记录,链头 <code>{verdict.head.slice(0, 16)}…</code>
        </Flash>
      ) : (
        <Flash kind="err">
          哈希链断裂:{verdict.reason}(第 {verdict.brokenAt} 条)
        </Flash>
      )}
      <p class="muted">只追加、不可修改的工作人员操作记录。每条记录包含前一条的哈希,任何改动都会被校验发现。以下为最近 200 条。</p>
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col" class="num">
                序号
              </th>
              <th scope="col">时间</th>
              <th scope="col">操作人</th>
              <th scope="col">操作</th>
              <th scope="col">对象</th>
              <th scope="col">变更摘要</th>
            </tr>
          </thead>
          <tbody>
            {props.rows.map((r) => (
              <tr>
                <td class="num">{r.seq}</td>
                <td>{chinaDateTime(r.at)}</td>
                <td>{r.actorName}</td>
                <td>
                  <code>{r.action}</code>
                </td>
                <td>{r.target}</td>
                <td>
                  <code title={r.digest}>{r.digest.slice(0, 12)}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

