import { afterEach, describe, expect, it } from 'vitest';
import type { RunningGatehouse } from '../src/index.js';
import { call, DEFAULT_LIMITS, login, newUser, startTestServer } from './harness.js';

// Every test here runs with the documented default limits (5 logins a minute per address, …).
const servers: RunningGatehouse[] = [];
async function server(env: Record<string, string> = {}) {
  const app = await startTestServer({ ...DEFAULT_LIMITS, ...env });
  servers.push(app);
  return app;
}
afterEach(async () => {
  await Promise.all(servers.splice(0).map((app) => app.close()));
});

const from = (ip: string) => ({ headers: { 'x-forwarded-for': ip } });

async function register(url: string, name: string, options = {}) {
  const result = await call(
    url,
    'auth.register',
    { username: name, email: `${name}@example.com`, password: 'password-123' },
    options,
  );
  expect(result.status).toBe(200);
}

describe('per-address limits', () => {
  it('counts an IPv6 /64 as one address: logins, sign-ups (RATE_LIMIT_IPV6_PREFIX)', async () => {
    const app = await server({ TRUST_PROXY: '1' });
    await register(app.url, 'vera', from('203.0.113.1'));
    // Seven addresses of one /64, five wrong passwords each: the sixth login of the /64 is refused.
    const statuses: number[] = [];
    for (let host = 1; host <= 7; host++) {
      const ip = `2001:db8:77:1::${host.toString(16)}`;
      statuses.push((await call(app.url, 'auth.login', { username: 'vera', password: 'wrong-pass' }, from(ip))).status);
    }
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429]);
    // Another /64 is another address.
    const other = await call(
      app.url,
      'auth.login',
      { username: 'vera', password: 'password-123' },
      from('2001:db8:77:2::1'),
    );
    expect(other.status).toBe(200);

    // 20 sign-ups an hour per address: the 21st from a fresh address of the same /64 is refused.
    for (let i = 0; i < 20; i++) await register(app.url, `six${i}`, from(`2001:db8:88:1::${(i + 1).toString(16)}`));
    const extra = await call(
      app.url,
      'auth.register',
      { username: 'six20', email: 'six20@example.com', password: 'password-123' },
      from('2001:db8:88:1:ffff::9'),
    );
    expect(extra.status).toBe(429);
  });

  it('refuses the 6th login from one address within a minute with 429 and Retry-After; others are unaffected', async () => {
    const app = await server({ TRUST_PROXY: '1' });
    await register(app.url, 'walt', from('203.0.113.1'));
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const password = i % 2 ? 'password-123' : 'wrong-password';
      statuses.push((await call(app.url, 'auth.login', { username: 'walt', password }, from('203.0.113.7'))).status);
    }
    expect(statuses).toEqual([401, 200, 401, 200, 401]);

    const sixth = await call(
      app.url,
      'auth.login',
      { username: 'walt', password: 'password-123' },
      from('203.0.113.7'),
    );
    expect(sixth.status).toBe(429);
    expect(sixth.error?.data.code).toBe('TOO_MANY_REQUESTS');
    const retryAfter = Number(sixth.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(sixth.error?.data.retryAfter).toBe(retryAfter);
    expect(sixth.error?.message).toMatch(/Too many sign-in attempts.*try again in \d+ seconds/);

    const elsewhere = await call(
      app.url,
      'auth.login',
      { username: 'walt', password: 'password-123' },
      from('198.51.100.2'),
    );
    expect(elsewhere.status).toBe(200);
  });

  it('ignores a spoofed X-Forwarded-For with TRUST_PROXY=0', async () => {
    const app = await server();
    await register(app.url, 'spoof');
    for (let i = 0; i < 5; i++) {
      const result = await call(
        app.url,
        'auth.login',
        { username: 'spoof', password: 'password-123' },
        from(`10.9.0.${i}`),
      );
      expect(result.status).toBe(200);
    }
    const sixth = await call(app.url, 'auth.login', { username: 'spoof', password: 'password-123' }, from('10.9.0.99'));
    expect(sixth.status).toBe(429);
  });

  it('with TRUST_PROXY=1 reads the address the proxy appended, not what the client claimed before it', async () => {
    const app = await server({ TRUST_PROXY: '1' });
    await register(app.url, 'proxied', from('10.0.0.1'));
    // The client claims a new address each time; the proxy's entry (the last one) stays the same.
    for (let i = 0; i < 5; i++) {
      await call(
        app.url,
        'auth.login',
        { username: 'proxied', password: 'password-123' },
        from(`1.1.1.${i}, 10.8.0.1`),
      );
    }
    const sixth = await call(
      app.url,
      'auth.login',
      { username: 'proxied', password: 'password-123' },
      from('1.1.1.99, 10.8.0.1'),
    );
    expect(sixth.status).toBe(429);
  });

  it('limits sign-ups to 20 an hour per address', async () => {
    const app = await server({ TRUST_PROXY: '1' });
    for (let i = 0; i < 20; i++) await register(app.url, `signup${i}`, from('10.7.0.1'));
    const refused = await call(
      app.url,
      'auth.register',
      { username: 'signup20', email: 'signup20@example.com', password: 'password-123' },
      from('10.7.0.1'),
    );
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(60);
    // Bad input counts too: the limit runs before validation.
    expect((await call(app.url, 'auth.register', {}, from('10.7.0.1'))).status).toBe(429);
    await register(app.url, 'signup21', from('10.7.0.2'));
  });

  it('limits refreshes to 60 a minute per address', async () => {
    const app = await server();
    await register(app.url, 'fresh');
    let { refreshToken } = await login(app.url, 'fresh', 'password-123');
    for (let i = 0; i < 60; i++) {
      const result = await call<{ refreshToken: string }>(app.url, 'auth.refresh', { refreshToken });
      expect(result.status).toBe(200);
      refreshToken = result.data.refreshToken;
    }
    const refused = await call(app.url, 'auth.refresh', { refreshToken });
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
  });

  it('limits OAuth sign-ins started to 30 a minute per address', async () => {
    const app = await server({
      TRUST_PROXY: '1',
      PUBLIC_URL: 'https://app.example.com',
      OAUTH_GITHUB_CLIENT_ID: 'id',
      OAUTH_GITHUB_CLIENT_SECRET: 'secret',
    });
    const start = (ip: string) => call(app.url, 'oauth.start', { provider: 'github' }, from(ip));
    for (let i = 0; i < 30; i++) expect((await start('203.0.113.7')).status).toBe(200);
    const refused = await start('203.0.113.7');
    expect(refused.status).toBe(429);
    expect(refused.error?.message).toMatch(/Too many sign-ins started from this address/);
    expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
    expect((await start('203.0.113.8')).status).toBe(200);
  });

  it('limits password changes to 10 an hour', async () => {
    const app = await server({ RATE_LIMIT_LOGIN_PER_MINUTE: '100' });
    const user = await newUser(app.url);
    let password = user.password;
    let token = user.tokens.accessToken;
    for (let i = 0; i < 10; i++) {
      const next = `new-password-${i}`;
      const changed = await call(
        app.url,
        'user.changePassword',
        { currentPassword: password, newPassword: next },
        { token },
      );
      expect(changed.status).toBe(200);
      password = next;
      token = (await login(app.url, user.username, password)).accessToken;
    }
    const refused = await call(
      app.url,
      'user.changePassword',
      { currentPassword: password, newPassword: 'x-password-11' },
      { token },
    );
    expect(refused.status).toBe(429);
    expect(refused.error?.message).toMatch(/Too many password changes/);
  });
});

