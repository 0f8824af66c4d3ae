import { and, desc, gt, isNull, ne, or } from 'drizzle-orm';
import type { PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import { type schema, signingKeys } from './pg-schema.js';
import type { NewSigningKey, SigningKeyRecord, SigningKeysRepository } from './records.js';

type Db = PostgresJsDatabase<typeof schema>;

export class PgSigningKeysRepository implements SigningKeysRepository {
  constructor(private readonly db: Db) {}

  async add(key: NewSigningKey, now: Date, retireOthersUntil?: Date): Promise<SigningKeyRecord> {
    return this.db.transaction(async (tx) => {
      if (retireOthersUntil) {
        await tx
          .update(signingKeys)
          .set({ retiredAt: now, publishUntil: retireOthersUntil })
          .where(and(isNull(signingKeys.retiredAt), ne(signingKeys.kid, key.kid)));
      }
      const [row] = await tx
        .insert(signingKeys)
        .values({ ...key, createdAt: now })
        .returning();
      return row!;
    });
  }

  async listPublished(now: Date): Promise<SigningKeyRecord[]> {
    return this.db
      .select()
      .from(signingKeys)
      .where(or(isNull(signingKeys.publishUntil), gt(signingKeys.publishUntil, now)))
      .orderBy(desc(signingKeys.createdAt), desc(signingKeys.kid));
  }
}
