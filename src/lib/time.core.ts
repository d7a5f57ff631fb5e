/**
 * Time as the city reads it: every date and clock time shown or printed is in China Standard
 * Time (Asia/Shanghai, UTC+8, no daylight saving), formatted here and nowhere else. Pure
 * arithmetic on the offset, so Node, workerd and the browser print the same.
 */
export const CHINA_TIME_ZONE = 'Asia/Shanghai';
const OFFSET_MS = 8 * 3600_000;

type Instant = number | Date;
const shifted = (at: Instant) => new Date((typeof at === 'number' ? at : at.getTime()) + OFFSET_MS).toISOString();

/** `2026-12-02`: the calendar day in Beijing. */
export const chinaDate = (at: Instant): string => shifted(at).slice(0, 10);

/** `2026-12-02 19:27`: day and minute in Beijing. */
export const chinaDateTime = (at: Instant): string => shifted(at).slice(0, 16).replace('T', ' ');

/** `2026年12月2日 19:27`: the long form for pages and printed sheets. */
export function chinaDateTimeLong(at: Instant): string {
  const s = shifted(at);
  return `${formatDate(s.slice(0, 10))} ${s.slice(11, 16)}`;
}

/** `—` for an absent time, else the calendar day. */
export const chinaDateOrDash = (at: Instant | null | undefined): string => (at == null ? '—' : chinaDate(at));

/** `2026-12-02` (a stored calendar date) → `2026年12月2日`. */
export function formatDate(date: string): string {
  const [y, m, d] = date.split('-').map(Number);
  return `${y}年${m}月${d}日`;
}

/** The last millisecond of a Beijing calendar day (`YYYY-MM-DD`), as epoch ms; NaN if malformed. */
export const chinaDayEnd = (date: string): number => Date.parse(`${date}T23:59:59.999+08:00`);

/** SQLite's `strftime` modifier for the same offset, for statements that group by Beijing day. */
export const CHINA_SQL_OFFSET_SECONDS = OFFSET_MS / 1000;
