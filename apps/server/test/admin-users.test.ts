import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningGatehouse } from '../src/index.js';
import { adminTokens, call, newUser, startTestServer, type Tokens } from './harness.js';

describe('admin user management', () => {
  let app: RunningGatehouse;
  let admin: Tokens;
  let adminId: number;
  beforeAll(async () => {
    app = await startTestServer();
    admin = await adminTokens(app.url);
    adminId = (await call(app.url, 'user.me', undefined, { token: admin.accessToken })).data.id;
  });
  afterAll(() => app.close());

  const asAdmin = (path: string, input: unknown, token = admin.accessToken) => call(app.url, path, input, { token });

  it('never lets the last active admin be demoted, deactivated or deleted', async () => {
    const demote = await asAdmin('admin.users.setRole', { userId: adminId, role: 'user' });
    expect(demote.status).toBe(409);
    expect(demote.error?.message).toMatch(/last active admin/);
    expect((await asAdmin('admin.users.setActive', { userId: adminId, active: false })).status).toBe(409);
    expect((await call(app.url, 'user.me', undefined, { token: admin.accessToken })).data.role).toBe('admin');
  });

  it('refuses an admin deleting themself, even when other admins exist', async () => {
    const second = await newUser(app.url, 'second');
    await asAdmin('admin.users.setRole', { userId: second.id, role: 'admin' });
    const self = await asAdmin('admin.users.delete', { userId: adminId });
    expect(self.status).toBe(403);
    // With two admins, one may demote the other; the survivor is then protected again.
    expect((await asAdmin('admin.users.setRole', { userId: second.id, role: 'user' })).status).toBe(200);
    const lastOne = await asAdmin('admin.users.delete', { userId: adminId }, admin.accessToken);
    expect(lastOne.status).toBe(403);
  });

  it('refuses to remove the last admin when two admins race to demote each other', async () => {
    const other = await newUser(app.url, 'racer');
    await asAdmin('admin.users.setRole', { userId: other.id, role: 'admin' });
    const results = await Promise.all([
      asAdmin('admin.users.setRole', { userId: other.id, role: 'user' }),
      asAdmin('admin.users.setRole', { userId: adminId, role: 'user' }, other.tokens.accessToken),
    ]);
    // One wins; the other is refused, either by the guard (409) or because its actor was just demoted (403).
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(results.filter((r) => r.status === 409 || r.status === 403)).toHaveLength(1);
    const roles = await Promise.all(
      [admin.accessToken, other.tokens.accessToken].map((token) => call(app.url, 'user.me', undefined, { token })),
    );
    expect(roles.filter((r) => r.data.role === 'admin')).toHaveLength(1);
  });

  it('answers 404 for a user that does not exist', async () => {
    expect((await asAdmin('admin.users.setRole', { userId: 999999, role: 'user' })).status).toBe(404);
    expect((await asAdmin('admin.users.delete', { userId: 999999 })).status).toBe(404);
  });

  it('pages through users with a stable cursor, search and role filter', async () => {
    for (let i = 0; i < 7; i += 1) await newUser(app.url, 'pager');
    const seen: number[] = [];
    let cursor: number | null = null;
    do {
      const page: { data: { items: { id: number }[]; nextCursor: number | null } } = await asAdmin(
        'admin.users.list',
        { limit: 3, search: 'PAGER', ...(cursor ? { cursor } : {}) },
        (await adminTokens(app.url)).accessToken,
      );
      seen.push(...page.data.items.map((u) => u.id));
      cursor = page.data.nextCursor;
    } while (cursor);
    expect(seen).toHaveLength(7);
    expect([...seen].sort((a, b) => a - b)).toEqual(seen);

    const token = (await adminTokens(app.url)).accessToken;
    const viewers = await asAdmin('admin.users.list', { role: 'viewer' }, token);
    expect(viewers.data.items).toEqual([]);
    const wildcard = await asAdmin('admin.users.list', { search: '%' }, token);
    expect(wildcard.data.items).toEqual([]);
    const tooMany = await asAdmin('admin.users.list', { limit: 1000 }, token);
    expect(tooMany.status).toBe(400);
    expect(tooMany.error?.data.fieldErrors).toHaveProperty('limit');
  });
});
