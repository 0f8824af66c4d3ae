import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, UnsupportedDatabaseUrlError } from '../src/index.js';
import { createScratchPostgres, postgresAdminUrl, type ScratchDatabase, shouldRun } from '../src/testing.js';

describe('choosing the engine from DATABASE_URL', () => {
  it('refuses URLs of engines it cannot open', async () => {
    await expect(openDatabase('mysql://localhost/db')).rejects.toBeInstanceOf(UnsupportedDatabaseUrlError);
  });

  it('opens SQLite for :memory: and file: URLs', async () => {
    const db = await openDatabase(':memory:');
    expect(db.engine).toBe('sqlite');
    await db.close();
  });
});

describe('SQLite file settings', () => {
  it('creates the folder and uses WAL with foreign keys on', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'gatehouse-db-')), 'nested', 'g.db');
    const db = await openDatabase(`file:${file}`);
    await db.close();
    const raw = new BetterSqlite3(file);
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(raw.prepare("select count(*) as n from sqlite_master where name in ('users','sessions')").get()).toEqual({
      n: 2,
    });
    raw.close();
  });
});

const pgReachable = (await postgresAdminUrl()) !== null;

describe.runIf(shouldRun('PostgreSQL', pgReachable))('PostgreSQL start-up', () => {
  let scratch: ScratchDatabase;
  beforeAll(async () => {
    scratch = await createScratchPostgres();
  }, 30_000);
  afterAll(() => scratch?.drop(), 30_000);

  it('is chosen by postgres:// and postgresql:// URLs, and migrates once when instances start together', async () => {
    const alt = scratch.url.replace(/^postgres:/, 'postgresql:');
    const dbs = await Promise.all([openDatabase(scratch.url), openDatabase(alt), openDatabase(scratch.url)]);
    expect(dbs.map((d) => d.engine)).toEqual(['postgres', 'postgres', 'postgres']);
    await Promise.all(dbs.map((d) => d.close()));
    const raw = postgres(scratch.url, { max: 1, onnotice: () => {} });
    const tables = await raw`select table_name from information_schema.tables where table_schema = 'public' order by 1`;
    const applied = await raw`select count(*)::int as n from drizzle.__drizzle_migrations`;
    await raw.end();
    expect(tables.map((t) => t.table_name)).toEqual([
      'api_keys',
      'audit_events',
      'backup_codes',
      'device_codes',
      'email_tokens',
      'mail_outbox',
      'mfa_challenges',
      'oauth_accounts',
      'oauth_states',
      'rate_limits',
      'sessions',
      'signing_keys',
      'totp_factors',
      'users',
      'webauthn_challenges',
      'webauthn_credentials',
    ]);
    expect(applied[0]?.n).toBeGreaterThanOrEqual(1);
  });

  it('says so when the server cannot be reached', async () => {
    const db = await openDatabase('postgres://postgres@127.0.0.1:1/none', { migrate: false });
    await expect(db.ping()).rejects.toThrow();
    await db.close();
  });
});
