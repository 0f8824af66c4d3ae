import { afterEach, describe, expect, it } from 'vitest';
import type { RunningGatehouse } from '../src/index.js';
import { adminTokens, call, DEFAULT_LIMITS, startTestServer } from './harness.js';

// Per-account brute-force defence with the documented defaults: 10 failures in a row from one
// address lock that account+address for 15 minutes; 100 failures a day from all addresses lock
// the account for addresses it has never signed in from.
const servers: RunningGatehouse[] = [];
async function server(env: Record<string, string> = {}) {
  const app = await startTestServer({ ...DEFAULT_LIMITS, TRUST_PROXY: '1', ...env });
  servers.push(app);
  return app;
}
afterEach(async () => {
  await Promise.all(servers.splice(0).map((app) => app.close()));
});

const from = (ip: string) => ({ headers: { 'x-forwarded-for': ip, 'user-agent': 'lockout-test' } });
const PASSWORD = 'right-password-1';

async function signIn(url: string, username: string, password: string, ip: string) {
  return call(url, 'auth.login', { username, password }, from(ip));
}

async function registerVictim(url: string, username: string) {
  const result = await call(url, 'auth.register', { username, email: `${username}@example.com`, password: PASSWORD });
  expect(result.status).toBe(200);
  return result.data.id as number;
}

describe('per-account lock', () => {
  it('locks an account+address after 10 failures, with the same answer for right and wrong passwords', async () => {
    // Only the per-address login rate is raised, so one address can fail 10 times in a minute.
    const app = await server({ RATE_LIMIT_LOGIN_PER_MINUTE: '1000' });
    await registerVictim(app.url, 'vic');
    for (let i = 0; i < 10; i++) {
      expect((await signIn(app.url, 'vic', `guess-${i}`, '203.0.113.5')).status).toBe(401);
    }
    const right = await signIn(app.url, 'vic', PASSWORD, '203.0.113.5');
    const wrong = await signIn(app.url, 'vic', 'guess-x', '203.0.113.5');
    for (const answer of [right, wrong]) {
      expect(answer.status).toBe(429);
      expect(Number(answer.headers.get('retry-after'))).toBeGreaterThan(890);
      expect(Number(answer.headers.get('retry-after'))).toBeLessThanOrEqual(900);
    }
    expect(right.error?.message).toBe(wrong.error?.message);
    expect(right.error?.message).toMatch(/Too many failed sign-ins for this account; try again in 15 minutes/);

    // The attacker's address is locked, not the user: from their own address they get in.
    expect((await signIn(app.url, 'vic', PASSWORD, '198.51.100.20')).status).toBe(200);
    // By email the account is the same one, so the lock holds for that spelling too.
    expect((await signIn(app.url, 'vic@example.com', PASSWORD, '203.0.113.5')).status).toBe(429);
  });

  it('resets the consecutive count on a success', async () => {
    const app = await server({ RATE_LIMIT_LOGIN_PER_MINUTE: '1000' });
    await registerVictim(app.url, 'oops');
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 9; i++) expect((await signIn(app.url, 'oops', 'typo', '10.0.0.3')).status).toBe(401);
      expect((await signIn(app.url, 'oops', PASSWORD, '10.0.0.3')).status).toBe(200);
    }
  });

  it('locks unknown accounts the same way, so locking tells nothing about existence', async () => {
    const app = await server({ RATE_LIMIT_LOGIN_PER_MINUTE: '1000' });
    for (let i = 0; i < 10; i++) expect((await signIn(app.url, 'ghost', 'guess', '10.0.0.4')).status).toBe(401);
    expect((await signIn(app.url, 'ghost', 'guess', '10.0.0.4')).status).toBe(429);
  });

  it('throttles an account attacked from many addresses, spares its known address, and clears after a success', async () => {
    const app = await server();
    const id = await registerVictim(app.url, 'target');
    // The real user has signed in from home before the attack.
    expect((await signIn(app.url, 'target', PASSWORD, '192.0.2.10')).status).toBe(200);

    // 100 guesses from 20 addresses: each stays under 5 a minute and under 10 in a row.
    for (let n = 0; n < 20; n++) {
      for (let i = 0; i < 5; i++) {
        expect((await signIn(app.url, 'target', `guess-${n}-${i}`, `10.66.${n}.1`)).status).toBe(401);
      }
    }
    // Now any new address is refused, right password or not, with the same answer.
    const right = await signIn(app.url, 'target', PASSWORD, '10.77.0.1');
    const wrong = await signIn(app.url, 'target', 'guess-again', '10.77.0.2');
    expect([right.status, wrong.status]).toEqual([429, 429]);
    expect(right.error?.message).toBe(wrong.error?.message);
    expect(Number(right.headers.get('retry-after'))).toBeGreaterThan(86_000);

    // The user's own address still gets in, and that success clears the account's count.
    expect((await signIn(app.url, 'target', PASSWORD, '192.0.2.10')).status).toBe(200);
    expect((await signIn(app.url, 'target', PASSWORD, '10.77.0.3')).status).toBe(200);
    expect((await signIn(app.url, 'target', 'guess-after', '10.77.0.4')).status).toBe(401);

    const admin = await adminTokens(app.url);
    const locks = await call(
      app.url,
      'admin.audit.list',
      { type: 'account_locked', userId: id },
      { token: admin.accessToken },
    );
    expect(locks.data.items).toEqual([
      expect.objectContaining({
        targetUserId: id,
        ip: '10.66.19.1',
        detail: expect.objectContaining({ scope: 'account' }),
      }),
    ]);
  });

  it('lets no more than the ceiling through from a parallel burst across addresses', async () => {
    // The hashing queue's own bound (PASSWORD_QUEUE_LIMIT, 32) would answer some of 100
    // simultaneous hashes 503 on a slow machine; this test is about the per-account ceiling.
    const app = await server({ PASSWORD_QUEUE_LIMIT: '1000' });
    await registerVictim(app.url, 'burst');
    // 150 guesses at once from 30 addresses (5 each, within every per-address limit).
    const answers = await Promise.all(
      Array.from({ length: 150 }, (_, i) => signIn(app.url, 'burst', `guess-${i}`, `10.88.${i % 30}.1`)),
    );
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 401)).toHaveLength(100);
    expect(statuses.filter((s) => s === 429)).toHaveLength(50);
  });
});
