import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import postgres from 'postgres';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { type Database, openDatabase } from '../src/index.js';
import { createScratchPostgres, postgresAdminUrl, type ScratchDatabase, shouldRun } from '../src/testing.js';

/** One storage engine as the conformance suite drives it. */
export interface Engine {
  name: 'sqlite' | 'postgres';
  /** False when the engine's server is unreachable outside CI. */
  run: boolean;
  setUp(): Promise<void>;
  tearDown(): Promise<void>;
  /** A fresh, empty, migrated database. */
  open(): Promise<Database>;
  /** A second handle on the database `open` returned last: another instance of the server. */
  openTwin(): Promise<Database>;
  /** Stores a raw rate-limit counter expiring at `expire`. */
  insertCounter(db: Database, key: string, expire: Date): Promise<void>;
}

export function sqliteEngine(): Engine {
  let file = '';
  return {
    name: 'sqlite',
    run: true,
    setUp: async () => {},
    tearDown: async () => {},
    open: () => {
      // A file, not :memory:, so a twin handle sees the same data.
      file = join(mkdtempSync(join(tmpdir(), 'gatehouse-conformance-')), 'g.db');
      return openDatabase(`file:${file}`);
    },
    openTwin: () => openDatabase(`file:${file}`, { migrate: false }),
    insertCounter: async (_db, key, expire) => {
      // A connection of its own: the database keeps its driver to itself.
      const raw = new BetterSqlite3(file);
      try {
        raw.prepare('insert into rate_limits (key, points, expire) values (?, 1, ?)').run(key, expire.getTime());
      } finally {
        raw.close();
      }
    },
  };
}

export async function postgresEngine(): Promise<Engine> {
  const run = shouldRun('PostgreSQL', (await postgresAdminUrl()) !== null);
  let scratch: ScratchDatabase | undefined;
  let migrated = false;
  return {
    name: 'postgres',
    run,
    setUp: async () => {
      scratch = await createScratchPostgres();
    },
    tearDown: async () => {
      await scratch?.drop();
    },
    open: async () => {
      if (!scratch) throw new Error('setUp did not run');
      if (migrated) {
        // Emptying the tables is much faster than a database per test.
        const raw = postgres(scratch.url, { max: 1, onnotice: () => {} });
        await raw`truncate users, sessions, api_keys, audit_events, rate_limits, signing_keys, oauth_accounts, oauth_states, email_tokens, mail_outbox, device_codes, webauthn_credentials, webauthn_challenges restart identity cascade`;
        await raw.end();
      }
      migrated = true;
      return openDatabase(scratch.url);
    },
    openTwin: () => openDatabase(scratch!.url, { migrate: false }),
    insertCounter: async (_db, key, expire) => {
      const raw = postgres(scratch!.url, { max: 1, onnotice: () => {} });
      await raw`insert into rate_limits (key, points, expire) values (${key}, 1, ${expire})`;
      await raw.end();
    },
  };
}

/**
 * Registers the hooks every conformance suite needs: the engine set up once, a fresh database
 * handed to `use` before each test, and every handle (twins included) closed after it.
 * Returns `twin()`, a second handle on the same database.
 */
export function databasePerTest(engine: Engine, use: (db: Database) => void): () => Promise<Database> {
  const open: Database[] = [];
  beforeAll(() => engine.setUp(), 30_000);
  afterAll(() => engine.tearDown(), 30_000);
  beforeEach(async () => {
    const db = await engine.open();
    open.push(db);
    use(db);
  }, 30_000);
  afterEach(async () => {
    await Promise.all(open.splice(0).map((d) => d.close()));
  });
  return async () => {
    const other = await engine.openTwin();
    open.push(other);
    return other;
  };
}
