import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningGatehouse } from '../src/index.js';
import { call, newUser, startTestServer } from './harness.js';

function cookieOf(response: { headers: Headers }): string | null {
  const header = response.headers.getSetCookie().find((c) => c.startsWith('gatehouse_refresh='));
  return header ?? null;
}

describe('browser cookie mode', () => {
  let app: RunningGatehouse;
  let origin: string;
  beforeAll(async () => {
    app = await startTestServer();
    origin = app.url;
  });
  afterAll(() => app.close());

  async function cookieLogin() {
    const user = await newUser(app.url);
    const login = await call(app.url, 'auth.login', {
      username: user.username,
      password: user.password,
      refreshCookie: true,
    });
    const setCookie = cookieOf(login);
    return { user, login, setCookie, cookie: setCookie?.split(';')[0] ?? '' };
  }

  it('puts the refresh token in an HttpOnly SameSite=Strict cookie on /trpc, not in the body', async () => {
    const { login, setCookie } = await cookieLogin();
    expect(login.data.refreshToken).toBeUndefined();
    expect(login.data.accessToken).toBeTruthy();
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Strict/i);
    expect(setCookie).toMatch(/Path=\/trpc/);
    expect(setCookie).not.toMatch(/Secure/);
  });

  it('refreshes from the cookie for same-origin pages and rotates it', async () => {
    const { cookie } = await cookieLogin();
    const refreshed = await call(app.url, 'auth.refresh', {}, { headers: { cookie, origin } });
    expect(refreshed.status).toBe(200);
    const next = cookieOf(refreshed)?.split(';')[0];
    expect(next).toBeTruthy();
    expect(next).not.toBe(cookie);
    expect((await call(app.url, 'user.me', undefined, { token: refreshed.data.accessToken })).status).toBe(200);
  });

  it('refuses the cookie from another origin or with no origin', async () => {
    const { cookie } = await cookieLogin();
    const crossSite = await call(app.url, 'auth.refresh', {}, { headers: { cookie, origin: 'https://evil.example' } });
    expect(crossSite.status).toBe(403);
    expect((await call(app.url, 'auth.refresh', {}, { headers: { cookie } })).status).toBe(403);
    // The refused attempts did not spend the token.
    expect((await call(app.url, 'auth.refresh', {}, { headers: { cookie, origin } })).status).toBe(200);
  });

  it('logout through the cookie ends the session and clears the cookie', async () => {
    const { cookie, login } = await cookieLogin();
    const out = await call(app.url, 'auth.logout', {}, { headers: { cookie, origin } });
    expect(out.status).toBe(200);
    expect(cookieOf(out)).toMatch(/Max-Age=0/);
    expect((await call(app.url, 'user.me', undefined, { token: login.data.accessToken })).status).toBe(401);
    const after = await call(app.url, 'auth.refresh', {}, { headers: { cookie, origin } });
    expect(after.status).toBe(401);
    expect(cookieOf(after)).toMatch(/Max-Age=0/);
  });
});

describe('cookie mode for an allow-listed origin behind an https proxy', () => {
  const APP = 'https://app.example.com';
  let app: RunningGatehouse;
  beforeAll(async () => {
    app = await startTestServer({ CORS_ORIGINS: APP, TRUST_PROXY: '1' });
  });
  afterAll(() => app.close());

  it('marks the cookie Secure and lets pages of CORS_ORIGINS spend it', async () => {
    const user = await newUser(app.url);
    const https = { 'x-forwarded-proto': 'https', 'x-forwarded-for': '203.0.113.5' };
    const login = await call(
      app.url,
      'auth.login',
      { username: user.username, password: user.password, refreshCookie: true },
      { headers: https },
    );
    const setCookie = cookieOf(login);
    expect(setCookie).toMatch(/; Secure/i);
    const cookie = setCookie?.split(';')[0] ?? '';
    const refreshed = await call(app.url, 'auth.refresh', {}, { headers: { ...https, cookie, origin: APP } });
    expect(refreshed.status).toBe(200);
  });
});
