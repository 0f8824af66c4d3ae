import { count } from 'drizzle-orm';
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import type { SQLiteTable } from 'drizzle-orm/sqlite-core';
import { tables } from './sqlite-schema.js';
import { type Statements, withOptions } from './statements.js';

/** SQLite's statements run synchronously on the one connection; rows come back as they are stored. */
export function sqliteStatements(db: BetterSQLite3Database<typeof tables>): Statements<'sqlite'> {
  // Generic tables defeat drizzle's row inference; the Statements signature restores it.
  const on = (table: unknown) => table as SQLiteTable;
  return {
    tables,
    select: async (table, where, options = {}) => {
      const query = withOptions(db.select().from(on(table)).where(where).$dynamic(), options);
      return query.all() as never;
    },
    count: async (table, where) => db.select({ n: count() }).from(on(table)).where(where).get()?.n ?? 0,
    // `.all()`, not `.get()`, on a statement that commits by itself: better-sqlite3's get() stops at
    // the first row and resets the statement, and a commit that fails there (SQLITE_FULL) is not
    // reported, so the write would be acknowledged and lost.
    insert: async (table, values) => db.insert(on(table)).values(values).returning().all()[0] as never,
    insertAll: async (table, values) => {
      db.insert(on(table)).values(values).run();
    },
    insertIfAbsent: async (table, values) =>
      db.insert(on(table)).values(values).onConflictDoNothing().returning().all()[0] as never,
    update: async (table, values, where) => db.update(on(table)).set(values).where(where).returning().all() as never,
    updateCount: async (table, values, where) => db.update(on(table)).set(values).where(where).run().changes,
    delete: async (table, where) => db.delete(on(table)).where(where).returning().all() as never,
    deleteCount: async (table, where) => db.delete(on(table)).where(where).run().changes,
  };
}
