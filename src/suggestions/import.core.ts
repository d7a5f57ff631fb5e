/**
 * CSV import of organisational batches (districts, associations, research institutes). Pure:
 * text in (decode bytes with decodeCsvBytes first, UTF-8 or GBK), good rows and per-line
 * Chinese errors out. The caller imports all good rows in one atomic batch.
 */
import { CsvSyntaxError, parseCsv, type CsvRecord } from '../delegates/csv.core';
import { fingerprint, validateSuggestion, type IntakeContext, type SuggestionInput } from './suggestions.core';

export const BATCH_COLUMNS = {
  authorName: '姓名',
  mobile: '手机号',
  theme: '主题',
  area: '领域',
  title: '标题',
  body: '内容',
} as const;

export const OPTIONAL_COLUMNS = {
  email: '邮箱',
  targetDepartment: '建议部门',
  organisation: '单位',
} as const;

type Column = keyof typeof BATCH_COLUMNS | keyof typeof OPTIONAL_COLUMNS;

const ALIASES: Record<string, Column> = {
  手机号码: 'mobile',
  手机: 'mobile',
  电子邮箱: 'email',
  建议主题: 'theme',
  所属领域: 'area',
  建议标题: 'title',
  建议内容: 'body',
  正文: 'body',
  承办部门: 'targetDepartment',
  推荐单位: 'organisation',
  报送单位: 'organisation',
};

export interface BatchRow extends SuggestionInput {
  line: number;
}

export interface BatchImport {
  good: BatchRow[];
  bad: { line: number; reason: string }[];
}

const FIELD_NAMES: Record<string, string> = { ...BATCH_COLUMNS, ...OPTIONAL_COLUMNS };

/**
 * Reads a batch. The header row names the columns (any order, extra columns ignored); the
 * batch's organisation applies to rows without their own 单位. A row repeating an earlier
 * row's text is bad (it would be linked, not stored twice).
 */
export function parseBatch(text: string, ctx: IntakeContext, organisation: string): BatchImport {
  let records: CsvRecord[];
  try {
    records = parseCsv(text);
  } catch (err) {
    if (err instanceof CsvSyntaxError) return { good: [], bad: [{ line: err.line, reason: err.message }] };
    throw err;
  }
  const header = records[0];
  if (!header) return { good: [], bad: [{ line: 1, reason: `文件为空,第一行应为表头:${Object.values(BATCH_COLUMNS).join(',')}` }] };
  const index = new Map<Column, number>();
  const all = { ...BATCH_COLUMNS, ...OPTIONAL_COLUMNS } as Record<Column, string>;
  header.cells.forEach((raw, i) => {
    const title = raw.trim();
    const col = (Object.keys(all) as Column[]).find((k) => all[k] === title) ?? ALIASES[title];
    if (col && !index.has(col)) index.set(col, i);
  });
  const missing = (Object.keys(BATCH_COLUMNS) as (keyof typeof BATCH_COLUMNS)[]).filter((k) => !index.has(k)).map((k) => BATCH_COLUMNS[k]);
  if (missing.length) return { good: [], bad: [{ line: header.line, reason: `表头缺少必填列:${missing.join('、')}` }] };

  const good: BatchRow[] = [];
  const bad: BatchImport['bad'] = [];
  const seen = new Map<string, number>();
  for (const rec of records.slice(1)) {
    if (rec.cells.every((c) => c.trim() === '')) continue;
    const cell = (col: Column) => (index.has(col) ? (rec.cells[index.get(col)!] ?? '').trim() : '');
    const checked = validateSuggestion(
      {
        authorName: cell('authorName'),
        mobile: cell('mobile'),
        email: cell('email'),
        theme: cell('theme'),
        area: cell('area'),
        title: cell('title'),
        body: cell('body'),
        targetDepartment: cell('targetDepartment'),
        organisation: cell('organisation') || organisation,
      },
      ctx,
    );
    if (!checked.ok) {
      bad.push({ line: rec.line, reason: Object.entries(checked.errors).map(([k, m]) => `${FIELD_NAMES[k] ?? k}:${m}`).join(';') });
      continue;
    }
    const fp = fingerprint(checked.value.title, checked.value.body);
    const earlier = seen.get(fp);
    if (earlier !== undefined) {
      bad.push({ line: rec.line, reason: `内容与第 ${earlier} 行相同` });
      continue;
    }
    seen.set(fp, rec.line);
    good.push({ line: rec.line, ...checked.value });
  }
  return { good, bad };
}