describe('password hashing back-pressure', () => {
  it('answers 503 with Retry-After at once when the hashing queue is full, and never a 500', async () => {
    // One thread, one waiting slot, a slow-ish cost: a burst of 12 logins cannot all be taken.
    const app = await server({ TRUST_PROXY: '1', BCRYPT_COST: '10', PASSWORD_QUEUE_LIMIT: '1' });
    const burst = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        call(
          app.url,
          'auth.login',
          { username: `nobody${i}`, password: 'wrong-password' },
          from(`198.51.100.${i + 10}`),
        ),
      ),
    );
    const statuses = burst.map((r) => r.status);
    expect(
      statuses.every((s) => s === 401 || s === 503),
      statuses.join(','),
    ).toBe(true);
    const refused = burst.filter((r) => r.status === 503);
    expect(refused.length).toBeGreaterThan(0);
    for (const r of refused) {
      expect(r.error?.data.code).toBe('SERVICE_UNAVAILABLE');
      expect(Number(r.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(r.error?.data.retryAfter).toBe(Number(r.headers.get('retry-after')));
      expect(r.error?.message).toMatch(/Too many sign-ins are being checked right now; try again in \d+ second/);
    }
    // The flood over, a real sign-in is taken again.
    await register(app.url, 'after', from('203.0.113.50'));
    const ok = await call(app.url, 'auth.login', { username: 'after', password: 'password-123' }, from('203.0.113.50'));
    expect(ok.status).toBe(200);
  });
});
