import { chinaDateTime } from '../components/format';
import { scriptSrc } from '../components/scripts';
import { renderSVG } from 'uqr';
import type { Campaign } from '../components/models';
import { groupName } from '../components/ui';
import { CsrfField, Flash } from '../components/layout';

/* The view model: the fields this page shows. */
export interface Checkin {
  id: string;
  state: 'issued' | 'redeemed' | 'voided';
  channel: 'venue' | 'online';
  voidReason: string | null;
}
export interface TurnoutRow {
  venue: string;
  group: number;
  state: 'closed' | 'pending' | 'open';
  seats: number;
  checkedIn: number;
  issued: number;
  cast: number;
  voided: number;
  unused: number;
  balanced: boolean;
  alarms: string[];
}

const STATE_LABEL = { pending: '未开启', open: '投票中', closed: '已结束' } as const;
const TICKET_LABEL = { issued: '已签到,未领凭证', redeemed: '已领取凭证', voided: '已作废' } as const;

const venuePath = (code: string, group: number, venue: string) => `/staff/c/${code}/hearing/${group}/${encodeURIComponent(venue)}`;

/** Counts only: turnout never shows anything of ballot content. */
export function TurnoutTable({ rows, totals, groupChecks, code }: { rows: TurnoutRow[]; totals: Omit<TurnoutRow, 'venue' | 'group' | 'state' | 'balanced' | 'alarms'>; groupChecks: { group: number; alarms: string[] }[]; code: string }) {
  const alarms = [...rows.flatMap((r) => r.alarms.map((a) => `${groupName(r.group)} ${r.venue}:${a}`)), ...groupChecks.flatMap((g) => g.alarms.map((a) => `${groupName(g.group)}:${a}`))];
  return (
    <div id="turnout">
      {alarms.length > 0 && (
        <div class="flash err" role="alert">
          <strong>对账警报</strong>
          <ul>
            {alarms.map((a) => (
              <li>{a}</li>
            ))}
          </ul>
        </div>
      )}
      <div class="table-wrap">
        <table>
          <caption class="sr-only">各会场各组签到与投票情况</caption>
          <thead>
            <tr>
              <th scope="col">组别</th>
              <th scope="col">会场</th>
              <th scope="col">状态</th>
              <th scope="col" class="num">名额</th>
              <th scope="col" class="num">已签到</th>
              <th scope="col" class="num">已发凭证</th>
              <th scope="col" class="num">已投票</th>
              <th scope="col" class="num">已作废</th>
              <th scope="col" class="num">未使用</th>
              <th scope="col">对账</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr class={r.balanced ? '' : 'alarm'}>
                <td>{groupName(r.group)}</td>
                <td>
                  <a href={venuePath(code, r.group, r.venue)}>{r.venue}</a>
                </td>
                <td>
                  <span class={`pill ${r.state}`}>{STATE_LABEL[r.state]}</span>
                </td>
                <td class="num">{r.seats}</td>
                <td class="num">{r.checkedIn}</td>
                <td class="num">{r.issued}</td>
                <td class="num">{r.cast}</td>
                <td class="num">{r.voided}</td>
                <td class="num">{r.unused}</td>
                <td>{r.balanced ? '平衡' : '不平衡'}</td>
              </tr>
            ))}
          </tbody>
          <tfoot>
            <tr>
              <td colspan={3}>全市合计</td>
              <td class="num">{totals.seats}</td>
              <td class="num">{totals.checkedIn}</td>
              <td class="num">{totals.issued}</td>
              <td class="num">{totals.cast}</td>
              <td class="num">{totals.voided}</td>
              <td class="num">{totals.unused}</td>
              <td></td>
            </tr>
          </tfoot>
        </table>
      </div>
    </div>
  );
}

/**
 * The live page's only script: one EventSource per screen, the server pushes the table when a
 * figure changes (no polling); the browser reconnects by itself after a drop.
 */


export function TurnoutPage(props: Parameters<typeof TurnoutTable>[0] & { campaign: Campaign }) {
  return (
    <section>
      <h1>{props.campaign.name} · 实时签到与投票</h1>
      <p class="muted">数字实时推送(约每半秒);已发凭证 = 已投票 + 已作废 + 未使用。本页只显示人数与张数,不显示任何选票内容。</p>
      {/* without JavaScript the page reloads itself instead of streaming; raw HTML, because hono/jsx
          would hoist a <meta> element into <head>, outside the <noscript> */}
      <noscript dangerouslySetInnerHTML={{ __html: '<meta http-equiv="refresh" content="5"><p class="muted">浏览器未启用 JavaScript:本页每 5 秒整页刷新一次。</p>' }} />
      <p id="turnout-status" class="muted" role="status" aria-live="polite" hidden></p>
      <div id="turnout-live" data-stream={`/staff/c/${props.code}/turnout/stream`}>
        <TurnoutTable {...props} />
      </div>
      <script src={scriptSrc('turnout.js')} defer></script>
    </section>
  );
}

