import type { Slot } from '../components/models';
import { MATERIAL_KIND_LABELS } from './material-kinds';
import type { AgendaGroup, Campaign, Department, Group, Material, VenueWithSeats } from '../components/models';
import { formatDate, groupName, StatusBadge } from '../components/ui';

export interface AgendaView {
  group: AgendaGroup;
  slots: Slot[];
}

export function CampaignHome(props: {
  campaign: Campaign;
  agenda: AgendaView[];
  internal: Department[];
  venueCount: number;
  seatsPerGroup: Map<number, number>;
  others: Campaign[];
}) {
  const { campaign, agenda } = props;
  const publicCount = agenda.reduce((n, a) => n + a.group.departments.length, 0);
  const totalSeats = [...props.seatsPerGroup.values()].reduce((a, b) => a + b, 0);
  return (
    <section>
      <h1>{campaign.name}</h1>
      <p>
        <StatusBadge status={campaign.status} />
      </p>
      <p>
        市政府部门向市民报告工作、听取市民意见、接受市民评议。{publicCount} 个部门分 {agenda.length}{' '}
        组公开述职,每个部门限时 {campaign.minutesPerDepartment} 分钟;另有 {props.internal.length}{' '}
        个部门在市级机关内部述职。市民代表在 {props.venueCount} 个会场现场听取述职,无记名填写评议票。
      </p>
      <div class="cards four">
        <div class="card">
          <div class="muted">公开述职部门</div>
          <div class="stat">{publicCount}</div>
        </div>
        <div class="card">
          <div class="muted">述职分组</div>
          <div class="stat">{agenda.length}</div>
        </div>
        <div class="card">
          <div class="muted">会场(主会场 + 分会场)</div>
          <div class="stat">{props.venueCount}</div>
        </div>
        <div class="card">
          <div class="muted">评议票(每组 {campaign.ballotsPerGroup} 张)</div>
          <div class="stat">{totalSeats}</div>
        </div>
      </div>
      <h2>述职安排</h2>
      <div class="cards">
        {agenda.map(({ group, slots }) => (
          <div class="card">
            <h3>
              <a href={`/c/${campaign.code}/agenda#group-${group.no}`}>{groupName(group.no)}</a>
            </h3>
            <p class="muted">
              {formatDate(group.date)} {slots[0]?.start ?? group.startTime}–{slots[slots.length - 1]?.end ?? group.startTime} ·{' '}
              {group.departments.length} 个部门 · {props.seatsPerGroup.get(group.no) ?? 0} 名市民代表
            </p>
          </div>
        ))}
      </div>
      <p>
        <a class="button" href={`/c/${campaign.code}/agenda`}>
          查看完整述职安排
        </a>{' '}
        <a class="button secondary" href={`/c/${campaign.code}/venues`}>
          会场与代表名额
        </a>{' '}
        <a class="button secondary" href={`/c/${campaign.code}/quotas`}>
          代表构成
        </a>{' '}
        <a class="button secondary" href={`/c/${campaign.code}/signup`}>
          市民代表自愿报名
        </a>{' '}
        <a class="button secondary" href={`/c/${campaign.code}/draw`}>
          抽签公示
        </a>
      </p>
      {props.others.length > 0 && (
        <>
          <h2>其他年度</h2>
          <ul>
            {props.others.map((o) => (
              <li>
                <a href={`/c/${o.code}`}>{o.name}</a>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

export function AgendaPage(props: { campaign: Campaign; agenda: AgendaView[]; internal: Department[] }) {
  const { campaign } = props;
  return (
    <section>
      <h1>述职安排</h1>
      <p class="muted">{campaign.name}。每组约 2 小时,每个部门限时 {campaign.minutesPerDepartment} 分钟,全程直播。</p>
      {props.agenda.map(({ group, slots }) => (
        <section aria-labelledby={`group-${group.no}`}>
          <h2 id={`group-${group.no}`}>
            {groupName(group.no)}({group.departments.length} 个部门) · {formatDate(group.date)}
          </h2>
          <ol class="agenda">
            {group.departments.map((d, i) => (
              <li>
                <span class="time">
                  {slots[i]?.start}–{slots[i]?.end}
                </span>
                <a href={`/c/${campaign.code}/departments/${d.id}`}>{d.name}</a>
              </li>
            ))}
          </ol>
        </section>
      ))}
      {props.internal.length > 0 && (
        <>
          <h2>内部述职部门</h2>
          <p class="muted">以下部门在市级机关内部进行述职和评议,不参加公开述职。</p>
          <ul>
            {props.internal.map((d) => (
              <li>
                <a href={`/c/${campaign.code}/departments/${d.id}`}>{d.name}</a>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

export function DepartmentsPage(props: { campaign: Campaign; agenda: AgendaView[]; internal: Department[] }) {
  return (
    <section>
      <h1>述职部门</h1>
      {props.agenda.map(({ group }) => (
        <>
          <h2>{groupName(group.no)}</h2>
          <ul>
            {group.departments.map((d) => (
              <li>
                <a href={`/c/${props.campaign.code}/departments/${d.id}`}>{d.name}</a>
              </li>
            ))}
          </ul>
        </>
      ))}
      <h2>内部述职</h2>
      <ul>
        {props.internal.map((d) => (
          <li>
            <a href={`/c/${props.campaign.code}/departments/${d.id}`}>{d.name}</a>
          </li>
        ))}
      </ul>
    </section>
  );
}

export function DepartmentPage(props: {
  campaign: Campaign;
  department: Department;
  group: Group | undefined;
  slot: Slot | undefined;
  materials: Material[];
}) {
  const { department: d, group, slot } = props;
  const goals = d.goals.split('\n').filter((g) => g.trim());
  return (
    <article>
      <p>
        <a href={`/c/${props.campaign.code}/agenda`}>← 述职安排</a>
      </p>
      <h1>{d.name}</h1>
      <p class="muted">
        {group && slot
          ? `${groupName(group.no)} · ${formatDate(group.date)} ${slot.start}–${slot.end} 述职`
          : '在市级机关内部述职和评议,不参加公开述职'}
      </p>
      <h2>工作职责</h2>
      <p class="prose">{d.duties || '尚未公开'}</p>
      <h2>年度目标</h2>
      {goals.length ? (
        <ul class="goals">
          {goals.map((g) => (
            <li>{g}</li>
          ))}
        </ul>
      ) : (
        <p class="muted">尚未公开</p>
      )}
      <h2>书面述职报告</h2>
      <p class="prose">{d.report || '尚未公开'}</p>
      <h2>解读图板与附件</h2>
      {props.materials.length ? (
        <ul>
          {props.materials.map((m) => (
            <li>
              <a href={m.url} rel="noopener noreferrer">
                {m.title}
              </a>{' '}
              <span class="badge">{MATERIAL_KIND_LABELS[m.kind]}</span>
            </li>
          ))}
        </ul>
      ) : (
        <p class="muted">暂无解读图板或附件</p>
      )}
    </article>
  );
}

export function VenuesTable(props: { venues: VenueWithSeats[]; groupNos: number[]; totals: Map<number, number> }) {
  return (
    <div class="table-wrap">
      <table>
        <caption class="muted">每组市民代表名额(人)</caption>
        <thead>
          <tr>
            <th scope="col">会场</th>
            <th scope="col">类型</th>
            {props.groupNos.map((n) => (
              <th scope="col" class="num">
                {groupName(n)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {props.venues.map((v) => (
            <tr>
              <th scope="row">{v.name}</th>
              <td>{v.kind === 'main' ? '主会场' : '分会场'}</td>
              {props.groupNos.map((n) => (
                <td class="num">{v.seats.get(n) ?? 0}</td>
              ))}
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <td>合计</td>
            <td></td>
            {props.groupNos.map((n) => (
              <td class="num">{props.totals.get(n) ?? 0}</td>
            ))}
          </tr>
        </tfoot>
      </table>
    </div>
  );
}

export function VenuesPage(props: { campaign: Campaign; venues: VenueWithSeats[]; groupNos: number[]; totals: Map<number, number> }) {
  return (
    <section>
      <h1>会场与代表名额</h1>
      <p class="muted">
        市级主会场与各区(市)、青岛高新区分会场同步听取述职。各会场评议票当场回收、密封,混合后由第三方统计。
      </p>
      <VenuesTable venues={props.venues} groupNos={props.groupNos} totals={props.totals} />
    </section>
  );
}
