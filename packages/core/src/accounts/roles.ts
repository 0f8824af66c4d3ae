import type { Role } from '@gatehouse/db';

export { ROLES, type Role } from '@gatehouse/db';

const RANK: Record<Role, number> = { viewer: 0, user: 1, admin: 2 };

/** True when `actual` is `required` or above it in admin > user > viewer. */
export function hasRole(actual: Role, required: Role): boolean {
  return RANK[actual] >= RANK[required];
}
