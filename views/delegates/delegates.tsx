import { DELEGATE_STATE_LABELS, REVIEW_LABELS } from '../components/vocabulary';
import type { Child } from 'hono/jsx';
import { renderSVG } from 'uqr';
import type { Campaign, Group } from '../components/models';
import { formatDate, groupName } from '../components/ui';
import { CsrfField, FieldError, Flash } from '../components/layout';

/* The view model: the fields this page shows. */
export interface Candidate {
  id: string;
  code: string;
  name: string;
  source: 'volunteer' | 'recommended';
  /** The ID number as the page may show it: masked by the route, never the number. */
  idMasked: string;
  /** The mobile as this page may show it (masked by the route except on the delegates' contact list). */
  mobile: string;
  venueName: string;
  category: string;
  groups: string;
  district: string | null;
  organisation: string | null;
  qualification: 'pending' | 'passed' | 'rejected';
  qualificationReason: string | null;
  districtReview: 'pending' | 'passed' | 'rejected';
  districtReviewReason: string | null;
}
export interface Delegate {
  id: string;
  venueName: string;
  category: string;
  candidateId: string;
  groupNo: number;
  state: 'selected' | 'reserve' | 'confirmed' | 'declined';
  drawnAs: 'selected' | 'reserve';
  reserveRank: number | null;
  delegateCode: string;
}

export function DelegateQr({ code }: { code: string }) {
  // server-rendered SVG: works without JavaScript and prints sharply
  return <div class="qr w-200px" role="img" aria-label={`代表码 ${code} 的二维码`} dangerouslySetInnerHTML={{ __html: renderSVG(code) }} />;
}

export function DelegatePersonalPage(props: { campaign: Campaign; delegate: Delegate; candidate: Candidate; group: Group | undefined; csrfToken: string; token: string; flash?: string | undefined; surveys?: { id: string; title: string }[] }) {
  const { delegate: d, group } = props;
  const open = d.state === 'selected' || d.state === 'confirmed';
  return (
    <section>
      <h1>市民代表通知</h1>
      {props.flash && <Flash kind="ok">{props.flash}</Flash>}
      <p>
        {props.candidate.name}:您已被{d.drawnAs === 'reserve' ? '递补' : '抽取'}为{props.campaign.name}的市民代表。
      </p>
      <table>
        <tbody>
          <tr>
            <th scope="row">会场</th>
            <td>{d.venueName}</td>
          </tr>
          <tr>
            <th scope="row">分组与时间</th>
            <td>{group ? `${groupName(group.no)} · ${formatDate(group.date)} ${group.startTime}` : groupName(d.groupNo)}</td>
          </tr>
          <tr>
            <th scope="row">代表类别</th>
            <td>{d.category}</td>
          </tr>
          <tr>
            <th scope="row">状态</th>
            <td>{DELEGATE_STATE_LABELS[d.state]}</td>
          </tr>
        </tbody>
      </table>
      {d.state === 'reserve' ? (
        <p>您目前是候补代表。如有代表不能参加,将按顺序递补并通知您。</p>
      ) : open ? (
        <>
          <h2>签到代表码</h2>
          <p>
            评议当天请在会场出示此代表码或二维码签到:<strong class="code-xl">{d.delegateCode}</strong>
          </p>
          <DelegateQr code={d.delegateCode} />
          <form class="row" method="post" action={`/d/${props.token}`}>
            <CsrfField token={props.csrfToken} />
            {d.state === 'selected' && (
              <button type="submit" name="answer" value="confirm">
                确认参加
              </button>
            )}
            <button class="secondary" type="submit" name="answer" value="decline">
              不能参加(婉拒)
            </button>
          </form>
          <h2>在线投票</h2>
          <p>不能到会场的,可在本组投票开启后从这里在线投票:系统为您签到并在本设备上生成匿名选票凭证,任何人都无法把选票与您关联。</p>
          <form method="post" action={`/d/${props.token}/vote`} hx-boost="false">
            <CsrfField token={props.csrfToken} />
            <button type="submit">在线签到并投票</button>
          </form>
          {(props.surveys ?? []).length > 0 && (
            <>
              <h2>问卷调查</h2>
              <p>以下问卷不记名:系统为您发放一次性邀请码,在本设备上换成匿名答卷凭证,任何人都无法把答卷与您关联。</p>
              {(props.surveys ?? []).map((s) => (
                <form method="post" action={`/d/${props.token}/surveys/${s.id}`} hx-boost="false">
                  <CsrfField token={props.csrfToken} />
                  <button type="submit">在线填写《{s.title}》</button>
                </form>
              ))}
            </>
          )}
        </>
      ) : (
        <p>您已婉拒本次邀请,名额已由候补代表递补。感谢您的关注。</p>
      )}
    </section>
  );
}