export function HearingOverview({ campaign, rows, canOpen, csrfToken, flash }: { campaign: Campaign; rows: TurnoutRow[]; canOpen: boolean; csrfToken: string; flash?: string | undefined }) {
  const groups = [...new Set(rows.map((r) => r.group))];
  return (
    <section>
      <h1>{campaign.name} · 评议现场</h1>
      {flash && <Flash kind="ok">{flash}</Flash>}
      <p>
        <a href={`/staff/c/${campaign.code}/turnout`}>实时签到与投票情况</a> · <a href="/vote">投票终端页面</a>
      </p>
      {groups.map((g) => (
        <>
          <h2>{groupName(g)}</h2>
          <div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">会场</th>
                  <th scope="col">状态</th>
                  <th scope="col" class="num">名额</th>
                  <th scope="col" class="num">已投票</th>
                  <th scope="col">操作</th>
                </tr>
              </thead>
              <tbody>
                {rows
                  .filter((r) => r.group === g)
                  .map((r) => (
                    <tr>
                      <td>{r.venue}</td>
                      <td>
                        <span class={`pill ${r.state}`}>{STATE_LABEL[r.state]}</span>
                      </td>
                      <td class="num">{r.seats}</td>
                      <td class="num">{r.cast}</td>
                      <td class="row">
                        <a href={venuePath(campaign.code, g, r.venue)}>签到台</a>
                        {canOpen && r.state === 'pending' && (
                          <form method="post" action={`${venuePath(campaign.code, g, r.venue)}/open`} class="inline">
                            <CsrfField token={csrfToken} />
                            <button class="small" type="submit">
                              开启投票
                            </button>
                          </form>
                        )}
                      </td>
                    </tr>
                  ))}
              </tbody>
            </table>
          </div>
        </>
      ))}
    </section>
  );
}

export interface DeskProps {
  campaign: Campaign;
  group: number;
  venue: string;
  row: TurnoutRow;
  checkins: { checkin: Checkin; name: string; code: string }[];
  csrfToken: string;
  issued?: { ticket: string; name: string } | undefined;
  error?: string | undefined;
  closeError?: string | undefined;
  canClose: boolean;
  note?: string | undefined;
}

