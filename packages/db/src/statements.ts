import type { SQL } from 'drizzle-orm';
import type { DialectTables } from './table-definitions.js';

export type Dialect = 'pg' | 'sqlite';
type AnyTable<D extends Dialect> = DialectTables<D>[keyof DialectTables<D>];
type Row<T extends AnyTable<Dialect>> = T['$inferSelect'];

/** New values for some columns; an SQL expression computes one from the row (e.g. a counter + 1). */
type Changes<T extends AnyTable<Dialect>> = { [K in keyof Row<T>]?: Row<T>[K] | SQL };

interface SelectOptions {
  orderBy?: SQL[];
  limit?: number;
}

/** Applies the ordering and limit of SelectOptions to either dialect's dynamic select. */
export function withOptions<Q extends { orderBy(...columns: SQL[]): unknown; limit(n: number): unknown }>(
  query: Q,
  options: SelectOptions,
): Q {
  if (options.orderBy) query.orderBy(...options.orderBy);
  if (options.limit !== undefined) query.limit(options.limit);
  return query;
}

/**
 * The plain statements the repositories are made of, one implementation per engine: the two
 * drizzle dialects build them alike but run them differently (awaited query vs synchronous
 * all/get/run, affected rows counted by the driver or the run result).
 */
export interface Statements<D extends Dialect> {
  // Method signatures (bivariant) on purpose: a repository holds Statements<Dialect>, and each
  // engine pairs its statements with its own tables only.
  readonly tables: DialectTables<D>;
  select<T extends AnyTable<D>>(table: T, where: SQL | undefined, options?: SelectOptions): Promise<Row<T>[]>;
  count(table: AnyTable<D>, where: SQL | undefined): Promise<number>;
  /** Inserts one row and returns it as stored. */
  insert<T extends AnyTable<D>>(table: T, values: T['$inferInsert']): Promise<Row<T>>;
  /** Inserts rows in one statement (all or none). */
  insertAll<T extends AnyTable<D>>(table: T, values: T['$inferInsert'][]): Promise<void>;
  /** Inserts one row unless it collides with a unique key; undefined when it did. */
  insertIfAbsent<T extends AnyTable<D>>(table: T, values: T['$inferInsert']): Promise<Row<T> | undefined>;
  /** Changes the matching rows and returns them as stored. */
  update<T extends AnyTable<D>>(table: T, values: Changes<T>, where: SQL | undefined): Promise<Row<T>[]>;
  /** Changes the matching rows; returns how many. */
  updateCount<T extends AnyTable<D>>(table: T, values: Changes<T>, where: SQL | undefined): Promise<number>;
  /** Deletes the matching rows and returns them. */
  delete<T extends AnyTable<D>>(table: T, where: SQL | undefined): Promise<Row<T>[]>;
  /** Deletes the matching rows; returns how many. */
  deleteCount<T extends AnyTable<D>>(table: T, where: SQL | undefined): Promise<number>;
}
