import { and, desc, eq, gt, gte, isNull, lt, ne, or, type SQL, sql } from 'drizzle-orm';
import type { NewSession, SessionRecord, SessionsRepository } from './records.js';
import type { Dialect, Statements } from './statements.js';
import type { DialectTables } from './table-definitions.js';

/**
 * The rotation both engines prepare: swap the current secret hash for the next one, only while it
 * is current and the session live. Placeholders: id, currentHash, nextHash, and the engine's own
 * `now` (each binds the time in its column format).
 */
export function rotation(sessions: DialectTables<Dialect>['sessions'], now: SQL) {
  const current = sql`${sql.placeholder('currentHash')}`;
  const set = {
    tokenHash: sql`${sql.placeholder('nextHash')}`,
    previousTokenHash: current,
    rotatedAt: now,
    lastUsedAt: now,
  };
  const isCurrent = and(eq(sessions.tokenHash, current), isNull(sessions.revokedAt), gt(sessions.expiresAt, now));
  return { set, where: and(eq(sessions.id, sql.placeholder('id')), isCurrent) };
}

/** The two statements every refresh runs, prepared by each engine (and on SQLite committed in a batch). */
export type SessionsEngine = Pick<SessionsRepository, 'findById' | 'rotate'>;

/** Sessions on any engine. */
export class SqlSessionsRepository implements SessionsRepository {
  constructor(
    private readonly statements: Statements<Dialect>,
    private readonly engine: SessionsEngine,
  ) {}

  private get sessions() {
    return this.statements.tables.sessions;
  }

  findById(id: string): Promise<SessionRecord | null> {
    return this.engine.findById(id);
  }

  rotate(id: string, currentHash: string, nextHash: string, now: Date): Promise<boolean> {
    return this.engine.rotate(id, currentHash, nextHash, now);
  }

  async create(session: NewSession, now: Date): Promise<SessionRecord> {
    return this.statements.insert(this.sessions, { ...session, createdAt: now, lastUsedAt: now, authenticatedAt: now });
  }

  async revoke(id: string, now: Date): Promise<boolean> {
    const live = and(eq(this.sessions.id, id), isNull(this.sessions.revokedAt));
    return (await this.statements.updateCount(this.sessions, { revokedAt: now }, live)) === 1;
  }

  async revokeForUser(userId: number, now: Date, exceptSessionId?: string): Promise<number> {
    const filters = [eq(this.sessions.userId, userId), isNull(this.sessions.revokedAt)];
    if (exceptSessionId) filters.push(ne(this.sessions.id, exceptSessionId));
    return this.statements.updateCount(this.sessions, { revokedAt: now }, and(...filters));
  }

  async listLive(userId: number, now: Date): Promise<SessionRecord[]> {
    const { sessions } = this;
    const live = and(eq(sessions.userId, userId), isNull(sessions.revokedAt), gt(sessions.expiresAt, now));
    return this.statements.select(sessions, live, { orderBy: [desc(sessions.lastUsedAt)] });
  }

  async purgeEnded(before: Date): Promise<number> {
    const ended = or(lt(this.sessions.expiresAt, before), lt(this.sessions.revokedAt, before));
    return this.statements.deleteCount(this.sessions, ended);
  }

  async markAuthenticated(id: string, now: Date): Promise<boolean> {
    const live = and(eq(this.sessions.id, id), isNull(this.sessions.revokedAt), gt(this.sessions.expiresAt, now));
    return (await this.statements.updateCount(this.sessions, { authenticatedAt: now }, live)) === 1;
  }

  async hasSessionFrom(userId: number, ip: string, since: Date): Promise<boolean> {
    const { sessions } = this;
    const opened = and(eq(sessions.userId, userId), eq(sessions.ip, ip), gte(sessions.createdAt, since));
    return (await this.statements.select(sessions, opened, { limit: 1 })).length > 0;
  }
}
