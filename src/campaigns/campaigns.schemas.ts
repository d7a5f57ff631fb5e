import { z } from 'zod';
import { MATERIAL_KINDS, VENUE_KINDS } from './states.core';

const text = (label: string, min: number, max: number) =>
  z
    .string({ error: `请填写${label}` })
    .trim()
    .min(min, min <= 1 ? `请填写${label}` : `${label}至少 ${min} 个字`)
    .max(max, `${label}不能超过 ${max} 个字`);

export const groupInput = z.object({
  title: text('分组名称', 1, 20),
  date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, '日期格式应为 年-月-日').refine((d) => !Number.isNaN(Date.parse(d)), '日期无效'),
  startTime: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, '开始时间格式应为 时:分,如 09:00'),
});

/** group: '' means internal-only (not in any public group). */
export const departmentInput = z.object({
  name: text('部门名称', 2, 40),
  group: z.string().regex(/^\d*$/, '请选择分组'),
  duties: z.string().trim().max(3000, '工作职责不能超过 3000 个字').default(''),
  goals: z.string().trim().max(3000, '年度目标不能超过 3000 个字').default(''),
  report: z.string().trim().max(20000, '书面述职报告不能超过 20000 个字').default(''),
});

export const newDepartmentInput = departmentInput.pick({ name: true, group: true });

const seats = z.coerce
  .number({ error: '名额须为整数' })
  .int('名额须为整数')
  .min(0, '名额不能为负数')
  .max(5000, '名额不能超过 5000');

export const venueInput = z.object({
  name: text('会场名称', 2, 30),
  kind: z.enum(VENUE_KINDS, { error: '请选择会场类型' }),
});

export function venueSeatsInput(groupNos: number[]) {
  return z.object(Object.fromEntries(groupNos.map((n) => [`seats_${n}`, seats])) as Record<string, typeof seats>);
}

export const materialInput = z.object({
  kind: z.enum(MATERIAL_KINDS, { error: '请选择材料类型' }),
  title: text('材料标题', 1, 100),
  url: z
    .string()
    .trim()
    .max(2000, '链接过长')
    .refine((u) => /^https?:\/\/[^\s]+$/i.test(u) || /^\/[^\s/][^\s]*$/.test(u), '链接须以 http:// 或 https:// 开头(或为本站路径 /...)'),
});

export const copyCampaignInput = z.object({
  from: z.string().min(1, '请选择要复制的年度'),
  code: z.string().trim().regex(/^[0-9A-Za-z_-]{2,20}$/, '活动代码须为 2–20 位字母、数字、下划线或连字符'),
  name: text('活动名称', 4, 100),
  year: z.coerce.number({ error: '年度须为数字' }).int('年度须为整数').min(2000, '年度不能早于 2000').max(2100, '年度不能晚于 2100'),
});

export const moveInput = z.object({ direction: z.enum(['up', 'down'], { error: '移动方向无效' }) });
