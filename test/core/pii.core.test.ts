import { describe, expect, it } from 'vitest';
import { findPersonalData, maskName, maskPersonalData, normaliseWidth } from '../../src/lib/pii.core';

/** [text, what must not survive masking, kind found]: each row is personal data a citizen might type. */
const POSITIVES: [string, string, string][] = [
  ['身份证370202198001011234', '370202198001011234', 'idcard'],
  ['身份证号 370202 19800101 1234 请核实', '19800101', 'idcard'],
  ['证件号370202-1980-0101-123X', '1980-0101', 'idcard'],
  ['身份证号码:37020219800101123x。', '37020219800101123x', 'idcard'],
  ['ID370202198001011234', '370202198001011234', 'idcard'],
  ['老身份证370202800101123', '370202800101123', 'idcard'],
  ['全角身份证３７０２０２１９８００１０１１２３４', '３７０２０２１９８００１０１１２３４', 'idcard'],
  ['我的手机13912345678', '13912345678', 'mobile'],
  ['手机 139 1234 5678 随时打', '1234 5678', 'mobile'],
  ['电话139-1234-5678', '1234-5678', 'mobile'],
  ['请拨+86 139 1234 5678', '1234 5678', 'mobile'],
  ['请拨+8613912345678', '13912345678', 'mobile'],
  ['请拨(+86)13912345678', '13912345678', 'mobile'],
  ['请拨１３９１２３４５６７８', '１３９１２３４５６７８', 'mobile'],
  ['家里座机0532-85912345', '85912345', 'landline'],
  ['办公室(0532)85912345', '85912345', 'landline'],
  ['打0532 8591 2345找我', '8591 2345', 'landline'],
  ['053285912345', '053285912345', 'landline'],
  ['邮箱zhang@example.com', 'zhang@example.com', 'email'],
  ['发到 zhang.san@mail.qd.gov.cn。谢谢', 'zhang.san@mail', 'email'],
  ['全角邮箱zhang＠example．com', 'zhang＠example', 'email'],
  ['邮箱zhang @ example.com', 'example.com', 'email'],
  ['邮箱zhang＠example。com谢谢', 'zhang＠example', 'email'],
  ['卡号6222021234567890123', '6222021234567890123', 'bankcard'],
  ['卡号 6222 0212 3456 7890 123', '3456 7890', 'bankcard'],
  ['银行卡 4111-1111-1111-1111', '1111-1111-1111', 'bankcard'],
  ['QQ 123456789', '123456789', 'number'],
  ['微信号:88886666', '88886666', 'number'],
  ['我叫张三,住在市南区', '张三', 'name'],
  ['我叫王小明', '王小明', 'name'],
  ['联系人:李四', '李四', 'name'],
  ['联系人李四,', '李四', 'name'],
  ['姓名:赵六', '赵六', 'name'],
  ['楼下张先生经常占道', '张先生', 'name'],
  ['社区王女士反映', '王女士', 'name'],
  ['李四主任答应过', '李四', 'name'],
];

/** Ordinary numbers and words that must come out exactly as typed. */
const NEGATIVES: string[] = [
  '2018年12月11日上午9:00开会',
  '补贴300元太少,希望提高到1500元',
  '建议1路、31路和321路公交车延长运营时间',
  '香港中路76号小区门口路灯坏了',
  '拨打12345热线没人接',
  '区号0532是青岛的',
  '希望增加 2 条公交线路,早高峰 7 点到 9 点太挤。',
  '2016、2017、2018三年都反映过',
  '2018 2019 2020 2021 2022 连续五年',
  '小区有1200户,3000多人',
  '面积约12345678平方米',
  '邮编266071',
  '石老人海水浴场的厕所太少',
  '电话没人接,手机也关机',
  '我是一名退休教师',
  '建议办理时限从15个工作日缩短到10个',
  '第3组的市教育局',
  '2018-12-11 到 2019-01-15 期间',
  '身高1.75米体重70公斤',
];

describe('one personal-data module finds and masks what a citizen types about themselves or others', () => {
  it.each(POSITIVES)('masks %s', (text, secret, kind) => {
    const found = findPersonalData(text);
    expect(found.map((f) => f.kind)).toContain(kind);
    const masked = maskPersonalData(text);
    expect(masked).not.toContain(secret);
    expect(normaliseWidth(masked)).not.toContain(normaliseWidth(secret));
  });

  it.each(NEGATIVES)('leaves %s alone', (text) => {
    expect(findPersonalData(text)).toEqual([]);
    expect(maskPersonalData(text)).toBe(text);
  });

  it('keeps everything around a masked number exactly as typed', () => {
    expect(maskPersonalData('身份证370202198001011234,住在香港中路76号')).toBe('身份证[身份证号已隐去],住在香港中路76号');
    expect(maskPersonalData('联系zhang@example.com或0532-85912345')).toBe('联系[邮箱已隐去]或[电话已隐去]');
  });

  it('masks a name as 张某 and a surname before a title as 某先生', () => {
    expect(maskPersonalData('我叫张三,住在市南区')).toBe('我叫张某,住在市南区');
    expect(maskPersonalData('楼下张先生和王女士')).toBe('楼下某先生和某女士');
  });

  it('masks the names, numbers and addresses the caller knows, however they are spaced', () => {
    const known = { names: ['欧阳娜娜'], numbers: ['13912345678'], emails: ['OYNN@Example.com'] };
    const masked = maskPersonalData('欧阳娜娜提议,回电139 1234 5678或oynn@example.com', known);
    expect(masked).not.toMatch(/欧阳娜娜|1234 5678|oynn/);
    expect(masked).toContain('提议');
  });

  it('shows a citizen’s own name to the public as 张*', () => {
    expect(maskName('张三')).toBe('张*');
    expect(maskName('欧阳修')).toBe('欧**');
  });
});
