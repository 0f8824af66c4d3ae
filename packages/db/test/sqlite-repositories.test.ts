import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Database, openDatabase, UniqueViolationError, UnsupportedDatabaseUrlError } from '../src/index.js';

const now = new Date('2026-01-01T00:00:00Z');
const user = (name: string, role: 'admin' | 'user' = 'user') => ({
  username: name,
  usernameKey: name.toLowerCase(),
  email: `${name}@example.com`,
  emailKey: `${name}@example.com`.toLowerCase(),
  passwordHash: null,
  fullName: null,
  role,
});

describe('SQLite repositories', () => {
  let db: Database;
  beforeEach(async () => {
    db = await openDatabase(':memory:');
  });
  afterEach(() => db.close());

  it('reports which unique field clashed', async () => {
    await db.users.create(user('Erin'), now);
    await expect(db.users.create({ ...user('erin'), emailKey: 'other@example.com' }, now)).rejects.toEqual(
      new UniqueViolationError('username'),
    );
    await expect(db.users.create({ ...user('frank'), emailKey: 'erin@example.com' }, now)).rejects.toEqual(
      new UniqueViolationError('email'),
    );
  });

  it('matches search text literally, not as LIKE wildcards', async () => {
    await db.users.create(user('a_b'), now);
    await db.users.create(user('axb'), now);
    const page = await db.users.list({ limit: 10, search: 'a_b' });
    expect(page.items.map((u) => u.username)).toEqual(['a_b']);
  });

  it('rotates a session secret once: a second rotation from the same hash fails', async () => {
    const created = await db.users.create(user('gina'), now);
    const expiresAt = new Date(now.getTime() + 60_000);
    await db.sessions.create(
      { id: 's1', userId: created.id, tokenHash: 'h1', expiresAt, userAgent: null, ip: null },
      now,
    );
    expect(await db.sessions.rotate('s1', 'h1', 'h2', now)).toBe(true);
    expect(await db.sessions.rotate('s1', 'h1', 'h3', now)).toBe(false);
    expect((await db.sessions.findById('s1'))?.previousTokenHash).toBe('h1');
  });

  it('deletes a user together with their sessions', async () => {
    await db.users.create(user('root', 'admin'), now);
    const created = await db.users.create(user('hank'), now);
    await db.sessions.create(
      {
        id: 's2',
        userId: created.id,
        tokenHash: 'x',
        expiresAt: new Date(now.getTime() + 1000),
        userAgent: null,
        ip: null,
      },
      now,
    );
    expect(await db.users.delete(created.id)).toBe('ok');
    expect(await db.sessions.findById('s2')).toBeNull();
  });

  it('refuses URLs of engines it cannot open', async () => {
    await expect(openDatabase('mysql://localhost/db')).rejects.toBeInstanceOf(UnsupportedDatabaseUrlError);
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
