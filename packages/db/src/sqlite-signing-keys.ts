import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import type { SigningKeysRepository } from './records.js';
import { othersStillSigning } from './signing-keys-repository.js';
import { signingKeys, type tables } from './sqlite-schema.js';

/** One writer: an immediate transaction, so the retirement and the insert land together. */
export function sqliteAddSigningKey(db: BetterSQLite3Database<typeof tables>): SigningKeysRepository['add'] {
  return async (key, now, retireOthersUntil) =>
    db.transaction(
      (tx) => {
        if (retireOthersUntil) {
          const retired = { retiredAt: now, publishUntil: retireOthersUntil };
          tx.update(signingKeys).set(retired).where(othersStillSigning(signingKeys, key.kid)).run();
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
