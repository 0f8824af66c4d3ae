import { count } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import type { PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import { tables } from './pg-schema.js';
import { type Statements, withOptions } from './statements.js';

/** PostgreSQL's statements, awaited on the pool; the driver reports how many rows a write touched. */
export function pgStatements(db: PostgresJsDatabase<typeof tables>): Statements<'pg'> {
  // Generic tables defeat drizzle's row inference; the Statements signature restores it.
  const on = (table: unknown) => table as PgTable;
  return {
    tables,
    select: async (table, where, options = {}) => {
      const query = withOptions(db.select().from(on(table)).where(where).$dynamic(), options);
      return (await query) as never;
    },
    count: async (table, where) => {
      const [row] = await db.select({ n: count() }).from(on(table)).where(where);
      return row?.n ?? 0;
    },
    insert: async (table, values) => {
      const [row] = await db.insert(on(table)).values(values).returning();
      return row as never;
    },
    insertAll: async (table, values) => {
      await db.insert(on(table)).values(values);
    },
    insertIfAbsent: async (table, values) => {
      const [row] = await db.insert(on(table)).values(values).onConflictDoNothing().returning();
      return row as never;
    },
    update: async (table, values, where) => (await db.update(on(table)).set(values).where(where).returning()) as never,
    updateCount: async (table, values, where) => (await db.update(on(table)).set(values).where(where)).count,
    delete: async (table, where) => (await db.delete(on(table)).where(where).returning()) as never,
    deleteCount: async (table, where) => (await db.delete(on(table)).where(where)).count,
  };
}
