import { and, desc, gt, isNull, ne, or } from 'drizzle-orm';
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import type { NewSigningKey, SigningKeyRecord, SigningKeysRepository } from './records.js';
import { type schema, signingKeys } from './sqlite-schema.js';

type Db = BetterSQLite3Database<typeof schema>;

export class SqliteSigningKeysRepository implements SigningKeysRepository {
  constructor(private readonly db: Db) {}

  async add(key: NewSigningKey, now: Date, retireOthersUntil?: Date): Promise<SigningKeyRecord> {
    return this.db.transaction(
      (tx) => {
        if (retireOthersUntil) {
          tx.update(signingKeys)
            .set({ retiredAt: now, publishUntil: retireOthersUntil })
            .where(and(isNull(signingKeys.retiredAt), ne(signingKeys.kid, key.kid)))
            .run();
        }
        return tx
          .insert(signingKeys)
          .values({ ...key, createdAt: now })
          .returning()
          .get();
      },
      { behavior: 'immediate' },
    );
  }

  async listPublished(now: Date): Promise<SigningKeyRecord[]> {
    return this.db
      .select()
      .from(signingKeys)
      .where(or(isNull(signingKeys.publishUntil), gt(signingKeys.publishUntil, now)))
      .orderBy(desc(signingKeys.createdAt), desc(signingKeys.kid))
      .all();
  }
}
