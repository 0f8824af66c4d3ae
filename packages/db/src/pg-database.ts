import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/postgres-js';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { PgApiKeysRepository } from './pg-api-keys.js';
import { PgAuditRepository } from './pg-audit.js';
import { PgEmailTokensRepository, PgMailOutboxRepository } from './pg-email.js';
import { PgOAuthAccountsRepository, PgOAuthStatesRepository } from './pg-oauth.js';
import { PgRateLimitCounters } from './pg-rate-limits.js';
import { schema } from './pg-schema.js';
import { PgSessionsRepository } from './pg-sessions.js';
import { PgSigningKeysRepository } from './pg-signing-keys.js';
import { PgUsersRepository } from './pg-users.js';
import type { Database } from './records.js';

const migrationsFolder = fileURLToPath(new URL('../migrations/postgres', import.meta.url));

/** Any fixed number: the key of the lock that makes instances starting together migrate in turn. */
const MIGRATION_LOCK = 0x6761_7465_6d;

export interface PostgresOptions {
  /** Connections in the pool (default 10). */
  max?: number;
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
  // A bounded connect timeout keeps /readyz and start-up from hanging on an unreachable server.
  const client = postgres(url, { max: options.max ?? 10, connect_timeout: 10, onnotice: () => {} });
  const db = drizzle(client, { schema });
  return {
    engine: 'postgres',
    users: new PgUsersRepository(db),
    sessions: new PgSessionsRepository(db),
    apiKeys: new PgApiKeysRepository(db),
    audit: new PgAuditRepository(db),
    oauthAccounts: new PgOAuthAccountsRepository(db),
    oauthStates: new PgOAuthStatesRepository(db),
    signingKeys: new PgSigningKeysRepository(db),
    rateLimitTable: new PgRateLimitCounters(db),
    emailTokens: new PgEmailTokensRepository(db),
    mailOutbox: new PgMailOutboxRepository(db),
    ping: async () => {
      const rows = await client`select 1 as ok`;
      return rows.length === 1;
    },
    close: () => client.end({ timeout: 5 }),
  };
}
