import { eq, sql } from 'drizzle-orm';
import type { PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import { sessions, type tables } from './pg-schema.js';
import { preparedOnce } from './prepared-once.js';
import { rotation, type SessionsEngine } from './sessions-repository.js';

export function pgSessionsEngine(db: PostgresJsDatabase<typeof tables>): SessionsEngine {
  const byId = preparedOnce(() =>
    db
      .select()
      .from(sessions)
      .where(eq(sessions.id, sql.placeholder('id')))
      .prepare('gatehouse_session_by_id'),
  );
  const rotate = preparedOnce(() => {
    // Placeholders bypass the column mapping: the time goes in as ISO text, which timestamptz reads.
    const { set, where } = rotation(sessions, sql`${sql.placeholder('now')}`);
    return db.update(sessions).set(set).where(where).returning({ id: sessions.id }).prepare('gatehouse_rotate_session');
  });
  return {
    findById: async (id) => (await byId().execute({ id }))[0] ?? null,
    // A concurrent UPDATE of the same row waits for this one, then re-checks the WHERE against
    // the committed row and matches nothing: exactly one rotation wins.
    rotate: async (id, currentHash, nextHash, now) =>
      (await rotate().execute({ id, currentHash, nextHash, now: now.toISOString() })).length === 1,
  };
}
