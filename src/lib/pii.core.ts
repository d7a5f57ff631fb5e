/**
 * Personal data typed into citizens' free text: one detector and one masker for every place such
 * text is shown to someone other than the organisers (department handlers, the public, search,
 * survey publication, exports). Pure: strings in, findings or masked strings out.
 *
 * Found: mobile numbers (+86, spaces, hyphens), landlines with an area code (0532-8xxxxxxx),
 * resident ID numbers (18 digits with or without separators, last character X/x; the old 15-digit
 * form), e-mail addresses (also with the full-width ＠ and ．), bank-card-like numbers (13–19
 * digits, also in groups of four), numbers right after 电话/手机/QQ/微信…, and name-like phrases
 * (我叫张三, 联系人:李四, 张先生, 王女士, and names the caller knows, e.g. the author's own).
 * Full-width digits and letters are read as their ASCII forms; the masked text keeps everything
 * else exactly as typed. Ordinary numbers (2018年, 300元, 1路, 36号, 0532 alone, 12345热线) stay.
 */

export type PersonalDataKind = 'idcard' | 'mobile' | 'landline' | 'email' | 'bankcard' | 'number' | 'name';

export interface PersonalDataFinding {
  kind: PersonalDataKind;
  /** The text as typed (original characters, separators included). */
  text: string;
  start: number;
  end: number;
}

/** What the caller already knows is personal: the author's name, mobile, e-mail. */
export interface KnownPersonalData {
  names?: readonly (string | null | undefined)[];
  numbers?: readonly (string | null | undefined)[];
  emails?: readonly (string | null | undefined)[];
}

export const PERSONAL_DATA_LABELS: Record<PersonalDataKind, string> = {
  idcard: '身份证号',
  mobile: '手机号码',
  landline: '电话号码',
  email: '电子邮箱',
  bankcard: '银行卡号',
  number: '联系号码',
  name: '疑似姓名',
};

const MASKS: Record<Exclude<PersonalDataKind, 'name'>, string> = {
  idcard: '[身份证号已隐去]',
  mobile: '[手机号已隐去]',
  landline: '[电话已隐去]',
  email: '[邮箱已隐去]',
  bankcard: '[卡号已隐去]',
  number: '[号码已隐去]',
};

/**
 * Full-width ASCII variants (０-９, Ａ-Ｚ, ＠, ．, －, ＋ …) as ASCII, the ideographic space as a
 * space and 。 as a dot, one UTF-16 unit for one, so offsets into the result are offsets into
 * the original.
 */
export function normaliseWidth(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const u = text.charCodeAt(i);
    if (u >= 0xff01 && u <= 0xff5e) out += String.fromCharCode(u - 0xfee0);
    else if (u === 0x3000) out += ' ';
    else if (u === 0x3002) out += '.';
    else out += text[i];
  }
  return out;
}

// A separator people type inside a number: one space or hyphen (also after normaliseWidth).
const SEP = '[ \\t-]?';
// No digit right before or after, even across one separator, so a part of a longer number never matches.
const NO_DIGIT_BEFORE = '(?<![0-9][ \\t-]?)';
const NO_DIGIT_AFTER = '(?![ \\t-]?[0-9])';

const digitsOf = (s: string) => s.replace(/[^0-9Xx]/g, '');

function validBirthDate(yyyymmdd: string): boolean {
  const y = Number(yyyymmdd.slice(0, 4));
  const m = Number(yyyymmdd.slice(4, 6));
  const d = Number(yyyymmdd.slice(6, 8));
  if (y < 1900 || y > 2099 || m < 1 || m > 12 || d < 1) return false;
  return d <= new Date(Date.UTC(y, m, 0)).getUTCDate();
}

function luhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let n = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      n *= 2;
      if (n > 9) n -= 9;
    }
    sum += n;
  }
  return sum % 10 === 0;
}

interface Rule {
  kind: PersonalDataKind;
  re: RegExp;
  /** Checks a match (digits only, separators removed); the kind it really is, or null to drop it. */
  check?: (digits: string, raw: string) => PersonalDataKind | null;
  /** Which capture group is the personal part (default: the whole match). */
  group?: number;
}

