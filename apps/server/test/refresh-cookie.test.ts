import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type RunningGatehouse, startGatehouse } from '../src/index.js';
import { call, newUser, startTestServer } from './harness.js';

function cookieOf(response: { headers: Headers }): string | null {
  const header = response.headers.getSetCookie().find((c) => /^(__Host-)?gatehouse_refresh=/.test(c));
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
    const login = await call(
      app.url,
      'auth.login',
      { username: user.username, password: user.password, refreshCookie: true },
      { headers: { origin } },
    );
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

  it('refuses a cookie-mode sign-in from another origin or with no origin (login CSRF), before checking the password', async () => {
    const user = await newUser(app.url);
    const input = { username: user.username, password: user.password, refreshCookie: true };
    const foreignOrNone: Array<Record<string, string>> = [{ origin: 'https://evil.example' }, {}];
    for (const headers of foreignOrNone) {
      const refused = await call(app.url, 'auth.login', input, { headers });
      expect(refused.status).toBe(403);
      expect(refused.error?.message).toMatch(/only be used by pages of this site/);
      expect(cookieOf(refused)).toBeNull();
    }
    // Token mode (CLI, services) needs no Origin.
    expect((await call(app.url, 'auth.login', { ...input, refreshCookie: false })).status).toBe(200);
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

  it('uses a Secure __Host- cookie over https, sends HSTS, and lets pages of CORS_ORIGINS spend it', async () => {
    const user = await newUser(app.url);
    const https = { 'x-forwarded-proto': 'https', 'x-forwarded-for': '203.0.113.5' };
    const login = await call(
      app.url,
      'auth.login',
      { username: user.username, password: user.password, refreshCookie: true },
      { headers: { ...https, origin: APP } },
    );
    const setCookie = cookieOf(login);
    expect(setCookie).toMatch(/^__Host-gatehouse_refresh=/);
    expect(setCookie).toMatch(/; Secure/i);
    expect(setCookie).toMatch(/; Path=\/(;|$)/);
    expect(setCookie).not.toMatch(/Domain=/i);
    expect(login.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
    const cookie = setCookie?.split(';')[0] ?? '';
    const refreshed = await call(app.url, 'auth.refresh', {}, { headers: { ...https, cookie, origin: APP } });
    expect(refreshed.status).toBe(200);
  });
});

describe('forwarding headers that nobody trusts', () => {
  it('warns once when X-Forwarded-Proto arrives with TRUST_PROXY=0, and sends no Secure cookie or HSTS', async () => {
    const lines: Array<{ level: number; msg: string }> = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => lines.push(JSON.parse(line)) });
    const config = loadConfig({
      NODE_ENV: 'test',
      PORT: '0',
      DATABASE_URL: ':memory:',
      DATA_DIR: mkdtempSync(join(tmpdir(), 'gatehouse-fwd-')),
      JWT_SECRET: randomBytes(48).toString('base64'),
      BCRYPT_COST: '4',
    });
    const app = await startGatehouse(config, logger);
    try {
      const user = await newUser(app.url);
      const input = { username: user.username, password: user.password, refreshCookie: true };
      for (let i = 0; i < 3; i++) {
        const login = await call(app.url, 'auth.login', input, {
          headers: { origin: app.url, 'x-forwarded-proto': 'https' },
        });
        expect(cookieOf(login)).toMatch(/^gatehouse_refresh=/);
        expect(cookieOf(login)).not.toMatch(/Secure/i);
        expect(login.headers.get('strict-transport-security')).toBeNull();
      }
      const warnings = lines.filter((l) => /X-Forwarded-Proto but TRUST_PROXY=0/.test(l.msg));
      expect(warnings).toHaveLength(1);
    } finally {
      await app.close();
    }
  });
});
