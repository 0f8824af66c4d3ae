import { index, integer, type SQLiteColumnBuilderBase, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { buildTables, type ColumnBuilderLike, type DialectTables } from './table-definitions.js';

/** The shared table descriptions in SQLite's types: times are integer milliseconds since the epoch. */
export const tables = buildTables<DialectTables<'sqlite'>, SQLiteColumnBuilderBase & ColumnBuilderLike>({
  kinds: {
    id: (name) => integer(name).primaryKey({ autoIncrement: true }),
    text: (name) => text(name),
    integer: (name) => integer(name),
    boolean: (name) => integer(name, { mode: 'boolean' }),
    time: (name) => integer(name, { mode: 'timestamp_ms' }),
    json: (name) => text(name, { mode: 'json' }),
    // RateLimiterSQLite writes epoch milliseconds.
    expiry: (name) => integer(name),
  },
  textEnum: (name, values) => text(name, { enum: values }),
  table: sqliteTable,
  index,
  uniqueIndex,
});

export const { users, sessions, apiKeys, auditEvents, rateLimits, signingKeys, oauthAccounts, oauthStates } = tables;
export const { emailTokens, mailOutbox, deviceCodes, webauthnCredentials, webauthnChallenges } = tables;
export const { totpFactors, backupCodes, mfaChallenges } = tables;
