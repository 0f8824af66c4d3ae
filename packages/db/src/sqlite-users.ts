import { and, asc, count, eq, gt, inArray, ne, or, type SQL, sql } from 'drizzle-orm';
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { likePattern } from './like-pattern.js';
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
import { type schema, sessions, users } from './sqlite-schema.js';
import { rethrowUnique } from './unique-violation.js';

type Db = BetterSQLite3Database<typeof schema>;

export class SqliteUsersRepository implements UsersRepository {
  constructor(private readonly db: Db) {}

  async create(user: NewUser, now: Date): Promise<UserRecord> {
    try {
      return this.db
        .insert(users)
        .values({ ...user, createdAt: now, updatedAt: now })
        .returning()
        .get();
    } catch (error) {
      rethrowUnique(error);
    }
  }

  /** Prepared once, on first use (after migrations): refreshes look the user up every time. */
  private byId: ReturnType<typeof this.prepareById> | null = null;

  private prepareById() {
    return this.db
      .select()
      .from(users)
      .where(eq(users.id, sql.placeholder('id')))
      .prepare();
  }

  async findById(id: number): Promise<UserRecord | null> {
    this.byId ??= this.prepareById();
    return this.byId.get({ id }) ?? null;
  }

  /** Every authenticated call runs it: prepared once too. */
  private withSession: ReturnType<typeof this.prepareWithSession> | null = null;

  private prepareWithSession() {
    const onTheirSession = and(eq(sessions.id, sql.placeholder('sessionId')), eq(sessions.userId, users.id));
    return this.db
      .select({ user: users, session: { expiresAt: sessions.expiresAt, revokedAt: sessions.revokedAt } })
      .from(users)
      .leftJoin(sessions, onTheirSession)
      .where(eq(users.id, sql.placeholder('userId')))
      .prepare();
  }

  async findWithSession(userId: number, sessionId: string): Promise<UserWithSession | null> {
    this.withSession ??= this.prepareWithSession();
    return this.withSession.get({ userId, sessionId }) ?? null;
  }

  async findByLoginKey(key: string): Promise<UserRecord | null> {
    const where = or(eq(users.usernameKey, key), eq(users.emailKey, key));
    return this.db.select().from(users).where(where).get() ?? null;
  }

  async update(id: number, patch: UserPatch, now: Date): Promise<UserRecord | null> {
    try {
      const row = this.db
        .update(users)
        .set({ ...patch, updatedAt: now })
        .where(eq(users.id, id))
        .returning()
        .get();
      return row ?? null;
    } catch (error) {
      rethrowUnique(error);
    }
  }

  async setPassword(id: number, passwordHash: string, now: Date): Promise<UserRecord | null> {
    const row = this.db
      .update(users)
      .set({ passwordHash, tokenVersion: sql`${users.tokenVersion} + 1`, updatedAt: now })
      .where(eq(users.id, id))
      .returning()
      .get();
    return row ?? null;
  }

  async replaceHash(id: number, oldHash: string, newHash: string): Promise<void> {
    this.db
      .update(users)
      .set({ passwordHash: newHash })
      .where(and(eq(users.id, id), eq(users.passwordHash, oldHash)))
      .run();
  }

  async setRole(id: number, role: UserRecord['role'], now: Date): Promise<GuardedChange> {
    return this.guarded(id, role !== 'admin', () => {
      this.db.update(users).set({ role, updatedAt: now }).where(eq(users.id, id)).run();
    });
  }

  async setActive(id: number, active: boolean, now: Date): Promise<GuardedChange> {
    return this.guarded(id, !active, () => {
      this.db.update(users).set({ isActive: active, updatedAt: now }).where(eq(users.id, id)).run();
    });
  }

  async delete(id: number): Promise<GuardedChange> {
    return this.guarded(id, true, () => {
      this.db.delete(users).where(eq(users.id, id)).run();
    });
  }

  async list(query: UserListQuery): Promise<UserPage> {
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
    const rows = this.db
      .select()
      .from(users)
      .where(and(...filters))
      .orderBy(asc(users.id))
      .limit(query.limit + 1)
      .all();
    const items = rows.slice(0, query.limit);
    const nextCursor = rows.length > query.limit ? (items.at(-1)?.id ?? null) : null;
    return { items, nextCursor };
  }

  async usernames(ids: readonly number[]): Promise<Map<number, string>> {
    if (ids.length === 0) return new Map();
    const rows = this.db
      .select({ id: users.id, username: users.username })
      .from(users)
      .where(inArray(users.id, [...ids]))
      .all();
    return new Map(rows.map((row) => [row.id, row.username]));
  }

  async countAdmins(): Promise<number> {
    return this.activeAdminsExcept(-1);
  }

  private activeAdminsExcept(id: number): number {
    const row = this.db
      .select({ n: count() })
      .from(users)
      .where(and(eq(users.role, 'admin'), eq(users.isActive, true), ne(users.id, id)))
      .get();
    return row?.n ?? 0;
  }

  /**
   * Runs `change` in one transaction, refusing it when it would remove the last active admin.
   * SQLite has a single writer, so the check and the write cannot interleave with another's.
   */
  private guarded(id: number, removesAdmin: boolean, change: () => void): GuardedChange {
    return this.db.transaction(
      () => {
        const user = this.db.select().from(users).where(eq(users.id, id)).get();
        if (!user) return 'not_found';
        const isActiveAdmin = user.role === 'admin' && user.isActive;
        if (removesAdmin && isActiveAdmin && this.activeAdminsExcept(id) === 0) return 'last_admin';
        change();
        return 'ok';
      },
      { behavior: 'immediate' },
    );
  }
}
