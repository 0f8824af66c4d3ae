import { index, integer, type SQLiteColumnBuilderBase, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { buildTables, type ColumnBuilderLike, type DialectTables } from './table-definitions.js';

/** The shared table descriptions in SQLite's types: times are integer milliseconds since the epoch. */
const tables = buildTables<DialectTables<'sqlite'>, SQLiteColumnBuilderBase & ColumnBuilderLike>({
  column: (spec) => {
    switch (spec.kind) {
      case 'id':
        return integer(spec.name).primaryKey({ autoIncrement: true });
      case 'text':
        return spec.enumValues ? text(spec.name, { enum: spec.enumValues }) : text(spec.name);
      case 'integer':
        return integer(spec.name);
      case 'boolean':
        return integer(spec.name, { mode: 'boolean' });
      case 'time':
        return integer(spec.name, { mode: 'timestamp_ms' });
      case 'json':
        return text(spec.name, { mode: 'json' });
    }
  },
  table: (name, columns, indexes) =>
    sqliteTable(name, columns, (t) =>
      indexes.map(({ name, on: [first, ...rest], unique }) =>
        (unique ? uniqueIndex : index)(name).on(t[first]!, ...rest.map((column) => t[column]!)),
      ),
    ),
});

export const { users, sessions, apiKeys, auditEvents, signingKeys, oauthAccounts, oauthStates } = tables;

/**
 * Counters of rate-limiter-flexible's SQLite store (RateLimiterSQLite), in the layout it
 * expects: `expire` is milliseconds since the epoch. Created here so migrations own the schema.
 */
export const rateLimits = sqliteTable(
  'rate_limits',
  {
    key: text('key').primaryKey(),
    points: integer('points').notNull().default(0),
    expire: integer('expire'),
  },
  (t) => [index('rate_limits_expire_idx').on(t.expire)],
);

export const schema = { ...tables, rateLimits };
