import { createGatehouseClient, errorCode, memoryTokenStore } from '@gatehouse/client';
import type { RunningGatehouse } from '@gatehouse/server';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestClock, deadUrl, freshUser, recordingFetch, startServer } from './harness.js';

/** A client signed in as a fresh user, with a request recorder and an expiry counter. */
async function signedInClient(url: string) {
  const recorder = recordingFetch();
  const store = memoryTokenStore();
  let expired = 0;
  const client = createGatehouseClient({
    url,
    tokenStore: store,
    fetch: recorder.fetch,
    onSessionExpired: () => {
      expired += 1;
    },
  });
  const user = freshUser('ref');
  await client.register(user);
  await client.login(user);
  recorder.reset();
  return { client, store, recorder, user, expiredCount: () => expired };
}

describe('refresh on UNAUTHORIZED', () => {
  let app: RunningGatehouse;
  beforeAll(async () => {
    app = await startServer();
  });
  afterAll(() => app.close());

  it('10 concurrent calls with a bad access token cause exactly one auth.refresh, and all succeed', async () => {
    const { client, store, recorder, user } = await signedInClient(app.url);
    const refreshToken = store.get()!.refreshToken;
    store.set({ accessToken: 'garbage.access.token', refreshToken });

    const results = await Promise.all(Array.from({ length: 10 }, () => client.trpc.user.me.query()));
    expect(results.map((me) => me.username)).toEqual(Array(10).fill(user.username));
    expect(recorder.requestsFor('auth.refresh')).toBe(1);
    expect(store.get()!.refreshToken).not.toBe(refreshToken);
  });

  it('shares one refresh between calls that fail in separate requests', async () => {
    const { client, store, recorder } = await signedInClient(app.url);
    store.set({ ...store.get()!, accessToken: 'garbage' });
    // Each call starts once the previous one's request has left, so they travel in different
    // HTTP requests (rather than hoping 3 ms between them is enough to split the batch).
    const calls: Promise<unknown>[] = [];
    for (let i = 0; i < 5; i++) {
      const left = recorder.requests.length;
      calls.push(client.trpc.user.me.query());
      await vi.waitFor(() => expect(recorder.requests.length).toBeGreaterThan(left), { timeout: 5_000 });
    }
    await Promise.all(calls);
    expect(recorder.requests.length).toBeGreaterThan(2);
    expect(recorder.requestsFor('auth.refresh')).toBe(1);
  });

  it('concurrent refresh() calls share one request', async () => {
    const { client, recorder } = await signedInClient(app.url);
    const outcomes = await Promise.all([client.refresh(), client.refresh(), client.refresh()]);
    expect(outcomes).toEqual([true, true, true]);
    expect(recorder.requestsFor('auth.refresh')).toBe(1);
  });

  it('a refused refresh clears the tokens, calls onSessionExpired exactly once and surfaces the original error', async () => {
    const { client, store, recorder, expiredCount, user } = await signedInClient(app.url);
    // End the session from elsewhere: another login of the same user signs out everywhere.
    const other = createGatehouseClient({ url: app.url });
    await other.login(user);
    await other.trpc.user.logoutAll.mutate();

    const errors = await Promise.all(
      Array.from({ length: 5 }, () =>
        client.trpc.user.me.query().then(
          () => null,
          (e: unknown) => e,
        ),
      ),
    );
    expect(errors.map(errorCode)).toEqual(Array(5).fill('UNAUTHORIZED'));
    expect(recorder.requestsFor('auth.refresh')).toBe(1);
    expect(expiredCount()).toBe(1);
    expect(store.get()).toBeNull();
    expect(client.isSignedIn()).toBe(false);

    // Signed out now: further calls fail without trying to refresh or expiring again.
    await expect(client.trpc.user.me.query()).rejects.toSatisfy((e) => errorCode(e) === 'UNAUTHORIZED');
    expect(recorder.requestsFor('auth.refresh')).toBe(1);
    expect(expiredCount()).toBe(1);
  });

  it('refresh() resolves false for a refused token, and rejects (keeping the tokens) when the server is down', async () => {
    let expired = 0;
    const store = memoryTokenStore({ accessToken: 'a', refreshToken: 'not-a-real-token' });
    const client = createGatehouseClient({ url: app.url, tokenStore: store, onSessionExpired: () => expired++ });
    expect(await client.refresh()).toBe(false);
    expect(store.get()).toBeNull();
    expect(expired).toBe(1);

    const offline = memoryTokenStore({ accessToken: 'a', refreshToken: 'r' });
    const unreachable = createGatehouseClient({ url: await deadUrl(), tokenStore: offline });
    await expect(unreachable.refresh()).rejects.toThrow();
    expect(offline.get()).toEqual({ accessToken: 'a', refreshToken: 'r' });
  });

  it('does not refresh for auth.* failures such as a wrong password', async () => {
    const { client, recorder, user } = await signedInClient(app.url);
    await expect(client.login({ username: user.username, password: 'wrong password' })).rejects.toSatisfy(
      (e) => errorCode(e) === 'UNAUTHORIZED',
    );
    expect(recorder.requestsFor('auth.refresh')).toBe(0);
  });

  it('without any session, an UNAUTHORIZED call neither refreshes nor reports an expiry', async () => {
    const recorder = recordingFetch();
    let expired = 0;
    const client = createGatehouseClient({ url: app.url, fetch: recorder.fetch, onSessionExpired: () => expired++ });
    await expect(client.trpc.user.me.query()).rejects.toSatisfy((e) => errorCode(e) === 'UNAUTHORIZED');
    expect(recorder.requestsFor('auth.refresh')).toBe(0);
    expect(expired).toBe(0);
  });
});

describe('refresh after real access token expiry', () => {
  let app: RunningGatehouse;
  // The server's own clock is moved past the token's lifetime: a genuinely expired token, no waiting.
  const clock = createTestClock();
  beforeAll(async () => {
    app = await startServer({ ACCESS_TOKEN_TTL: '15m' }, { clock: clock.now });
  });
  afterAll(() => app.close());

  it('10 concurrent calls after the access token expired cause one auth.refresh and all succeed', async () => {
    const { client, recorder, user } = await signedInClient(app.url);
    clock.advance(15 * 60_000 + 1_000);
    const results = await Promise.all(Array.from({ length: 10 }, () => client.trpc.user.me.query()));
    expect(results.every((me) => me.username === user.username)).toBe(true);
    expect(recorder.requestsFor('auth.refresh')).toBe(1);
    expect(recorder.requestsFor('user.me')).toBe(2); // the failed batch and its retry
  });
});
