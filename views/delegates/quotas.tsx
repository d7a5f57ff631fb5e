import type { Campaign } from '../components/models';
import { groupName } from '../components/ui';
import { CsrfField, Flash } from '../components/layout';

/* The view model: the fields this page shows. */
export interface QuotaTable {
  categories: { id: string; name: string; seats: number[]; }[];
}
export interface VenueAllocation {
  venue: string;
  kind: 'main' | 'sub';
  group: number;
  seats: number;
  categories: CategoryAllocation[];
}
export interface CategoryAllocation {
  category: string;
  seats: number;
  exact: number;
  moved: boolean;
}

const fmt = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(2));

/** One group's matrix: categories down, venues of one kind across, with row and column totals. */
function GroupMatrix({ group, rows, kind }: { group: number; rows: VenueAllocation[]; kind: string }) {
  const venues = rows.filter((r) => r.group === group);
  if (!venues.length) return null;
  const categories = venues[0]!.categories.map((c) => c.category);
  return (
    <div class="table-wrap">
      <table>
        <caption class="muted">
          {groupName(group)} · {kind}(带 * 的格子因四舍五入多得 1 席;括号内为精确比例)
        </caption>
        <thead>
          <tr>
            <th scope="col">代表类别</th>
            {venues.map((v) => (
              <th scope="col" class="num">
                {v.venue}
              </th>
            ))}
            <th scope="col" class="num">
              合计
            </th>
          </tr>
        </thead>
        <tbody>
          {categories.map((cat, i) => (
            <tr>
              <th scope="row">{cat}</th>
              {venues.map((v) => {
                const cell = v.categories[i]!;
                return (
                  <td class="num" title={`精确值 ${fmt(cell.exact)}`}>
                    {cell.seats}
                    {cell.moved ? '*' : ''}
                  </td>
                );
              })}
              <td class="num">{venues.reduce((a, v) => a + v.categories[i]!.seats, 0)}</td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <td>合计</td>
            {venues.map((v) => (
              <td class="num">{v.seats}</td>
            ))}
            <td class="num">{venues.reduce((a, v) => a + v.seats, 0)}</td>
          </tr>
        </tfoot>
      </table>
    </div>
  );
}

export function QuotaPage(props: { campaign: Campaign; groupNos: number[]; allocation: VenueAllocation[]; mainVenues: string[] }) {
  const main = props.allocation.filter((a) => props.mainVenues.includes(a.venue));
  const sub = props.allocation.filter((a) => !props.mainVenues.includes(a.venue));
  return (
    <section>
      <h1>市民代表构成</h1>
      <p class="muted">
        各会场名额按基础构成表等比例分配(最大余数法),每个会场合计与其座位数完全一致,每个类别与精确比例相差不超过 1 人。
      </p>
      {props.groupNos.map((g) => (
        <section>
          <h2>
            {groupName(g)}:全市合计 {props.allocation.filter((a) => a.group === g).reduce((x, a) => x + a.seats, 0)} 人
          </h2>
          <GroupMatrix group={g} rows={main} kind="市级主会场" />
          <GroupMatrix group={g} rows={sub} kind="区(市)分会场" />
        </section>
      ))}
    </section>
  );
}

export function QuotaEditPage(props: {
  campaign: Campaign;
  groupNos: number[];
  tables: Record<'main' | 'sub', QuotaTable>;
  /** The version each table was read at (a save on an older one is refused, 409) */
  versions: Record<'main' | 'sub', number>;
  csrfToken: string;
  errors?: Record<string, string>;
  flash?: string | undefined;
}) {
  const frozen = props.campaign.status !== 'draft';
  const errors = props.errors ?? {};
  const table = (kind: 'main' | 'sub', title: string) => (
    <form class="card" id={`quota-${kind}`} method="post" action={`/staff/c/${props.campaign.code}/quotas/${kind}`}>
      <CsrfField token={props.csrfToken} />
      {/* the version the table was read at: saving over someone else's newer save is refused (409) */}
      <input type="hidden" name="version" value={String(props.versions[kind])} />
      <h2>{title}</h2>
      {errors[kind] && <Flash kind="err">{errors[kind]}</Flash>}
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">代表类别</th>
              {props.groupNos.map((g) => (
                <th scope="col" class="num">
                  {groupName(g)}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {props.tables[kind].categories.map((cat) => (
              <tr>
                <th scope="row">{cat.name}</th>
                {props.groupNos.map((g, i) => (
                  <td class="num">
                    <input
                      type="number"
                      inputmode="numeric"
                      min="0"
                      max="1000"
                      name={`${cat.id}_${g}`}
                      value={String(cat.seats[i] ?? 0)}
                      aria-label={`${cat.name} ${groupName(g)}`}
                      disabled={frozen}
                      class="w-55em mh-36"
                    />
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
          <tfoot>
            <tr>
              <td>合计(基数)</td>
              {props.groupNos.map((_, i) => (
                <td class="num">{props.tables[kind].categories.reduce((a, c) => a + (c.seats[i] ?? 0), 0)}</td>
              ))}
            </tr>
          </tfoot>
        </table>
      </div>
      {!frozen && <button type="submit">保存{title}</button>}
    </form>
  );
  return (
    <section>
      <h1>代表名额分配</h1>
      {props.flash && <Flash kind="ok">{props.flash}</Flash>}
      {frozen && <Flash kind="warn">活动已开始,基础构成表与会场座位数已冻结。</Flash>}
      <p>
        基础构成表给出参照规模会场(主会场 100 人、分会场 210 人)每组各类别人数;其他规模的会场按同一比例分配。会场座位数在
        <a href={`/staff/c/${props.campaign.code}/edit`}>编辑年度活动</a>中修改。分配结果见
        <a href={`/c/${props.campaign.code}/quotas`}>代表构成公示</a>。
      </p>
      {table('main', '市级主会场基础构成表')}
      {table('sub', '区(市)分会场基础构成表')}
    </section>
  );
}
