import { eq } from 'drizzle-orm';
import type { PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import { oauthAccounts, type tables, users } from './pg-schema.js';
import type { OAuthAccountsRepository } from './records.js';
import { unlinkOutcome } from './unlink-outcome.js';

/**
 * Locking the user's row makes concurrent unlinks of one user take turns: under READ COMMITTED
 * each would otherwise count the other's identity and both delete.
 */
export function pgUnlink(db: PostgresJsDatabase<typeof tables>): OAuthAccountsRepository['unlink'] {
  return (userId, id) =>
    db.transaction(async (tx) => {
      const [user] = await tx
        .select({ passwordHash: users.passwordHash })
        .from(users)
        .where(eq(users.id, userId))
        .for('update');
      const linked = await tx
        .select({ id: oauthAccounts.id })
        .from(oauthAccounts)
        .where(eq(oauthAccounts.userId, userId));
      const outcome = unlinkOutcome(user, linked, id);
      if (outcome === 'ok') await tx.delete(oauthAccounts).where(eq(oauthAccounts.id, id));
      return outcome;
    });
}
