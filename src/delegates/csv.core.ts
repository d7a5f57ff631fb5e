/**
 * CSV import of organisational recommendation lists (组织推荐). Pure: bytes or text in, good
 * rows and per-line Chinese errors out. Files come from Excel on Chinese Windows, so they may
 * be GBK rather than UTF-8, may carry a BOM and may have CRLF line ends.
 */
import { isAdultOn, parseResidentId, todayInChina, validateMobile } from './idcard.core';

export { CsvSyntaxError, decodeCsvBytes, parseCsv, type CsvRecord } from '../lib/csv.core';
import { CsvSyntaxError, parseCsv, type CsvRecord } from '../lib/csv.core';

export const RECOMMENDATION_COLUMNS = {
  name: '姓名',
  idNumber: '身份证号',
  mobile: '手机号',
  venue: '会场',
  group: '分组',
  category: '类别',
  organisation: '推荐单位',
} as const;

type Column = keyof typeof RECOMMENDATION_COLUMNS;

// headers people actually type in Excel for the same column
const HEADER_ALIASES: Record<string, Column> = {
  身份证号码: 'idNumber',
  手机号码: 'mobile',
  手机: 'mobile',
  评议会场: 'venue',
  组别: 'group',
  代表类别: 'category',
};

export interface RecommendationContext {
  venues: string[];
  groups: number[];
  /** Category names a delegate of this venue may be recommended under. */
  categoriesForVenue: (venue: string) => string[];
  /** YYYY-MM-DD for the birth-date check; today in China when absent. */
  today?: string;
  /** Hearing date per group; when given, the person must be 18 on that day. */
  groupDates?: Map<number, string>;
}

export interface ParsedCandidate {
  line: number;
  name: string;
  /** Normalised (upper-case X); the caller hashes it and keeps only the last 4. */
  idNumber: string;
  idLast4: string;
  birthDate: string;
  sex: 'M' | 'F';
  mobile: string;
  venue: string;
  group: number;
  category: string;
  organisation: string;
}

export interface RecommendationImport {
  good: ParsedCandidate[];
  bad: { line: number; reason: string }[];
}

const NAME = /^[\p{Script=Han}A-Za-z·•. ]{2,20}$/u;
const CN_DIGITS: Record<string, number> = { 一: 1, 二: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9 };

/** '1', '第1组', '第一组', '一组', '十二' → the group number; undefined when unreadable. */
export function parseGroupLabel(input: string): number | undefined {
  const s = input.trim().replace(/^第/, '').replace(/组$/, '').trim();
  if (/^\d{1,3}$/.test(s)) return Number(s);
  const m = /^([一二三四五六七八九]?)(十?)([一二三四五六七八九]?)$/.exec(s);
  if (!m || s === '') return undefined;
  const [, tens, ten, ones] = m;
  if (!ten) return tens && !ones ? CN_DIGITS[tens] : undefined;
  return (tens ? CN_DIGITS[tens]! : 1) * 10 + (ones ? CN_DIGITS[ones]! : 0);
}

/**
 * Validates a recommendation list. The header row (first record) must name the seven columns
 * (any order; extra columns ignored). Each data row is checked in full and reported once with
 * all its problems; a resident ID seen on an earlier line makes the later line bad. Good rows
 * are returned for the caller to import in one batch.
 */
export function parseRecommendations(text: string, ctx: RecommendationContext): RecommendationImport {
  let records: CsvRecord[];
  try {
    records = parseCsv(text);
  } catch (err) {
    if (err instanceof CsvSyntaxError) return { good: [], bad: [{ line: err.line, reason: err.message }] };
    throw err;
  }
  const header = records[0];
  if (!header) return { good: [], bad: [{ line: 1, reason: '文件为空,第一行应为表头:' + Object.values(RECOMMENDATION_COLUMNS).join(',') }] };

  const index = new Map<Column, number>();
  const duplicates: string[] = [];
  header.cells.forEach((raw, i) => {
    const title = raw.trim();
    const col = (Object.keys(RECOMMENDATION_COLUMNS) as Column[]).find((k) => RECOMMENDATION_COLUMNS[k] === title) ?? HEADER_ALIASES[title];
    if (!col) return;
    if (index.has(col)) duplicates.push(title);
    else index.set(col, i);
  });
  const missing = (Object.keys(RECOMMENDATION_COLUMNS) as Column[]).filter((k) => !index.has(k)).map((k) => RECOMMENDATION_COLUMNS[k]);
  if (missing.length || duplicates.length) {
    const parts = [];
    if (missing.length) parts.push(`表头缺少必填列:${missing.join('、')}`);
    if (duplicates.length) parts.push(`表头中的列重复:${duplicates.join('、')}`);
    return { good: [], bad: [{ line: header.line, reason: parts.join(';') }] };
  }

  const today = ctx.today ?? todayInChina();
  const venues = new Set(ctx.venues);
  const groups = new Set(ctx.groups);
  const firstLineOfId = new Map<string, number>();
  const good: ParsedCandidate[] = [];
  const bad: RecommendationImport['bad'] = [];

  for (const rec of records.slice(1)) {
    if (rec.cells.every((c) => c.trim() === '')) continue; // a row of empty cells, as Excel leaves behind
    const cell = (col: Column) => (rec.cells[index.get(col)!] ?? '').trim();
    const problems: string[] = [];

    const name = cell('name').replace(/\s+/g, ' ');
    if (!NAME.test(name)) problems.push('姓名应为 2–20 个字(汉字、字母或间隔号)');

    const id = parseResidentId(cell('idNumber'), today);
    if (!id.ok) problems.push(id.message);
    else {
      const earlier = firstLineOfId.get(id.id);
      if (earlier !== undefined) problems.push(`身份证号码与第 ${earlier} 行重复`);
      else firstLineOfId.set(id.id, rec.line);
    }

    const mobile = validateMobile(cell('mobile'));
    if (!mobile.ok) problems.push(mobile.message);

    const venue = cell('venue');
    const venueOk = venues.has(venue);
    if (!venueOk) problems.push(venue ? `会场“${venue}”不存在` : '请填写会场');

    const groupRaw = cell('group');
    const group = parseGroupLabel(groupRaw);
    const groupOk = group !== undefined && groups.has(group);
    if (!groupOk) problems.push(groupRaw ? `分组“${groupRaw}”无效,应为 ${ctx.groups.join('、')} 之一` : '请填写分组');

    const category = cell('category');
    if (!category) problems.push('请填写代表类别');
    else if (category.includes('自愿报名')) problems.push('自愿报名名额由市民本人报名,不接受组织推荐');
    else if (venueOk && !ctx.categoriesForVenue(venue).includes(category)) problems.push(`类别“${category}”不属于${venue}的代表构成`);

    const organisation = cell('organisation');
    if (!organisation) problems.push('请填写推荐单位');
    else if ([...organisation].length > 60) problems.push('推荐单位名称不能超过 60 个字');

    if (id.ok && groupOk && ctx.groupDates?.has(group)) {
      if (!isAdultOn(id.birthDate, ctx.groupDates.get(group)!)) problems.push(`被推荐人须在第 ${group} 组评议当日年满 18 周岁`);
    }

    if (problems.length || !id.ok || !mobile.ok || group === undefined) {
      bad.push({ line: rec.line, reason: problems.join(';') });
      continue;
    }
    good.push({ line: rec.line, name, idNumber: id.id, idLast4: id.last4, birthDate: id.birthDate, sex: id.sex, mobile: mobile.value, venue, group, category, organisation });
  }
  return { good, bad };
}
