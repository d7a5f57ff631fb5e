/** The states and kinds of this domain's records: the roles are declared once, in roles.core. */
export { ROLES, ROLE_LABELS, type Role } from './roles.core';