/** The venue desk: check in by typed code or camera, hand over the ticket, void, reconcile, close. */
export function VenueDesk(p: DeskProps) {
  const base = venuePath(p.campaign.code, p.group, p.venue);
  const voteUrl = (t: string) => `/vote#t=${t}`;
  return (
    <section>
      <h1>
        {p.venue} · {groupName(p.group)} · 签到台
      </h1>
      <p>
        状态:<span class={`pill ${p.row.state}`}>{STATE_LABEL[p.row.state]}</span> · <a href={`${base}/sheet`}>对账单(可打印)</a>
      </p>
      {p.error && (
        <p class="flash err" role="alert">
          {p.error}
        </p>
      )}
      {p.issued && (
        <div class="card" role="status">
          <h2>已签到:{p.issued.name}</h2>
          <p>请把凭证码交给代表,在投票终端输入(或扫描二维码)。凭证码只显示这一次。</p>
          <p class="ticket">{p.issued.ticket}</p>
          <div class="qr w-180px" role="img" aria-label="凭证码二维码" dangerouslySetInnerHTML={{ __html: renderSVG(voteUrl(p.issued.ticket)) }} />
        </div>
      )}
      {p.row.state === 'open' && (
        <form class="stack" method="post" action={`${base}/checkin`}>
          <CsrfField token={p.csrfToken} />
          <div>
            <label for="code">代表证号(手动输入,或点击“扫码”用摄像头读取二维码)</label>
            <input id="code" name="code" type="text" autocomplete="off" autocapitalize="characters" required autofocus class="big" />
          </div>
          <div class="row">
            <button type="submit" class="big">
              签到并发放凭证
            </button>
            <button type="button" class="secondary big" id="scan" hidden>
              扫码
            </button>
          </div>
          <video id="scan-video" hidden playsinline muted class="maxw-full"></video>
        </form>
      )}
      <script src={scriptSrc('scan.js')} defer></script>
      <h2>对账</h2>
      <p>
        已发凭证 {p.row.issued} = 已投票 {p.row.cast} + 已作废 {p.row.voided} + 未使用 {p.row.unused}:{p.row.balanced ? '平衡' : '不平衡'}
      </p>
      {p.row.alarms.map((a) => (
        <p class="flash err" role="alert">
          {a}
        </p>
      ))}
      {p.canClose && p.row.state === 'open' && (
        <form class="stack" method="post" action={`${base}/close`}>
          <CsrfField token={p.csrfToken} />
          {p.closeError && (
            <p class="flash err" role="alert" id="note-error">
              {p.closeError}
            </p>
          )}
          <div>
            <label for="note">情况说明(对账不平衡或仍有未使用凭证时必填,以您的账号签名记入审计日志)</label>
            <textarea id="note" name="note" aria-describedby={p.closeError ? 'note-error' : undefined}>
              {p.note ?? ''}
            </textarea>
          </div>
          <button type="submit" class="secondary">
            结束本会场本组投票
          </button>
        </form>
      )}
      <h2>签到记录({p.checkins.length})</h2>
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">代表</th>
              <th scope="col">代表证号</th>
              <th scope="col">方式</th>
              <th scope="col">凭证状态</th>
              <th scope="col">作废</th>
            </tr>
          </thead>
          <tbody>
            {p.checkins.map(({ checkin: x, name, code }) => (
              <tr>
                <td>{name}</td>
                <td>{code}</td>
                <td>{x.channel === 'online' ? '线上' : '现场'}</td>
                <td>
                  {TICKET_LABEL[x.state]}
                  {x.voidReason ? `(${x.voidReason})` : ''}
                </td>
                <td>
                  {x.state === 'issued' && p.row.state === 'open' && (
                    <form class="row" method="post" action={`${base}/checkins/${x.id}/void`}>
                      <CsrfField token={p.csrfToken} />
                      <label class="sr-only" for={`reason-${x.id}`}>
                        作废原因
                      </label>
                      <input id={`reason-${x.id}`} name="reason" type="text" placeholder="作废原因" required />
                      <button class="small secondary" type="submit">
                        作废凭证
                      </button>
                    </form>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

// Camera scanning where the tablet's browser has BarcodeDetector; the typed code always works.


/** The printable closing sheet of one venue × group. */
export interface SheetKeys {
  venue?: string;
  tally?: string;
  list: string;
  bundles: { name: string; sha256: string }[];
}

export function ClosingSheet({ campaign, group, venue, row, closedBy, closedAt, note, keys }: { campaign: Campaign; group: number; venue: string; row: TurnoutRow; closedBy?: string | null; closedAt?: number | null; note?: string | null; keys: SheetKeys }) {
  return (
    <section>
      <h1>
        {campaign.name} · {venue} · {groupName(group)} · 选票对账单
      </h1>
      <table>
        <tbody>
          <tr><th scope="row">代表名额</th><td class="num">{row.seats}</td></tr>
          <tr><th scope="row">签到人数</th><td class="num">{row.checkedIn}</td></tr>
          <tr><th scope="row">发放凭证(A)</th><td class="num">{row.issued}</td></tr>
          <tr><th scope="row">投出选票(B)</th><td class="num">{row.cast}</td></tr>
          <tr><th scope="row">作废凭证(C)</th><td class="num">{row.voided}</td></tr>
          <tr><th scope="row">未使用凭证(D)</th><td class="num">{row.unused}</td></tr>
          <tr><th scope="row">A = B + C + D</th><td>{row.balanced ? '平衡' : '不平衡'}</td></tr>
          <tr><th scope="row">状态</th><td>{STATE_LABEL[row.state]}{closedAt ? `,${chinaDateTime(closedAt)} 由 ${closedBy ?? ''} 结束` : ''}</td></tr>
          {note && <tr><th scope="row">情况说明</th><td class="prose">{note}</td></tr>}
        </tbody>
      </table>
      {row.alarms.map((a) => (
        <p class="flash err">{a}</p>
      ))}
      <h2>本会场投票设备使用的密钥与程序(与会场海报、公布页核对)</h2>
      <table>
        <tbody>
          <tr><th scope="row">会场签名密钥指纹</th><td class="mono">{keys.venue ?? '(未开启)'}</td></tr>
          <tr><th scope="row">本组计票公钥指纹</th><td class="mono">{keys.tally ?? '(无)'}</td></tr>
          <tr><th scope="row">密钥清单指纹</th><td class="mono">{keys.list}</td></tr>
          {keys.bundles.map((b) => (
            <tr><th scope="row">设备程序 {b.name} SHA-256</th><td class="mono-sm break-all">{b.sha256}</td></tr>
          ))}
        </tbody>
      </table>
      <p>会场负责人签字:________________ 监督员签字:________________</p>
      <p class="muted">本单只含人数与张数;选票已在投票设备上加密封存,不分会场统计。</p>
    </section>
  );
}

/** Organisers read what was reported, never by whom: the rows hold no reporter and only the day. */
export function DisciplineReports({ campaign, reports }: { campaign: Campaign; reports: { kind: string; department: string | null; body: string; day: string }[] }) {
  return (
    <section>
      <h1>{campaign.name} · 活动纪律情况反映({reports.length})</h1>
      <p class="muted">匿名提交:不记录反映人、代表证号或提交时刻,只记录日期。</p>
      {reports.length === 0 && <p>暂无反映。</p>}
      {reports.map((r) => (
        <article class="card">
          <h2>
            {r.kind}
            {r.department ? ` · ${r.department}` : ''}
          </h2>
          <p class="prose">{r.body}</p>
          <p class="muted">{r.day}</p>
        </article>
      ))}
    </section>
  );
}
