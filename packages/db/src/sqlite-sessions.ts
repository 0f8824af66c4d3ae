import { and, desc, eq, gt, gte, isNull, lt, ne, or, sql } from 'drizzle-orm';
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import type { NewSession, SessionRecord, SessionsRepository } from './records.js';
import { type schema, sessions } from './sqlite-schema.js';
import type { SqliteWriteBatch } from './sqlite-write-batch.js';

type Db = BetterSQLite3Database<typeof schema>;

export class SqliteSessionsRepository implements SessionsRepository {
  constructor(
    private readonly db: Db,
    /** Refreshes commit in groups: one fsync for all that arrive together. */
    private readonly writes: SqliteWriteBatch,
  ) {}

  async create(session: NewSession, now: Date): Promise<SessionRecord> {
    return this.db
      .insert(sessions)
      .values({ ...session, createdAt: now, lastUsedAt: now })
      .returning()
      .get();
  }

  /** Every authenticated call checks its session: prepared once, on first use (after migrations). */
  private byId: ReturnType<typeof this.prepareById> | null = null;

  private prepareById() {
    return this.db
      .select()
      .from(sessions)
      .where(eq(sessions.id, sql.placeholder('id')))
      .prepare();
  }

  async findById(id: string): Promise<SessionRecord | null> {
    this.byId ??= this.prepareById();
    return this.byId.get({ id }) ?? null;
  }

  /** Every refresh rotates: prepared once too. */
  private rotation: ReturnType<typeof this.prepareRotation> | null = null;

  private prepareRotation() {
    // Placeholders are bound as they are, bypassing the column mapping: times go in as epoch ms.
    const now = sql`${sql.placeholder('nowMs')}`;
    return this.db
      .update(sessions)
      .set({
        tokenHash: sql`${sql.placeholder('nextHash')}`,
        previousTokenHash: sql`${sql.placeholder('currentHash')}`,
        rotatedAt: now,
        lastUsedAt: now,
      })
      .where(
        and(
          eq(sessions.id, sql.placeholder('id')),
          eq(sessions.tokenHash, sql.placeholder('currentHash')),
          isNull(sessions.revokedAt),
          gt(sessions.expiresAt, now),
        ),
      )
      .prepare();
  }

  async rotate(id: string, currentHash: string, nextHash: string, now: Date): Promise<boolean> {
    this.rotation ??= this.prepareRotation();
    const rotation = this.rotation;
    return this.writes.run(() => rotation.run({ id, currentHash, nextHash, nowMs: now.getTime() }).changes === 1);
  }

  async revoke(id: string, now: Date): Promise<boolean> {
    const result = this.db
      .update(sessions)
      .set({ revokedAt: now })
      .where(and(eq(sessions.id, id), isNull(sessions.revokedAt)))
      .run();
    return result.changes === 1;
  }

  async revokeForUser(userId: number, now: Date, exceptSessionId?: string): Promise<number> {
    const filters = [eq(sessions.userId, userId), isNull(sessions.revokedAt)];
    if (exceptSessionId) filters.push(ne(sessions.id, exceptSessionId));
    return this.db
      .update(sessions)
      .set({ revokedAt: now })
      .where(and(...filters))
      .run().changes;
  }

  async listLive(userId: number, now: Date): Promise<SessionRecord[]> {
    return this.db
      .select()
      .from(sessions)
      .where(and(eq(sessions.userId, userId), isNull(sessions.revokedAt), gt(sessions.expiresAt, now)))
      .orderBy(desc(sessions.lastUsedAt))
      .all();
  }

  async purgeEnded(before: Date): Promise<number> {
    const ended = or(lt(sessions.expiresAt, before), lt(sessions.revokedAt, before));
    return this.db.delete(sessions).where(ended).run().changes;
  }

  async hasSessionFrom(userId: number, ip: string, since: Date): Promise<boolean> {
    const row = this.db
      .select({ id: sessions.id })
      .from(sessions)
      .where(and(eq(sessions.userId, userId), eq(sessions.ip, ip), gte(sessions.createdAt, since)))
      .limit(1)
      .get();
    return row !== undefined;
  }
}
