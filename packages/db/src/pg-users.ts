import { count, eq, sql } from 'drizzle-orm';
import type { PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import { sessions, tables, users } from './pg-schema.js';
import { preparedOnce } from './prepared-once.js';
import { otherActiveAdmins, type UsersEngine, userWithSession } from './users-repository.js';

/** Any fixed number: the key of the transaction-scoped lock every admin-removing change takes. */
const LAST_ADMIN_LOCK = 0x6761_7465;

export function pgUsersEngine(db: PostgresJsDatabase<typeof tables>): UsersEngine {
  const byId = preparedOnce(() =>
    db
      .select()
      .from(users)
      .where(eq(users.id, sql.placeholder('id')))
      .prepare('gatehouse_user_by_id'),
  );
  const withSession = preparedOnce(() => {
    const { fields, theirSession, where } = userWithSession(tables);
    return db
      .select(fields)
      .from(users)
      .leftJoin(sessions, theirSession)
      .where(where)
      .prepare('gatehouse_user_with_session');
  });
  return {
    findById: async (id) => (await byId().execute({ id }))[0] ?? null,
    findWithSession: async (userId, sessionId) => (await withSession().execute({ userId, sessionId }))[0] ?? null,
    // Under READ COMMITTED two admin-removing transactions could each see the other admin and
    // both go ahead; an advisory lock held until commit makes them take turns.
    guarded: (id, removesAdmin, change) =>
      db.transaction(async (tx) => {
        if (removesAdmin) await tx.execute(sql`select pg_advisory_xact_lock(${LAST_ADMIN_LOCK})`);
        const [user] = await tx.select().from(users).where(eq(users.id, id)).for('update');
        if (!user) return 'not_found';
        if (removesAdmin && user.role === 'admin' && user.isActive) {
          const [others] = await tx.select({ n: count() }).from(users).where(otherActiveAdmins(users, id));
          if ((others?.n ?? 0) === 0) return 'last_admin';
        }
        if ('delete' in change) await tx.delete(users).where(eq(users.id, id));
        else await tx.update(users).set(change.set).where(eq(users.id, id));
        return 'ok';
      }),
  };
}
