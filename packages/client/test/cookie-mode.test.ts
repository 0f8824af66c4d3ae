import { createGatehouseClient, memoryTokenStore } from '@gatehouse/client';
import type { RunningGatehouse } from '@gatehouse/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshUser, recordingFetch, startServer } from './harness.js';

/** What a browser does for the client: keeps cookies and sends them back (Node's fetch does not). */
function cookieJar(inner: typeof fetch) {
  const cookies = new Map<string, string>();
  const fetchFn: typeof fetch = async (input, init) => {
    const headers = new Headers(init?.headers);
    if (cookies.size) headers.set('cookie', [...cookies].map(([name, value]) => `${name}=${value}`).join('; '));
    const response = await inner(input, { ...init, headers });
    for (const line of response.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';');
      const [name = '', value = ''] = pair.split('=');
      const cleared = !value || attributes.some((a) => /^\s*max-age=0\s*$/i.test(a));
      if (cleared) cookies.delete(name.trim());
      else cookies.set(name.trim(), value);
    }
    return response;
  };
  return { fetch: fetchFn, cookies };
}

describe('cookie mode (browsers)', () => {
  let app: RunningGatehouse;
  beforeAll(async () => {
    app = await startServer();
  });
  afterAll(() => app.close());

  it('keeps the refresh token out of reach of scripts and refreshes through the cookie', async () => {
    const recorder = recordingFetch();
    const jar = cookieJar(recorder.fetch);
    // A browser sends the page's Origin itself; the server lets only its own pages spend the cookie.
    const browser = { url: app.url, fetch: jar.fetch, refreshCookie: true, headers: () => ({ origin: app.url }) };
    const store = memoryTokenStore();
    const client = createGatehouseClient({ ...browser, tokenStore: store });
    const user = freshUser('cookie');
    await client.register(user);
    await client.login(user);

    expect(store.get()?.refreshToken).toBeNull();
    expect(jar.cookies.has('gatehouse_refresh')).toBe(true);
    expect((await client.trpc.user.me.query()).username).toBe(user.username);

    // An expired access token is renewed with the cookie.
    store.set({ accessToken: 'expired', refreshToken: null });
    recorder.reset();
    const results = await Promise.all(Array.from({ length: 5 }, () => client.trpc.user.me.query()));
    expect(results.every((me) => me.username === user.username)).toBe(true);
    expect(recorder.requestsFor('auth.refresh')).toBe(1);

    // A page reload: a new client with an empty memory store picks the session up again.
    const reloaded = createGatehouseClient(browser);
    expect(reloaded.isSignedIn()).toBe(false);
    expect(await reloaded.restore()).toBe(true);
    expect((await reloaded.trpc.user.me.query()).username).toBe(user.username);

    // Logout revokes the session and drops the cookie; the next reload finds no session.
    await reloaded.logout();
    expect(jar.cookies.has('gatehouse_refresh')).toBe(false);
    let expired = 0;
    const afterLogout = createGatehouseClient({ ...browser, onSessionExpired: () => expired++ });
    expect(await afterLogout.restore()).toBe(false);
    expect(expired).toBe(0);
  });

  it('restore() is false in token mode without stored tokens, true with them', async () => {
    expect(await createGatehouseClient({ url: app.url }).restore()).toBe(false);
    const store = memoryTokenStore({ accessToken: 'a', refreshToken: 'r' });
    expect(await createGatehouseClient({ url: app.url, tokenStore: store }).restore()).toBe(true);
  });
});
