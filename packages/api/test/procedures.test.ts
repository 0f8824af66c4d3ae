import type { AuthServices } from '@gatehouse/core';
import { createTestServices, databaseOf } from '@gatehouse/core/testing';
import { TRPCError } from '@trpc/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCallerFactory, type GatehouseContext, gatehouseRouters, requireRole, router } from '../src/index.js';

// A team's own router built on Gatehouse's procedure builders, called without HTTP.
const appRouter = router({
  ...gatehouseRouters,
  reports: router({
    read: requireRole('viewer').query(() => 'report'),
    write: requireRole('user').mutation(() => 'saved'),
  }),
});
const createCaller = createCallerFactory(appRouter);

describe('procedure builders', () => {
  let services: AuthServices;
  const http = {
    cookies: () => ({}),
    origin: null,
    trustedOrigins: new Set<string>(),
    secure: false,
    appendHeader: () => {},
  };
  const context = (authorization: string | null): GatehouseContext => ({
    services,
    client: { ip: '127.0.0.1', userAgent: 'vitest' },
    authorization,
    http,
  });

  beforeAll(async () => {
    services = await createTestServices();
  });
  afterAll(() => services.close());

  async function bearerFor(username: string, role: 'user' | 'viewer') {
    const anonymous = createCaller(context(null));
    const user = await anonymous.auth.register({ username, email: `${username}@example.com`, password: 'password-1' });
    if (role !== 'user') await databaseOf(services).users.update(user.id, { role }, new Date());
    const tokens = await anonymous.auth.login({ username, password: 'password-1' });
    if (!('accessToken' in tokens)) throw new Error('these users have no second factor');
    return `Bearer ${tokens.accessToken}`;
  }

  it('admits a role and everything above it', async () => {
    const viewer = createCaller(context(await bearerFor('vera', 'viewer')));
    expect(await viewer.reports.read()).toBe('report');
    await expect(viewer.reports.write()).rejects.toMatchObject({ code: 'FORBIDDEN' });
    const user = createCaller(context(await bearerFor('ursula', 'user')));
    expect(await user.reports.write()).toBe('saved');
  });

  it('turns domain refusals into tRPC codes', async () => {
    const anonymous = createCaller(context(null));
    const refusal = await anonymous.auth.login({ username: 'nobody', password: 'password-1' }).catch((e: unknown) => e);
    expect(refusal).toBeInstanceOf(TRPCError);
    expect(refusal).toMatchObject({ code: 'UNAUTHORIZED', message: 'Invalid username or password' });
    await expect(anonymous.user.me()).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
  });
});