export function CandidatesPage(props: {
  campaign: Campaign;
  rows: Candidate[];
  role: string;
  venueFilter: string | undefined;
  venues: string[];
  csrfToken: string;
  frozen: boolean;
  flash?: string | undefined;
  /** A refused decision, shown beside that candidate's form. */
  error?: { candidateId: string; kind: 'qualification' | 'districtReview'; message: string } | undefined;
}) {
  const base = `/staff/c/${props.campaign.code}`;
  const canQualify = props.role === 'qualifier' && !props.frozen;
  const canReview = props.role === 'venue_staff' && !props.frozen;
  const decision = (c: Candidate, kind: 'qualification' | 'district-review') => {
    const err = props.error && props.error.candidateId === c.id && (props.error.kind === 'qualification') === (kind === 'qualification') ? props.error.message : undefined;
    const errId = `reason-${kind}-${c.id}-error`;
    return (
      <form class="row" method="post" action={`${base}/candidates/${c.id}/${kind}`}>
        <CsrfField token={props.csrfToken} />
        <button class="small" type="submit" name="decision" value="passed">
          通过
        </button>
        <label class="sr-only" for={`reason-${kind}-${c.id}`}>
          不通过原因
        </label>
        <input
          id={`reason-${kind}-${c.id}`}
          name="reason"
          type="text"
          placeholder="不通过原因"
          class="maxw-12em mh-36"
          aria-invalid={err ? 'true' : undefined}
          aria-describedby={err ? errId : undefined}
        />
        <button class="small secondary" type="submit" name="decision" value="rejected">
          不通过
        </button>
        <FieldError id={errId} message={err} />
      </form>
    );
  };
  return (
    <section>
      <h1>候选人与审核</h1>
      {props.flash && <Flash kind="ok">{props.flash}</Flash>}
      {props.error && <Flash kind="err">{props.error.message}</Flash>}
      {props.frozen && <Flash kind="warn">候选名单已随抽签承诺封存,审核结果不能再修改。</Flash>}
      <form class="row" method="get" action={`${base}/candidates`}>
        <label for="venue-filter">会场</label>
        <select id="venue-filter" name="venue">
          <option value="">全部</option>
          {props.venues.map((v) => (
            <option value={v} selected={props.venueFilter === v}>
              {v}
            </option>
          ))}
        </select>
        <button class="small secondary" type="submit">
          筛选
        </button>
        {(props.role === 'organiser' || props.role === 'venue_staff') && <a href={`${base}/candidates/import`}>导入推荐名单(CSV)</a>}
      </form>
      <p class="muted">共 {props.rows.length} 人</p>
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">编号</th>
              <th scope="col">姓名</th>
              <th scope="col">身份证</th>
              <th scope="col">手机</th>
              <th scope="col">会场 · 类别</th>
              <th scope="col">分组</th>
              <th scope="col">来源</th>
              <th scope="col">资格审查</th>
              <th scope="col">区(市)审核</th>
            </tr>
          </thead>
          <tbody>
            {props.rows.map((c) => (
              <tr>
                <td>
                  <code>{c.code}</code>
                </td>
                <td>{c.name}</td>
                <td>{c.idMasked}</td>
                <td>{c.mobile}</td>
                <td>
                  {c.venueName} · {c.category}
                </td>
                <td>{c.groups}</td>
                <td>{c.source === 'volunteer' ? '自愿报名' : `推荐:${c.organisation ?? ''}`}</td>
                <td>
                  {REVIEW_LABELS[c.qualification]}
                  {c.qualificationReason ? `(${c.qualificationReason})` : ''}
                  {canQualify && c.qualification === 'pending' && decision(c, 'qualification')}
                </td>
                <td>
                  {REVIEW_LABELS[c.districtReview]}
                  {c.districtReviewReason ? `(${c.districtReviewReason})` : ''}
                  {canReview && c.qualification === 'passed' && c.districtReview === 'pending' && decision(c, 'district-review')}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

export interface DelegateRow {
  delegate: Delegate;
  candidate: Candidate;
}

/** One printable notice per seated delegate: what, where, when, the delegate code and its QR, the personal link. */
export function DelegateNotices(props: { campaign: Campaign; rows: (DelegateRow & { linkToken: string })[]; groups: Group[]; origin: string }) {
  const seated = props.rows.filter(({ delegate: d }) => d.state === 'selected' || d.state === 'confirmed');
  return (
    <section>
      <h2>个人通知({seated.length} 份)</h2>
      {seated.map(({ delegate: d, candidate: c, linkToken }) => {
        const g = props.groups.find((x) => x.no === d.groupNo);
        return (
          <article class="notice card">
            <h3>{props.campaign.name} · 市民代表通知</h3>
            <div class="row align-start gap-16">
              <DelegateQr code={d.delegateCode} />
              <div>
                <p>
                  {c.name}(身份证 {c.idMasked}):您已{d.drawnAs === 'reserve' ? '递补' : '抽取'}为市民代表,请于
                  {g ? ` ${formatDate(g.date)} ${g.startTime} ` : ' '}到 <strong>{d.venueName}</strong> 参加{groupName(d.groupNo)}评议({d.category})。
                </p>
                <p>
                  签到代表码:<strong class="code-lg">{d.delegateCode}</strong>
                </p>
                <p class="muted">
                  确认或婉拒:<code>{`${props.origin}/d/${linkToken}`}</code>
                </p>
              </div>
            </div>
          </article>
        );
      })}
    </section>
  );
}

export function DelegatesPage(props: { campaign: Campaign; rows: DelegateRow[]; venue: string | undefined; venues: string[]; canChooseVenue: boolean; csrfToken: string; printable?: boolean; notices?: Child }) {
  const base = `/staff/c/${props.campaign.code}`;
  const q = props.venue ? `?venue=${encodeURIComponent(props.venue)}` : '';
  return (
    <section>
      <h1>
        市民代表名单{props.venue ? ` · ${props.venue}` : ''}
        {props.printable ? '(通知用)' : ''}
      </h1>
      <p class="muted">保密:评议前仅组织者和本会场工作人员可以查看。每次导出均记入审计日志。</p>
      {!props.printable && (
        <div class="row">
          {props.canChooseVenue && (
            <form class="row" method="get" action={`${base}/delegates`}>
              <label for="delegates-venue">会场</label>
              <select id="delegates-venue" name="venue">
                <option value="">全部</option>
                {props.venues.map((v) => (
                  <option value={v} selected={props.venue === v}>
                    {v}
                  </option>
                ))}
              </select>
              <button class="small secondary" type="submit">
                筛选
              </button>
            </form>
          )}
          <a class="button secondary" href={`${base}/delegates.csv${q}`} hx-boost="false">
            导出 CSV
          </a>
          {props.venue ? (
            <a class="button secondary" href={`${base}/delegates/print${q}`} hx-boost="false">
              打印通知名单
            </a>
          ) : (
            <span class="muted">选择会场后可打印通知名单</span>
          )}
        </div>
      )}
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">会场</th>
              <th scope="col">分组</th>
              <th scope="col">类别</th>
              <th scope="col">姓名</th>
              <th scope="col">身份证</th>
              <th scope="col">手机</th>
              <th scope="col">代表码</th>
              <th scope="col">状态</th>
              {!props.printable && <th scope="col">登记答复</th>}
            </tr>
          </thead>
          <tbody>
            {props.rows.map(({ delegate: d, candidate: c }) => (
              <tr>
                <td>{d.venueName}</td>
                <td>{groupName(d.groupNo)}</td>
                <td>{d.category}</td>
                <td>{c.name}</td>
                <td>{c.idMasked}</td>
                <td>{c.mobile}</td>
                <td>
                  <code>{d.delegateCode}</code>
                </td>
                <td>
                  {DELEGATE_STATE_LABELS[d.state]}
                  {d.drawnAs === 'reserve' && d.state !== 'reserve' ? '(递补)' : d.state === 'reserve' ? ` 第 ${d.reserveRank} 位` : ''}
                </td>
                {!props.printable && (
                  <td>
                    {(d.state === 'selected' || d.state === 'confirmed') && (
                      <form class="row" method="post" action={`${base}/delegates/${d.id}/respond`}>
                        <CsrfField token={props.csrfToken} />
                        {d.state === 'selected' && (
                          <button class="small" type="submit" name="answer" value="confirm">
                            确认
                          </button>
                        )}
                        <button class="small secondary" type="submit" name="answer" value="decline">
                          婉拒
                        </button>
                      </form>
                    )}
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {props.notices}
    </section>
  );
}

export interface ImportReport {
  fileName: string;
  imported: number;
  bad: { line: number; reason: string }[];
}

const IMPORT_HEADER = '姓名,身份证号,手机号,会场,分组,类别,推荐单位';

/** The recommendation upload: a plain multipart form (works without JavaScript) and the per-line report. */
export function RecommendationImportPage(props: { campaign: Campaign; venue: string | undefined; csrfToken: string; report?: ImportReport | undefined; error?: string | undefined }) {
  const base = `/staff/c/${props.campaign.code}`;
  const r = props.report;
  return (
    <section>
      <h1>导入组织推荐名单{props.venue ? ` · ${props.venue}` : ''}</h1>
      <p>
        上传 CSV 文件(Excel“另存为 CSV”,UTF-8 或 GBK 编码均可)。第一行为表头,须包含以下各列(顺序不限):
        <code>{IMPORT_HEADER}</code>。分组可写 <code>1</code> 或 <code>第一组</code>;类别须为该会场代表构成中的类别(自愿报名名额除外)。
        {props.venue && ` 您只能导入本会场(${props.venue})的推荐名单。`}
      </p>
      <p class="muted">有问题的行会逐行列出原因,不会导入;其余各行一次性全部导入。身份证号码只保存密钥散列和后四位。</p>
      {props.error && <Flash kind="err">{props.error}</Flash>}
      {r && (
        <div id="import-report">
          {r.imported > 0 ? (
            <Flash kind={r.bad.length ? 'warn' : 'ok'}>
              已从“{r.fileName}”导入 {r.imported} 人{r.bad.length ? `;另有 ${r.bad.length} 行有问题,未导入,请修改后单独上传这些行` : ''}。
            </Flash>
          ) : (
            <Flash kind="err">“{r.fileName}”中没有可以导入的行,未导入任何记录。</Flash>
          )}
          {r.bad.length > 0 && (
            <div class="table-wrap">
              <table>
                <caption class="muted">未导入的行</caption>
                <thead>
                  <tr>
                    <th scope="col" class="num">
                      行号
                    </th>
                    <th scope="col">原因</th>
                  </tr>
                </thead>
                <tbody>
                  {r.bad.map((b) => (
                    <tr>
                      <td class="num">第 {b.line} 行</td>
                      <td>{b.reason}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </div>
      )}
      <form class="stack" method="post" action={`${base}/candidates/import`} enctype="multipart/form-data" hx-boost="false">
        <CsrfField token={props.csrfToken} />
        <div>
          <label for="import-file">推荐名单文件(.csv)</label>
          <input id="import-file" name="file" type="file" accept=".csv,text/csv" required aria-invalid={props.error ? 'true' : undefined} />
        </div>
        <div class="row">
          <button type="submit">上传并导入</button>
          <a href={`${base}/candidates`}>返回候选人与审核</a>
        </div>
      </form>
    </section>
  );
}
