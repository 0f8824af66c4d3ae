import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type AuthServices, formatApiKey, newApiKeyParts, parseApiKey } from '../src/index.js';
import { createTestServices, databaseOf } from '../src/testing.js';

describe('API key format', () => {
  it('is gh_<16 hex id>_<43 base64url chars of secret> and parses back', () => {
    const parts = newApiKeyParts();
    const key = formatApiKey(parts);
    expect(key).toMatch(/^gh_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(parts.secret, 'base64url')).toHaveLength(32);
    expect(parseApiKey(key)).toEqual(parts);
  });

  it('rejects anything else', () => {
    const { id, secret } = newApiKeyParts();
    for (const text of [
      '',
      'gh_',
      `gh_${id}`,
      `xx_${id}_${secret}`,
      `gh_${id}_${secret}x`,
      `gh_${id.toUpperCase()}_${secret}`,
    ]) {
      expect(parseApiKey(text)).toBeNull();
    }
  });
});

describe('ApiKeyService', () => {
  let services: AuthServices;
  let now: number;
  const client = { ip: '10.0.0.9', userAgent: 'unit' };

  beforeEach(async () => {
    now = Date.parse('2026-01-01T00:00:00Z');
    services = await createTestServices({ clock: () => new Date(now) });
  });
  afterEach(() => services.close());

  async function admin() {
    const user = await services.accounts.register(
      { username: 'root', email: 'root@example.com', password: 'password-1' },
      'admin',
    );
    return { userId: user.id, client };
  }

  it('stores only a hash and records last use at most once a minute', async () => {
    const created = await services.apiKeys.create(await admin(), { name: 'billing', scopes: ['users:read'] });
    const secret = parseApiKey(created.key)!.secret;
    expect(JSON.stringify(await databaseOf(services).apiKeys.list())).not.toContain(secret);

    await services.apiKeys.authenticate(created.key, 'users:read', client);
    const firstUse = (await databaseOf(services).apiKeys.findById(created.record.id))!.lastUsedAt;
    expect(firstUse?.getTime()).toBe(now);
    now += 30_000;
    await services.apiKeys.authenticate(created.key, 'users:read', client);
    expect((await databaseOf(services).apiKeys.findById(created.record.id))!.lastUsedAt).toEqual(firstUse);
    now += 31_000;
    await services.apiKeys.authenticate(created.key, 'users:read', client);
    expect((await databaseOf(services).apiKeys.findById(created.record.id))!.lastUsedAt?.getTime()).toBe(now);
  });

  it('refuses a wrong secret, a missing scope, expiry and revocation', async () => {
    const actor = await admin();
    const created = await services.apiKeys.create(actor, {
      name: 'introspector',
      scopes: ['tokens:introspect'],
      expiresAt: new Date(now + 60_000),
    });
    const { id } = parseApiKey(created.key)!;
    const forged = formatApiKey({ id, secret: newApiKeyParts().secret });
    await expect(services.apiKeys.authenticate(forged, 'tokens:introspect', client)).rejects.toMatchObject({
      kind: 'UNAUTHORIZED',
    });
    await expect(services.apiKeys.authenticate(created.key, 'users:read', client)).rejects.toMatchObject({
      kind: 'FORBIDDEN',
    });
    now += 60_000;
    await expect(services.apiKeys.authenticate(created.key, 'tokens:introspect', client)).rejects.toThrow(/expired/);
    now -= 1000;
    await services.apiKeys.revoke(actor, id);
    await expect(services.apiKeys.authenticate(created.key, 'tokens:introspect', client)).rejects.toThrow(/revoked/);
    const denied = await services.audit.list({ type: 'api_key_denied' });
    expect(denied.items.map((e) => e.detail?.reason)).toEqual(['revoked', 'expired', 'missing_scope', 'wrong_secret']);
  });
});
