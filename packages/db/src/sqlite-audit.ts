import { and, desc, eq, gte, lt, or, type SQL } from 'drizzle-orm';
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import type { AuditEventRecord, AuditPage, AuditQuery, AuditRepository, NewAuditEvent } from './records.js';
import { auditEvents, type schema } from './sqlite-schema.js';

type Db = BetterSQLite3Database<typeof schema>;

export class SqliteAuditRepository implements AuditRepository {
  constructor(private readonly db: Db) {}

  async append(event: NewAuditEvent): Promise<AuditEventRecord> {
    return this.db.insert(auditEvents).values(event).returning().get();
  }

  async purgeBefore(before: Date): Promise<number> {
    return this.db.delete(auditEvents).where(lt(auditEvents.at, before)).run().changes;
  }

  async list(query: AuditQuery): Promise<AuditPage> {
    const filters: (SQL | undefined)[] = [];
    if (query.cursor !== undefined) filters.push(lt(auditEvents.id, query.cursor));
    if (query.type) filters.push(eq(auditEvents.type, query.type));
    if (query.from) filters.push(gte(auditEvents.at, query.from));
    if (query.to) filters.push(lt(auditEvents.at, query.to));
    if (query.userId !== undefined) {
      filters.push(or(eq(auditEvents.actorUserId, query.userId), eq(auditEvents.targetUserId, query.userId)));
    }
    const rows = this.db
      .select()
      .from(auditEvents)
      .where(and(...filters))
      .orderBy(desc(auditEvents.id))
      .limit(query.limit + 1)
      .all();
    const items = rows.slice(0, query.limit);
    const nextCursor = rows.length > query.limit ? (items.at(-1)?.id ?? null) : null;
    return { items, nextCursor };
  }
}
