import { eq, sql } from 'drizzle-orm';
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { preparedOnce } from './prepared-once.js';
import { rotation, type SessionsEngine } from './sessions-repository.js';
import { sessions, type tables } from './sqlite-schema.js';
import type { SqliteWriteBatch } from './sqlite-write-batch.js';

/** `writes`: refreshes commit in groups, one fsync for all that arrive together. */
export function sqliteSessionsEngine(
  db: BetterSQLite3Database<typeof tables>,
  writes: SqliteWriteBatch,
): SessionsEngine {
  const byId = preparedOnce(() =>
    db
      .select()
      .from(sessions)
      .where(eq(sessions.id, sql.placeholder('id')))
      .prepare(),
  );
  const rotate = preparedOnce(() => {
    // Placeholders are bound as they are, bypassing the column mapping: times go in as epoch ms.
    const { set, where } = rotation(sessions, sql`${sql.placeholder('nowMs')}`);
    return db.update(sessions).set(set).where(where).prepare();
  });
  return {
    findById: async (id) => byId().get({ id }) ?? null,
    rotate: (id, currentHash, nextHash, now) =>
      writes.run(() => rotate().run({ id, currentHash, nextHash, nowMs: now.getTime() }).changes === 1),
  };
}
