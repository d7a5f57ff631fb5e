import type { Slot } from '../components/models';
import { MATERIAL_KIND_LABELS } from './material-kinds';
import type { Campaign, Department, Group, Material, VenueWithSeats } from '../components/models';
import { formatDate, groupName } from '../components/ui';


export function VenueStaffPage(props: { campaign: Campaign; venue: VenueWithSeats; groups: Group[] }) {
  const { venue } = props;
  return (
    <section>
      <h1>{venue.name}</h1>
      <p class="muted">
        {venue.kind === 'main' ? '市级主会场' : '分会场'} · {props.campaign.name}
      </p>
      <table>
        <thead>
          <tr>
            <th scope="col">分组</th>
            <th scope="col">时间</th>
            <th scope="col" class="num">
              代表名额
            </th>
          </tr>
        </thead>
        <tbody>
          {props.groups.map((g) => (
            <tr>
              <th scope="row">{groupName(g.no)}</th>
              <td>
                {formatDate(g.date)} {g.startTime}
              </td>
              <td class="num">{venue.seats.get(g.no) ?? 0}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

export function DepartmentStaffPage(props: { campaign: Campaign; department: Department; group: Group | undefined; slot: Slot | undefined; materials: Material[] }) {
  const { department: d, group, slot } = props;
  return (
    <section>
      <h1>{d.name}</h1>
      <p class="muted">
        {group && slot ? `${groupName(group.no)} · ${formatDate(group.date)} ${slot.start}–${slot.end} 述职` : '内部述职'}
      </p>
      <h2>已公开的材料</h2>
      <ul>
        <li>工作职责:{d.duties ? '已公开' : '未填写'}</li>
        <li>年度目标:{d.goals ? `${d.goals.split('\n').filter(Boolean).length} 项` : '未填写'}</li>
        <li>书面述职报告:{d.report ? `${d.report.length} 字` : '未填写'}</li>
        {props.materials.map((m) => (
          <li>
            <a href={m.url}>{m.title}</a>({MATERIAL_KIND_LABELS[m.kind]})
          </li>
        ))}
      </ul>
      <p>
        <a href={`/c/${props.campaign.code}/departments/${d.id}`}>查看公开页面</a>
      </p>
    </section>
  );
}

