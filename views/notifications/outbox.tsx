import type { Campaign } from '../components/models';
import { chinaDate } from '../components/format';

const fmtDate = (ms: number | null | undefined) => (ms ? chinaDate(ms) : '—');

/* The view model: the fields this page shows. */
export type OutboxChannel = 'sms' | 'email';
export type OutboxStatus = 'pending' | 'sending' | 'sent' | 'failed';

export const OUTBOX_STATUS_LABELS: Record<OutboxStatus, string> = { pending: '待发送', sending: '发送中', sent: '已发送', failed: '发送失败' };
const CHANNEL_LABELS: Record<OutboxChannel, string> = { sms: '短信', email: '电子邮件' };
export const EVENT_LABELS: Record<string, string> = {
  received: '已受理',
  dispatched: '已分派',
  published: '答复公开(含评价链接)',
  reopened: '重新交办',
  closed: '办结',
  reminder_day10: '第 10 天提醒',
  reminder_day14: '第 14 天催办',
};

export interface OutboxView {
  id: string;
  code: string | null;
  channel: OutboxChannel;
  event: string;
  status: OutboxStatus;
  attempts: number;
  resends: number;
  lastError: string | null;
  createdAt: number;
  sentAt: number | null;
}

/** The organisers' view of the outbox: what was sent, what waits and why; never an address or a text. */
export function OutboxPage(props: { campaign: Campaign; rows: OutboxView[]; counts: Record<OutboxStatus, number>; providers: string }) {
  return (
    <section>
      <h1>通知发件箱</h1>
      <p class="muted">{props.providers}</p>
      <p>
        {(Object.keys(OUTBOX_STATUS_LABELS) as OutboxStatus[]).map((s) => (
          <span class="badge" data-testid={`outbox-${s}`}>
            {OUTBOX_STATUS_LABELS[s]} {props.counts[s]}
          </span>
        ))}
      </p>
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th>建议</th>
              <th>事项</th>
              <th>方式</th>
              <th>状态</th>
              <th>尝试 / 重发</th>
              <th>生成 / 发出</th>
              <th>最近错误</th>
            </tr>
          </thead>
          <tbody>
            {props.rows.map((r) => (
              <tr>
                <td>{r.code ? <a href={`/staff/c/${props.campaign.code}/suggestions/${r.code}`}>{r.code}</a> : '工作人员'}</td>
                <td>{EVENT_LABELS[r.event] ?? r.event}</td>
                <td>{CHANNEL_LABELS[r.channel]}</td>
                <td>{OUTBOX_STATUS_LABELS[r.status]}</td>
                <td>
                  {r.attempts} / {r.resends}
                </td>
                <td>
                  {fmtDate(r.createdAt)} / {fmtDate(r.sentAt)}
                </td>
                <td class="muted">{r.lastError ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
