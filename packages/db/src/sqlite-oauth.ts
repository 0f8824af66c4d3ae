import { eq } from 'drizzle-orm';
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import type { OAuthAccountsRepository } from './records.js';
import { oauthAccounts, type tables, users } from './sqlite-schema.js';
import { unlinkOutcome } from './unlink-outcome.js';

/** SQLite has one writer: an immediate transaction keeps the check and the delete together. */
export function sqliteUnlink(db: BetterSQLite3Database<typeof tables>): OAuthAccountsRepository['unlink'] {
  return async (userId, id) =>
    db.transaction(
      (tx) => {
        const [user] = tx.select({ passwordHash: users.passwordHash }).from(users).where(eq(users.id, userId)).all();
        const linked = tx
          .select({ id: oauthAccounts.id })
          .from(oauthAccounts)
          .where(eq(oauthAccounts.userId, userId))
          .all();
        const outcome = unlinkOutcome(user, linked, id);
        if (outcome === 'ok') tx.delete(oauthAccounts).where(eq(oauthAccounts.id, id)).run();
        return outcome;
      },
      { behavior: 'immediate' },
    );
}
