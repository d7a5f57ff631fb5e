import type { Role } from '../db/schema';
import type { SessionUser } from '../env';

/** What a staff record belongs to: a venue (delegates, candidates, check-ins, desks) or a department (its page, its suggestions). */
export interface ResourceScope {
  venue?: string | null | undefined;
  department?: string | null | undefined;
}

/**
 * The one scope rule, for every route that takes a venue, delegate, candidate, check-in,
 * department or suggestion identifier: organisers act on every venue and department; venue staff
 * only on their own venue's records; department handlers only on their own department's. Any
 * other role acts on no venue's or department's records, unless the route names it in
 * `acrossVenues` (e.g. the police qualifier reviews candidates of every venue, an auditor reads
 * every venue's closing sheet): that is authority of the role, granted route by route.
 */
export function inScope(user: Pick<SessionUser, 'role' | 'venueName' | 'departmentName'>, resource: ResourceScope, acrossVenues: readonly Role[] = []): boolean {
  if (user.role === 'organiser' || acrossVenues.includes(user.role)) return true;
  const hasVenue = resource.venue !== undefined && resource.venue !== null;
  const hasDepartment = resource.department !== undefined && resource.department !== null;
  if (!hasVenue && !hasDepartment) return false;
  if (hasVenue && !(user.role === 'venue_staff' && user.venueName !== null && user.venueName === resource.venue)) return false;
  if (hasDepartment && !(user.role === 'dept_handler' && user.departmentName !== null && user.departmentName === resource.department)) return false;
  return true;
}

/** Why a record is out of the user's scope, in words for the user (names only their own scope, never the record's). */
export function outOfScopeReason(user: Pick<SessionUser, 'role' | 'venueName' | 'departmentName'>, resource: ResourceScope): string {
  if (resource.venue !== undefined && resource.venue !== null) {
    return user.role === 'venue_staff' ? `您只能查看和办理本会场(${user.venueName ?? '未绑定'})的事项` : '您的账号不负责任何会场的事项';
  }
  return user.role === 'dept_handler' ? `您只能查看和办理本部门(${user.departmentName ?? '未绑定'})的事项` : '您的账号不负责任何部门的事项';
}

/** Organisers see every venue; venue staff only their own. */
export function canAccessVenue(user: SessionUser, venueName: string): boolean {
  return inScope(user, { venue: venueName });
}

/** Organisers see every department; a handler only the department they are bound to. */
export function canAccessDepartment(user: SessionUser, departmentName: string): boolean {
  return inScope(user, { department: departmentName });
}

/** Where to go after login: only a local path, never another origin (open redirect). */
export function safeNext(next: string | undefined): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return '/staff';
  return next;
}

export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;

export const LOGIN_LIMITS = {
  perUsername: { max: 8, windowMs: 15 * 60 * 1000 },
  perIp: { max: 30, windowMs: 15 * 60 * 1000 },
} as const;
