import type { Campaign, Department, VenueWithSeats } from '../components/models';
import type { SessionUser } from '../components/models';
import { StatusBadge } from '../components/ui';
import { CsrfField, FieldError, Flash } from '../components/layout';


/** The signed-in staff member as the dashboard shows them: the route passes the role's label. */
export interface DashboardUser extends SessionUser {
  roleLabel: string;
}

export function Dashboard(props: { user: DashboardUser; campaign: Campaign | undefined; venues: VenueWithSeats[]; departments: Department[] }) {
  const { user, campaign } = props;
  const base = campaign ? `/staff/c/${campaign.code}` : '';
  const myVenue = props.venues.find((v) => v.name === user.venueName);
  const myDepartment = props.departments.find((d) => d.name === user.departmentName);
  return (
    <section>
      <h1>工作台</h1>
      <p>
        {user.displayName}({user.roleLabel}
        {user.venueName ? ` · ${user.venueName}` : ''}
        {user.departmentName ? ` · ${user.departmentName}` : ''})
      </p>
      {campaign && (
        <p>
          当前年度:<a href={`/c/${campaign.code}`}>{campaign.name}</a> <StatusBadge status={campaign.status} />
        </p>
      )}
      <div class="cards">
        {user.role === 'organiser' && campaign && (
          <div class="card">
            <h2>活动组织</h2>
            <ul>
              <li>
                <a href={`${base}/edit`}>编辑部门、分组、顺序、会场与材料</a>
              </li>
              <li>
                <a href={`${base}/quotas`}>代表名额分配</a>
              </li>
              <li>
                <a href={`${base}/candidates`}>候选人与审核</a>
              </li>
              <li>
                <a href={`${base}/draw`}>分层随机抽取</a>
              </li>
              <li>
                <a href={`${base}/delegates`}>市民代表名单</a>
              </li>
              <li>
                <a href={`${base}/hearing`}>评议现场:开启/结束投票、签到台</a>
              </li>
              <li>
                <a href={`${base}/turnout`}>实时签到与投票情况</a>
              </li>
              <li>
                <a href={`${base}/surveys`}>问卷调查:社情民意调查、活动纪律情况调查表</a>
              </li>
              <li>
                <a href={`${base}/discipline`}>活动纪律情况反映(旧表单收到的)</a>
              </li>
              <li>
                <a href="/staff/campaigns">年度活动(新建下一年度)</a>
              </li>
              <li>
                <a href="/staff/users">工作人员账号</a>
              </li>
              <li>
                <a href="/staff/audit">审计日志</a>
              </li>
            </ul>
          </div>
        )}
        {user.role === 'organiser' && campaign && (
          <div class="card">
            <h2>市民建议</h2>
            <ul>
              <li>
                <a href={`${base}/suggestions`}>建议分派与办理</a>
              </li>
              <li>
                <a href={`${base}/suggestions/stats`}>建议统计与逾期清单</a>
              </li>
              <li>
                <a href={`${base}/suggestions/excellent`}>优秀建议评选</a>
              </li>
            </ul>
            <div hx-get={`${base}/suggestions/stats?part=summary`} hx-trigger="load" hx-swap="innerHTML"></div>
          </div>
        )}
        {user.role === 'organiser' && campaign && (
          <div class="card">
            <h2>各会场</h2>
            <ul>
              {props.venues.map((v) => (
                <li>
                  <a href={`${base}/venues/${v.id}`}>{v.name}</a>
                </li>
              ))}
            </ul>
          </div>
        )}
        {user.role === 'venue_staff' && (
          <div class="card">
            <h2>本会场</h2>
            {myVenue ? (
              <ul>
                <li>
                  <a href={`${base}/venues/${myVenue.id}`}>{myVenue.name}</a>
                </li>
                <li>
                  <a href={`${base}/candidates`}>候选人审核与推荐名单导入</a>
                </li>
                <li>
                  <a href={`${base}/delegates`}>本会场市民代表名单</a>
                </li>
                <li>
                  <a href={`${base}/hearing`}>评议现场签到台</a>
                </li>
              </ul>
            ) : (
              <p class="muted">本年度没有名为“{user.venueName}”的会场,请联系组织者。</p>
            )}
          </div>
        )}
        {user.role === 'dept_handler' && (
          <div class="card">
            <h2>本部门</h2>
            {myDepartment ? (
              <ul>
                <li>
                  <a href={`${base}/departments/${myDepartment.id}`}>{myDepartment.name}</a>
                </li>
                <li>
                  <a href={`${base}/handling`}>本部门待办建议</a>
                </li>
              </ul>
            ) : (
              <p class="muted">本年度没有名为“{user.departmentName}”的部门,请联系组织者。</p>
            )}
          </div>
        )}
        {user.role === 'qualifier' && campaign && (
          <div class="card">
            <h2>资格审查</h2>
            <a href={`${base}/candidates`}>待审查的候选人</a>
          </div>
        )}
        {user.role === 'auditor' && (
          <div class="card">
            <h2>监督审计</h2>
            <a href="/staff/audit">审计日志与哈希链校验</a>
          </div>
        )}
        {(user.role === 'statistician' || user.role === 'custodian' || user.role === 'organiser' || user.role === 'auditor') && campaign && (
          <div class="card">
            <h2>统计与计票</h2>
            <p>评议票在各组投票结束、所有会场封存后,由计票保管人共同开封统计。开封前任何人都看不到部分结果。</p>
            <a href={`${base}/tally`}>密钥仪式、封存承诺与开封计票</a>
            {user.role === 'statistician' && (
              <p>
                <a href={`${base}/suggestions/stats`}>市民建议统计</a>
              </p>
            )}
          </div>
        )}
      </div>
    </section>
  );
}


