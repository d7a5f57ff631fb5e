import { chinaDateTimeLong } from '../components/format';
import { scriptSrc } from '../components/scripts';
import { raw } from 'hono/html';
import type { Campaign } from '../components/models';
import type { SessionUser } from '../components/models';
import { groupName } from '../components/ui';
import { CsrfField, Flash } from '../components/layout';

/* The view model: the fields this page shows. */
export interface GroupSealState {
  groupNo: number;
  params: { shareCount: number; threshold: number; };
  key: { campaignId: string; groupNo: number; publicKey: string; shareCount: number; threshold: number; createdAt: number; ceremonyDigest: string | null; } | undefined;
  seats: { sealed: boolean; campaignId: string; groupNo: number; seatNo: number; custodianId: string; custodianName: string; seatKey: string; fingerprint: string | null; downloadedAt: number | null; }[];
  commitment: { root: string; ballotCount: number; committedAt: number; receipts: string[]; digest: string | null; } | undefined;
  draft: { digest: string; approvedSeats: number[]; } | undefined;
  unsealedAt: number | null;
  ballotCount: number;
  closure: { closed: boolean; notClosed: string[]; };
}
export interface GroupTally {
  campaign: string;
  group: number;
  scale: ScaleOption[];
  ballots: { total: number; counted: number; invalid: number; blank: number; };
  departments: DepartmentTally[];
}
export interface ScaleOption {
  label: string;
  weight: number | null;
  valid: boolean;
}
export interface DepartmentTally {
  name: string;
  counts: number[];
  blank: number;
  valid: number;
  satisfactionRate: number | null;
  score: number | null;
  rank: number | null;
}

const fmt = (n: number | null) => (n === null ? '—' : n.toFixed(2));
const when = chinaDateTimeLong;

function stage(s: GroupSealState): string {
  if (s.unsealedAt) return '已开封,结果已公布';
  if (s.commitment && s.draft) return `保管人已提交开封结果,等待确认(${s.draft.approvedSeats.length}/${s.params.threshold})`;
  if (s.commitment) return '已承诺选票集合,等待保管人在离线电脑上开封并提交结果';
  if (s.key) return s.closure.closed ? '各会场均已结束,可以承诺选票集合' : '密钥已生成,投票进行中或尚未开始';
  return `密钥仪式:已有 ${s.seats.length}/${s.params.shareCount} 位保管人加入`;
}

