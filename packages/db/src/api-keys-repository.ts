import { and, desc, eq, isNull, lt, or } from 'drizzle-orm';
import type { ApiKeyRecord, ApiKeysRepository, NewApiKey } from './records.js';
import type { Dialect, Statements } from './statements.js';

/** API keys on any engine: nothing here depends on the engine. */
export class SqlApiKeysRepository implements ApiKeysRepository {
  constructor(private readonly statements: Statements<Dialect>) {}

  private get apiKeys() {
    return this.statements.tables.apiKeys;
  }

  async create(key: NewApiKey, now: Date): Promise<ApiKeyRecord> {
    return this.statements.insert(this.apiKeys, { ...key, createdAt: now });
  }

  async findById(id: string): Promise<ApiKeyRecord | null> {
    const [row] = await this.statements.select(this.apiKeys, eq(this.apiKeys.id, id));
    return row ?? null;
  }

  async list(): Promise<ApiKeyRecord[]> {
    return this.statements.select(this.apiKeys, undefined, {
      orderBy: [desc(this.apiKeys.createdAt), desc(this.apiKeys.id)],
    });
  }

  async revoke(id: string, now: Date): Promise<boolean> {
    const live = and(eq(this.apiKeys.id, id), isNull(this.apiKeys.revokedAt));
    return (await this.statements.updateCount(this.apiKeys, { revokedAt: now }, live)) === 1;
  }

  async touch(id: string, now: Date, staleBefore: Date): Promise<void> {
    // The condition makes concurrent callers (and other instances) write at most once per window.
    const { apiKeys } = this;
    const stale = or(isNull(apiKeys.lastUsedAt), lt(apiKeys.lastUsedAt, staleBefore));
    await this.statements.updateCount(apiKeys, { lastUsedAt: now }, and(eq(apiKeys.id, id), stale));
  }
}
