import { count, eq, sql } from 'drizzle-orm';
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { preparedOnce } from './prepared-once.js';
import { sessions, tables, users } from './sqlite-schema.js';
import { otherActiveAdmins, type UsersEngine, userWithSession } from './users-repository.js';

export function sqliteUsersEngine(db: BetterSQLite3Database<typeof tables>): UsersEngine {
  const byId = preparedOnce(() =>
    db
      .select()
      .from(users)
      .where(eq(users.id, sql.placeholder('id')))
      .prepare(),
  );
  const withSession = preparedOnce(() => {
    const { fields, theirSession, where } = userWithSession(tables);
    return db.select(fields).from(users).leftJoin(sessions, theirSession).where(where).prepare();
  });
  return {
    findById: async (id) => byId().get({ id }) ?? null,
    findWithSession: async (userId, sessionId) => withSession().get({ userId, sessionId }) ?? null,
    // SQLite has a single writer, so the check and the write cannot interleave with another's.
    guarded: async (id, removesAdmin, change) =>
      db.transaction(
        (tx) => {
          const user = tx.select().from(users).where(eq(users.id, id)).get();
          if (!user) return 'not_found';
          if (removesAdmin && user.role === 'admin' && user.isActive) {
            const others = tx.select({ n: count() }).from(users).where(otherActiveAdmins(users, id)).get();
            if ((others?.n ?? 0) === 0) return 'last_admin';
          }
          if ('delete' in change) tx.delete(users).where(eq(users.id, id)).run();
          else tx.update(users).set(change.set).where(eq(users.id, id)).run();
          return 'ok';
        },
        { behavior: 'immediate' },
      ),
  };
}
