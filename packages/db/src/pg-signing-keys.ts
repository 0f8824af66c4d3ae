import type { PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import { signingKeys, type tables } from './pg-schema.js';
import type { SigningKeysRepository } from './records.js';
import { othersStillSigning } from './signing-keys-repository.js';

export function pgAddSigningKey(db: PostgresJsDatabase<typeof tables>): SigningKeysRepository['add'] {
  return (key, now, retireOthersUntil) =>
    db.transaction(async (tx) => {
      if (retireOthersUntil) {
        const retired = { retiredAt: now, publishUntil: retireOthersUntil };
        await tx.update(signingKeys).set(retired).where(othersStillSigning(signingKeys, key.kid));
      }
      const [row] = await tx
        .insert(signingKeys)
        .values({ ...key, createdAt: now })
        .returning();
      return row!;
    });
}
