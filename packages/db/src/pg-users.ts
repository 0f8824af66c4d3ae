import { and, asc, count, eq, gt, inArray, ne, or, type SQL, sql } from 'drizzle-orm';
import type { PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import { likePattern } from './like-pattern.js';
import { type schema, sessions, users } from './pg-schema.js';
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
import { rethrowUnique } from './unique-violation.js';

type Db = PostgresJsDatabase<typeof schema>;
type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

/** Any fixed number: the key of the transaction-scoped lock every admin-removing change takes. */
const LAST_ADMIN_LOCK = 0x6761_7465;

export class PgUsersRepository implements UsersRepository {
  constructor(private readonly db: Db) {}

  async create(user: NewUser, now: Date): Promise<UserRecord> {
    try {
      const [row] = await this.db
        .insert(users)
        .values({ ...user, createdAt: now, updatedAt: now })
        .returning();
      return row!;
    } catch (error) {
      rethrowUnique(error);
    }
  }

  // The two look-ups behind every authenticated call and every refresh, as prepared statements:
  // drizzle builds their SQL once instead of on each call (most of their CPU time otherwise).
  private byId: ReturnType<typeof this.prepareById> | null = null;
  private withSession: ReturnType<typeof this.prepareWithSession> | null = null;

  private prepareById() {
    return this.db
      .select()
      .from(users)
      .where(eq(users.id, sql.placeholder('id')))
      .prepare('gatehouse_user_by_id');
  }

  private prepareWithSession() {
    const onTheirSession = and(eq(sessions.id, sql.placeholder('sessionId')), eq(sessions.userId, users.id));
    return this.db
      .select({ user: users, session: { expiresAt: sessions.expiresAt, revokedAt: sessions.revokedAt } })
      .from(users)
      .leftJoin(sessions, onTheirSession)
      .where(eq(users.id, sql.placeholder('userId')))
      .prepare('gatehouse_user_with_session');
  }

  async findById(id: number): Promise<UserRecord | null> {
    this.byId ??= this.prepareById();
    const [row] = await this.byId.execute({ id });
    return row ?? null;
  }

  async findWithSession(userId: number, sessionId: string): Promise<UserWithSession | null> {
    this.withSession ??= this.prepareWithSession();
    const [row] = await this.withSession.execute({ userId, sessionId });
    return row ?? null;
  }

  async findByLoginKey(key: string): Promise<UserRecord | null> {
    const [row] = await this.db
      .select()
      .from(users)
      .where(or(eq(users.usernameKey, key), eq(users.emailKey, key)))
      .limit(1);
    return row ?? null;
  }

  async update(id: number, patch: UserPatch, now: Date): Promise<UserRecord | null> {
    try {
      const [row] = await this.db
        .update(users)
        .set({ ...patch, updatedAt: now })
        .where(eq(users.id, id))
        .returning();
      return row ?? null;
    } catch (error) {
      rethrowUnique(error);
    }
  }

  async setPassword(id: number, passwordHash: string, now: Date): Promise<UserRecord | null> {
    const [row] = await this.db
      .update(users)
      .set({ passwordHash, tokenVersion: sql`${users.tokenVersion} + 1`, updatedAt: now })
      .where(eq(users.id, id))
      .returning();
    return row ?? null;
  }

  async replaceHash(id: number, oldHash: string, newHash: string): Promise<void> {
    await this.db
      .update(users)
      .set({ passwordHash: newHash })
      .where(and(eq(users.id, id), eq(users.passwordHash, oldHash)));
  }

  async setRole(id: number, role: UserRecord['role'], now: Date): Promise<GuardedChange> {
    return this.guarded(id, role !== 'admin', async (tx) => {
      await tx.update(users).set({ role, updatedAt: now }).where(eq(users.id, id));
    });
  }

  async setActive(id: number, active: boolean, now: Date): Promise<GuardedChange> {
    return this.guarded(id, !active, async (tx) => {
      await tx.update(users).set({ isActive: active, updatedAt: now }).where(eq(users.id, id));
    });
  }

  async delete(id: number): Promise<GuardedChange> {
    return this.guarded(id, true, async (tx) => {
      await tx.delete(users).where(eq(users.id, id));
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
    const rows = await this.db
      .select()
      .from(users)
      .where(and(...filters))
      .orderBy(asc(users.id))
      .limit(query.limit + 1);
    const items = rows.slice(0, query.limit);
    const nextCursor = rows.length > query.limit ? (items.at(-1)?.id ?? null) : null;
    return { items, nextCursor };
  }

  async usernames(ids: readonly number[]): Promise<Map<number, string>> {
    if (ids.length === 0) return new Map();
    const rows = await this.db
      .select({ id: users.id, username: users.username })
      .from(users)
      .where(inArray(users.id, [...ids]));
    return new Map(rows.map((row) => [row.id, row.username]));
  }

  async countAdmins(): Promise<number> {
    return activeAdminsExcept(this.db, -1);
  }

  /**
   * Runs `change` in one transaction, refusing it when it would remove the last active admin.
   * Under READ COMMITTED two such transactions could each see the other admin and both go
   * ahead; an advisory lock held until commit makes them take turns.
   */
  private guarded(id: number, removesAdmin: boolean, change: (tx: Tx) => Promise<void>): Promise<GuardedChange> {
    return this.db.transaction(async (tx) => {
      if (removesAdmin) await tx.execute(sql`select pg_advisory_xact_lock(${LAST_ADMIN_LOCK})`);
      const [user] = await tx.select().from(users).where(eq(users.id, id)).for('update');
      if (!user) return 'not_found';
      const isActiveAdmin = user.role === 'admin' && user.isActive;
      if (removesAdmin && isActiveAdmin && (await activeAdminsExcept(tx, id)) === 0) return 'last_admin';
      await change(tx);
      return 'ok';
    });
  }
}

async function activeAdminsExcept(db: Db | Tx, id: number): Promise<number> {
  const [row] = await db
    .select({ n: count() })
    .from(users)
    .where(and(eq(users.role, 'admin'), eq(users.isActive, true), ne(users.id, id)));
  return row?.n ?? 0;
}
