import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import BetterSqlite3 from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import type { Database } from './records.js';
import { SqliteApiKeysRepository } from './sqlite-api-keys.js';
import { SqliteAuditRepository } from './sqlite-audit.js';
import { SqliteEmailTokensRepository, SqliteMailOutboxRepository } from './sqlite-email.js';
import { SqliteOAuthAccountsRepository, SqliteOAuthStatesRepository } from './sqlite-oauth.js';
import { SqliteRateLimitCounters } from './sqlite-rate-limits.js';
import { schema } from './sqlite-schema.js';
import { SqliteSessionsRepository } from './sqlite-sessions.js';
import { SqliteSigningKeysRepository } from './sqlite-signing-keys.js';
import { SqliteUsersRepository } from './sqlite-users.js';
import { SqliteWriteBatch } from './sqlite-write-batch.js';

const migrationsFolder = fileURLToPath(new URL('../migrations/sqlite', import.meta.url));

/** Opens (creating if needed) a SQLite database file, or an in-memory one for ':memory:'. */
export function openSqlite(path: string): Database & { migrate(): void } {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const sqlite = new BetterSqlite3(path);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('foreign_keys = ON');
  // WAL with synchronous=NORMAL can lose the last commits on power loss, not on a process crash;
  // FULL keeps every acknowledged write, which an auth store needs.
  sqlite.pragma('synchronous = FULL');
  const db = drizzle(sqlite, { schema });
  // Health probes call it on every request; needs no table, so it can be prepared before migrations.
  const pingStatement = sqlite.prepare('select 1 as ok');
  const writes = new SqliteWriteBatch(sqlite);
  return {
    engine: 'sqlite',
    users: new SqliteUsersRepository(db),
    sessions: new SqliteSessionsRepository(db, writes),
    apiKeys: new SqliteApiKeysRepository(db),
    audit: new SqliteAuditRepository(db),
    oauthAccounts: new SqliteOAuthAccountsRepository(db),
    oauthStates: new SqliteOAuthStatesRepository(db),
    signingKeys: new SqliteSigningKeysRepository(db),
    rateLimitTable: new SqliteRateLimitCounters(sqlite, db),
    emailTokens: new SqliteEmailTokensRepository(db),
    mailOutbox: new SqliteMailOutboxRepository(db),
    migrate: () => migrate(db, { migrationsFolder }),
    ping: async () => pingStatement.get() !== undefined,
    close: async () => {
      if (!sqlite.open) return;
      writes.flush();
      sqlite.close();
    },
  };
}
