import { and, asc, eq, lt } from 'drizzle-orm';
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import type {
  NewOAuthAccount,
  NewOAuthState,
  OAuthAccountRecord,
  OAuthAccountsRepository,
  OAuthStateRecord,
  OAuthStatesRepository,
  UnlinkOutcome,
} from './records.js';
import { oauthAccounts, oauthStates, type schema, users } from './sqlite-schema.js';
import { unlinkOutcome } from './unlink-outcome.js';

type Db = BetterSQLite3Database<typeof schema>;

export class SqliteOAuthAccountsRepository implements OAuthAccountsRepository {
  constructor(private readonly db: Db) {}

  async link(account: NewOAuthAccount, now: Date): Promise<OAuthAccountRecord | null> {
    const row = this.db
      .insert(oauthAccounts)
      .values({ ...account, createdAt: now })
      .onConflictDoNothing()
      .returning()
      .get();
    return row ?? null;
  }

  async find(provider: string, providerUserId: string): Promise<OAuthAccountRecord | null> {
    const where = and(eq(oauthAccounts.provider, provider), eq(oauthAccounts.providerUserId, providerUserId));
    return this.db.select().from(oauthAccounts).where(where).get() ?? null;
  }

  async listForUser(userId: number): Promise<OAuthAccountRecord[]> {
    return this.db
      .select()
      .from(oauthAccounts)
      .where(eq(oauthAccounts.userId, userId))
      .orderBy(asc(oauthAccounts.id))
      .all();
  }

  async unlink(userId: number, id: number): Promise<UnlinkOutcome> {
    // SQLite has one writer: an immediate transaction keeps the check and the delete together.
    return this.db.transaction(
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
}

export class SqliteOAuthStatesRepository implements OAuthStatesRepository {
  constructor(private readonly db: Db) {}

  async create(state: NewOAuthState, now: Date): Promise<void> {
    this.db
      .insert(oauthStates)
      .values({ ...state, createdAt: now })
      .run();
  }

  async consume(stateHash: string): Promise<OAuthStateRecord | null> {
    return this.db.delete(oauthStates).where(eq(oauthStates.stateHash, stateHash)).returning().get() ?? null;
  }

  async purgeExpired(before: Date): Promise<number> {
    return this.db.delete(oauthStates).where(lt(oauthStates.expiresAt, before)).run().changes;
  }
}
