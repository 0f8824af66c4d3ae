import {
  createGatehouseClient,
  errorCode,
  fieldErrors,
  isNetworkError,
  memoryTokenStore,
  TRPCClientError,
} from '@gatehouse/client';
import type { RunningGatehouse } from '@gatehouse/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, deadUrl, freshUser, recordingFetch, startServer } from './harness.js';

describe('client against the real server', () => {
  let app: RunningGatehouse;
  beforeAll(async () => {
    app = await startServer();
  });
  afterAll(() => app.close());

  it('registers, logs in, reads and updates the user, then logs out', async () => {
    const client = createGatehouseClient({ url: app.url });
    const user = freshUser('alice');
    const registered = await client.register({ ...user, fullName: 'Alice Liddell' });
    expect(registered).toMatchObject({ username: user.username, email: user.email, role: 'user', isActive: true });
    expect(client.isSignedIn()).toBe(false);

    await client.login({ username: user.username, password: user.password });
    expect(client.isSignedIn()).toBe(true);
    const me = await client.trpc.user.me.query();
    expect(me).toMatchObject({ id: registered.id, username: user.username, fullName: 'Alice Liddell' });

    const updated = await client.trpc.user.update.mutate({ fullName: 'Alice in Wonderland' });
    expect(updated.fullName).toBe('Alice in Wonderland');

    await client.logout();
    expect(client.isSignedIn()).toBe(false);
    await expect(client.trpc.user.me.query()).rejects.toSatisfy((e) => errorCode(e) === 'UNAUTHORIZED');
  });

  it('revokes the session on logout, so its refresh token stops working', async () => {
    const store = memoryTokenStore();
    const client = createGatehouseClient({ url: app.url, tokenStore: store });
    const user = freshUser('bob');
    await client.register(user);
    await client.login(user);
    const refreshToken = store.get()?.refreshToken;
    expect(refreshToken).toBeTruthy();

    await client.logout();
    expect(store.get()).toBeNull();
    const other = createGatehouseClient({ url: app.url });
    await expect(other.trpc.auth.refresh.mutate({ refreshToken: refreshToken! })).rejects.toSatisfy(
      (e) => errorCode(e) === 'UNAUTHORIZED',
    );
  });

  it('logs out locally even when the server cannot be reached', async () => {
    const store = memoryTokenStore({ accessToken: 'a', refreshToken: 'r' });
    const client = createGatehouseClient({ url: await deadUrl(), tokenStore: store });
    await client.logout();
    expect(client.isSignedIn()).toBe(false);
  });

  it('refresh() rotates the tokens and keeps the session working', async () => {
    const store = memoryTokenStore();
    const client = createGatehouseClient({ url: app.url, tokenStore: store });
    const user = freshUser('carol');
    await client.register(user);
    await client.login(user);
    const before = store.get()!;

    expect(await client.refresh()).toBe(true);
    const after = store.get()!;
    expect(after.refreshToken).not.toBe(before.refreshToken);
    expect(after.accessToken).not.toBe(before.accessToken);
    expect((await client.trpc.user.me.query()).username).toBe(user.username);
  });

  it('batches calls made together into one request', async () => {
    const recorder = recordingFetch();
    const client = createGatehouseClient({ url: app.url, fetch: recorder.fetch });
    await client.login(ADMIN);
    recorder.reset();
    const [health, me, users] = await Promise.all([
      client.trpc.health.query(),
      client.trpc.user.me.query(),
      client.trpc.admin.users.list.query({ limit: 5 }),
    ]);
    expect(health.status).toBe('ok');
    expect(me.role).toBe('admin');
    expect(users.items.length).toBeGreaterThan(0);
    expect(recorder.requests).toEqual([['health', 'user.me', 'admin.users.list']]);
  });

  it('accepts a base URL with a trailing slash or one ending in /trpc', async () => {
    for (const url of [`${app.url}/`, `${app.url}/trpc`]) {
      const client = createGatehouseClient({ url });
      expect((await client.trpc.health.query()).status).toBe('ok');
    }
  });

  it('sends the extra headers', async () => {
    const seen: string[] = [];
    const client = createGatehouseClient({
      url: app.url,
      headers: () => ({ 'x-request-id': 'abc-123' }),
      fetch: (input, init) => {
        seen.push(new Headers(init?.headers).get('x-request-id') ?? '');
        return fetch(input, init);
      },
    });
    await client.trpc.health.query();
    expect(seen).toEqual(['abc-123']);
  });
});

describe('typed errors', () => {
  let app: RunningGatehouse;
  beforeAll(async () => {
    app = await startServer();
  });
  afterAll(() => app.close());

  it('gives BAD_REQUEST with field errors for invalid registration input', async () => {
    const client = createGatehouseClient({ url: app.url });
    const error = await client.register({ username: 'x', email: 'not-an-email', password: 'short' }).catch((e) => e);
    expect(error).toBeInstanceOf(TRPCClientError);
    expect(errorCode(error)).toBe('BAD_REQUEST');
    expect(error.data.httpStatus).toBe(400);
    const fields = fieldErrors(error);
    expect(Object.keys(fields ?? {}).sort()).toEqual(['email', 'password', 'username']);
    expect(fields?.password?.[0]).toMatch(/at least 8/);
  });

  it('gives CONFLICT for a taken username in another letter case', async () => {
    const client = createGatehouseClient({ url: app.url });
    const user = freshUser('dave');
    await client.register(user);
    const error = await client
      .register({ ...user, username: user.username.toUpperCase(), email: `other-${user.email}` })
      .catch((e) => e);
    expect(errorCode(error)).toBe('CONFLICT');
    expect(error.data.httpStatus).toBe(409);
  });

  it('gives UNAUTHORIZED for a wrong password, and stores nothing', async () => {
    const client = createGatehouseClient({ url: app.url });
    await expect(client.login({ username: ADMIN.username, password: 'wrong-password' })).rejects.toSatisfy(
      (e) => errorCode(e) === 'UNAUTHORIZED',
    );
    expect(client.isSignedIn()).toBe(false);
  });

  it('gives FORBIDDEN to a plain user calling an admin procedure, without refreshing', async () => {
    const recorder = recordingFetch();
    const client = createGatehouseClient({ url: app.url, fetch: recorder.fetch });
    const user = freshUser('erin');
    await client.register(user);
    await client.login(user);
    await expect(client.trpc.admin.users.list.query()).rejects.toSatisfy((e) => errorCode(e) === 'FORBIDDEN');
    expect(recorder.requestsFor('auth.refresh')).toBe(0);
  });

  it('gives no code when the server cannot be reached', async () => {
    const client = createGatehouseClient({ url: await deadUrl() });
    const error = await client.trpc.health.query().catch((e) => e);
    expect(error).toBeInstanceOf(TRPCClientError);
    expect(errorCode(error)).toBeNull();
    expect(isNetworkError(error)).toBe(true);
  });
});
