/**
 * CSV in one place: formula-safe cells and the writer used by every export (UTF-8 with BOM, CRLF,
 * for Excel on Chinese Windows), and the reader used by every import (RFC 4180, GBK or UTF-8,
 * header mapping). Pure: strings and bytes in, strings and records out.
 */
import { hasControlChars, normaliseText } from './text';

/**
 * One cell. A text starting with = + - @ TAB or CR gets a leading ' so a spreadsheet shows it
 * instead of running it (OWASP "CSV injection"); the full-width ＝＋－＠ are left alone (Excel
 * does not start a formula with them). A cell holding , " CR or LF is quoted, quotes doubled.
 * Numbers are ours, not typed by the public, and are written as they are (-1 stays a number).
 */
export function csvCell(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return String(value);
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** A whole file: BOM, cells by csvCell, lines joined and ended by CRLF. */
export function csvDocument(rows: readonly (readonly (string | number | null | undefined)[])[]): string {
  return '\uFEFF' + rows.map((r) => r.map(csvCell).join(',')).join('\r\n') + '\r\n';
}

export interface CsvRecord {
  /** 1-based line of the file where the record starts. */
  line: number;
  cells: string[];
}

export class CsvSyntaxError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(message);
    this.name = 'CsvSyntaxError';
  }
}

/**
 * Bytes to text: a UTF-8 BOM is dropped; valid UTF-8 is read as UTF-8, anything else as GBK
 * (the WHATWG gbk decoder, which reads all of GB 18030, so rare name characters survive).
 */
export function decodeCsvBytes(bytes: Uint8Array): string {
  const text = decodeBytes(bytes);
  // the same rule as every form field: no control characters, NFC, no bidi controls
  if (hasControlChars(text)) throw new Error('文件中含有不可见的控制字符,请在 Excel 中另存为“CSV UTF-8”后重新上传');
  return normaliseText(text);
}

function decodeBytes(bytes: Uint8Array): string {
  const body = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? bytes.subarray(3) : bytes;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    let gbk: TextDecoder;
    try {
      gbk = new TextDecoder('gbk');
    } catch {
      throw new Error('无法识别文件编码,请在 Excel 中另存为“CSV UTF-8”后重新上传');
    }
    return gbk.decode(body);
  }
}

/**
 * RFC 4180 parsing: comma-separated, fields optionally in double quotes, "" for a quote inside
 * quotes, commas and line breaks allowed inside quotes. Records end at CRLF, LF or a lone CR.
 * Empty lines yield no record. An unclosed quote throws CsvSyntaxError with its line.
 */
export function parseCsv(text: string): CsvRecord[] {
  const s = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const records: CsvRecord[] = [];
  let line = 1;
  let recordLine = 1;
  let cells: string[] = [];
  let field = '';
  let i = 0;
  let quotedFrom = 0;
  let inQuotes = false;
  // a record made only of one empty unquoted field is a blank line, not data
  let sawQuote = false;

  const endRecord = () => {
    cells.push(field);
    if (!(cells.length === 1 && cells[0] === '' && !sawQuote)) records.push({ line: recordLine, cells });
    cells = [];
    field = '';
    sawQuote = false;
  };

  while (i < s.length) {
    const ch = s[i]!;
    if (inQuotes) {
      if (ch === '"') {
        if (s[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        inQuotes = false;
        i++;
        continue;
      }
      if (ch === '\r' || ch === '\n') {
        // keep the line break inside the field as written, but count it
        if (ch === '\r' && s[i + 1] === '\n') {
          field += '\r\n';
          i += 2;
        } else {
          field += ch;
          i++;
        }
        line++;
        continue;
      }
      field += ch;
      i++;
      continue;
    }
    if (ch === '"' && field === '') {
      inQuotes = true;
      sawQuote = true;
      quotedFrom = line;
      i++;
      continue;
    }
    if (ch === ',') {
      cells.push(field);
      field = '';
      i++;
      continue;
    }
    if (ch === '\r' || ch === '\n') {
      endRecord();
      i += ch === '\r' && s[i + 1] === '\n' ? 2 : 1;
      line++;
      recordLine = line;
      continue;
    }
    // a stray quote inside an unquoted field is kept literally, as Excel does
    field += ch;
    i++;
  }
  if (inQuotes) throw new CsvSyntaxError(quotedFrom, `第 ${quotedFrom} 行开始的引号没有闭合,请检查文件`);
  if (field !== '' || cells.length > 0 || sawQuote) endRecord();
  return records;
}

/**
 * Which column holds which field, from a header row: a title matches a field by its canonical
 * title or by an alias; the first of two same-meaning columns wins and the second is reported.
 */
export function mapHeader<T extends Readonly<Record<string, string>>, K extends keyof T & string = keyof T & string>(
  cells: readonly string[],
  titles: T,
  aliases: Readonly<Record<string, K>> = {},
): { index: Map<K, number>; missing: K[]; duplicates: string[] } {
  const index = new Map<K, number>();
  const duplicates: string[] = [];
  const keys = Object.keys(titles) as K[];
  cells.forEach((raw, i) => {
    const title = raw.trim();
    const col = keys.find((k) => titles[k] === title) ?? aliases[title];
    if (!col) return;
    if (index.has(col)) duplicates.push(title);
    else index.set(col, i);
  });
  return { index, missing: keys.filter((k) => !index.has(k)), duplicates };
}
