import type { Campaign } from '../../src/campaigns/campaigns.repo';
import type { Draw } from '../../src/delegates/delegates.repo';
import { groupName } from '../components';
import { CsrfField, Flash } from '../layout';

export interface CellSummary {
  venue: string;
  group: number;
  category: string;
  seats: number;
  selected: number;
  reserve: number;
  shortfall: number;
}

function CellsTable({ cells }: { cells: CellSummary[] }) {
  const short = cells.filter((c) => c.shortfall > 0);
  const total = cells.reduce((a, c) => ({ seats: a.seats + c.seats, selected: a.selected + c.selected, shortfall: a.shortfall + c.shortfall }), { seats: 0, selected: 0, shortfall: 0 });
  return (
    <>
      <p>
        名额 {total.seats} 个,抽中 {total.selected} 人,缺额 {total.shortfall} 个。
      </p>
      {short.length > 0 && (
        <>
          <h3>候选人不足的名额(不从其他类别补足)</h3>
          <div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">会场</th>
                  <th scope="col">分组</th>
                  <th scope="col">类别</th>
                  <th scope="col" class="num">
                    名额
                  </th>
                  <th scope="col" class="num">
                    抽中
                  </th>
                  <th scope="col" class="num">
                    缺额
                  </th>
                </tr>
              </thead>
              <tbody>
                {short.map((c) => (
                  <tr>
                    <td>{c.venue}</td>
                    <td>{groupName(c.group)}</td>
                    <td>{c.category}</td>
                    <td class="num">{c.seats}</td>
                    <td class="num">{c.selected}</td>
                    <td class="num">{c.shortfall}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </>
  );
}

export function PublicDrawPage(props: { campaign: Campaign; draw: Draw | undefined; cells: CellSummary[] }) {
  const { draw } = props;
  return (
    <section>
      <h1>市民代表分层随机抽取公示</h1>
      {!draw ? (
        <p>抽签尚未开始。抽签前将在此公布随机种子的承诺值(哈希)和候选名单摘要。</p>
      ) : (
        <>
          <p>抽签前公布的承诺:</p>
          <ul>
            <li>
              随机种子承诺(SHA-256):<code class="break-all">{draw.seedCommitment}</code>
            </li>
            <li>
              候选名单摘要:<code class="break-all">{draw.candidatesDigest}</code>(共 {draw.candidateCount} 名合格候选人,以编号代替姓名)
            </li>
          </ul>
          {draw.state === 'drawn' ? (
            <>
              <p>
                随机种子:<code class="break-all">{draw.seed}</code>
              </p>
              <CellsTable cells={props.cells} />
              <p>
                <a class="button" href={`/c/${props.campaign.code}/draw.json`} hx-boost="false">
                  下载公示文件(JSON)
                </a>
              </p>
              <p class="muted">
                任何人都可以用 <code>npm run draw:verify -- 文件名</code> 复算:检查种子与承诺一致,并用同一种子和名单重新抽取,结果必须完全相同。
              </p>
            </>
          ) : (
            <p>抽签尚未进行。</p>
          )}
        </>
      )}
    </section>
  );
}

export function StaffDrawPage(props: {
  campaign: Campaign;
  draw: Draw | undefined;
  eligible: number;
  pending: number;
  seatCount: number;
  cells: CellSummary[];
  csrfToken: string;
  revealedSeed?: string | undefined;
  error?: string | undefined;
}) {
  const { draw, campaign } = props;
  const base = `/staff/c/${campaign.code}/draw`;
  return (
    <section>
      <h1>分层随机抽取</h1>
      {props.error && <Flash kind="err">{props.error}</Flash>}
      <p>
        合格候选人 {props.eligible} 名(尚有 {props.pending} 名待审核),需抽取名额 {props.seatCount} 个。
      </p>
      {props.revealedSeed && (
        <Flash kind="warn">
          请立即抄录并妥善保管随机种子(系统不保存,抽签时需要输入):<br />
          <code class="break-all fs-110">{props.revealedSeed}</code>
        </Flash>
      )}
      {!draw && campaign.status === 'draft' && <Flash kind="warn">请先在“编辑年度活动”中开始活动(冻结会场与名额),再进行抽签承诺。</Flash>}
      {!draw && campaign.status !== 'draft' && (
        <div class="cards">
          <form class="card stack" method="post" action={`${base}/commit`}>
            <CsrfField token={props.csrfToken} />
            <h2>由系统生成随机种子</h2>
            <p>系统生成 32 字节随机种子,只显示一次、不保存,仅公布其哈希承诺。提交后候选名单即封存。</p>
            <input type="hidden" name="mode" value="generate" />
            <div>
              <button type="submit">生成种子并公布承诺</button>
            </div>
          </form>
          <form class="card stack" method="post" action={`${base}/commit`}>
            <CsrfField token={props.csrfToken} />
            <h2>使用外部种子(如公证现场产生)</h2>
            <p class="muted">
              承诺值 = SHA-256(“sanmin-draw-seed-v1:”‖ 种子的 32 个字节),可离线用 <code>npm run draw:verify -- --commitment 种子</code> 计算。
            </p>
            <input type="hidden" name="mode" value="external" />
            <div>
              <label for="commitment">种子的 SHA-256 承诺值(64 位十六进制)</label>
              <input id="commitment" name="commitment" type="text" autocomplete="off" />
            </div>
            <div>
              <button type="submit">公布承诺</button>
            </div>
          </form>
        </div>
      )}
      {draw?.state === 'committed' && (
        <form class="card stack" method="post" action={`${base}/run`}>
          <CsrfField token={props.csrfToken} />
          <h2>揭示种子并抽签</h2>
          <p>
            已公布承诺 <code class="break-all">{draw.seedCommitment}</code>
          </p>
          <div>
            <label for="seed">随机种子(64 位十六进制)</label>
            <input id="seed" name="seed" type="text" autocomplete="off" required />
          </div>
          <div>
            <button type="submit">抽签</button>
          </div>
        </form>
      )}
      {draw?.state === 'drawn' && (
        <>
          <Flash kind="ok">抽签已完成,结果已公示。</Flash>
          <CellsTable cells={props.cells} />
          <p>
            <a href={`/staff/c/${campaign.code}/delegates`}>查看市民代表名单</a> · <a href={`/c/${campaign.code}/draw`}>公示页面</a>
          </p>
        </>
      )}
    </section>
  );
}
