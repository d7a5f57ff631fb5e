import { roleReach, type Role } from './roles.core';

/** The signed-in staff member, as every request sees them. */
export interface SessionUser {
  id: string;
  username: string;
  displayName: string;
  role: Role;
  venueName: string | null;
  departmentName: string | null;
}

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
  const reach = roleReach(user.role);
  if (reach === 'all' || acrossVenues.includes(user.role)) return true;
  const hasVenue = resource.venue !== undefined && resource.venue !== null;
  const hasDepartment = resource.department !== undefined && resource.department !== null;
  if (!hasVenue && !hasDepartment) return false;
  if (hasVenue && !(reach === 'own_venue' && user.venueName !== null && user.venueName === resource.venue)) return false;
  if (hasDepartment && !(reach === 'own_department' && user.departmentName !== null && user.departmentName === resource.department)) return false;
  return true;
}

/** Why a record is out of the user's scope, in words for the user (names only their own scope, never the record's). */
export function outOfScopeReason(user: Pick<SessionUser, 'role' | 'venueName' | 'departmentName'>, resource: ResourceScope): string {
  if (resource.venue !== undefined && resource.venue !== null) {
    return roleReach(user.role) === 'own_venue' ? `您只能查看和办理本会场(${user.venueName ?? '未绑定'})的事项` : '您的账号不负责任何会场的事项';
  }
  return roleReach(user.role) === 'own_department' ? `您只能查看和办理本部门(${user.departmentName ?? '未绑定'})的事项` : '您的账号不负责任何部门的事项';
}

/** Organisers see every venue; venue staff only their own. */
export function canAccessVenue(user: SessionUser, venueName: string): boolean {
  return inScope(user, { venue: venueName });
}

/** Organisers see every department; a handler only the department they are bound to. */
export function canAccessDepartment(user: SessionUser, departmentName: string): boolean {
  return inScope(user, { department: departmentName });
}

/**
 * Where to go after login: only a path on this very origin, never another one (open redirect).
 * The target is parsed as the browser will parse it (`new URL(next, origin)`: tabs, CR and LF
 * dropped, `\\` read as `/`, percent-escapes kept), so a spelling that a browser would send to
 * another host (`/\t/evil.example`, `/\\evil.example`, `javascript:`…) changes the origin and is
 * refused; the answer is the re-serialised path, which holds no control character and never
 * starts with `//`. Anything else goes to `/staff`.
 */
export function safeNext(next: string | undefined, origin: string): string {
  const fallback = '/staff';
  if (!next || next.length > 2000) return fallback;
  let base: URL;
  let url: URL;
  try {
    base = new URL(origin);
    url = new URL(next, base);
  } catch {
    return fallback;
  }
  if (url.origin !== base.origin || url.username || url.password) return fallback;
  const path = url.pathname + url.search + url.hash;
  if (!path.startsWith('/') || path.startsWith('//') || path.startsWith('/\\')) return fallback;
  return path;
}

export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;

/**
 * Wrong passwords are counted per (username, address) and per address, never per username
 * alone: a stranger hammering an account from one address uses up that address's budget and
 * cannot lock its owner, who signs in from another address, out.
 */
export const LOGIN_LIMITS = {
  perUsernameAndAddress: { max: 8, windowMs: 15 * 60 * 1000 },
  perIp: { max: 30, windowMs: 15 * 60 * 1000 },
} as const;

/**
 * The address a per-address budget counts against: an IPv4 address as it is, an IPv6 address by
 * its /64 (one subscriber's whole allocation, which one attacker holds at once); IPv4-mapped
 * IPv6 as the IPv4 address.
 */
export function addressBucket(ip: string): string {
  const raw = ip.trim().toLowerCase().replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/.exec(raw);
  if (mapped) return mapped[1]!;
  if (!raw.includes(':')) return raw || 'unknown';
  const [head = '', tail = ''] = raw.split('::', 2);
  const left = head ? head.split(':') : [];
  const right = raw.includes('::') && tail ? tail.split(':') : [];
  const groups = raw.includes('::') ? [...left, ...Array(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right] : left;
  return `${groups.slice(0, 4).map((g) => (g.replace(/^0+(?=.)/, '') || '0')).join(':')}::/64`;
}

/** The seconds until a fixed window that started at `windowStart` ends (what `Retry-After` says). */
export function retryAfterSeconds(now: number, windowMs: number): number {
  const windowStart = now - (now % windowMs);
  return Math.max(1, Math.ceil((windowStart + windowMs - now) / 1000));
}

/**
 * Lookups by a code someone types (tracking codes, tickets, invitation codes, personal links):
 * failed lookups per address. A found code is refunded, so a venue whose tablets share one
 * address is never slowed by its own delegates; someone guessing codes misses almost every time.
 */
export const LOOKUP_LIMIT = { max: 60, windowMs: 60 * 1000 } as const;

/** Anonymous discipline reports (活动纪律情况调查表) per address; the counter never meets the report. */
export const OPEN_SURVEY_LIMIT = { max: 10, windowMs: 60 * 60 * 1000 } as const;
