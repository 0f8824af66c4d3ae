import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type AuthServices, hasRole, PasswordHasher } from '../src/index.js';
import { createTestServices, databaseOf } from '../src/testing.js';

describe('SessionService on a real SQLite database', () => {
  let services: AuthServices;
  let now: number;

  beforeEach(async () => {
    now = Date.parse('2026-01-01T00:00:00Z');
    services = await createTestServices({ refreshReuseGraceMs: 2000, clock: () => new Date(now) });
  });
  afterEach(() => services.close());

  async function signedIn() {
    const user = await services.accounts.register({
      username: 'dana',
      email: 'dana@example.com',
      password: 'password-1',
    });
    return { user, issued: await services.sessions.open(user, { ip: '127.0.0.1', userAgent: 'test' }) };
  }

  it('stores only a hash of the refresh secret', async () => {
    const { issued } = await signedIn();
    const row = await databaseOf(services).sessions.findById(issued.sessionId);
    const secret = issued.tokens.refreshToken.split('.').at(-1)!;
    expect(row?.tokenHash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(row)).not.toContain(secret);
  });

  it('treats a replay inside the grace window as a race, and after it as theft', async () => {
    const { issued } = await signedIn();
    const events: string[] = [];
    services.sessions.onEvent = (event) => events.push(event.type);
    const rotated = await services.sessions.refresh(issued.tokens.refreshToken);
    now += 1000;
    await expect(services.sessions.refresh(issued.tokens.refreshToken)).rejects.toMatchObject({ kind: 'CONFLICT' });
    expect(events).toEqual([]);
    now += 2000;
    await expect(services.sessions.refresh(issued.tokens.refreshToken)).rejects.toMatchObject({ kind: 'UNAUTHORIZED' });
    expect(events).toEqual(['refresh_reuse_detected']);
    await expect(services.sessions.refresh(rotated.tokens.refreshToken)).rejects.toThrow(/revoked/);
  });

  it('revokes the session when any older generation is replayed, however many rotations ago', async () => {
    const { user, issued } = await signedIn();
    const events: string[] = [];
    services.sessions.onEvent = (event) => events.push(event.type);
    // The thief rotates the stolen token a few times; the victim then replays the original.
    let current = issued.tokens.refreshToken;
    for (let i = 0; i < 5; i++) current = (await services.sessions.refresh(current)).tokens.refreshToken;
    now += 10_000; // past the grace window
    await expect(services.sessions.refresh(issued.tokens.refreshToken)).rejects.toThrow(/reuse detected/);
    expect(events).toEqual(['refresh_reuse_detected']);
    await expect(services.sessions.refresh(current)).rejects.toThrow(/revoked/);
    const audit = await services.audit.list({ type: 'refresh_reuse_detected', limit: 10 });
    expect(audit.items.map((e) => e.targetUserId)).toEqual([user.id]);
  });

  it('only refuses a guessed secret or generation, leaving the session alone', async () => {
    const { issued } = await signedIn();
    const [sessionId] = issued.tokens.refreshToken.split('.');
    const guesses = [
      `${sessionId}.1.${'A'.repeat(43)}`,
      `${sessionId}.999.${'B'.repeat(43)}`,
      `${sessionId}.${'C'.repeat(43)}`,
    ];
    for (const guess of guesses) {
      await expect(services.sessions.refresh(guess)).rejects.toThrow(/^Invalid refresh token$/);
    }
    expect((await services.sessions.refresh(issued.tokens.refreshToken)).tokens.refreshToken).toMatch(/\.2\./);
  });

  it('keeps the storage of a session the same size however often it rotates', async () => {
    const { issued } = await signedIn();
    const size = async () => JSON.stringify(await databaseOf(services).sessions.findById(issued.sessionId)).length;
    let current = (await services.sessions.refresh(issued.tokens.refreshToken)).tokens.refreshToken;
    const after1 = await size();
    for (let i = 0; i < 50; i++) current = (await services.sessions.refresh(current)).tokens.refreshToken;
    expect(await size()).toBe(after1); // no per-rotation history is kept
    expect(current).toMatch(/\.52\./);
  });

  it('ends sessions at their absolute lifetime', async () => {
    const { issued } = await signedIn();
    now += 3600 * 1000;
    await expect(services.sessions.refresh(issued.tokens.refreshToken)).rejects.toThrow(/expired/);
  });

  it('purges sessions that ended more than 30 days ago, and only those', async () => {
    const { user, issued: revoked } = await signedIn();
    await services.sessions.close(revoked.tokens.refreshToken);
    const live = await services.sessions.open(user, { ip: '127.0.0.1', userAgent: 'test' });
    now += 30 * 86400_000;
    expect(await services.sessions.purgeEnded()).toBe(0); // ended exactly 30 days ago: kept
    now += 1000;
    expect(await services.sessions.purgeEnded()).toBe(1);
    expect(await databaseOf(services).sessions.findById(revoked.sessionId)).toBeNull();
    // The other one expired (test lifetime: an hour) less than 30 days ago: kept.
    expect(await databaseOf(services).sessions.findById(live.sessionId)).not.toBeNull();
  });

  it('re-hashes a password on login when the cost setting changed', async () => {
    const { user } = await signedIn();
    const bcrypt = (await import('bcryptjs')).default;
    await databaseOf(services).users.setPassword(user.id, bcrypt.hashSync('password-1', 5), new Date());
    await services.accounts.authenticate('dana', 'password-1');
    const after = await databaseOf(services).users.findById(user.id);
    expect(PasswordHasher.costOf(after!.passwordHash!)).toBe(4);
  });
});

describe('roles', () => {
  it('admits the required role and above', () => {
    expect(hasRole('admin', 'user')).toBe(true);
    expect(hasRole('user', 'user')).toBe(true);
    expect(hasRole('viewer', 'user')).toBe(false);
    expect(hasRole('user', 'admin')).toBe(false);
    expect(hasRole('viewer', 'viewer')).toBe(true);
  });
});
