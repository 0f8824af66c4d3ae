import { and, desc, eq, isNull, lt, or } from 'drizzle-orm';
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import type { ApiKeyRecord, ApiKeysRepository, NewApiKey } from './records.js';
import { apiKeys, type schema } from './sqlite-schema.js';

type Db = BetterSQLite3Database<typeof schema>;

export class SqliteApiKeysRepository implements ApiKeysRepository {
  constructor(private readonly db: Db) {}

  async create(key: NewApiKey, now: Date): Promise<ApiKeyRecord> {
    return this.db
      .insert(apiKeys)
      .values({ ...key, createdAt: now })
      .returning()
      .get();
  }

  async findById(id: string): Promise<ApiKeyRecord | null> {
    return this.db.select().from(apiKeys).where(eq(apiKeys.id, id)).get() ?? null;
  }

  async list(): Promise<ApiKeyRecord[]> {
    return this.db.select().from(apiKeys).orderBy(desc(apiKeys.createdAt), desc(apiKeys.id)).all();
  }

  async revoke(id: string, now: Date): Promise<boolean> {
    const result = this.db
      .update(apiKeys)
      .set({ revokedAt: now })
      .where(and(eq(apiKeys.id, id), isNull(apiKeys.revokedAt)))
      .run();
    return result.changes === 1;
  }

  async touch(id: string, now: Date, staleBefore: Date): Promise<void> {
    // The condition makes concurrent callers (and other processes) write at most once per window.
    this.db
      .update(apiKeys)
      .set({ lastUsedAt: now })
      .where(and(eq(apiKeys.id, id), or(isNull(apiKeys.lastUsedAt), lt(apiKeys.lastUsedAt, staleBefore))))
      .run();
  }
}
