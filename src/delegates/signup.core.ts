import { isAdultOn, parseResidentId, validateMobile } from './idcard.core';

export interface SignupContext {
  venues: { name: string; kind: 'main' | 'sub' }[];
  /** Districts of residence: the sub-venues' names (each district runs one). */
  districts: string[];
  /** Hearing date of each group (YYYY-MM-DD). */
  groupDates: Map<number, string>;
  /** Categories a volunteer may declare (informational; volunteers fill the 自愿报名 seats). */
  categories: string[];
  today: string;
}

export interface Signup {
  name: string;
  idNumber: string;
  idLast4: string;
  mobile: string;
  district: string;
  venueName: string;
  occupation: string;
  declaredCategory: string;
  groups: number[];
  resident: boolean;
  yearsInCity: number | null;
}

const str = (v: string | string[] | undefined) => (Array.isArray(v) ? (v[v.length - 1] ?? '') : (v ?? '')).trim();
const list = (v: string | string[] | undefined) => (Array.isArray(v) ? v : v ? [v] : []);

/**
 * Checks a volunteer sign-up against the rules of the plan and later editions: a valid ID
 * (GB 11643 checksum), 18 or older on the date of every chosen hearing, non-residents living
 * or working in the city for a year or more, consent to the work rules.
 */
export function validateSignup(form: Record<string, string | string[]>, ctx: SignupContext): { ok: true; value: Signup } | { ok: false; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const name = str(form['name']);
  if (!/^[\p{Script=Han}A-Za-z·• ]{2,20}$/u.test(name)) errors['name'] = '请填写真实姓名(2–20 个字)';

  const id = parseResidentId(str(form['idNumber']), ctx.today);
  if (!id.ok) errors['idNumber'] = id.message;

  const mobile = validateMobile(str(form['mobile']));
  if (!mobile.ok) errors['mobile'] = mobile.message;

  const district = str(form['district']);
  if (!ctx.districts.includes(district)) errors['district'] = '请选择居住的区(市)';

  const venueName = str(form['venueName']) || district;
  if (!ctx.venues.some((v) => v.name === venueName)) errors['venueName'] = '请选择参加评议的会场';

  const occupation = str(form['occupation']);
  if (occupation.length < 1 || occupation.length > 40) errors['occupation'] = '请填写职业(不超过 40 个字)';

  const declaredCategory = str(form['declaredCategory']);
  if (!ctx.categories.includes(declaredCategory)) errors['declaredCategory'] = '请选择您所属的代表类别';

  const groups = [...new Set(list(form['groups']).map(Number))].filter((g) => ctx.groupDates.has(g)).sort((a, b) => a - b);
  if (groups.length === 0) errors['groups'] = '请至少选择一个可以参加的分组';

  const residentValue = str(form['resident']);
  if (residentValue !== 'yes' && residentValue !== 'no') errors['resident'] = '请选择是否为本市户籍居民';
  const resident = residentValue === 'yes';
  let yearsInCity: number | null = null;
  if (residentValue === 'no') {
    yearsInCity = Number(str(form['yearsInCity']));
    if (!Number.isInteger(yearsInCity) || yearsInCity < 1 || yearsInCity > 99) {
      errors['yearsInCity'] = '非本市户籍居民须在本市居住或工作满 1 年,请填写年数';
    }
  }

  if (str(form['consent']) !== 'yes') errors['consent'] = '请阅读并同意活动工作纪律';

  if (id.ok && groups.length) {
    const tooYoung = groups.filter((g) => !isAdultOn(id.birthDate, ctx.groupDates.get(g)!));
    if (tooYoung.length) errors['idNumber'] = `报名者须在评议当日年满 18 周岁(第 ${tooYoung.join('、')} 组评议时未满 18 周岁)`;
  }

  if (Object.keys(errors).length || !id.ok || !mobile.ok) return { ok: false, errors };
  return {
    ok: true,
    value: {
      name,
      // normalised (half-width, upper-case X), so the keyed hash finds a duplicate however it was typed
      idNumber: id.id,
      idLast4: id.last4,
      mobile: mobile.value,
      district,
      venueName,
      occupation,
      declaredCategory,
      groups,
      resident,
      yearsInCity,
    },
  };
}
