import type { Database } from '@gatehouse/db';
import type { AccountService } from './accounts.js';

export interface AdminCredentials {
  username: string;
  email: string;
  password: string;
}

export type BootstrapOutcome = 'created' | 'admin_exists';

/** Creates the first admin, unless an active admin already exists. */
export async function ensureAdmin(
  db: Database,
  accounts: AccountService,
  admin: AdminCredentials,
): Promise<BootstrapOutcome> {
  if ((await db.users.countAdmins()) > 0) return 'admin_exists';
  // The operator typed the address: it counts as verified (EMAIL_VERIFICATION=required must not lock the admin out).
  await accounts.register(admin, 'admin', true);
  return 'created';
}