export function CampaignsPage(props: { campaigns: Campaign[]; csrfToken: string; values?: Record<string, string>; errors?: Record<string, string>; flash?: string | undefined }) {
  const errors = props.errors ?? {};
  const latest = props.campaigns[0];
  const v = props.values ?? {
    from: latest?.code ?? '',
    code: latest ? String(latest.year + 1) : '',
    name: latest ? latest.name.replace(String(latest.year), String(latest.year + 1)) : '',
    year: latest ? String(latest.year + 1) : '',
  };
  return (
    <section>
      <h1>年度活动</h1>
      {props.flash && <Flash kind="ok">{props.flash}</Flash>}
      <table>
        <thead>
          <tr>
            <th scope="col">年度</th>
            <th scope="col">名称</th>
            <th scope="col">状态</th>
            <th scope="col">操作</th>
          </tr>
        </thead>
        <tbody>
          {props.campaigns.map((c) => (
            <tr>
              <td>{c.year}</td>
              <td>
                <a href={`/c/${c.code}`}>{c.name}</a>
              </td>
              <td>
                <StatusBadge status={c.status} />
              </td>
              <td>
                <a href={`/staff/c/${c.code}/edit`}>编辑</a>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>复制为新年度</h2>
      <form class="card stack" method="post" action="/staff/campaigns/copy">
        <CsrfField token={props.csrfToken} />
        {Object.keys(errors).length > 0 && <Flash kind="err">{errors['_form'] ?? '提交的内容有误,请按提示修改'}</Flash>}
        <div>
          <label for="copy-from">复制自</label>
          <select id="copy-from" name="from">
            {props.campaigns.map((c) => (
              <option value={c.code} selected={v['from'] === c.code}>
                {c.year} · {c.name}
              </option>
            ))}
          </select>
          <FieldError id="copy-from-error" message={errors['from']} />
        </div>
        {(
          [
            ['code', '活动代码(用于网址,如 2019)'],
            ['name', '活动名称'],
            ['year', '年度'],
          ] as const
        ).map(([name, label]) => (
          <div>
            <label for={`copy-${name}`}>{label}</label>
            <input id={`copy-${name}`} name={name} type="text" value={v[name] ?? ''} required aria-invalid={errors[name] ? 'true' : undefined} aria-describedby={errors[name] ? `copy-${name}-error` : undefined} />
            <FieldError id={`copy-${name}-error`} message={errors[name]} />
          </div>
        ))}
        <div>
          <button type="submit">复制结构,新建年度</button>
        </div>
      </form>
    </section>
  );
}

