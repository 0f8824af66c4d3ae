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
    insert: async (table, values) => db.insert(on(table)).values(values).returning().get() as never,
    insertAll: async (table, values) => {
      db.insert(on(table)).values(values).run();
    },
    insertIfAbsent: async (table, values) =>
      db.insert(on(table)).values(values).onConflictDoNothing().returning().get() as never,
    update: async (table, values, where) => db.update(on(table)).set(values).where(where).returning().all() as never,
    updateCount: async (table, values, where) => db.update(on(table)).set(values).where(where).run().changes,
    delete: async (table, where) => db.delete(on(table)).where(where).returning().all() as never,
    deleteCount: async (table, where) => db.delete(on(table)).where(where).run().changes,
  };
}
