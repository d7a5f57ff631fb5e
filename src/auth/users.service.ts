import { v7 as uuidv7 } from 'uuid';
import { audited, type Actor } from '../audit/audit.service';
import type { Db } from '../db/client';
import { AppError } from '../lib/errors';
import { hashPassword } from '../lib/password';
import { fieldErrors, isUniqueViolation } from '../lib/validation';
import { insertUser } from './auth.service';
import { newUserInput, type NewUserInput } from './users.schemas';

/** Creates a staff account (UI and CLI alike); the password itself never reaches the audit log. */
export async function createStaffUser(db: Db, actor: Actor, input: NewUserInput): Promise<{ id: string; username: string }> {
  const parsed = newUserInput.safeParse(input);
  if (!parsed.success) throw new AppError(422, 'VALIDATION_FAILED', '提交的内容有误,请按提示修改', fieldErrors(parsed.error));
  const { password, ...profile } = parsed.data;
  const row = { id: uuidv7(), ...profile, passwordHash: await hashPassword(password) };
  try {
    await audited(db, actor, 'user.create', `user:${row.username}`, profile, [insertUser(db, row)]);
  } catch (err) {
    if (isUniqueViolation(err)) throw new AppError(422, 'USERNAME_TAKEN', '该用户名已被使用', { username: '该用户名已被使用' });
    throw err;
  }
  return { id: row.id, username: row.username };
}
