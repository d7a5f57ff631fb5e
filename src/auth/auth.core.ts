import type { SessionUser } from '../env';

/** Organisers see every venue; venue staff only their own. */
export function canAccessVenue(user: SessionUser, venueName: string): boolean {
  return user.role === 'organiser' || (user.role === 'venue_staff' && user.venueName === venueName);
}

/** Organisers see every department; a handler only the department they are bound to. */
export function canAccessDepartment(user: SessionUser, departmentName: string): boolean {
  return user.role === 'organiser' || (user.role === 'dept_handler' && user.departmentName === departmentName);
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
