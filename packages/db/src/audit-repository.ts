import { and, desc, eq, gte, isNull, lt, or, type SQL } from 'drizzle-orm';
import { page } from './pagination.js';
import type { AuditEventRecord, AuditPage, AuditQuery, AuditRepository, NewAuditEvent } from './records.js';
import type { Dialect, Statements } from './statements.js';

/** The audit log on any engine: nothing here depends on the engine. */
export class SqlAuditRepository implements AuditRepository {
  constructor(private readonly statements: Statements<Dialect>) {}

  private get auditEvents() {
    return this.statements.tables.auditEvents;
  }

  async append(event: NewAuditEvent): Promise<AuditEventRecord> {
    return this.statements.insert(this.auditEvents, event);
  }

  async purgeBefore(before: Date): Promise<number> {
    return this.statements.deleteCount(this.auditEvents, lt(this.auditEvents.at, before));
  }

  async purgeUnattributedBefore(before: Date): Promise<number> {
    const { auditEvents } = this;
    const unattributed = and(isNull(auditEvents.actorUserId), isNull(auditEvents.targetUserId));
    return this.statements.deleteCount(auditEvents, and(unattributed, lt(auditEvents.at, before))!);
  }

  async list(query: AuditQuery): Promise<AuditPage> {
    const { auditEvents } = this;
    const filters: (SQL | undefined)[] = [];
    if (query.cursor !== undefined) filters.push(lt(auditEvents.id, query.cursor));
    if (query.type) filters.push(eq(auditEvents.type, query.type));
    if (query.from) filters.push(gte(auditEvents.at, query.from));
    if (query.to) filters.push(lt(auditEvents.at, query.to));
    if (query.userId !== undefined) {
      filters.push(or(eq(auditEvents.actorUserId, query.userId), eq(auditEvents.targetUserId, query.userId)));
    }
    const rows = await this.statements.select(auditEvents, and(...filters), {
      orderBy: [desc(auditEvents.id)],
      limit: query.limit + 1,
    });
    return page(rows, query.limit);
  }
}
