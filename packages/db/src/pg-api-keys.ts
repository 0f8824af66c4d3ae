import { and, desc, eq, isNull, lt, or } from 'drizzle-orm';
import type { PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import { apiKeys, type schema } from './pg-schema.js';
import type { ApiKeyRecord, ApiKeysRepository, NewApiKey } from './records.js';

type Db = PostgresJsDatabase<typeof schema>;

export class PgApiKeysRepository implements ApiKeysRepository {
  constructor(private readonly db: Db) {}

  async create(key: NewApiKey, now: Date): Promise<ApiKeyRecord> {
    const [row] = await this.db
      .insert(apiKeys)
      .values({ ...key, createdAt: now })
      .returning();
    return row!;
  }

  async findById(id: string): Promise<ApiKeyRecord | null> {
    const [row] = await this.db.select().from(apiKeys).where(eq(apiKeys.id, id));
    return row ?? null;
  }

  async list(): Promise<ApiKeyRecord[]> {
    return this.db.select().from(apiKeys).orderBy(desc(apiKeys.createdAt), desc(apiKeys.id));
  }

  async revoke(id: string, now: Date): Promise<boolean> {
    const rows = await this.db
      .update(apiKeys)
      .set({ revokedAt: now })
      .where(and(eq(apiKeys.id, id), isNull(apiKeys.revokedAt)))
      .returning({ id: apiKeys.id });
    return rows.length === 1;
  }

  async touch(id: string, now: Date, staleBefore: Date): Promise<void> {
    // The condition makes concurrent callers (and other instances) write at most once per window.
    await this.db
      .update(apiKeys)
      .set({ lastUsedAt: now })
      .where(and(eq(apiKeys.id, id), or(isNull(apiKeys.lastUsedAt), lt(apiKeys.lastUsedAt, staleBefore))));
  }
}
