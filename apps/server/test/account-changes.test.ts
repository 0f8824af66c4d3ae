import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningGatehouse } from '../src/index.js';
import { adminTokens, call, login, newUser, startTestServer, type Tokens } from './harness.js';

// Every change to an account takes effect on the holder's next call, not when tokens expire.
describe('account changes take effect at once', () => {
  let app: RunningGatehouse;
  let admin: Tokens;
  beforeAll(async () => {
    app = await startTestServer();
    admin = await adminTokens(app.url);
  });
  afterAll(() => app.close());

  const me = (token: string) => call(app.url, 'user.me', undefined, { token });
  const asAdmin = (path: string, input: unknown) => call(app.url, path, input, { token: admin.accessToken });

  it('a deactivated user loses access, cannot refresh or log in, and regains it when reactivated', async () => {
    const user = await newUser(app.url);
    expect((await asAdmin('admin.users.setActive', { userId: user.id, active: false })).data.isActive).toBe(false);
    expect((await me(user.tokens.accessToken)).status).toBe(403);
    expect((await call(app.url, 'auth.refresh', { refreshToken: user.tokens.refreshToken })).status).toBe(401);
    const refused = await call(app.url, 'auth.login', { username: user.username, password: user.password });
    expect(refused.status).toBe(403);
    await asAdmin('admin.users.setActive', { userId: user.id, active: true });
    expect((await call(app.url, 'auth.login', { username: user.username, password: user.password })).status).toBe(200);
  });

  it('a deleted user loses access on the next call', async () => {
    const user = await newUser(app.url);
    expect((await asAdmin('admin.users.delete', { userId: user.id })).data).toEqual({ ok: true });
    expect((await me(user.tokens.accessToken)).status).toBe(401);
    expect((await call(app.url, 'auth.refresh', { refreshToken: user.tokens.refreshToken })).status).toBe(401);
  });

  it('a demoted admin loses admin access on the next call', async () => {
    const user = await newUser(app.url);
    await asAdmin('admin.users.setRole', { userId: user.id, role: 'admin' });
    expect((await call(app.url, 'admin.users.list', {}, { token: user.tokens.accessToken })).status).toBe(200);
    await asAdmin('admin.users.setRole', { userId: user.id, role: 'viewer' });
    expect((await call(app.url, 'admin.users.list', {}, { token: user.tokens.accessToken })).status).toBe(403);
    expect((await me(user.tokens.accessToken)).data.role).toBe('viewer');
  });

  it('changing the password ends every other session and every older access token', async () => {
    const user = await newUser(app.url);
    const elsewhere = await login(app.url, user.username, user.password);
    const changed = await call(
      app.url,
      'user.changePassword',
      { currentPassword: user.password, newPassword: 'a-brand-new-password' },
      { token: user.tokens.accessToken },
    );
    expect(changed.data).toEqual({ ok: true, sessionsEnded: 1 });
    expect((await me(elsewhere.accessToken)).status).toBe(401);
    expect((await call(app.url, 'auth.refresh', { refreshToken: elsewhere.refreshToken })).status).toBe(401);
    // This session's old access token is stale too, but its refresh token still works.
    expect((await me(user.tokens.accessToken)).status).toBe(401);
    const renewed = await call<Tokens>(app.url, 'auth.refresh', { refreshToken: user.tokens.refreshToken });
    expect((await me(renewed.data.accessToken)).status).toBe(200);
    expect((await call(app.url, 'auth.login', { username: user.username, password: user.password })).status).toBe(401);
    expect(
      (await call(app.url, 'auth.login', { username: user.username, password: 'a-brand-new-password' })).status,
    ).toBe(200);
  });

  it('refuses a password change with the wrong current password, naming the field', async () => {
    const user = await newUser(app.url);
    const result = await call(
      app.url,
      'user.changePassword',
      { currentPassword: 'not-my-password', newPassword: 'another-password' },
      { token: user.tokens.accessToken },
    );
    expect(result.status).toBe(400);
    expect(result.error?.data.fieldErrors).toHaveProperty('currentPassword');
    expect((await me(user.tokens.accessToken)).status).toBe(200);
  });

  // user.update no longer moves the email (user.requestEmailChange does, through a mailed link):
  // another account's address, in any case, is refused like any new address, naming the field.
  it('updates the profile and refuses an email another account has, in any case', async () => {
    const user = await newUser(app.url);
    const other = await newUser(app.url);
    const updated = await call(
      app.url,
      'user.update',
      { fullName: '  Ada Lovelace ' },
      { token: user.tokens.accessToken },
    );
    expect(updated.data.fullName).toBe('Ada Lovelace');
    const taken = await call(
      app.url,
      'user.update',
      { email: `${other.username.toUpperCase()}@EXAMPLE.com` },
      { token: user.tokens.accessToken },
    );
    expect(taken.status).toBe(400);
    expect(taken.error?.data.fieldErrors).toHaveProperty('email');
    expect(taken.error?.message).toMatch(/user\.requestEmailChange/);
    const free = await call(
      app.url,
      'user.update',
      { email: 'nobody-has-this@example.com' },
      { token: user.tokens.accessToken },
    );
    // The same answer for a free address: user.update tells nothing about who has an address.
    expect([free.status, free.error?.message]).toEqual([taken.status, taken.error?.message]);
    expect((await me(user.tokens.accessToken)).data.email).toBe(`${user.username}@example.com`);
  });
});
