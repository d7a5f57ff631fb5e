import type { Role } from '../db/schema';
import type { SessionUser } from '../env';
import { AppError } from '../lib/errors';
import { inScope, outOfScopeReason, type ResourceScope } from './auth.core';

/**
 * Refuses (403 OUT_OF_SCOPE, Chinese reason) a staff member acting on a record outside their
 * scope: called by every route, service and repo that takes a venue, delegate, candidate,
 * check-in, department or suggestion identifier, with the record's own venue or department.
 */
export function assertInScope(user: SessionUser | null | undefined, resource: ResourceScope, acrossVenues: readonly Role[] = []): void {
  if (!user) throw new AppError(401, 'UNAUTHENTICATED', '请先登录');
  if (!inScope(user, resource, acrossVenues)) throw new AppError(403, 'OUT_OF_SCOPE', outOfScopeReason(user, resource));
}
