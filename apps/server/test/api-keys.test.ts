import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningGatehouse } from '../src/index.js';
import {
  adminTokens,
  call,
  createTestClock,
  DEFAULT_LIMITS,
  newUser,
  startTestServer,
  type Tokens,
} from './harness.js';

const KEY_FORMAT = /^gh_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;
const withKey = (key: string, extra: Record<string, string> = {}) => ({ headers: { 'x-api-key': key, ...extra } });

describe('API keys', () => {
  let app: RunningGatehouse;
  let admin: Tokens;
  const clock = createTestClock();
  beforeAll(async () => {
    app = await startTestServer({}, { clock: clock.now });
    admin = await adminTokens(app.url);
  });
  afterAll(() => app.close());

  async function createKey(input: { name: string; scopes: string[]; expiresAt?: string }) {
    const created = await call(app.url, 'admin.apiKeys.create', input, { token: admin.accessToken });
    expect(created.status).toBe(200);
    return created.data as { id: string; key: string; prefix: string; scopes: string[] };
  }

  it('goes through its life: create, use, scope refused, revoke', async () => {
    const user = await newUser(app.url);
    const created = await createKey({ name: 'billing', scopes: ['tokens:introspect'] });
    expect(created.key).toMatch(KEY_FORMAT);
    expect(created.prefix).toBe(`gh_${created.id}`);
    expect(created.key.startsWith(`${created.prefix}_`)).toBe(true);

    const introspected = await call(
      app.url,
      'service.introspect',
      { token: user.tokens.accessToken },
      withKey(created.key),
    );
    expect(introspected.status).toBe(200);
    expect(introspected.data).toMatchObject({ active: true, sub: String(user.id), username: user.username });

    const refused = await call(app.url, 'service.users.get', { id: user.id }, withKey(created.key), 'query');
    expect(refused.status).toBe(403);
    expect(refused.error?.message).toMatch(/users:read/);

    const revoked = await call(app.url, 'admin.apiKeys.revoke', { id: created.id }, { token: admin.accessToken });
    expect(revoked.data.revokedAt).toEqual(expect.any(String));
    const after = await call(app.url, 'service.introspect', { token: user.tokens.accessToken }, withKey(created.key));
    expect(after.status).toBe(401);
    expect(after.error?.message).toMatch(/revoked/);
  });

  it('reads users with users:read', async () => {
    const user = await newUser(app.url);
    const { key } = await createKey({ name: 'directory', scopes: ['users:read'] });
    const found = await call(app.url, 'service.users.get', { id: user.id }, withKey(key), 'query');
    expect(found.data).toMatchObject({ id: user.id, username: user.username, role: 'user' });
    expect(found.data).not.toHaveProperty('passwordHash');
    expect((await call(app.url, 'service.users.get', { id: 999_999 }, withKey(key), 'query')).status).toBe(404);
  });

  it('stops working once expired', async () => {
    const { key } = await createKey({
      name: 'short-lived',
      scopes: ['users:read'],
      expiresAt: new Date(clock.now().getTime() + 60_000).toISOString(),
    });
    expect((await call(app.url, 'service.users.get', { id: 1 }, withKey(key), 'query')).status).toBe(200);
    clock.advance(61_000);
    const expired = await call(app.url, 'service.users.get', { id: 1 }, withKey(key), 'query');
    expect(expired.status).toBe(401);
    expect(expired.error?.message).toMatch(/expired/);
  });

  it('refuses an expiry in the past and unknown scopes', async () => {
    const past = await call(
      app.url,
      'admin.apiKeys.create',
      { name: 'x', scopes: ['users:read'], expiresAt: '2020-01-01T00:00:00Z' },
      { token: admin.accessToken },
    );
    expect(past.status).toBe(400);
    const scope = await call(
      app.url,
      'admin.apiKeys.create',
      { name: 'x', scopes: ['root'] },
      { token: admin.accessToken },
    );
    expect(scope.status).toBe(400);
  });

  it('never lists the secret', async () => {
    const created = await createKey({ name: 'listed', scopes: ['users:read', 'tokens:introspect'] });
    const secret = KEY_FORMAT.exec(created.key)![2]!;
    const list = await call(app.url, 'admin.apiKeys.list', undefined, { token: admin.accessToken });
    expect(list.status).toBe(200);
    const listed = list.data.items.find((k: { id: string }) => k.id === created.id);
    expect(listed).toMatchObject({
      name: 'listed',
      prefix: `gh_${created.id}`,
      scopes: ['users:read', 'tokens:introspect'],
    });
    expect(listed).toHaveProperty('createdAt');
    expect(listed).toHaveProperty('lastUsedAt', null);
    expect(JSON.stringify(list.data)).not.toContain(secret);
    expect(JSON.stringify(list.data)).not.toMatch(/secretHash|"key"/);
  });

  it('is only for admins', async () => {
    const user = await newUser(app.url);
    const token = user.tokens.accessToken;
    expect((await call(app.url, 'admin.apiKeys.create', { name: 'x', scopes: ['users:read'] }, { token })).status).toBe(
      403,
    );
    expect((await call(app.url, 'admin.apiKeys.list', undefined, { token })).status).toBe(403);
  });

  it('never takes a key as a bearer token, nor a bearer token as a key', async () => {
    const user = await newUser(app.url);
    const { key } = await createKey({ name: 'mixed-up', scopes: ['tokens:introspect', 'users:read'] });

    const keyAsBearer = await call(app.url, 'user.me', undefined, { token: key });
    expect(keyAsBearer.status).toBe(401);
    expect(keyAsBearer.error?.message).toMatch(/X-API-Key/);
    const keyAsBearerForAdmin = await call(app.url, 'admin.users.list', {}, { token: key });
    expect(keyAsBearerForAdmin.status).toBe(401);

    const bearerAsKey = await call(
      app.url,
      'service.introspect',
      { token: user.tokens.accessToken },
      withKey(user.tokens.accessToken),
    );
    expect(bearerAsKey.status).toBe(401);
    const bearerOnly = await call(
      app.url,
      'service.introspect',
      { token: user.tokens.accessToken },
      { token: user.tokens.accessToken },
    );
    expect(bearerOnly.status).toBe(401);
    expect(bearerOnly.error?.message).toMatch(/X-API-Key/);
    const adminBearerOnly = await call(
      app.url,
      'service.users.get',
      { id: user.id },
      { token: admin.accessToken },
      'query',
    );
    expect(adminBearerOnly.status).toBe(401);
  });

  it('refuses a forged secret for a real key id', async () => {
    const { id } = await createKey({ name: 'forged', scopes: ['users:read'] });
    const forged = `gh_${id}_${'A'.repeat(43)}`;
    expect((await call(app.url, 'service.users.get', { id: 1 }, withKey(forged), 'query')).status).toBe(401);
  });
});

describe('API key guessing', () => {
  it('turns an address away after 20 refused keys a minute (default); CORS admits the header', async () => {
    const app = await startTestServer({ ...DEFAULT_LIMITS, CORS_ORIGINS: 'https://app.example.com' });
    try {
      for (let i = 0; i < 20; i++) {
        const guess = `gh_${'0'.repeat(16)}_${String(i).padStart(43, 'A')}`;
        expect((await call(app.url, 'service.users.get', { id: 1 }, withKey(guess), 'query')).status).toBe(401);
      }
      const refused = await call(app.url, 'service.users.get', { id: 1 }, withKey('gh_x'), 'query');
      expect(refused.status).toBe(429);
      expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);

      const preflight = await fetch(`${app.url}/trpc/service.introspect`, {
        method: 'OPTIONS',
        headers: { origin: 'https://app.example.com', 'access-control-request-headers': 'x-api-key' },
      });
      expect(preflight.headers.get('access-control-allow-headers')).toMatch(/x-api-key/);
    } finally {
      await app.close();
    }
  });
});