const RULES: Rule[] = [
  // e-mail: a space allowed around @ ("zhang @ example.com"); ＠ and ．/。 arrive as @ and .
  { kind: 'email', re: /[A-Za-z0-9._%+-]+ ?@ ?[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(?![A-Za-z0-9])/g },
  // 18-digit resident ID, a separator allowed between any two characters; the birth date must be real
  {
    kind: 'idcard',
    re: new RegExp(`${NO_DIGIT_BEFORE}[1-9](?:${SEP}[0-9]){16}${SEP}[0-9Xx]${NO_DIGIT_AFTER}`, 'g'),
    check: (d) => (validBirthDate(d.slice(6, 14)) ? 'idcard' : null),
  },
  // mobile: optional +86 / 0086 / (+86), then 1[3-9] and 9 more digits, separators anywhere
  { kind: 'mobile', re: new RegExp(`${NO_DIGIT_BEFORE}(?:\\(?(?:\\+|00)?86\\)?${SEP})?1[3-9](?:${SEP}[0-9]){9}${NO_DIGIT_AFTER}`, 'g') },
  // 15-digit old resident ID (yymmdd birth date), contiguous or with separators
  {
    kind: 'idcard',
    re: new RegExp(`${NO_DIGIT_BEFORE}[1-9](?:${SEP}[0-9]){14}${NO_DIGIT_AFTER}`, 'g'),
    check: (d) => (validBirthDate(`19${d.slice(6, 12)}`) ? 'idcard' : null),
  },
  // bank-card-like: 13–19 digits in a row
  { kind: 'bankcard', re: /(?<![0-9])[0-9]{13,19}(?![0-9])/g },
  // bank card written in groups of four (6222 0212 3456 7890 123): Luhn or a UnionPay 62 prefix
  {
    kind: 'bankcard',
    re: new RegExp(`${NO_DIGIT_BEFORE}[0-9]{4}(?:[ -][0-9]{4}){2,3}(?:[ -][0-9]{1,3})?${NO_DIGIT_AFTER}`, 'g'),
    check: (d) => (d.length >= 13 && (luhn(d) || d.startsWith('62')) ? 'bankcard' : null),
  },
  // landline with an area code: 0532-85912345, (0532)85912345, 0532 8591 2345, 053285912345
  { kind: 'landline', re: new RegExp(`${NO_DIGIT_BEFORE}(?:\\(0[0-9]{2,3}\\)|0[0-9]{2,3})${SEP}[2-9][0-9]{2,3}${SEP}[0-9]{4}${NO_DIGIT_AFTER}`, 'g') },
  // any number of 6+ digits right after a word that announces a contact number
  {
    kind: 'number',
    re: /(?:电话|手机|手机号|座机|联系方式|联系电话|号码|微信号?|QQ|qq|Tel|TEL|tel)\s*(?:号码)?\s*(?:[::是为]\s*)?(\+?[0-9][0-9 \t-]{4,}[0-9])(?![0-9])/g,
    group: 1,
  },
];

// common surnames (the top ~100), for "张先生" and "张三女士"
const SURNAMES =
  '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤';
const TITLES = '先生|女士|小姐|同志|师傅|老师|大爷|大妈|阿姨|大姐|大哥|经理|科长|处长|主任|局长|书记|队长|所长|站长|社长';
// characters that end a name typed after 我叫 (the next word, not the name's third character)
const AFTER_NAME = '住在是的了和与从家今年现来去说想向给对为要已就也在都有电手联系';
const NAME_RULES: { re: RegExp; group: number }[] = [
  // 我叫张三, 名叫, 姓名:李四, 联系人:王五, 署名, 落款
  { re: new RegExp(`(?:我叫|名叫|叫做|姓名|名字[是叫]?|联系人|署名|落款|签名)\\s*[::是为]?\\s*([\\u4e00-\\u9fa5]{2}(?:(?![${AFTER_NAME}])[\\u4e00-\\u9fa5])?)`, 'g'), group: 1 },
  // 张先生, 王女士, 李四先生, 赵主任
  { re: new RegExp(`([${SURNAMES}][\\u4e00-\\u9fa5]?)(?=${TITLES})`, 'g'), group: 1 },
];

/** Everything personal in `text`, in order, without overlaps (a longer or earlier finding wins). */
export function findPersonalData(text: string, known: KnownPersonalData = {}): PersonalDataFinding[] {
  const norm = normaliseWidth(text);
  const raw: PersonalDataFinding[] = [];
  const add = (kind: PersonalDataKind, start: number, end: number) => {
    if (end > start) raw.push({ kind, start, end, text: text.slice(start, end) });
  };
  for (const rule of RULES) {
    for (const m of norm.matchAll(rule.re)) {
      const part = rule.group ? m[rule.group] : m[0];
      if (!part) continue;
      const start = m.index + (rule.group ? m[0].indexOf(part) : 0);
      const kind = rule.check ? rule.check(digitsOf(part), part) : rule.kind;
      if (kind) add(kind, start, start + part.length);
    }
  }
  // numbers the caller knows (the author's mobile), however they are spaced
  for (const n of known.numbers ?? []) {
    const d = (n ?? '').replace(/[^0-9]/g, '');
    if (d.length < 5) continue;
    const re = new RegExp(`(?<![0-9])${d.split('').join(SEP)}(?![0-9])`, 'g');
    for (const m of norm.matchAll(re)) add('number', m.index, m.index + m[0].length);
  }
  for (const e of known.emails ?? []) {
    const v = normaliseWidth((e ?? '').trim()).toLowerCase();
    if (!v) continue;
    const lower = norm.toLowerCase();
    for (let i = lower.indexOf(v); i >= 0; i = lower.indexOf(v, i + v.length)) add('email', i, i + v.length);
  }
  for (const rule of NAME_RULES) {
    for (const m of norm.matchAll(rule.re)) {
      const part = m[rule.group]!;
      const start = m.index + m[0].lastIndexOf(part);
      add('name', start, start + part.length);
    }
  }
  for (const n of known.names ?? []) {
    const v = (n ?? '').trim();
    if ([...v].length < 2) continue;
    for (let i = norm.indexOf(v); i >= 0; i = norm.indexOf(v, i + v.length)) add('name', i, i + v.length);
  }
  // keep the longest of overlapping findings (numbers before names at equal length)
  const rank = (f: PersonalDataFinding) => (f.kind === 'name' ? 1 : 0);
  raw.sort((a, b) => b.end - b.start - (a.end - a.start) || rank(a) - rank(b) || a.start - b.start);
  const kept: PersonalDataFinding[] = [];
  for (const f of raw) if (!kept.some((k) => f.start < k.end && k.start < f.end)) kept.push(f);
  return kept.sort((a, b) => a.start - b.start);
}

/** How a finding reads once masked: numbers and addresses as a bracketed note, a name as 张某 (张先生 → 某先生). */
function maskOf(f: PersonalDataFinding, text: string): string {
  if (f.kind !== 'name') return MASKS[f.kind];
  const chars = [...f.text];
  // a surname right before a title (张先生, 李四主任): the title stays, the person goes
  const followedByTitle = new RegExp(`^(?:${TITLES})`).test(text.slice(f.end));
  if (followedByTitle) return '某';
  return chars.length >= 2 ? `${chars[0]}某` : '某';
}

/** `text` with every finding replaced; all other characters exactly as typed. */
export function maskPersonalData(text: string, known: KnownPersonalData = {}): string {
  const findings = findPersonalData(text, known);
  if (!findings.length) return text;
  let out = '';
  let at = 0;
  for (const f of findings) {
    out += text.slice(at, f.start) + maskOf(f, text);
    at = f.end;
  }
  return out + text.slice(at);
}

/** 张三 → 张*, 欧阳修 → 欧**: how a citizen's own name is shown to the public. */
export function maskName(name: string): string {
  const c = [...name.trim()];
  if (!c.length) return '*';
  return c[0]! + '*'.repeat(Math.max(1, c.length - 1));
}

/** A mobile number as staff lists show it: 138****5678. */
export function maskMobile(mobile: string): string {
  return mobile.length === 11 ? `${mobile.slice(0, 3)}****${mobile.slice(7)}` : '****';
}

/** A resident ID of which only the last four characters are kept: **************123X. */
export const maskId = (last4: string) => `**************${last4}`;

/** A recipient as organisers see it in the outbox: 139****0001, z***@example.com. */
export function maskRecipient(address: string): string {
  if (address.includes('@')) {
    const [user, host] = address.split('@') as [string, string];
    return `${[...user][0] ?? ''}***@${host}`;
  }
  return address.length >= 7 ? `${address.slice(0, 3)}****${address.slice(-4)}` : '****';
}
