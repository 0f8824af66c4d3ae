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

/** The shared table descriptions in PostgreSQL's types (RateLimiterDrizzle writes expiries as Dates). */
export const tables = buildTables<DialectTables<'pg'>, PgColumnBuilderBase & ColumnBuilderLike>({
  kinds: { id: (name) => serial(name).primaryKey(), text, integer, boolean, time, json: jsonb, expiry: time },
  textEnum: (name, values) => text(name, { enum: values }),
  table: pgTable,
  index,
  uniqueIndex,
});

export const { users, sessions, apiKeys, auditEvents, rateLimits, signingKeys, oauthAccounts, oauthStates } = tables;
export const { emailTokens, mailOutbox, deviceCodes, webauthnCredentials, webauthnChallenges } = tables;
export const { totpFactors, backupCodes, mfaChallenges } = tables;
