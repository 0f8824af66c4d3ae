import { and, asc, eq, lt } from 'drizzle-orm';
import type {
  NewOAuthAccount,
  NewOAuthState,
  OAuthAccountRecord,
  OAuthAccountsRepository,
  OAuthStateRecord,
  OAuthStatesRepository,
  UnlinkOutcome,
} from './records.js';
import type { Dialect, Statements } from './statements.js';

/** Linked identities on any engine; the engine supplies the unlink transaction and its locking. */
export class SqlOAuthAccountsRepository implements OAuthAccountsRepository {
  constructor(
    private readonly statements: Statements<Dialect>,
    readonly unlink: (userId: number, id: number) => Promise<UnlinkOutcome>,
  ) {}

  private get oauthAccounts() {
    return this.statements.tables.oauthAccounts;
  }

  async link(account: NewOAuthAccount, now: Date): Promise<OAuthAccountRecord | null> {
    return (await this.statements.insertIfAbsent(this.oauthAccounts, { ...account, createdAt: now })) ?? null;
  }

  async find(provider: string, providerUserId: string): Promise<OAuthAccountRecord | null> {
    const { oauthAccounts } = this;
    const where = and(eq(oauthAccounts.provider, provider), eq(oauthAccounts.providerUserId, providerUserId));
    const [row] = await this.statements.select(oauthAccounts, where);
    return row ?? null;
  }

  async listForUser(userId: number): Promise<OAuthAccountRecord[]> {
    const { oauthAccounts } = this;
    return this.statements.select(oauthAccounts, eq(oauthAccounts.userId, userId), {
      orderBy: [asc(oauthAccounts.id)],
    });
  }
}

/** Authorization requests in flight, on any engine: nothing here depends on the engine. */
export class SqlOAuthStatesRepository implements OAuthStatesRepository {
  constructor(private readonly statements: Statements<Dialect>) {}

  private get oauthStates() {
    return this.statements.tables.oauthStates;
  }

  async create(state: NewOAuthState, now: Date): Promise<void> {
    await this.statements.insert(this.oauthStates, { ...state, createdAt: now });
  }

  async consume(stateHash: string): Promise<OAuthStateRecord | null> {
    // One DELETE … RETURNING: of two racing callbacks, only one gets the row.
    const [row] = await this.statements.delete(this.oauthStates, eq(this.oauthStates.stateHash, stateHash));
    return row ?? null;
  }

  async purgeExpired(before: Date): Promise<number> {
    return this.statements.deleteCount(this.oauthStates, lt(this.oauthStates.expiresAt, before));
  }
}
