import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/postgres-js';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { pgEmailEngine } from './pg-email.js';
import { pgUnlink } from './pg-oauth.js';
import { pgRateLimitCounters } from './pg-rate-limits.js';
import { tables } from './pg-schema.js';
import { pgSessionsEngine } from './pg-sessions.js';
import { pgAddSigningKey } from './pg-signing-keys.js';
import { pgStatements } from './pg-statements.js';
import { pgUsersEngine } from './pg-users.js';
import type { Database } from './records.js';
import { repositories } from './repositories.js';

const migrationsFolder = fileURLToPath(new URL('../migrations/postgres', import.meta.url));

/** Any fixed number: the key of the lock that makes instances starting together migrate in turn. */
const MIGRATION_LOCK = 0x6761_7465_6d;

export interface PostgresOptions {
  /** Connections in the pool (default 10). */
  max?: number;
  /** Seconds to wait for a new connection before the query fails (default 2). */
  connectTimeoutSeconds?: number;
  /** Milliseconds a statement may run (including lock waits) before PostgreSQL cancels it (default 2000; 0 = none). */
  statementTimeoutMs?: number;
}

/** Applies pending migrations; safe when several instances start at once. */
export async function migratePostgres(url: string): Promise<void> {
  // One connection, so the session-level lock and the migrator's transaction share it.
  const client = postgres(url, { max: 1, connect_timeout: 10, onnotice: () => {} });
  try {
    const db = drizzle(client);
    await db.execute(sql`select pg_advisory_lock(${MIGRATION_LOCK})`);
    try {
      await migrate(db, { migrationsFolder });
    } finally {
      await db.execute(sql`select pg_advisory_unlock(${MIGRATION_LOCK})`);
    }
  } finally {
    await client.end({ timeout: 5 });
  }
}

/** Connects a pool to a PostgreSQL database (connections open lazily, on first query). */
export function openPostgres(url: string, options: PostgresOptions = {}): Database {
  // Bounded connect and statement timeouts: while the server is unreachable or stuck (a held lock),
  // calls fail within seconds as "retry later" instead of hanging with the pool exhausted.
  const client = postgres(url, {
    max: options.max ?? 10,
    connect_timeout: options.connectTimeoutSeconds ?? 2,
    connection: { statement_timeout: options.statementTimeoutMs ?? 2000 },
    // postgres.js waits up to 20 s (growing with each failed attempt) before reconnecting, and
    // queries queue behind that wait: keep it under a second so calls fail or succeed promptly.
    backoff: (attempts: number) => Math.min(0.05 * 2 ** attempts, 0.5),
    // No array types to learn (the schema has no array columns); the query postgres.js sends for
    // them on each new connection rejects unhandled when that connection drops, which would end
    // the process.
    fetch_types: false,
    onnotice: () => {},
  });
  const connectTimeoutMs = (options.connectTimeoutSeconds ?? 2) * 1000;
  const db = drizzle(client, { schema: tables });
  const statements = pgStatements(db);
  return {
    engine: 'postgres',
    ...repositories(statements, {
      users: pgUsersEngine(db),
      sessions: pgSessionsEngine(db),
      unlink: pgUnlink(db),
      email: pgEmailEngine(db),
      addSigningKey: pgAddSigningKey(db),
      rateLimits: pgRateLimitCounters(db, statements),
    }),
    // Bounded whatever the pool is doing, so /readyz answers "not ready" instead of hanging.
    ping: async () => {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<false>((resolve) => {
        timer = setTimeout(() => resolve(false), connectTimeoutMs);
      });
      const answered = client`select 1 as ok`.then((rows) => rows.length === 1);
      answered.catch(() => {});
      try {
        return await Promise.race([answered, timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
    notifications: {
      listen: async (channel, onMessage, onListen) => {
        await client.listen(channel, onMessage, onListen);
      },
      notify: async (channel, payload) => {
        await client.notify(channel, payload);
      },
    },
    close: () => client.end({ timeout: 5 }),
  };
}
