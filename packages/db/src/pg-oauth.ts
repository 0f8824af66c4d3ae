import { and, asc, eq, lt } from 'drizzle-orm';
import type { PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import { oauthAccounts, oauthStates, type schema, users } from './pg-schema.js';
import type {
  NewOAuthAccount,
  NewOAuthState,
  OAuthAccountRecord,
  OAuthAccountsRepository,
  OAuthStateRecord,
  OAuthStatesRepository,
  UnlinkOutcome,
} from './records.js';
import { unlinkOutcome } from './unlink-outcome.js';

type Db = PostgresJsDatabase<typeof schema>;

export class PgOAuthAccountsRepository implements OAuthAccountsRepository {
  constructor(private readonly db: Db) {}

  async link(account: NewOAuthAccount, now: Date): Promise<OAuthAccountRecord | null> {
    const [row] = await this.db
      .insert(oauthAccounts)
      .values({ ...account, createdAt: now })
      .onConflictDoNothing()
      .returning();
    return row ?? null;
  }

  async find(provider: string, providerUserId: string): Promise<OAuthAccountRecord | null> {
    const where = and(eq(oauthAccounts.provider, provider), eq(oauthAccounts.providerUserId, providerUserId));
    const [row] = await this.db.select().from(oauthAccounts).where(where);
    return row ?? null;
  }

  async listForUser(userId: number): Promise<OAuthAccountRecord[]> {
    return this.db.select().from(oauthAccounts).where(eq(oauthAccounts.userId, userId)).orderBy(asc(oauthAccounts.id));
  }

  async unlink(userId: number, id: number): Promise<UnlinkOutcome> {
    // Locking the user's row makes concurrent unlinks of one user take turns: under READ
    // COMMITTED each would otherwise count the other's identity and both delete.
    return this.db.transaction(async (tx) => {
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
}

export class PgOAuthStatesRepository implements OAuthStatesRepository {
  constructor(private readonly db: Db) {}

  async create(state: NewOAuthState, now: Date): Promise<void> {
    await this.db.insert(oauthStates).values({ ...state, createdAt: now });
  }

  async consume(stateHash: string): Promise<OAuthStateRecord | null> {
    const [row] = await this.db.delete(oauthStates).where(eq(oauthStates.stateHash, stateHash)).returning();
    return row ?? null;
  }

  async purgeExpired(before: Date): Promise<number> {
    const rows = await this.db
      .delete(oauthStates)
      .where(lt(oauthStates.expiresAt, before))
      .returning({ stateHash: oauthStates.stateHash });
    return rows.length;
  }
}
