import type { Campaign, Group } from '../components/models';
import { groupName, formatDate } from '../components/ui';
import { CsrfField, FieldError, Flash } from '../components/layout';

type Errors = Record<string, string>;
type Values = Record<string, string | string[]>;

const v1 = (v: Values, k: string) => {
  const x = v[k];
  return Array.isArray(x) ? (x[x.length - 1] ?? '') : (x ?? '');
};

export function SignupPage(props: {
  campaign: Campaign;
  groups: Group[];
  districts: string[];
  venues: string[];
  categories: string[];
  csrfToken: string;
  values?: Values;
  errors?: Errors;
  closed?: string | undefined;
}) {
  const errors = props.errors ?? {};
  const v = props.values ?? {};
  const chosen = new Set((Array.isArray(v['groups']) ? v['groups'] : v['groups'] ? [v['groups']] : []).map(String));
  const describedBy = (name: string) => (errors[name] ? `signup-${name}-error` : undefined);
  const input = (name: string, label: string, extra: Record<string, unknown> = {}) => (
    <div>
      <label for={`signup-${name}`}>{label}</label>
      <input id={`signup-${name}`} name={name} type="text" value={v1(v, name)} aria-invalid={errors[name] ? 'true' : undefined} aria-describedby={describedBy(name)} {...extra} />
      <FieldError id={`signup-${name}-error`} message={errors[name]} />
    </div>
  );
  const select = (name: string, label: string, options: string[], fallback = '') => (
    <div>
      <label for={`signup-${name}`}>{label}</label>
      <select id={`signup-${name}`} name={name} aria-invalid={errors[name] ? 'true' : undefined} aria-describedby={describedBy(name)}>
        <option value="">请选择</option>
        {options.map((o) => (
          <option value={o} selected={(v1(v, name) || fallback) === o}>
            {o}
          </option>
        ))}
      </select>
      <FieldError id={`signup-${name}-error`} message={errors[name]} />
    </div>
  );
  return (
    <section>
      <h1>市民代表自愿报名</h1>
      <p>
        {props.campaign.name}。年满 18 周岁的本市居民,以及在本市居住或工作满 1
        年的非本市户籍人员,均可报名。报名信息经公安机关资格审查、区(市)审核后参加随机抽取。
      </p>
      {props.closed ? (
        <Flash kind="warn">{props.closed}</Flash>
      ) : (
        <form class="stack" method="post" action={`/c/${props.campaign.code}/signup`} novalidate>
          <CsrfField token={props.csrfToken} />
          {Object.keys(errors).length > 0 && <Flash kind="err">{errors['_form'] ?? '报名信息有误,请按提示修改'}</Flash>}
          <div class="hp" aria-hidden="true">
            <label for="signup-website">网站(请留空)</label>
            <input id="signup-website" name="website" type="text" tabindex={-1} autocomplete="off" />
          </div>
          {input('name', '姓名', { autocomplete: 'name', required: true })}
          {input('idNumber', '居民身份证号码(18 位)', { inputmode: 'text', autocomplete: 'off', maxlength: 18, required: true })}
          {input('mobile', '手机号码', { inputmode: 'tel', autocomplete: 'tel', maxlength: 15, required: true })}
          {select('district', '居住的区(市)', props.districts)}
          {select('venueName', '希望参加的会场(默认为居住地分会场)', props.venues)}
          {input('occupation', '职业', { required: true })}
          {select('declaredCategory', '您所属的代表类别', props.categories)}
          <fieldset aria-describedby={describedBy('groups')}>
            <legend>可以参加的分组(可多选)</legend>
            {props.groups.map((g) => (
              <label class="fw-normal">
                <input type="checkbox" name="groups" value={String(g.no)} checked={chosen.has(String(g.no))} /> {groupName(g.no)}({formatDate(g.date)}{' '}
                {g.startTime})
              </label>
            ))}
            <FieldError id="signup-groups-error" message={errors['groups']} />
          </fieldset>
          <fieldset aria-describedby={describedBy('resident')}>
            <legend>户籍</legend>
            <label class="fw-normal">
              <input type="radio" name="resident" value="yes" checked={v1(v, 'resident') === 'yes'} /> 本市户籍居民
            </label>
            <label class="fw-normal">
              <input type="radio" name="resident" value="no" checked={v1(v, 'resident') === 'no'} /> 非本市户籍,在本市居住或工作
            </label>
            <FieldError id="signup-resident-error" message={errors['resident']} />
          </fieldset>
          {input('yearsInCity', '非本市户籍:在本市居住或工作的年数', { inputmode: 'numeric' })}
          <div>
            <label class="fw-normal">
              <input type="checkbox" name="consent" value="yes" checked={v1(v, 'consent') === 'yes'} aria-describedby={describedBy('consent')} /> 我已阅读并同意遵守活动工作纪律,保证所填信息真实
            </label>
            <FieldError id="signup-consent-error" message={errors['consent']} />
          </div>
          <div>
            <button type="submit">提交报名</button>
          </div>
        </form>
      )}
    </section>
  );
}

export function SignupDone(props: { campaign: Campaign; name: string; maskedId: string; venue: string }) {
  return (
    <section>
      <h1>报名成功</h1>
      <Flash kind="ok">
        {props.name},您的报名已提交(身份证号 {props.maskedId},会场:{props.venue})。
      </Flash>
      <p>报名信息将经过资格审查和区(市)审核。抽取结果将以短信或电话通知,请保持手机畅通。每人每年度只能报名一次。</p>
      <p>
        <a href={`/c/${props.campaign.code}`}>返回活动首页</a>
      </p>
    </section>
  );
}
