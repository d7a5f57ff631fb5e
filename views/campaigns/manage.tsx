import { MATERIAL_KIND_LABELS, MATERIAL_KINDS } from './material-kinds';
import type { AgendaGroup, Campaign, Department, Group, Material, VenueWithSeats } from '../components/models';
import { groupName, StatusBadge } from '../components/ui';
import { CsrfField, FieldError, Flash } from '../components/layout';

type Errors = Record<string, string>;
type Values = Record<string, string>;

const errId = (form: string, field: string) => `${form}-${field}-error`;

/** A labelled input with its error message tied to it for screen readers. */
function Field(props: {
  form: string;
  name: string;
  label: string;
  value?: string | number | undefined;
  type?: string;
  errors: Errors;
  required?: boolean;
  inputmode?: 'numeric' | 'text' | 'tel';
}) {
  const id = `${props.form}-${props.name}`;
  const err = props.errors[props.name];
  return (
    <div>
      <label for={id}>{props.label}</label>
      <input
        id={id}
        name={props.name}
        type={props.type ?? 'text'}
        value={props.value === undefined ? '' : String(props.value)}
        required={props.required}
        inputmode={props.inputmode}
        aria-invalid={err ? 'true' : undefined}
        aria-describedby={err ? errId(props.form, props.name) : undefined}
      />
      <FieldError id={errId(props.form, props.name)} message={err} />
    </div>
  );
}

function TextArea(props: { form: string; name: string; label: string; value: string; errors: Errors; rows?: number }) {
  const id = `${props.form}-${props.name}`;
  const err = props.errors[props.name];
  return (
    <div>
      <label for={id}>{props.label}</label>
      <textarea id={id} name={props.name} rows={props.rows ?? 5} aria-invalid={err ? 'true' : undefined} aria-describedby={err ? errId(props.form, props.name) : undefined}>
        {props.value}
      </textarea>
      <FieldError id={errId(props.form, props.name)} message={err} />
    </div>
  );
}

/** The version the form was read at: the save is refused (409) if someone saved in between. */
function VersionField({ values, version }: { values?: Values | undefined; version: number }) {
  return <input type="hidden" name="version" value={values?.['version'] ?? String(version)} />;
}

function FormMessage({ saved, errors }: { saved?: boolean | undefined; errors: Errors }) {
  if (errors['_form']) return <Flash kind="err">{errors['_form']}</Flash>;
  if (Object.keys(errors).length) return <Flash kind="err">提交的内容有误,请按提示修改</Flash>;
  return saved ? <Flash kind="ok">已保存</Flash> : null;
}

export function GroupForm(props: { campaign: Campaign; group: Group; csrfToken: string; values?: Values; errors?: Errors; saved?: boolean; frozen: boolean }) {
  const g = props.group;
  const v = props.values ?? { title: g.title, date: g.date, startTime: g.startTime };
  const errors = props.errors ?? {};
  const form = `group-${g.no}`;
  return (
    <form id={form} class="card stack" method="post" action={`/staff/c/${props.campaign.code}/groups/${g.no}`} hx-post={`/staff/c/${props.campaign.code}/groups/${g.no}`} hx-target="this" hx-swap="outerHTML">
      <CsrfField token={props.csrfToken} />
      <VersionField values={props.values} version={g.version} />
      <h3>{groupName(g.no)}</h3>
      <FormMessage saved={props.saved} errors={errors} />
      <Field form={form} name="title" label="分组名称" value={v['title']} errors={errors} required />
      <div class="row">
        <Field form={form} name="date" label="日期" type="date" value={v['date']} errors={errors} required />
        <Field form={form} name="startTime" label="开始时间" type="time" value={v['startTime']} errors={errors} required />
      </div>
      {!props.frozen && (
        <div>
          <button type="submit">保存分组</button>
        </div>
      )}
    </form>
  );
}

export function VenueForm(props: {
  campaign: Campaign;
  venue: VenueWithSeats;
  groupNos: number[];
  csrfToken: string;
  values?: Values;
  errors?: Errors;
  saved?: boolean;
  frozen: boolean;
}) {
  const vn = props.venue;
  const v: Values = props.values ?? {
    name: vn.name,
    kind: vn.kind,
    ...Object.fromEntries(props.groupNos.map((n) => [`seats_${n}`, String(vn.seats.get(n) ?? 0)])),
  };
  const errors = props.errors ?? {};
  const form = `venue-${vn.id}`;
  const action = `/staff/c/${props.campaign.code}/venues/${vn.id}`;
  return (
    <form id={form} class="card stack" method="post" action={action} hx-post={action} hx-target="this" hx-swap="outerHTML">
      <CsrfField token={props.csrfToken} />
      <VersionField values={props.values} version={vn.version} />
      <FormMessage saved={props.saved} errors={errors} />
      <div class="row">
        <Field form={form} name="name" label="会场名称" value={v['name']} errors={errors} required />
        <div>
          <label for={`${form}-kind`}>类型</label>
          <select id={`${form}-kind`} name="kind">
            <option value="main" selected={v['kind'] === 'main'}>
              主会场
            </option>
            <option value="sub" selected={v['kind'] === 'sub'}>
              分会场
            </option>
          </select>
        </div>
      </div>
      <div class="row">
        {props.groupNos.map((n) => (
          <Field form={form} name={`seats_${n}`} label={`${groupName(n)}名额`} type="number" inputmode="numeric" value={v[`seats_${n}`]} errors={errors} required />
        ))}
      </div>
      {!props.frozen && (
        <div class="row">
          <button type="submit">保存会场</button>
          <a href={`/staff/c/${props.campaign.code}/venues/${vn.id}`}>会场页面</a>
        </div>
      )}
    </form>
  );
}

