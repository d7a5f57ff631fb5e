import { chinaDate } from '../lib/time.core';
/**
 * PRC resident identity numbers (GB 11643-1999) and mainland mobile numbers. Pure.
 *
 * An ID is 17 digits (6 region, 8 birth date YYYYMMDD, 3 sequence whose last digit is odd for
 * men and even for women) and a check character: Σ digit·weight mod 11 indexes '10X98765432'.
 */

export type ResidentIdResult =
  | { ok: true; id: string; birthDate: string; sex: 'M' | 'F'; last4: string }
  | { ok: false; code: 'ID_FORMAT' | 'ID_CHECKSUM' | 'ID_BIRTHDATE'; message: string };

export type MobileResult = { ok: true; value: string } | { ok: false; message: string };

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;
const CHECK_CHARS = '10X98765432';
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

// Chinese input methods often produce full-width digits and letters; they mean the same thing.
const toHalfWidth = (s: string) => s.replace(/[\uFF10-\uFF19\uFF38\uFF58\uFF0B\uFF0D]/g, (ch) => String.fromCharCode(ch.charCodeAt(0) - 0xfee0));

/** The check character for the first 17 digits of an ID. */
export function residentIdCheckChar(first17: string): string {
  if (!/^\d{17}$/.test(first17)) throw new Error('residentIdCheckChar needs exactly 17 digits');
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * WEIGHTS[i]!;
  return CHECK_CHARS[sum % 11]!;
}

/** A real calendar date (no 2月30日), as YYYY-MM-DD. */
export function isRealDate(iso: string): boolean {
  const m = ISO_DATE.exec(iso);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = new Date(Date.UTC(y, mo - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d;
}

/** Today's date in China (UTC+8, no daylight saving), for callers that do not pass one. */
export function todayInChina(now = Date.now()): string {
  return chinaDate(now);
}

/**
 * Checks an 18-character resident ID: format, check character, then the birth date (a real
 * date, year 1900 or later, not after `today`, YYYY-MM-DD). A lower-case x is accepted and
 * returned upper-case in `id`.
 */
export function parseResidentId(input: string, today: string = todayInChina()): ResidentIdResult {
  const id = toHalfWidth(input.trim()).toUpperCase();
  if (id.length !== 18) return { ok: false, code: 'ID_FORMAT', message: '身份证号码应为 18 位' };
  if (!/^\d{17}[\dX]$/.test(id)) return { ok: false, code: 'ID_FORMAT', message: '身份证号码前 17 位应为数字,最后一位为数字或 X' };
  if (residentIdCheckChar(id.slice(0, 17)) !== id[17]) return { ok: false, code: 'ID_CHECKSUM', message: '身份证号码校验位不正确,请核对后重新输入' };
  const birthDate = `${id.slice(6, 10)}-${id.slice(10, 12)}-${id.slice(12, 14)}`;
  if (!isRealDate(birthDate) || birthDate < '1900-01-01' || birthDate > today) {
    return { ok: false, code: 'ID_BIRTHDATE', message: '身份证号码中的出生日期无效' };
  }
  return { ok: true, id, birthDate, sex: Number(id[16]) % 2 === 1 ? 'M' : 'F', last4: id.slice(14) };
}

function assertDate(iso: string, what: string): void {
  if (!isRealDate(iso)) throw new Error(`${what} must be a real date as YYYY-MM-DD, got ${JSON.stringify(iso)}`);
}

/**
 * Age in full years on `date` (both YYYY-MM-DD). The birthday itself completes the year; a
 * 29 February birthday completes it on 1 March in common years.
 */
export function ageOn(birthDate: string, date: string): number {
  assertDate(birthDate, 'birthDate');
  assertDate(date, 'date');
  const years = Number(date.slice(0, 4)) - Number(birthDate.slice(0, 4));
  return date.slice(5) < birthDate.slice(5) ? years - 1 : years;
}

/** 18 or older on the hearing date; someone whose 18th birthday is that day counts as adult. */
export function isAdultOn(birthDate: string, hearingDate: string): boolean {
  return ageOn(birthDate, hearingDate) >= 18;
}

/**
 * A mainland mobile number (1[3-9] and 9 more digits). Spaces, dashes and dots are ignored, as
 * is a +86 / 0086 / 86 country prefix; the result is the bare 11 digits.
 */
export function validateMobile(input: string): MobileResult {
  let s = toHalfWidth(input.trim()).replace(/[\s\-.()]/g, '');
  if (s.startsWith('+86')) s = s.slice(3);
  else if (s.startsWith('0086')) s = s.slice(4);
  else if (s.length === 13 && s.startsWith('86')) s = s.slice(2);
  if (!s) return { ok: false, message: '请填写手机号码' };
  if (!/^1[3-9]\d{9}$/.test(s)) return { ok: false, message: '手机号码应为 11 位,以 13–19 开头' };
  return { ok: true, value: s };
}
