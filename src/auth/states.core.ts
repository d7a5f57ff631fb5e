/** The states and kinds of this domain's records: declared here, pure, so cores and the db schema share them. */
export const ROLES = ['organiser', 'venue_staff', 'qualifier', 'statistician', 'custodian', 'dept_handler', 'auditor'] as const;
export type Role = (typeof ROLES)[number];

export const ROLE_LABELS = {
  organiser: '组织者',
  venue_staff: '会场工作人员',
  qualifier: '资格审查员(公安)',
  statistician: '统计人员',
  custodian: '计票保管人',
  dept_handler: '部门承办人',
  auditor: '监督审计员',
} as const;
