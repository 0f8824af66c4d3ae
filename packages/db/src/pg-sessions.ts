import { and, desc, eq, gt, gte, isNull, lt, ne, or, sql } from 'drizzle-orm';
import type { PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import { type schema, sessions } from './pg-schema.js';
import type { NewSession, SessionRecord, SessionsRepository } from './records.js';

type Db = PostgresJsDatabase<typeof schema>;

export class PgSessionsRepository implements SessionsRepository {
  constructor(private readonly db: Db) {}

  async create(session: NewSession, now: Date): Promise<SessionRecord> {
    const [row] = await this.db
      .insert(sessions)
      .values({ ...session, createdAt: now, lastUsedAt: now })
      .returning();
    return row!;
  }

  /** Every refresh reads its session: prepared, so drizzle builds the SQL once. */
  private byId: ReturnType<typeof this.prepareById> | null = null;

  private prepareById() {
    return this.db
      .select()
      .from(sessions)
      .where(eq(sessions.id, sql.placeholder('id')))
      .prepare('gatehouse_session_by_id');
  }

  async findById(id: string): Promise<SessionRecord | null> {
    this.byId ??= this.prepareById();
    const [row] = await this.byId.execute({ id });
    return row ?? null;
  }

  private rotation: ReturnType<typeof this.prepareRotation> | null = null;

  private prepareRotation() {
    // Placeholders bypass the column mapping: the time goes in as ISO text, which timestamptz reads.
    const now = sql`${sql.placeholder('now')}`;
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
      .returning({ id: sessions.id })
      .prepare('gatehouse_rotate_session');
  }

  async rotate(id: string, currentHash: string, nextHash: string, now: Date): Promise<boolean> {
    // A concurrent UPDATE of the same row waits for this one, then re-checks the WHERE against
    // the committed row and matches nothing: exactly one rotation wins.
    this.rotation ??= this.prepareRotation();
    const rows = await this.rotation.execute({ id, currentHash, nextHash, now: now.toISOString() });
    return rows.length === 1;
  }

  async revoke(id: string, now: Date): Promise<boolean> {
    const rows = await this.db
      .update(sessions)
      .set({ revokedAt: now })
      .where(and(eq(sessions.id, id), isNull(sessions.revokedAt)))
      .returning({ id: sessions.id });
    return rows.length === 1;
  }

  async revokeForUser(userId: number, now: Date, exceptSessionId?: string): Promise<number> {
    const filters = [eq(sessions.userId, userId), isNull(sessions.revokedAt)];
    if (exceptSessionId) filters.push(ne(sessions.id, exceptSessionId));
    const rows = await this.db
      .update(sessions)
      .set({ revokedAt: now })
      .where(and(...filters))
      .returning({ id: sessions.id });
    return rows.length;
  }

  async listLive(userId: number, now: Date): Promise<SessionRecord[]> {
    return this.db
      .select()
      .from(sessions)
      .where(and(eq(sessions.userId, userId), isNull(sessions.revokedAt), gt(sessions.expiresAt, now)))
      .orderBy(desc(sessions.lastUsedAt));
  }

  async purgeEnded(before: Date): Promise<number> {
    const ended = or(lt(sessions.expiresAt, before), lt(sessions.revokedAt, before));
    const rows = await this.db.delete(sessions).where(ended).returning({ id: sessions.id });
    return rows.length;
  }

  async hasSessionFrom(userId: number, ip: string, since: Date): Promise<boolean> {
    const rows = await this.db
      .select({ id: sessions.id })
      .from(sessions)
      .where(and(eq(sessions.userId, userId), eq(sessions.ip, ip), gte(sessions.createdAt, since)))
      .limit(1);
    return rows.length > 0;
  }
}