export function TallyStaffPage(props: { campaign: Campaign; user: SessionUser; custodianScript: string; groups: GroupSealState[]; csrfToken: string; flash?: string | undefined; error?: string | undefined }) {
  const { campaign, user, csrfToken } = props;
  const base = `/staff/c/${campaign.code}/tally`;
  const canRun = user.role === 'statistician' || user.role === 'organiser';
  const isCustodian = user.role === 'custodian';
  const params = props.groups[0]?.params;
  const anySeats = props.groups.some((g) => g.seats.length > 0);
  return (
    // hx-history="false": htmx keeps no snapshot of this page (seat keys, previews) in sessionStorage
    <section hx-history="false">
      <h1>密钥仪式、封存承诺与开封计票</h1>
      {props.flash && <Flash kind="ok">{props.flash}</Flash>}
      {props.error && <Flash kind="err">{props.error}</Flash>}
      <p>
        每组评议票在投票时即用本组计票公钥加密封存。私钥只以分片形式由 {params?.shareCount} 位计票保管人分别保存,任意 {params?.threshold}{' '}
        位共同提交分片才能开封;开封前任何页面、接口和导出都不显示部分结果。公示页:<a href={`/c/${campaign.code}/results`}>评议结果与封存公示</a>。
      </p>
      {user.role === 'organiser' && !anySeats && params && (
        <form method="post" action={`${base}/settings`} class="row">
          <CsrfField token={csrfToken} />
          <label for="shareCount">保管人数</label>
          <input type="number" id="shareCount" name="shareCount" min="2" max="15" value={String(params.shareCount)} class="w-6em" />
          <label for="threshold">开封门限</label>
          <input type="number" id="threshold" name="threshold" min="2" max="15" value={String(params.threshold)} class="w-6em" />
          <button type="submit" class="secondary">保存</button>
        </form>
      )}
      {props.groups.map((g) => {
        const mine = g.seats.find((s) => s.custodianId === user.id);
        const path = `${base}/${g.groupNo}`;
        return (
          <article class="card my-12" aria-labelledby={`g${g.groupNo}`}>
            <h2 id={`g${g.groupNo}`}>
              {groupName(g.groupNo)} · {stage(g)}
            </h2>
            <p class="muted">
              已收选票 {g.ballotCount} 张
              {g.key && (
                <>
                  {' '}
                  · 公钥 <code>{g.key.publicKey.slice(0, 16)}…</code>({g.params.threshold}/{g.params.shareCount})
                </>
              )}
              {!g.closure.closed && g.key && <> · 尚未结束的会场:{g.closure.notClosed.join('、')}</>}
            </p>
            <table>
              <thead>
                <tr>
                  <th scope="col">席位</th>
                  <th scope="col">保管人</th>
                  <th scope="col">席位公钥</th>
                  <th scope="col">分片指纹</th>
                  <th scope="col">分片</th>
                </tr>
              </thead>
              <tbody>
                {g.seats.map((s) => (
                  <tr>
                    <td>{s.seatNo}</td>
                    <td>{s.custodianName}</td>
                    <td>
                      <code>{s.seatKey.slice(0, 12)}…</code>
                    </td>
                    <td>
                      <code>{s.fingerprint ? `${s.fingerprint.slice(0, 16)}…` : '—'}</code>
                    </td>
                    <td>{!s.fingerprint ? '待仪式' : s.downloadedAt ? '已下载(封存)' : '待下载'}{g.draft?.approvedSeats.includes(s.seatNo) ? ' · 已确认结果' : ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            {g.key?.ceremonyDigest && (
              <p class="muted">
                仪式文件摘要 <code class="break-all">{g.key.ceremonyDigest}</code>(应与仪式记录纸上的一致)
              </p>
            )}
            <div class="row">
              <a href={`/api/campaigns/${campaign.code}/groups/${g.groupNo}/tally/seats`} hx-boost="false" download={`seats-${campaign.code}-group${g.groupNo}.json`}>
                下载席位文件(供离线仪式)
              </a>
              {isCustodian && mine?.fingerprint && (
                <a href={`${path}/share.json`} hx-boost="false" download={`sealed-share-${campaign.code}-group${g.groupNo}-seat${mine.seatNo}.json`}>
                  下载我的封存分片
                </a>
              )}
              {g.commitment && (
                <a href={`${path}/ballots.json`} hx-boost="false" download={`ballots-${campaign.code}-group${g.groupNo}.json`}>
                  下载已承诺选票(供离线开封)
                </a>
              )}
              {canRun && g.key && !g.commitment && g.closure.closed && (
                <form method="post" action={`${path}/commit`}>
                  <CsrfField token={csrfToken} />
                  <button type="submit">承诺并公布选票集合</button>
                </form>
              )}
            </div>
            {isCustodian && g.ballotCount === 0 && !g.key && (
              <form method="post" action={`${path}/join`} class="stack" hx-boost="false" data-seat-key-form data-campaign={campaign.code} data-group={String(g.groupNo)}>
                <CsrfField token={csrfToken} />
                <label for={`seat-${g.groupNo}`}>席位号</label>
                <input type="number" id={`seat-${g.groupNo}`} name="seat" min="1" max={String(g.params.shareCount)} value={mine ? String(mine.seatNo) : ''} class="w-6em" />
                <fieldset data-seat-key-tool hidden class="stack">
                  <legend>在本浏览器中生成席位公钥(口令和密钥只在本机计算,不会发送,也不会保存在浏览器里)</legend>
                  <label for={`passphrase-${g.groupNo}`}>口令(至少 12 个字符,可用一句诗或一句话;开封时要再输一次)</label>
                  <input type="password" id={`passphrase-${g.groupNo}`} data-passphrase autocomplete="off" spellcheck={false} />
                  <label for={`keyfile-${g.groupNo}`}>或打开已有的席位密钥文件</label>
                  <input type="file" id={`keyfile-${g.groupNo}`} data-key-file accept="application/json,.json" />
                  <div class="row">
                    <button type="button" class="secondary" data-derive>
                      计算席位公钥
                    </button>
                    <button type="button" class="secondary" data-new-key-file>
                      改用新的密钥文件(生成并下载)
                    </button>
                  </div>
                  <output data-status aria-live="polite"></output>
                </fieldset>
                <label for={`seatKey-${g.groupNo}`}>席位公钥(由上面在本浏览器中算出,或粘贴在自己电脑上用命令行工具 seat-key 生成的公钥;服务器只保存公钥)</label>
                <input type="text" id={`seatKey-${g.groupNo}`} name="seatKey" autocomplete="off" spellcheck={false} />
                <button type="submit">{mine ? '更新我的席位公钥' : '加入本组密钥仪式'}</button>
              </form>
            )}
            {canRun && g.ballotCount === 0 && !g.commitment && g.seats.length >= g.params.shareCount && (
              <form method="post" action={`${path}/ceremony`} enctype="multipart/form-data" class="stack">
                <CsrfField token={csrfToken} />
                <p>
                  离线仪式:下载上面的席位文件,在仪式电脑上打开<a href="/ceremony" hx-boost="false">密钥仪式页面</a>(可另存为文件,断网使用;其 SHA-256 公布在<a href={`/c/${campaign.code}/keys`}>公布的密钥</a>页上),或用命令行工具 ceremony。
                </p>
                <label for={`ceremony-${g.groupNo}`}>上传离线密钥仪式生成的仪式文件(服务器只保存公钥、封存分片和指纹)</label>
                <input type="file" id={`ceremony-${g.groupNo}`} name="ceremonyFile" accept="application/json,.json" />
                <button type="submit">{g.key ? '上传新的仪式文件(尚无选票)' : '上传仪式文件'}</button>
              </form>
            )}
            {(isCustodian || canRun) && g.commitment && !g.unsealedAt && (
              <p>
                <a href={`${path}/unseal`} hx-boost="false">
                  在浏览器中开封计票(保管人到场,各自打开封存分片)
                </a>
              </p>
            )}
            {(isCustodian || canRun) && g.commitment && !g.unsealedAt && (
              <form method="post" action={`${path}/result`} enctype="multipart/form-data" class="stack">
                <CsrfField token={csrfToken} />
                <label for={`result-${g.groupNo}`}>上传保管人离线开封得出的结果文件(公开版,不含私钥)</label>
                <input type="file" id={`result-${g.groupNo}`} name="resultFile" accept="application/json,.json" />
                <button type="submit">提交开封结果</button>
              </form>
            )}
            {isCustodian && mine && g.draft && !g.unsealedAt && !g.draft.approvedSeats.includes(mine.seatNo) && (
              <form method="post" action={`${path}/approve`} class="stack">
                <CsrfField token={csrfToken} />
                <input type="hidden" name="digest" value={g.draft.digest} />
                <p>
                  待确认结果摘要 <code class="break-all">{g.draft.digest}</code>:请与您在离线电脑上算出的结果核对后确认(<a href={`${path}/draft.json`} hx-boost="false">预览</a>)。
                </p>
                <button type="submit">我已核对,确认公布</button>
              </form>
            )}
            {g.unsealedAt && (
              <p>
                <a href={`/c/${campaign.code}/results/${g.groupNo}`}>查看公布结果</a>(审计版结果文件含计票私钥,由开封的保管人保存,服务器没有)
              </p>
            )}
          </article>
        );
      })}
      {isCustodian && <script src={props.custodianScript} defer></script>}
    </section>
  );
}

/** The unsealing table: k custodians open their sealed shares in this browser; custodian.js does the rest. */
export function UnsealPage(props: { campaign: Campaign; state: GroupSealState; csrfToken: string; custodianScript: string }) {
  const { campaign, state: s } = props;
  const base = `/staff/c/${campaign.code}/tally`;
  const api = `/api/campaigns/${campaign.code}/groups/${s.groupNo}`;
  const seats = s.seats.map((x) => ({ seat: x.seatNo, fingerprint: x.fingerprint }));
  return (
    <section hx-history="false">
      <h1>{groupName(s.groupNo)} · 开封计票</h1>
      <p>
        至少 {s.params.threshold} 位保管人到场,各自选择自己的封存分片文件,输入口令(或打开密钥文件)。分片在本浏览器中打开;密钥在本浏览器中恢复,核对本组公钥和承诺后解密、统计。
        口令、密钥、分片都不会发送到服务器,也不保存在浏览器里;只有公开版结果(解密后的选票,顺序打乱,和统计)在您确认后提交。刷新页面会清空一切,从头开始。
      </p>
      {!s.commitment ? (
        <p class="err">本组尚未承诺选票集合,还不能开封。</p>
      ) : s.unsealedAt ? (
        <p>
          本组已开封,<a href={`/c/${campaign.code}/results/${s.groupNo}`}>查看公布结果</a>。
        </p>
      ) : (
        <>
          <p class="muted">
            已承诺 {s.commitment.ballotCount} 张选票,根摘要 <code class="break-all">{s.commitment.root}</code>;计票公钥 <code class="break-all">{s.key?.publicKey}</code>
          </p>
          <SeatFingerprints seats={s.seats} header="公示的分片指纹" />
          <div
            id="unseal-app"
            hidden
            data-campaign={campaign.code}
            data-group={String(s.groupNo)}
            data-threshold={String(s.params.threshold)}
            data-share-count={String(s.params.shareCount)}
            data-seats={JSON.stringify(seats)}
            data-commitment={`/c/${campaign.code}/results/${s.groupNo}/commitment.json`}
            data-ballots={`${api}/tally/ballots`}
            data-result={`${api}/tally/result`}
            data-csrf={props.csrfToken}
          >
            <h2>1. 各位保管人打开分片</h2>
            <div id="share-slots" class="stack"></div>
            <template id="share-slot">
              <fieldset class="card stack">
                <legend>
                  保管人 <span data-n>1</span>
                </legend>
                <label for="sealed">封存分片文件(sealed-share-….json)</label>
                <input type="file" id="sealed" data-sealed accept="application/json,.json" />
                <label for="pass">口令</label>
                <input type="password" id="pass" data-passphrase autocomplete="off" spellcheck={false} />
                <label for="keyfile">或席位密钥文件</label>
                <input type="file" id="keyfile" data-key-file accept="application/json,.json" />
                <button type="button" class="secondary" data-open>
                  打开分片
                </button>
                <output data-status aria-live="polite"></output>
              </fieldset>
            </template>
            <p>
              <button type="button" class="secondary" id="add-slot">
                再加一位保管人
              </button>
            </p>
            <h2>2. 开封</h2>
            <p>
              <button type="button" id="unseal-start">
                开封计票
              </button>
            </p>
            <progress id="unseal-progress" hidden value="0" max="1" aria-label="开封进度"></progress>
            <p id="unseal-status" role="status" aria-live="polite"></p>
            <div id="unseal-preview" hidden>
              <h2>3. 预览与提交</h2>
              <p id="preview-summary"></p>
              <table></table>
              <p class="row">
                <button type="button" class="secondary" id="save-result">
                  保存公开版结果文件
                </button>
                <button type="button" class="secondary" id="save-audit">
                  保存审计版(含计票私钥,由保管人保存,切勿上传)
                </button>
              </p>
              <p>
                <input type="checkbox" id="preview-checked" /> <label for="preview-checked">到场的保管人已共同核对上面的预览。提交后不能撤回,第 {s.params.threshold} 位保管人确认时结果即公布。</label>
              </p>
              <p>
                <button type="button" id="post-result" disabled>
                  提交开封结果(公开版)
                </button>
              </p>
              <p id="post-status" role="status" aria-live="polite"></p>
              <p>
                <a id="after-post" hidden href={base}>
                  回到开封计票页面,由各位保管人确认
                </a>
              </p>
            </div>
          </div>
          <noscript>本页面需要运行脚本;也可以在离线电脑上用命令行工具 unseal 开封。</noscript>
        </>
      )}
      <script src={props.custodianScript} defer></script>
    </section>
  );
}

export function SealPage(props: { campaign: Campaign; state: GroupSealState }) {
  const { campaign, state: s } = props;
  const seats = s.seats.filter((x) => x.fingerprint).map((x) => ({ seat: x.seatNo, fingerprint: x.fingerprint! }));
  return (
    <section>
      <h1>{groupName(s.groupNo)} · 封存公示</h1>
      <p>
        状态:{stage(s)}。{s.unsealedAt && <a href={`/c/${campaign.code}/results/${s.groupNo}`}>查看结果</a>}
      </p>
      <h2>计票公钥与分片指纹</h2>
      {s.key ? (
        <>
          <p>
            公钥(X25519,HPKE RFC 9180):<code class="break-all">{s.key.publicKey}</code>;开封门限 {s.params.threshold}/{s.params.shareCount}。
          </p>
          {s.key.ceremonyDigest && (
            <p>
              密钥仪式在离线电脑上举行,服务器从未持有私钥。仪式文件摘要(应与到场保管人签字的仪式记录一致):<code class="break-all">{s.key.ceremonyDigest}</code>
            </p>
          )}
          <SeatFingerprints seats={s.seats} header={'分片指纹 SHA-256("sanmin-share-v1|年度|组|席位|分片")'} />
          <form data-fingerprint-check hx-boost="false" data-seats={JSON.stringify(seats)} data-campaign={campaign.code} data-group={String(s.groupNo)} class="stack">
            <label for="check-share">保管人核对自己的分片(只在本机浏览器计算,不会发送到服务器)</label>
            <textarea id="check-share" autocomplete="off" spellcheck={false}></textarea>
            <button type="submit" class="secondary">核对</button>
            <output aria-live="polite"></output>
          </form>
          <p class="muted">
            不用浏览器也可核对:<code>printf '%s' 'sanmin-share-v1|{campaign.code}|{s.groupNo}|席位号|分片十六进制' | sha256sum</code>
          </p>
          <script src={scriptSrc('share-check.js')} defer></script>
        </>
      ) : (
        <p>本组尚未举行密钥仪式。</p>
      )}
      <h2>选票集合承诺</h2>
      {s.commitment ? (
        <>
          <p>
            {when(s.commitment.committedAt)} 承诺,共 {s.commitment.ballotCount} 张选票。根摘要 = SHA-256("sanmin-commitment-v1\n年度\n组\n张数\n" + 排序后的回执以换行连接):
          </p>
          <p>
            <code class="break-all">{s.commitment.root}</code>
          </p>
          <details>
            <summary>全部回执({s.commitment.ballotCount})</summary>
            <ol class="mono-sm">
              {s.commitment.receipts.map((r) => (
                <li>{r}</li>
              ))}
            </ol>
          </details>
          {s.commitment.digest ? (
            <>
              <p>
                承诺文件固定了计票所依据的一切:年度、组别、按报告顺序排列的部门、评价档次及其权重(哪些档次计入有效票、哪些算满意)、计票公钥、保管人门限、选票张数、全部回执和根摘要。文件摘要:
              </p>
              <p>
                <code style="word-break:break-all">{s.commitment.digest}</code>
              </p>
              <p>
                <a class="button" href={`/c/${campaign.code}/results/${s.groupNo}/commitment.json`} hx-boost="false">
                  下载承诺文件(commitment.json)
                </a>
              </p>
              <p class="muted">
                开封后任何人可核对公布的结果:<code>npm run verify -- result.json --commitment commitment.json</code>(部门、档次、公钥、张数或根摘要任何一项不符即报错)。
              </p>
            </>
          ) : (
            <p class="muted">本组在承诺文件启用之前承诺,只能核对上面的根摘要。</p>
          )}
          <p>
            <a href={`/c/${campaign.code}/receipt`}>查找我的回执</a>
          </p>
        </>
      ) : (
        <p>各会场全部结束投票后,将在此公布全部选票回执和根摘要,之后才能开封。</p>
      )}
    </section>
  );
}

function ResultTable({ tally, withGroup }: { tally: GroupTally[]; withGroup?: boolean }) {
  const scale = tally[0]?.scale ?? [];
  return (
    <div class="table-wrap">
      <table class="minw-46em">
        <caption class="sr-only">各部门评议结果</caption>
        <thead>
          <tr>
            {withGroup && <th scope="col">组别</th>}
            <th scope="col">部门</th>
            {scale.map((o) => (
              <th scope="col" class="num">
                {o.label}
              </th>
            ))}
            <th scope="col" class="num">
              未填
            </th>
            <th scope="col" class="num">
              有效票
            </th>
            <th scope="col" class="num">
              满意率(%)
            </th>
            <th scope="col" class="num">
              加权得分
            </th>
            <th scope="col" class="num">
              组内排名
            </th>
          </tr>
        </thead>
        <tbody>
          {tally.flatMap((t) =>
            t.departments.map((d) => (
              <tr>
                {withGroup && <td>{groupName(t.group)}</td>}
                <th scope="row">{d.name}</th>
                {d.counts.map((n) => (
                  <td class="num">{n}</td>
                ))}
                <td class="num">{d.blank}</td>
                <td class="num">{d.valid}</td>
                <td class="num">{fmt(d.satisfactionRate)}</td>
                <td class="num">{fmt(d.score)}</td>
                <td class="num">{d.rank ?? '—'}</td>
              </tr>
            )),
          )}
        </tbody>
      </table>
    </div>
  );
}

export function GroupResultPage(props: { campaign: Campaign; tally: GroupTally; root: string; chartSvg: string; unsealedAt: number }) {
  const { campaign, tally: t } = props;
  const base = `/c/${campaign.code}/results/${t.group}`;
  return (
    <section>
      <h1>
        {campaign.name} · {groupName(t.group)}评议结果
      </h1>
      <p>
        {when(props.unsealedAt)} 开封。共收选票 {t.ballots.total} 张:有效 {t.ballots.counted} 张(其中全部未填 {t.ballots.blank} 张),无效 {t.ballots.invalid} 张。满意率 =(满意 + 比较满意)÷
        有效评价(不含“不了解”和未填);加权得分按 {t.scale.filter((o) => o.weight !== null).map((o) => `${o.label} ${o.weight}`).join('、')} 计;满意率相同时按得分排名,二者都相同则并列。
      </p>
      <ResultTable tally={[t]} />
      <figure class="my-16">
        {raw(props.chartSvg)}
        <figcaption class="muted">各部门满意率与加权得分(数据同上表)</figcaption>
      </figure>
      <p>
        选票集合根摘要:<code class="break-all">{props.root}</code>
      </p>
      <p class="row">
        <a href={`${base}/result.csv`} hx-boost="false">
          下载 CSV
        </a>
        <a href={`/api/campaigns/${campaign.code}/groups/${t.group}/result`} hx-boost="false">
          公布的结果文件(JSON,可用 npm run verify 核验)
        </a>
        <a href={`/c/${campaign.code}/seal/${t.group}`}>封存公示</a>
        <a href={`/c/${campaign.code}/receipt`}>查找我的回执</a>
        <button type="button" class="secondary" data-print>
          打印
        </button>
      </p>
    </section>
  );
}

export function ResultsOverviewPage(props: { campaign: Campaign; groups: { no: number; tally: GroupTally | undefined; committed: boolean }[] }) {
  const { campaign } = props;
  const published = props.groups.filter((g) => g.tally).map((g) => g.tally!);
  return (
    <section>
      <h1>{campaign.name} · 评议结果</h1>
      <ul>
        {props.groups.map((g) => (
          <li>
            {groupName(g.no)}:
            {g.tally ? (
              <a href={`/c/${campaign.code}/results/${g.no}`}>已开封,查看结果</a>
            ) : g.committed ? (
              <>已封存承诺,尚未开封</>
            ) : (
              <>尚未封存</>
            )}{' '}
            · <a href={`/c/${campaign.code}/seal/${g.no}`}>封存公示</a>
          </li>
        ))}
      </ul>
      <p>
        <a href={`/c/${campaign.code}/receipt`}>市民代表:查找我的选票回执</a> · <a href={`/c/${campaign.code}/surveys`}>社情民意调查</a>
      </p>
      {published.length > 0 && (
        <>
          <h2>各组结果汇总</h2>
          {published.length < props.groups.length && <p class="muted">只列出已开封的组。</p>}
          <ResultTable tally={published} withGroup />
          <p>
            <a href={`/c/${campaign.code}/results.csv`} hx-boost="false">
              下载汇总 CSV
            </a>
          </p>
        </>
      )}
    </section>
  );
}

export function ReceiptPage(props: { campaign: Campaign; query: string; found: { groupNo: number; committed: boolean; unsealed: boolean } | undefined | null; error?: string | undefined }) {
  const { campaign, found } = props;
  return (
    <section>
      <h1>查找我的选票回执</h1>
      <form method="get" action={`/c/${campaign.code}/receipt`} class="stack">
        <label for="r">回执码(投票后屏幕上显示的 64 位编码)</label>
        <input type="text" id="r" name="r" value={props.query} autocomplete="off" spellcheck={false} aria-describedby={props.error ? 'r-error' : undefined} aria-invalid={props.error ? 'true' : undefined} />
        {props.error && (
          <div class="field-error" id="r-error">
            {props.error}
          </div>
        )}
        <button type="submit">查找</button>
      </form>
      {found === undefined && props.query && !props.error && <Flash kind="err">没有找到这张回执。请核对回执码;如确认无误,请向监督人员反映。</Flash>}
      {found && (
        <Flash kind="ok">
          找到了:您的选票在{groupName(found.groupNo)}
          {found.unsealed ? '的公布结果中,已计入统计。' : found.committed ? '的封存承诺中,等待开封。' : ',本组尚未封存承诺。'}
          {found.committed && (
            <>
              {' '}
              <a href={`/c/${campaign.code}/seal/${found.groupNo}`}>查看封存公示</a>
            </>
          )}
        </Flash>
      )}
    </section>
  );
}

/** Each seat's custodian and published share fingerprint (the staff tally page and the unsealing table). */
function SeatFingerprints({ seats, header }: { seats: readonly { seatNo: number; custodianName: string; fingerprint: string | null }[]; header: string }) {
  return (
    <table>
      <thead>
        <tr>
          <th scope="col">席位</th>
          <th scope="col">保管人</th>
          <th scope="col">{header}</th>
        </tr>
      </thead>
      <tbody>
        {seats.map((x) => (
          <tr>
            <td>{x.seatNo}</td>
            <td>{x.custodianName}</td>
            <td>
              <code class="break-all">{x.fingerprint ?? '—'}</code>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