export function DepartmentForm(props: {
  campaign: Campaign;
  department: Department;
  groups: Group[];
  csrfToken: string;
  values?: Values;
  errors?: Errors;
  saved?: boolean;
  frozen: boolean;
}) {
  const d = props.department;
  const currentGroup = props.groups.find((g) => g.id === d.groupId);
  const v: Values = props.values ?? {
    name: d.name,
    group: currentGroup ? String(currentGroup.no) : '',
    duties: d.duties,
    goals: d.goals,
    report: d.report,
  };
  const errors = props.errors ?? {};
  const form = 'department';
  const action = `/staff/c/${props.campaign.code}/departments/${d.id}`;
  return (
    <form id="department-form" class="stack" method="post" action={action} hx-post={action} hx-target="this" hx-swap="outerHTML">
      <CsrfField token={props.csrfToken} />
      <VersionField values={props.values} version={d.version} />
      <FormMessage saved={props.saved} errors={errors} />
      <Field form={form} name="name" label="部门名称" value={v['name']} errors={errors} required />
      <div>
        <label for="department-group">述职分组</label>
        <select id="department-group" name="group">
          {props.groups.map((g) => (
            <option value={String(g.no)} selected={v['group'] === String(g.no)}>
              {groupName(g.no)}
            </option>
          ))}
          <option value="" selected={v['group'] === ''}>
            内部述职(不公开述职)
          </option>
        </select>
        <FieldError id={errId(form, 'group')} message={errors['group']} />
      </div>
      <TextArea form={form} name="duties" label="工作职责" value={v['duties'] ?? ''} errors={errors} rows={5} />
      <TextArea form={form} name="goals" label="年度目标(每行一项)" value={v['goals'] ?? ''} errors={errors} rows={5} />
      <TextArea form={form} name="report" label="书面述职报告" value={v['report'] ?? ''} errors={errors} rows={10} />
      {!props.frozen && (
        <div>
          <button type="submit">保存部门信息</button>
        </div>
      )}
    </form>
  );
}

export function MaterialsSection(props: { campaign: Campaign; department: Department; materials: Material[]; csrfToken: string; values?: Values; errors?: Errors; frozen: boolean }) {
  const errors = props.errors ?? {};
  const v = props.values ?? { kind: 'board_image', title: '', url: '' };
  const base = `/staff/c/${props.campaign.code}`;
  return (
    <section id="materials" aria-labelledby="materials-title">
      <h2 id="materials-title">解读图板与附件</h2>
      {props.materials.length ? (
        <ul>
          {props.materials.map((m) => (
            <li class="row">
              <a href={m.url}>{m.title}</a> <span class="badge">{MATERIAL_KIND_LABELS[m.kind]}</span>
              {!props.frozen && (
                <form class="inline" method="post" action={`${base}/materials/${m.id}/delete`}>
                  <CsrfField token={props.csrfToken} />
                  <button class="small secondary" type="submit" aria-label={`删除 ${m.title}`}>
                    删除
                  </button>
                </form>
              )}
            </li>
          ))}
        </ul>
      ) : (
        <p class="muted">暂无材料</p>
      )}
      {!props.frozen && (
        <form class="card stack" method="post" action={`${base}/departments/${props.department.id}/materials`}>
          <CsrfField token={props.csrfToken} />
          <h3>添加材料</h3>
          <FormMessage errors={errors} />
          <div>
            <label for="material-kind">类型</label>
            <select id="material-kind" name="kind">
              {MATERIAL_KINDS.map((k) => (
                <option value={k} selected={v['kind'] === k}>
                  {MATERIAL_KIND_LABELS[k]}
                </option>
              ))}
            </select>
          </div>
          <Field form="material" name="title" label="标题" value={v['title']} errors={errors} required />
          <Field form="material" name="url" label="链接(图片、PDF 或网页地址)" type="url" value={v['url']} errors={errors} required />
          <div>
            <button type="submit">添加</button>
          </div>
        </form>
      )}
    </section>
  );
}

