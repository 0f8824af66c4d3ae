import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningGatehouse } from '../src/index.js';
import { call, newUser, startTestServer } from './harness.js';

// The three tests of the FastAPI runbook Gatehouse replaces, over plain HTTP.
describe('runbook', () => {
  let app: RunningGatehouse;
  beforeAll(async () => {
    app = await startTestServer();
  });
  afterAll(() => app.close());

  it('registers, logs in and reads the current user', async () => {
    const registered = await call(app.url, 'auth.register', {
      username: 'alice',
      email: 'alice@example.com',
      password: 'correct horse',
      fullName: 'Alice Liddell',
    });
    expect(registered.status).toBe(200);
    expect(registered.data).toMatchObject({
      username: 'alice',
      email: 'alice@example.com',
      role: 'user',
      isActive: true,
    });
    expect(JSON.stringify(registered.data)).not.toMatch(/\$2[aby]\$/);

    const login = await call(app.url, 'auth.login', { username: 'alice', password: 'correct horse' });
    expect(login.data).toMatchObject({ tokenType: 'Bearer', expiresIn: 900 });
    expect(login.data.accessToken.split('.')).toHaveLength(3);

    const me = await call(app.url, 'user.me', undefined, { token: login.data.accessToken });
    expect(me.data).toMatchObject({ id: registered.data.id, username: 'alice', fullName: 'Alice Liddell' });
    expect(me.data).not.toHaveProperty('passwordHash');
  });

  it('logs in by email too, in any letter case', async () => {
    const login = await call(app.url, 'auth.login', { username: 'ALICE@example.com', password: 'correct horse' });
    expect(login.status).toBe(200);
  });

  it('refuses user.me without a token with 401', async () => {
    const me = await call(app.url, 'user.me');
    expect(me.status).toBe(401);
    expect(me.error?.data.code).toBe('UNAUTHORIZED');
    expect(me.error?.message).toMatch(/Bearer/);
  });

  it('gives a plain user 403 from an admin procedure', async () => {
    const user = await newUser(app.url);
    const list = await call(app.url, 'admin.users.list', {}, { token: user.tokens.accessToken });
    expect(list.status).toBe(403);
    expect(list.error?.data.code).toBe('FORBIDDEN');
  });
});
