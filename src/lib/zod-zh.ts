import { z } from 'zod';

/**
 * zod's default messages, in plain Chinese. zod 4.6.7 ships `z.locales.zhCN()`, but its
 * messages keep type names in English ("无效输入：期望 string，实际接收 undefined"), which a
 * delegate or citizen cannot read; this map says what to do instead. A message written on a
 * schema (`z.string({ error: '请填写姓名' })`) still wins over this one.
 *
 * Installed once by importing this module (src/app.ts does, so both Node and Workers load it).
 */
const FORMATS: Record<string, string> = {
  email: '电子邮箱格式不正确',
  url: '网址格式不正确',
  uuid: '编号格式不正确',
  regex: '格式不正确',
  date: '日期格式不正确(应为 年-月-日)',
  datetime: '时间格式不正确',
  time: '时间格式不正确',
  starts_with: '格式不正确',
  ends_with: '格式不正确',
  includes: '格式不正确',
};

function sizeWords(origin: string | undefined): { unit: string; noun: string } {
  if (origin === 'string') return { unit: '个字', noun: '长度' };
  if (origin === 'array' || origin === 'set') return { unit: '项', noun: '项数' };
  if (origin === 'file') return { unit: '字节', noun: '文件大小' };
  return { unit: '', noun: '数值' };
}

export function chineseIssueMessage(issue: z.core.$ZodRawIssue): string {
  switch (issue.code) {
    case 'invalid_type': {
      if (issue.input === undefined || issue.input === null) return '此项必填';
      if (issue.expected === 'int' && typeof issue.input === 'number') return '请填写整数';
      if (issue.expected === 'number' || issue.expected === 'int' || issue.expected === 'bigint') return '请填写数字';
      if (issue.expected === 'string') return '请填写文字';
      if (issue.expected === 'array') return '应为一组值';
      if (issue.expected === 'object') return '应为一组字段';
      if (issue.expected === 'boolean') return '应为“是”或“否”';
      return '内容类型不正确';
    }
    case 'too_small': {
      const { unit, noun } = sizeWords(issue.origin);
      const min = Number(issue.minimum);
      if (issue.origin === 'string' && min <= 1) return '此项不能为空';
      if (issue.origin === 'array' && min <= 1) return '请至少选择一项';
      return `${noun}不能小于 ${issue.inclusive === false ? `${min}(不含)` : min}${unit}`;
    }
    case 'too_big': {
      const { unit, noun } = sizeWords(issue.origin);
      if (issue.origin === 'string') return `不能超过 ${Number(issue.maximum)} 个字`;
      return `${noun}不能大于 ${issue.inclusive === false ? `${Number(issue.maximum)}(不含)` : Number(issue.maximum)}${unit}`;
    }
    case 'invalid_format':
      return FORMATS[issue.format] ?? '格式不正确';
    case 'not_multiple_of':
      return `应为 ${Number(issue.divisor)} 的整数倍`;
    case 'unrecognized_keys':
      return '包含无法识别的字段';
    case 'invalid_value':
      return issue.values.length === 1 ? '取值不正确' : '请从给定的选项中选择';
    case 'invalid_union':
    case 'invalid_key':
    case 'invalid_element':
      return '内容格式不正确';
    default:
      return '提交的内容有误,请检查后重试';
  }
}

z.config({ localeError: chineseIssueMessage });
