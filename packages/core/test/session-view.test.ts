import type { UserRecord } from '@gatehouse/db';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { Authenticator, type AuthServices } from '../src/index.js';
import { SessionView } from '../src/session-view/session-view.js';
import { createTestServices, databaseOf } from '../src/testing.js';

const live = { expiresAt: new Date('2030-01-01T00:00:00Z'), revokedAt: null };

function userRecord(id: number, role: UserRecord['role'] = 'user'): UserRecord {
  const at = new Date('2026-01-01T00:00:00Z');
  return {
    id,
    username: `u${id}`,
    email: `u${id}@example.com`,
    passwordHash: null,
    fullName: null,
    role,
    isActive: true,
    tokenVersion: 0,
    emailVerified: true,
    createdAt: at,
    updatedAt: at,
  };
}

describe('SessionView', () => {
  it('keeps at most maxEntries sessions, dropping the least recently used', () => {
    const view = new SessionView({ maxEntries: 2, maxAgeMs: 60_000 });
    for (const id of ['a', 'b']) view.put(view.begin(), id, { user: userRecord(1), session: live });
    view.get(1, 'a'); // b is now the least recently used
    view.put(view.begin(), 'c', { user: userRecord(2), session: live });
    expect(view.get(1, 'a')).toBeDefined();
    expect(view.get(1, 'b')).toBeUndefined();
    expect(view.get(2, 'c')).toBeDefined();
    // User 1 keeps its record for session a; user 2 has one for c.
    expect(view.stats()).toMatchObject({ entries: 2, users: 2 });
  });

  it('does not keep a read that began before a change was announced', () => {
    const view = new SessionView({ maxEntries: 10, maxAgeMs: 60_000 });
    const generation = view.begin();
    view.forgetUsers([1]); // the change lands while the read is in flight
    view.put(generation, 's', { user: userRecord(1), session: live });
    expect(view.get(1, 's')).toBeUndefined();
  });

  it('drops every session of a changed user, and answers only for the user the session belongs to', () => {
    const view = new SessionView({ maxEntries: 10, maxAgeMs: 60_000 });
    view.put(view.begin(), 's1', { user: userRecord(1), session: live });
    view.put(view.begin(), 's2', { user: userRecord(1, 'admin'), session: live });
    expect(view.get(1, 's1')?.user.role).toBe('admin'); // the newest read of the user serves both
    expect(view.get(2, 's1')).toBeUndefined();
    view.forgetUsers([1]);
    expect(view.get(1, 's1')).toBeUndefined();
    expect(view.get(1, 's2')).toBeUndefined();
    expect(view.stats()).toMatchObject({ entries: 0, users: 0 });
  });

  it('reads an entry again once it is older than maxAgeMs', () => {
    let now = 0;
    const view = new SessionView({ maxEntries: 10, maxAgeMs: 1000, now: () => now });
    view.put(view.begin(), 's', { user: userRecord(1), session: live });
    now = 1000;
    expect(view.get(1, 's')).toBeDefined();
    now = 1001;
    expect(view.get(1, 's')).toBeUndefined();
  });
});

type Outcome = { ok: true; role: string; username: string } | { ok: false; message: string };

async function outcome(authenticator: Authenticator, token: string): Promise<Outcome> {
  try {
    const { user } = await authenticator.authenticate(token);
    return { ok: true, role: user.role, username: user.username };
  } catch (error) {
    return { ok: false, message: (error as Error).message };
  }
}

describe('the view answers as the database does, whatever the order of changes and calls', () => {
  let services: AuthServices | undefined;
  afterEach(() => services?.close());

  it('holds for random interleavings (property test)', async () => {
    let servedFromView = 0;
    const change = fc.oneof(
      fc.record({ kind: fc.constant('open' as const), user: fc.nat(2) }),
      fc.record({ kind: fc.constant('revoke' as const), session: fc.nat(20) }),
      fc.record({ kind: fc.constant('revokeAll' as const), user: fc.nat(2) }),
      fc.record({
        kind: fc.constant('role' as const),
        user: fc.nat(2),
        role: fc.constantFrom('admin', 'user', 'viewer'),
      }),
      fc.record({ kind: fc.constant('active' as const), user: fc.nat(2), active: fc.boolean() }),
      fc.record({ kind: fc.constant('password' as const), user: fc.nat(2) }),
      fc.record({ kind: fc.constant('delete' as const), user: fc.nat(2) }),
      fc.record({ kind: fc.constant('clock' as const), seconds: fc.integer({ min: 1, max: 1200 }) }),
    );
    const step = fc.record({ change, calls: fc.array(fc.nat(20), { maxLength: 4 }), concurrent: fc.boolean() });

    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 25 }), async (steps) => {
        let now = Date.parse('2026-01-01T00:00:00Z');
        await services?.close();
        // Few entries, so eviction is part of what is exercised; sessions live 15 min.
        services = await createTestServices({
          clock: () => new Date(now),
          refreshTokenTtlSeconds: 900,
          accessTokenTtlSeconds: 100_000,
          sessionView: { maxEntries: 3, channel: null },
        });
        const s = services;
        const db = databaseOf(s);
        const reference = new Authenticator(db, s.accessTokens, s.sessions, null);
        const users: UserRecord[] = [];
        for (const name of ['ana', 'ben', 'cyd']) {
          users.push(
            await s.accounts.register({ username: name, email: `${name}@example.com`, password: 'pass-word-1' }),
          );
        }
        const sessions: { id: string; token: string }[] = [];
        const apply = async (c: (typeof steps)[number]['change']): Promise<void> => {
          const user = 'user' in c ? users[c.user] : undefined;
          if (c.kind === 'open' && user) {
            const found = await db.users.findById(user.id);
            if (!found) return;
            const issued = await s.sessions.open(found, { ip: '127.0.0.1', userAgent: 'test' });
            sessions.push({ id: issued.sessionId, token: issued.tokens.accessToken });
          } else if (c.kind === 'revoke') {
            const target = sessions[c.session % Math.max(1, sessions.length)];
            if (target) await db.sessions.revoke(target.id, new Date(now));
          } else if (c.kind === 'revokeAll' && user) await db.sessions.revokeForUser(user.id, new Date(now));
          else if (c.kind === 'role' && user) await db.users.setRole(user.id, c.role, new Date(now));
          else if (c.kind === 'active' && user) await db.users.setActive(user.id, c.active, new Date(now));
          else if (c.kind === 'password' && user) await db.users.setPassword(user.id, 'x', new Date(now));
          else if (c.kind === 'delete' && user) await db.users.delete(user.id);
          else if (c.kind === 'clock') now += c.seconds * 1000;
        };
        for (const { change: c, calls, concurrent } of steps) {
          const tokens = calls
            .map((n) => sessions[n % Math.max(1, sessions.length)]?.token)
            .filter((t) => t !== undefined);
          // Calls racing the change may see it or not; calls after it must agree with the database.
          if (concurrent)
            await Promise.all([apply(c), ...tokens.map((t) => s.authenticator.authenticate(t).catch(() => {}))]);
          else await apply(c);
          for (const token of tokens) {
            expect(await outcome(s.authenticator, token)).toEqual(await outcome(reference, token));
          }
        }
        servedFromView += s.sessionView?.status().hits ?? 0;
      }),
      { numRuns: 40 },
    );
    // Not a vacuous pass: a good share of the calls compared were answered from the view.
    expect(servedFromView).toBeGreaterThan(50);
  }, 120_000);
});
