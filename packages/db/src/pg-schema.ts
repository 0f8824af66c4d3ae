import {
  boolean,
  index,
  integer,
  jsonb,
  type PgColumnBuilderBase,
  pgTable,
  serial,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import { buildTables, type ColumnBuilderLike, type DialectTables } from './table-definitions.js';

/** Times are `timestamptz` read as Date: the same values the SQLite schema keeps as milliseconds. */
const time = (name: string) => timestamp(name, { withTimezone: true, mode: 'date', precision: 3 });

/** The shared table descriptions in PostgreSQL's types. */
const tables = buildTables<DialectTables<'pg'>, PgColumnBuilderBase & ColumnBuilderLike>({
  column: (spec) => {
    switch (spec.kind) {
      case 'id':
        return serial(spec.name).primaryKey();
      case 'text':
        return spec.enumValues ? text(spec.name, { enum: spec.enumValues }) : text(spec.name);
      case 'integer':
        return integer(spec.name);
      case 'boolean':
        return boolean(spec.name);
      case 'time':
        return time(spec.name);
      case 'json':
        return jsonb(spec.name);
    }
  },
  table: (name, columns, indexes) =>
    pgTable(name, columns, (t) =>
      indexes.map(({ name, on: [first, ...rest], unique }) =>
        (unique ? uniqueIndex : index)(name).on(t[first]!, ...rest.map((column) => t[column]!)),
      ),
    ),
});

export const { users, sessions, apiKeys, auditEvents, signingKeys, oauthAccounts, oauthStates } = tables;

/**
 * Counters of rate-limiter-flexible's drizzle store (RateLimiterDrizzle), in the layout it
 * expects (key, points, expire). Created here so migrations own the schema.
 */
export const rateLimits = pgTable(
  'rate_limits',
  {
    key: text('key').primaryKey(),
    points: integer('points').notNull().default(0),
    expire: time('expire'),
  },
  (t) => [index('rate_limits_expire_idx').on(t.expire)],
);

export const schema = { ...tables, rateLimits };
