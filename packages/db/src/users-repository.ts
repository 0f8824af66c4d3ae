import { and, asc, eq, gt, inArray, ne, or, type SQL, sql } from 'drizzle-orm';
import { likePattern } from './like-pattern.js';
import { page } from './pagination.js';
import type {
  GuardedChange,
  NewUser,
  UserListQuery,
  UserPage,
  UserPatch,
  UserRecord,
  UsersRepository,
  UserWithSession,
} from './records.js';
import type { Dialect, Statements } from './statements.js';
import type { DialectTables } from './table-definitions.js';
import { rethrowUnique } from './unique-violation.js';

type Users = DialectTables<Dialect>['users'];

/** What a change guarded by the last-admin rule does once it is allowed. */
type AdminRemovingChange = { set: UserPatch & { updatedAt: Date } } | { delete: true };

/** Active admins other than user `id` (-1: all of them). */
export function otherActiveAdmins(users: Users, id: number): SQL | undefined {
  return and(eq(users.role, 'admin'), eq(users.isActive, true), ne(users.id, id));
}

/** The parts of the users repository that differ by engine. */
export interface UsersEngine {
  /** Prepared: every refresh runs it. */
  findById(id: number): Promise<UserRecord | null>;
  /** Prepared: every authenticated call runs it. */
  findWithSession(userId: number, sessionId: string): Promise<UserWithSession | null>;
  /**
   * Runs `change` on user `id` in one transaction, refusing it with 'last_admin' when
   * `removesAdmin` and the user is the last active admin; how concurrent changes are kept
   * apart is the engine's business.
   */
  guarded(id: number, removesAdmin: boolean, change: AdminRemovingChange): Promise<GuardedChange>;
}

/** The prepared look-up of a user and the state of one of their sessions (placeholders userId, sessionId). */
export function userWithSession<T extends DialectTables<Dialect>>({ users, sessions }: T) {
  const session: Pick<T['sessions'], 'expiresAt' | 'revokedAt'> = sessions;
  return {
    fields: { user: users as T['users'], session: { expiresAt: session.expiresAt, revokedAt: session.revokedAt } },
    theirSession: and(eq(sessions.id, sql.placeholder('sessionId')), eq(sessions.userId, users.id)),
    where: eq(users.id, sql.placeholder('userId')),
  };
}

/** Users on any engine. */
export class SqlUsersRepository implements UsersRepository {
  constructor(
    private readonly statements: Statements<Dialect>,
    private readonly engine: UsersEngine,
  ) {}

  private get users() {
    return this.statements.tables.users;
  }

  findById(id: number): Promise<UserRecord | null> {
    return this.engine.findById(id);
  }

  findWithSession(userId: number, sessionId: string): Promise<UserWithSession | null> {
    return this.engine.findWithSession(userId, sessionId);
  }

  async create(user: NewUser, now: Date): Promise<UserRecord> {
    try {
      return await this.statements.insert(this.users, { ...user, createdAt: now, updatedAt: now });
    } catch (error) {
      rethrowUnique(error);
    }
  }

  async findByLoginKey(key: string): Promise<UserRecord | null> {
    const where = or(eq(this.users.usernameKey, key), eq(this.users.emailKey, key));
    const [row] = await this.statements.select(this.users, where, { limit: 1 });
    return row ?? null;
  }

  async update(id: number, patch: UserPatch, now: Date): Promise<UserRecord | null> {
    try {
      const [row] = await this.statements.update(this.users, { ...patch, updatedAt: now }, eq(this.users.id, id));
      return row ?? null;
    } catch (error) {
      rethrowUnique(error);
    }
  }

  async setPassword(id: number, passwordHash: string, now: Date): Promise<UserRecord | null> {
    const tokenVersion = sql`${this.users.tokenVersion} + 1`;
    const [row] = await this.statements.update(
      this.users,
      { passwordHash, tokenVersion, updatedAt: now },
      eq(this.users.id, id),
    );
    return row ?? null;
  }

  async replaceHash(id: number, oldHash: string, newHash: string): Promise<void> {
    const stillCurrent = and(eq(this.users.id, id), eq(this.users.passwordHash, oldHash));
    await this.statements.updateCount(this.users, { passwordHash: newHash }, stillCurrent);
  }

  async setRole(id: number, role: UserRecord['role'], now: Date): Promise<GuardedChange> {
    return this.engine.guarded(id, role !== 'admin', { set: { role, updatedAt: now } });
  }

  async setActive(id: number, active: boolean, now: Date): Promise<GuardedChange> {
    return this.engine.guarded(id, !active, { set: { isActive: active, updatedAt: now } });
  }

  async delete(id: number): Promise<GuardedChange> {
    return this.engine.guarded(id, true, { delete: true });
  }

  async list(query: UserListQuery): Promise<UserPage> {
    const { users } = this;
    const filters: SQL[] = [];
    if (query.cursor !== undefined) filters.push(gt(users.id, query.cursor));
    if (query.role) filters.push(eq(users.role, query.role));
    if (query.emailVerified !== undefined) filters.push(eq(users.emailVerified, query.emailVerified));
    if (query.search) {
      const pattern = likePattern(query.search);
      filters.push(
        sql`(${users.usernameKey} LIKE ${pattern} ESCAPE '\\' OR ${users.emailKey} LIKE ${pattern} ESCAPE '\\')`,
      );
    }
    const rows = await this.statements.select(users, and(...filters), {
      orderBy: [asc(users.id)],
      limit: query.limit + 1,
    });
    return page(rows, query.limit);
  }

  async usernames(ids: readonly number[]): Promise<Map<number, string>> {
    if (ids.length === 0) return new Map();
    const rows = await this.statements.select(this.users, inArray(this.users.id, [...ids]));
    return new Map(rows.map((row) => [row.id, row.username]));
  }

  async countAdmins(): Promise<number> {
    return this.statements.count(this.users, otherActiveAdmins(this.users, -1));
  }
}
