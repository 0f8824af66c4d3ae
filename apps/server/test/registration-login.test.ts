import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningGatehouse } from '../src/index.js';
import { call, startTestServer } from './harness.js';

describe('registration and login rules', () => {
  let app: RunningGatehouse;
  beforeAll(async () => {
    app = await startTestServer();
  });
  afterAll(() => app.close());

  const register = (input: Record<string, unknown>) => call(app.url, 'auth.register', input);

  it('refuses a duplicate username or email in any letter case with 409', async () => {
    expect((await register({ username: 'Bob', email: 'bob@example.com', password: 'password-1' })).status).toBe(200);
    const sameName = await register({ username: 'bOB', email: 'other@example.com', password: 'password-1' });
    expect(sameName.status).toBe(409);
    expect(sameName.error?.data.fieldErrors).toEqual({ username: ['This username is already registered'] });
    const sameEmail = await register({ username: 'robert', email: 'BOB@Example.COM', password: 'password-1' });
    expect(sameEmail.status).toBe(409);
    expect(sameEmail.error?.data.fieldErrors).toHaveProperty('email');
  });

  it('lets exactly one of many concurrent registrations of one name win', async () => {
    const attempts = ['carol', 'Carol', 'CAROL', 'caroL'].map((username, i) =>
      register({ username, email: `carol${i}@example.com`, password: 'password-1' }),
    );
    const statuses = (await Promise.all(attempts)).map((r) => r.status).sort();
    expect(statuses).toEqual([200, 409, 409, 409]);
  });

  it('ignores a role in the registration input', async () => {
    const result = await register({
      username: 'mallory',
      email: 'mallory@example.com',
      password: 'password-1',
      role: 'admin',
    });
    expect(result.data.role).toBe('user');
  });

  it('enforces 8 characters minimum and 1024 UTF-8 bytes maximum, with clear messages', async () => {
    const short = await register({ username: 'shorty', email: 'shorty@example.com', password: 'seven77' });
    expect(short.status).toBe(400);
    expect(short.error?.message).toMatch(/password: .*at least 8/);
    // A 64-character Cyrillic passphrase (over bcrypt's 72 bytes) is accepted, and only it signs in.
    const phrase = 'я'.repeat(32) + 'ж'.repeat(32);
    const exact = await register({ username: 'exact', email: 'exact@example.com', password: phrase });
    expect(exact.status).toBe(200);
    expect((await call(app.url, 'auth.login', { username: 'exact', password: phrase })).status).toBe(200);
    const changedTail = `${phrase.slice(0, -1)}я`;
    expect((await call(app.url, 'auth.login', { username: 'exact', password: changedTail })).status).toBe(401);
    // 341 three-byte characters = 1023 bytes: accepted. Two more bytes: refused, naming the limit.
    const most = await register({ username: 'most', email: 'most@example.com', password: '€'.repeat(341) });
    expect(most.status).toBe(200);
    const long = await register({ username: 'longer', email: 'longer@example.com', password: `${'€'.repeat(341)}aa` });
    expect(long.status).toBe(400);
    expect(long.error?.data.fieldErrors?.password?.[0]).toMatch(/at most 1024 bytes/);
  });

  it('names every invalid field', async () => {
    const result = await register({ username: 'a', email: 'not-an-email', password: 'x' });
    expect(result.status).toBe(400);
    expect(Object.keys(result.error?.data.fieldErrors ?? {}).sort()).toEqual(['email', 'password', 'username']);
    expect(result.error?.message).toMatch(/^username: /);
    expect(JSON.stringify(result.error)).not.toMatch(/at .*\.js:\d+/);
  });

  it('refuses look-alike and invisible characters in usernames', async () => {
    for (const username of ['аdmin', 'ad\u200Bmin', 'bob\u0000', 'al ice', 'émile']) {
      expect(
        (await register({ username, email: `x${username.length}@example.com`, password: 'password-1' })).status,
      ).toBe(400);
    }
    // Full-width letters normalise (NFKC) to the ASCII name, which is then taken.
    expect((await register({ username: 'Ｂｏｂ', email: 'fw@example.com', password: 'password-1' })).status).toBe(409);
  });

  it('gives unknown users and wrong passwords the same answer', async () => {
    const unknown = await call(app.url, 'auth.login', { username: 'nobody-here', password: 'password-1' });
    const wrong = await call(app.url, 'auth.login', { username: 'Bob', password: 'wrong-password' });
    expect(unknown.status).toBe(401);
    expect(wrong.status).toBe(401);
    expect(unknown.error?.message).toBe(wrong.error?.message);
    expect(unknown.error?.data).toEqual(wrong.error?.data);
  });
});
