import { databaseOf } from '@gatehouse/core/testing';
/**
 * A PostgreSQL-backed server end to end (runs in the "postgres" vitest project only): the
 * runbook, refresh rotation, and the races the database must settle.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningGatehouse } from '../src/index.js';
import { adminTokens, call, newUser, startTestServer, TEST_DATABASE } from './harness.js';

describe.runIf(TEST_DATABASE === 'postgres')('a server on PostgreSQL', () => {
  let app: RunningGatehouse;
  beforeAll(async () => {
    app = await startTestServer({ REFRESH_REUSE_GRACE: '0' });
  }, 30_000);
  afterAll(() => app.close(), 30_000);

  it('runs on PostgreSQL and reports it ready', async () => {
    expect(databaseOf(app.services).engine).toBe('postgres');
    const ready = await fetch(`${app.url}/readyz`);
    expect(ready.status).toBe(200);
  });

  it('registers, logs in, reads the user, rotates the refresh token and detects reuse', async () => {
    const registered = await call(app.url, 'auth.register', {
      username: 'Paula',
      email: 'paula@example.com',
      password: 'correct horse',
    });
    expect(registered.status).toBe(200);
    const login = await call(app.url, 'auth.login', { username: 'PAULA', password: 'correct horse' });
    expect(login.status).toBe(200);
    const me = await call(app.url, 'user.me', undefined, { token: login.data.accessToken });
    expect(me.data).toMatchObject({ username: 'Paula', role: 'user' });

    const rotated = await call(app.url, 'auth.refresh', { refreshToken: login.data.refreshToken });
    expect(rotated.status).toBe(200);
    expect(rotated.data.refreshToken).not.toBe(login.data.refreshToken);
    // The old token again: theft suspected, the whole session ends.
    expect((await call(app.url, 'auth.refresh', { refreshToken: login.data.refreshToken })).status).toBe(401);
    expect((await call(app.url, 'auth.refresh', { refreshToken: rotated.data.refreshToken })).status).toBe(401);
  });

  it('lets exactly one of two concurrent refreshes with one token win', async () => {
    for (let round = 0; round < 5; round++) {
      const { tokens } = await newUser(app.url);
      const results = await Promise.all(
        [1, 2].map(() => call(app.url, 'auth.refresh', { refreshToken: tokens.refreshToken })),
      );
      expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    }
  });

  it('lets exactly one of concurrent registrations of one name in different letter case win', async () => {
    const names = ['quinn', 'Quinn', 'QUINN', 'qUINN'];
    const results = await Promise.all(
      names.map((username, i) =>
        call(app.url, 'auth.register', { username, email: `q${i}@example.com`, password: 'password-123' }),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 409, 409, 409]);
  });

  it('keeps one active admin when two admins demote each other at the same moment', async () => {
    const root = await adminTokens(app.url);
    const me = await call(app.url, 'user.me', undefined, { token: root.accessToken });
    const second = await newUser(app.url, 'deputy');
    await call(app.url, 'admin.users.setRole', { userId: second.id, role: 'admin' }, { token: root.accessToken });
    const results = await Promise.all([
      call(app.url, 'admin.users.setRole', { userId: second.id, role: 'user' }, { token: root.accessToken }),
      call(app.url, 'admin.users.setRole', { userId: me.data.id, role: 'user' }, { token: second.tokens.accessToken }),
    ]);
    const statuses = results.map((r) => r.status).sort();
    // Either one demotion wins and the other meets the last-admin guard (409), or the first
    // demotion lands before the second caller is re-checked as admin (403). Never both 200.
    expect(statuses[0]).toBe(200);
    expect([403, 409]).toContain(statuses[1]);
    expect(await databaseOf(app.services).users.countAdmins()).toBe(1);
  });
});
