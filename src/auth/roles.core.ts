/**
 * The staff roles, declared once: the db enum, the label every page shows, and what each role
 * may reach. Adding a role touches this file (and a migration, since the db enum changes).
 */
export const ROLES = ['organiser', 'venue_staff', 'qualifier', 'statistician', 'custodian', 'dept_handler', 'auditor'] as const;
export type Role = (typeof ROLES)[number];

/**
 * What a role acts on by itself: `all` every venue and department; `own_venue` / `own_department`
 * only the one the account is bound to; `granted` nothing, unless a route grants it across venues.
 */
export type RoleReach = 'all' | 'own_venue' | 'own_department' | 'granted';

export const ROLE_INFO = {
  organiser: { label: '组织者', reach: 'all' },
  venue_staff: { label: '会场工作人员', reach: 'own_venue' },
  qualifier: { label: '资格审查员(公安)', reach: 'granted' },
  statistician: { label: '统计人员', reach: 'granted' },
  custodian: { label: '计票保管人', reach: 'granted' },
  dept_handler: { label: '部门承办人', reach: 'own_department' },
  auditor: { label: '监督审计员', reach: 'granted' },
} as const satisfies Record<Role, { label: string; reach: RoleReach }>;

export const ROLE_LABELS = Object.fromEntries(ROLES.map((r) => [r, ROLE_INFO[r].label])) as { readonly [R in Role]: (typeof ROLE_INFO)[R]['label'] };

export const roleReach = (role: Role): RoleReach => ROLE_INFO[role].reach;

/** The roles as a form's select options, in declaration order. */
export const roleOptions = (): { value: Role; label: string }[] => ROLES.map((r) => ({ value: r, label: ROLE_LABELS[r] }));
