import { describe, expect, it } from 'vitest';
import { ageOn, isAdultOn, parseResidentId, validateMobile } from '../../src/delegates/idcard.core';

// GB 11643-1999 check character, written out independently of the module under test
function withCheck(first17: string): string {
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...first17].reduce((s, d, i) => s + Number(d) * weights[i]!, 0);
  return first17 + '10X98765432'[sum % 11];
}

const TODAY = '2018-11-01';
// 370202 = 青岛市市南区; born 1985-06-15; sequence 123 (odd: a man)
const MAN = withCheck('37020219850615123');

describe('resident ID numbers', () => {
  it('accepts a valid ID and reads birth date, sex and the last four characters', () => {
    expect(parseResidentId(MAN, TODAY)).toEqual({ ok: true, id: MAN, birthDate: '1985-06-15', sex: 'M', last4: MAN.slice(14) });
    const woman = withCheck('37021319900101002');
    expect(parseResidentId(woman, TODAY)).toMatchObject({ ok: true, sex: 'F', birthDate: '1990-01-01' });
  });

  it('accepts the standard’s own example with an X check character, in either case', () => {
    expect(withCheck('11010519491231002')).toBe('11010519491231002X');
    expect(parseResidentId('11010519491231002x', TODAY)).toMatchObject({ ok: true, id: '11010519491231002X', last4: '002X', sex: 'F' });
  });

  it('tolerates surrounding spaces and full-width digits typed on a Chinese keyboard', () => {
    const fullWidth = [...MAN].map((c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0)).join('');
    expect(parseResidentId(` ${fullWidth} `, TODAY)).toMatchObject({ ok: true, id: MAN });
  });

  it('refuses a wrong check character and asks the person to check it', () => {
    const wrong = MAN.slice(0, 17) + (MAN[17] === '0' ? '1' : '0');
    expect(parseResidentId(wrong, TODAY)).toEqual({ ok: false, code: 'ID_CHECKSUM', message: '身份证号码校验位不正确,请核对后重新输入' });
  });

  it('refuses IDs of the wrong length or with letters in the digits', () => {
    expect(parseResidentId('37020219850615123', TODAY)).toMatchObject({ ok: false, code: 'ID_FORMAT', message: '身份证号码应为 18 位' });
    expect(parseResidentId('370202198506151X3X', TODAY)).toMatchObject({ ok: false, code: 'ID_FORMAT' });
    expect(parseResidentId('', TODAY)).toMatchObject({ ok: false, code: 'ID_FORMAT' });
  });

  it('refuses birth dates that do not exist, are in the future or before 1900', () => {
    const birthdate = { ok: false, code: 'ID_BIRTHDATE', message: '身份证号码中的出生日期无效' };
    expect(parseResidentId(withCheck('37020219900230123'), TODAY)).toEqual(birthdate); // 30 February
    expect(parseResidentId(withCheck('37020219901301123'), TODAY)).toEqual(birthdate); // month 13
    expect(parseResidentId(withCheck('37020220181102123'), TODAY)).toEqual(birthdate); // tomorrow
    expect(parseResidentId(withCheck('44052418800101001'), TODAY)).toEqual(birthdate); // 1880
    expect(parseResidentId(withCheck('37020220000229123'), TODAY)).toMatchObject({ ok: true, birthDate: '2000-02-29' }); // a leap day
    expect(parseResidentId(withCheck('37020220181101123'), TODAY)).toMatchObject({ ok: true }); // born today
  });
});

describe('age on the hearing date', () => {
  const hearing = '2018-12-11';

  it('counts someone turning 18 on the hearing day as an adult', () => {
    expect(ageOn('2000-12-11', hearing)).toBe(18);
    expect(isAdultOn('2000-12-11', hearing)).toBe(true);
  });

  it('does not count someone turning 18 the day after', () => {
    expect(ageOn('2000-12-12', hearing)).toBe(17);
    expect(isAdultOn('2000-12-12', hearing)).toBe(false);
  });

  it('lets a 29 February birthday complete the year on 1 March in a common year', () => {
    expect(ageOn('2000-02-29', '2018-02-28')).toBe(17);
    expect(ageOn('2000-02-29', '2018-03-01')).toBe(18);
  });

  it('refuses dates that are not dates', () => {
    expect(() => ageOn('2000-02-30', hearing)).toThrow();
  });
});

describe('mainland mobile numbers', () => {
  it('normalises spaces, dashes and a +86 prefix to the 11 digits', () => {
    expect(validateMobile('138 0532 1234')).toEqual({ ok: true, value: '13805321234' });
    expect(validateMobile('138-0532-1234')).toEqual({ ok: true, value: '13805321234' });
    expect(validateMobile('+86 138 0532 1234')).toEqual({ ok: true, value: '13805321234' });
    expect(validateMobile('008613805321234')).toEqual({ ok: true, value: '13805321234' });
  });

  it('refuses landlines, short numbers and numbers not starting 13–19', () => {
    expect(validateMobile('0532-85912345')).toEqual({ ok: false, message: '手机号码应为 11 位,以 13–19 开头' });
    expect(validateMobile('1380532123')).toMatchObject({ ok: false });
    expect(validateMobile('12805321234')).toMatchObject({ ok: false });
    expect(validateMobile('  ')).toEqual({ ok: false, message: '请填写手机号码' });
  });
});
