import { z } from 'zod';
import { ROLES } from './states.core';

const optionalName = z
  .string()
  .trim()
  .max(40, '名称过长')
  .transform((s) => (s === '' ? null : s))
  .nullable()
  .default(null);

/** An optional work e-mail address (reminders to department handlers). */
export const staffEmail = z
  .string()
  .trim()
  .max(100, '邮箱过长')
  .refine((s) => s === '' || /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(s), '电子邮箱格式不正确(可不填)')
  .transform((s) => (s === '' ? null : s))
  .nullable()
  .optional()
  .transform((s) => s ?? null);

/** A new staff account; scope must match the role (venue staff ↔ venue, handler ↔ department). */
export const newUserInput = z
  .object({
    username: z.string().trim().regex(/^[A-Za-z0-9._]{3,32}$/, '用户名须为 3–32 位字母、数字、点或下划线'),
    displayName: z.string().trim().min(1, '请填写姓名').max(40, '姓名不能超过 40 个字'),
    role: z.enum(ROLES, { error: '请选择角色' }),
    venueName: optionalName,
    departmentName: optionalName,
    /** Work address for handling reminders; optional. */
    email: staffEmail,
    password: z.string().min(12, '密码至少 12 位').max(200, '密码过长'),
  })
  .superRefine((u, ctx) => {
    if (u.role === 'venue_staff' && !u.venueName) ctx.addIssue({ code: 'custom', path: ['venueName'], message: '会场工作人员须绑定一个会场' });
    if (u.role === 'dept_handler' && !u.departmentName) ctx.addIssue({ code: 'custom', path: ['departmentName'], message: '部门承办人须绑定一个部门' });
  })
  .transform((u) => ({
    ...u,
    // a scope only means something for the role it belongs to
    venueName: u.role === 'venue_staff' ? u.venueName : null,
    departmentName: u.role === 'dept_handler' ? u.departmentName : null,
  }));
export type NewUserInput = z.input<typeof newUserInput>;