export function DepartmentEditPage(props: {
  campaign: Campaign;
  department: Department;
  groups: Group[];
  materials: Material[];
  csrfToken: string;
  saved?: boolean;
  frozen: boolean;
}) {
  return (
    <section>
      <p>
        <a href={`/staff/c/${props.campaign.code}/edit`}>← 返回活动编辑</a>
      </p>
      <h1>编辑部门:{props.department.name}</h1>
      {props.frozen && <Flash kind="warn">活动已开始,结构已冻结,只能查看。</Flash>}
      <DepartmentForm campaign={props.campaign} department={props.department} groups={props.groups} csrfToken={props.csrfToken} saved={props.saved} frozen={props.frozen} />
      <MaterialsSection campaign={props.campaign} department={props.department} materials={props.materials} csrfToken={props.csrfToken} frozen={props.frozen} />
      <p>
        <a href={`/c/${props.campaign.code}/departments/${props.department.id}`}>查看公开页面</a>
      </p>
    </section>
  );
}

export function EditCampaignPage(props: {
  campaign: Campaign;
  agenda: AgendaGroup[];
  internal: Department[];
  venues: VenueWithSeats[];
  csrfToken: string;
  flash?: string | undefined;
  newDepartment?: { values: Values; errors: Errors };
}) {
  const { campaign } = props;
  const frozen = campaign.status !== 'draft';
  const base = `/staff/c/${campaign.code}`;
  const groupNos = props.agenda.map((g) => g.no);
  const nd = props.newDepartment ?? { values: { name: '', group: '1' }, errors: {} };
  const deptRow = (d: Department, i: number, count: number) => (
    <li class="row">
      <span class="badge">{i + 1}</span>
      <a href={`${base}/departments/${d.id}/edit`}>{d.name}</a>
      {!frozen && (
        <>
          <form class="inline" method="post" action={`${base}/departments/${d.id}/move`}>
            <CsrfField token={props.csrfToken} />
            <input type="hidden" name="direction" value="up" />
            <button class="small secondary" type="submit" disabled={i === 0} aria-label={`${d.name} 上移`}>
              上移
            </button>
          </form>
          <form class="inline" method="post" action={`${base}/departments/${d.id}/move`}>
            <CsrfField token={props.csrfToken} />
            <input type="hidden" name="direction" value="down" />
            <button class="small secondary" type="submit" disabled={i === count - 1} aria-label={`${d.name} 下移`}>
              下移
            </button>
          </form>
        </>
      )}
    </li>
  );
  return (
    <section>
      <h1>编辑年度活动:{campaign.name}</h1>
      <p>
        <StatusBadge status={campaign.status} />
      </p>
      {props.flash && <Flash kind="ok">{props.flash}</Flash>}
      {frozen ? (
        <Flash kind="warn">活动已开始,部门、分组、顺序、会场、名额和材料均已冻结,不能修改。</Flash>
      ) : (
        <form method="post" action={`${base}/start`} class="card stack">
          <CsrfField token={props.csrfToken} />
          <p>活动开始后,部门、分组、顺序、会场、名额和材料将被冻结,不能再修改。</p>
          <label>
            <input type="checkbox" name="confirm" value="yes" required /> 我确认结构已经定稿
          </label>
          <div>
            <button type="submit">开始活动并冻结结构</button>
          </div>
        </form>
      )}

      <h2>分组与时间</h2>
      <div class="cards">
        {props.agenda.map((g) => (
          <GroupForm campaign={campaign} group={g} csrfToken={props.csrfToken} frozen={frozen} />
        ))}
      </div>

      <h2>部门与述职顺序</h2>
      <div class="cards">
        {props.agenda.map((g) => (
          <div class="card">
            <h3>{groupName(g.no)}</h3>
            <ol class="agenda">{g.departments.map((d, i) => deptRow(d, i, g.departments.length))}</ol>
          </div>
        ))}
        <div class="card">
          <h3>内部述职</h3>
          <ol class="agenda">{props.internal.map((d, i) => deptRow(d, i, props.internal.length))}</ol>
        </div>
      </div>
      {!frozen && (
        <form id="new-department" class="card stack" method="post" action={`${base}/departments`}>
          <CsrfField token={props.csrfToken} />
          <h3>新增部门</h3>
          <FormMessage errors={nd.errors} />
          <Field form="new-department" name="name" label="部门名称" value={nd.values['name']} errors={nd.errors} required />
          <div>
            <label for="new-department-group">述职分组</label>
            <select id="new-department-group" name="group">
              {groupNos.map((n) => (
                <option value={String(n)} selected={nd.values['group'] === String(n)}>
                  {groupName(n)}
                </option>
              ))}
              <option value="" selected={nd.values['group'] === ''}>
                内部述职
              </option>
            </select>
          </div>
          <div>
            <button type="submit">新增部门</button>
          </div>
        </form>
      )}

      <h2>会场与名额</h2>
      <div class="cards">
        {props.venues.map((v) => (
          <VenueForm campaign={campaign} venue={v} groupNos={groupNos} csrfToken={props.csrfToken} frozen={frozen} />
        ))}
      </div>
    </section>
  );
}

/** A single form shown on its own page: the no-JavaScript path for a 422. */
export function FormAlonePage(props: { title: string; back: string; children?: unknown }) {
  return (
    <section>
      <p>
        <a href={props.back}>← 返回</a>
      </p>
      <h1>{props.title}</h1>
      {props.children as never}
    </section>
  );
}
