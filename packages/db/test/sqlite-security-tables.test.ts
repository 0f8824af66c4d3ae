import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Database, openDatabase } from '../src/index.js';

const t0 = new Date('2026-01-01T00:00:00Z');
const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);

describe('API keys, audit events and rate-limit counters in SQLite', () => {
  let db: Database;
  beforeEach(async () => {
    db = await openDatabase(':memory:');
  });
  afterEach(() => db.close());

  it('keeps scopes as a list and touches last use only when it is stale', async () => {
    const key = { id: '0123456789abcdef', name: 'k', secretHash: 'h', scopes: ['users:read'], createdByUserId: null };
    const created = await db.apiKeys.create({ ...key, expiresAt: null }, t0);
    expect(created.scopes).toEqual(['users:read']);
    await db.apiKeys.touch(key.id, at(10), at(-50));
    await db.apiKeys.touch(key.id, at(20), at(-40));
    expect((await db.apiKeys.findById(key.id))?.lastUsedAt).toEqual(at(10));
    await db.apiKeys.touch(key.id, at(80), at(20));
    expect((await db.apiKeys.findById(key.id))?.lastUsedAt).toEqual(at(80));
    expect(await db.apiKeys.revoke(key.id, at(90))).toBe(true);
    expect(await db.apiKeys.revoke(key.id, at(91))).toBe(false);
  });

  it('lists audit events newest first, filtered, a page at a time', async () => {
    const event = (type: string, seconds: number, actorUserId: number | null, targetUserId: number | null) =>
      db.audit.append({
        type,
        at: at(seconds),
        actorUserId,
        targetUserId,
        apiKeyId: null,
        ip: '10.0.0.1',
        userAgent: null,
        detail: { n: seconds },
      });
    await event('login_failed', 1, null, 5);
    await event('login_succeeded', 2, 5, 5);
    await event('role_changed', 3, 1, 5);
    await event('role_changed', 4, 1, 6);

    const first = await db.audit.list({ limit: 3 });
    expect(first.items.map((e) => e.at)).toEqual([at(4), at(3), at(2)]);
    const second = await db.audit.list({ limit: 3, cursor: first.nextCursor! });
    expect(second).toMatchObject({ items: [{ type: 'login_failed', detail: { n: 1 } }], nextCursor: null });

    expect((await db.audit.list({ limit: 10, userId: 5 })).items).toHaveLength(3);
    expect((await db.audit.list({ limit: 10, userId: 1 })).items).toHaveLength(2);
    expect((await db.audit.list({ limit: 10, type: 'role_changed', userId: 6 })).items).toHaveLength(1);
    expect((await db.audit.list({ limit: 10, from: at(2), to: at(4) })).items.map((e) => e.at)).toEqual([at(3), at(2)]);
  });

  it('tells whether a user signed in from an address since a time', async () => {
    const user = await db.users.create(
      {
        username: 'ann',
        usernameKey: 'ann',
        email: 'ann@example.com',
        emailKey: 'ann@example.com',
        passwordHash: null,
        fullName: null,
        role: 'user',
      },
      t0,
    );
    await db.sessions.create(
      { id: 's1', userId: user.id, tokenHash: 'h', expiresAt: at(3600), userAgent: null, ip: '10.0.0.1' },
      at(10),
    );
    expect(await db.sessions.hasSessionFrom(user.id, '10.0.0.1', t0)).toBe(true);
    expect(await db.sessions.hasSessionFrom(user.id, '10.0.0.1', at(11))).toBe(false);
    expect(await db.sessions.hasSessionFrom(user.id, '10.0.0.2', t0)).toBe(false);
  });

  it('purges expired rate-limit counters', async () => {
    const raw = db.rateLimitTable.client as { prepare(sql: string): { run(...args: unknown[]): unknown } };
    const insert = raw.prepare('insert into rate_limits (key, points, expire) values (?, ?, ?)');
    insert.run('old', 1, t0.getTime() - 1);
    insert.run('new', 1, t0.getTime() + 1000);
    expect(await db.rateLimitTable.purgeExpired(t0)).toBe(1);
  });
});
