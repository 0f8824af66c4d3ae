import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import BetterSqlite3 from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import type { Database } from './records.js';
import { repositories } from './repositories.js';
import { sqliteEmailEngine } from './sqlite-email.js';
import { sqliteUnlink } from './sqlite-oauth.js';
import { sqliteRateLimitCounters } from './sqlite-rate-limits.js';
import { tables } from './sqlite-schema.js';
import { sqliteSessionsEngine } from './sqlite-sessions.js';
import { sqliteAddSigningKey } from './sqlite-signing-keys.js';
import { sqliteStatements } from './sqlite-statements.js';
import { sqliteUsersEngine } from './sqlite-users.js';
import { SqliteWriteBatch } from './sqlite-write-batch.js';

const migrationsFolder = fileURLToPath(new URL('../migrations/sqlite', import.meta.url));

/** Log pages (4 KiB each) after which a commit copies the log into the database file. */
const WAL_CHECKPOINT_PAGES = 100;

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
  // Checkpoint every ~400 KiB of log, not SQLite's 4 MiB: after a checkpoint the log is rewritten
  // from its start, so a write needs new disk only for what it adds, not a few log pages. With
  // the default, a small disk filled up with log (each write adds pages until it is full, and the
  // checkpoint never comes), and the space freed after a full disk went to log growth in a few
  // writes, leaving the disk full again (docs/reliability.md).
  sqlite.pragma(`wal_autocheckpoint = ${WAL_CHECKPOINT_PAGES}`);
  const db = drizzle(sqlite, { schema: tables });
  // Health probes call it on every request; needs no table, so it can be prepared before migrations.
  const pingStatement = sqlite.prepare('select 1 as ok');
  const writes = new SqliteWriteBatch(sqlite);
  const statements = sqliteStatements(db);
  return {
    engine: 'sqlite',
    ...repositories(statements, {
      users: sqliteUsersEngine(db),
      sessions: sqliteSessionsEngine(db, writes),
      unlink: sqliteUnlink(db),
      email: sqliteEmailEngine(db),
      addSigningKey: sqliteAddSigningKey(db),
      rateLimits: sqliteRateLimitCounters(sqlite, statements),
    }),
    migrate: () => migrate(db, { migrationsFolder }),
    ping: async () => pingStatement.get() !== undefined,
    notifications: null,
    close: async () => {
      if (!sqlite.open) return;
      writes.flush();
      sqlite.close();
    },
  };
}
