import type { Campaign } from '../components/models';
import { groupName } from '../components/ui';
import { CsrfField, FieldError, Flash } from '../components/layout';

/* The view model: the fields this page shows. */
export interface Draw {
  state: 'committed' | 'drawn';
  seedCommitment: string;
  candidatesDigest: string;
  candidateCount: number;
  seed: string | null;
  beaconSource: string | null;
  beaconValue: string | null;
}

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

export function PublicDrawPage(props: { campaign: Campaign; draw: Draw | undefined; cells: CellSummary[]; effectiveSeed?: string | undefined }) {
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
            {draw.beaconSource ? (
              <li>
                公共随机源(承诺时指定,承诺时尚无人知道其号码):<strong>{draw.beaconSource}</strong>
              </li>
            ) : (
              <li>本次抽签在启用公共随机源之前承诺,只由随机种子决定。</li>
            )}
          </ul>
          {draw.state === 'drawn' ? (
            <>
              <p>
                随机种子:<code class="break-all">{draw.seed}</code>
              </p>
              {draw.beaconSource && draw.beaconValue !== null && (
                <>
                  <p>
                    公共随机值(按 RFC 3797 规范化:每组号码从小到大,每个数后加“.”,每组后加“/”):<code style="word-break:break-all">{draw.beaconValue}</code>
                  </p>
                  <p>
                    实际抽签所用种子 = HMAC-SHA256(随机种子, “sanmin-draw-beacon-v1”‖换行‖公共随机源‖换行‖公共随机值):
                    <code style="word-break:break-all">{props.effectiveSeed}</code>
                  </p>
                  <p class="muted">
                    请对照公共随机源的官方公告核对上面的号码。承诺时号码尚未产生,组织者无法通过反复试选种子来挑选抽签结果;种子又是保密承诺的,开奖方或提前得知号码的人也无法预测或操纵结果。
                  </p>
                </>
              )}
              <CellsTable cells={props.cells} />
              <p>
                <a class="button" href={`/c/${props.campaign.code}/draw.json`} hx-boost="false">
                  下载公示文件(JSON)
                </a>
              </p>
              <p class="muted">
                任何人都可以用 <code>npm run draw:verify -- 文件名</code> 复算:检查种子与承诺一致、实际种子由种子和公共随机值推导而来,并用同一种子和名单重新抽取,结果必须完全相同。
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
  errors?: Record<string, string> | undefined;
  values?: Record<string, string> | undefined;
}) {
  const { draw, campaign } = props;
  const errors = props.errors ?? {};
  const values = props.values ?? {};
  const sourceField = (mode: 'generate' | 'external') => {
    const id = `publicSource-${mode}`;
    const error = values['mode'] === mode ? errors['publicSource'] : undefined;
    return (
      <div>
        <label for={id}>公共随机源(承诺之后才开奖的公开号码,写明来源和公布日期)</label>
        <input
          id={id}
          name="publicSource"
          type="text"
          autocomplete="off"
          required
          placeholder="例如:中国福利彩票双色球 第 2018140 期开奖号码(2018 年 12 月 2 日开奖)"
          value={values['mode'] === mode ? values['publicSource'] : undefined}
          aria-invalid={error ? 'true' : undefined}
          aria-describedby={error ? `${id}-error` : undefined}
        />
        <FieldError id={`${id}-error`} message={error} />
      </div>
    );
  };
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
            <p>系统生成 32 字节随机种子,只显示一次、不保存,仅公布其哈希承诺和指定的公共随机源。提交后候选名单即封存。抽签时的实际种子由该种子和公共随机源日后公布的号码共同决定,所以承诺前反复生成种子也挑不出想要的结果。</p>
            <input type="hidden" name="mode" value="generate" />
            {sourceField('generate')}
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
              <input
                id="commitment"
                name="commitment"
                type="text"
                autocomplete="off"
                value={values['commitment']}
                aria-invalid={errors['commitment'] ? 'true' : undefined}
                aria-describedby={errors['commitment'] ? 'commitment-error' : undefined}
              />
              <FieldError id="commitment-error" message={errors['commitment']} />
            </div>
            {sourceField('external')}
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
            <input id="seed" name="seed" type="text" autocomplete="off" required value={values['seed']} aria-invalid={errors['seed'] ? 'true' : undefined} aria-describedby={errors['seed'] ? 'seed-error' : undefined} />
            <FieldError id="seed-error" message={errors['seed']} />
          </div>
          {draw.beaconSource && (
            <div>
              <label for="publicValue">公共随机值:{draw.beaconSource} 公布的号码(同组号码用空格分隔,不同组用“+”或“/”分隔,如 03 07 12 19 25 31 + 09)</label>
              <input
                id="publicValue"
                name="publicValue"
                type="text"
                autocomplete="off"
                required
                value={values['publicValue']}
                aria-invalid={errors['publicValue'] ? 'true' : undefined}
                aria-describedby={errors['publicValue'] ? 'publicValue-error' : undefined}
              />
              <FieldError id="publicValue-error" message={errors['publicValue']} />
            </div>
          )}
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
