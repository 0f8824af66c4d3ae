import type { AuthServices } from '@gatehouse/core';
import { createTestServices } from '@gatehouse/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiKeyProcedure, createCallerFactory, type GatehouseContext, gatehouseRouters, router } from '../src/index.js';

// A team's own service procedure built on apiKeyProcedure, called without HTTP.
const appRouter = router({
  ...gatehouseRouters,
  billing: router({ usage: apiKeyProcedure('users:read').query(({ ctx }) => ({ caller: ctx.apiKey.name })) }),
});
const createCaller = createCallerFactory(appRouter);

describe('apiKeyProcedure and rate-limited answers', () => {
  let services: AuthServices;
  let headers: Array<[string, string]>;
  const context = (apiKeyHeader: string | null, authorization: string | null = null): GatehouseContext => ({
    services,
    client: { ip: '10.0.0.1', userAgent: 'vitest' },
    authorization,
    apiKeyHeader,
    http: {
      cookies: () => ({}),
      origin: null,
      trustedOrigins: new Set<string>(),
      secure: false,
      appendHeader: (name, value) => headers.push([name, value]),
    },
  });

  beforeAll(async () => {
    services = await createTestServices({ rateLimits: { settings: { loginPerMinute: 2 } } });
  });
  afterAll(() => services.close());

  it('admits a key with the scope and refuses one without', async () => {
    const admin = await services.accounts.register(
      { username: 'root', email: 'root@example.com', password: 'password-1' },
      'admin',
    );
    const actor = { userId: admin.id, client: { ip: null, userAgent: null } };
    const reader = await services.apiKeys.create(actor, { name: 'billing', scopes: ['users:read'] });
    const other = await services.apiKeys.create(actor, { name: 'gateway', scopes: ['tokens:introspect'] });
    expect(await createCaller(context(reader.key)).billing.usage()).toEqual({ caller: 'billing' });
    await expect(createCaller(context(other.key)).billing.usage()).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(createCaller(context(null, `Bearer ${reader.key}`)).billing.usage()).rejects.toMatchObject({
      code: 'UNAUTHORIZED',
    });
  });

  it('sets Retry-After on TOO_MANY_REQUESTS', async () => {
    headers = [];
    const caller = createCaller(context(null));
    for (let i = 0; i < 2; i++) {
      await expect(caller.auth.login({ username: 'nobody', password: 'password-1' })).rejects.toMatchObject({
        code: 'UNAUTHORIZED',
      });
    }
    await expect(caller.auth.login({ username: 'nobody', password: 'password-1' })).rejects.toMatchObject({
      code: 'TOO_MANY_REQUESTS',
    });
    expect(headers).toEqual([['Retry-After', expect.stringMatching(/^\d+$/)]]);
  });
});
