/**
 * Two server processes behind an imaginary load balancer, sharing one PostgreSQL database and
 * one Redis: whatever a client does on one must hold on the other.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createScratchPostgres,
  postgresAdminUrl,
  redisReachable,
  type ScratchDatabase,
  shouldRun,
  TEST_REDIS_URL,
} from '@gatehouse/db/testing';
import { Redis } from 'ioredis';
import { decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ADMIN, type CallOptions, call } from './harness.js';
import { killServers, runCommand, type ServerProcess, spawnServer } from './server-process.js';

const reachable = (await postgresAdminUrl()) !== null && (await redisReachable());
const PASSWORD = 'password-123';

const KEY_ENCRYPTION_KEY = randomBytes(32).toString('base64');
const TOKENS = {
  // The same JWT_SECRET on both...
  HS256: { JWT_SECRET: 'shared-secret-that-is-long-enough-0123456789' },
  // ...or the same key-encryption key, with keys in the shared database.
  EdDSA: { JWT_ALG: 'EdDSA', JWT_KEY_ENCRYPTION_KEY: KEY_ENCRYPTION_KEY, JWT_KEY_CACHE_TTL: '1s' },
};

describe.runIf(shouldRun('PostgreSQL and Redis', reachable)).each(['HS256', 'EdDSA'] as const)(
  'two instances on one PostgreSQL and one Redis (%s)',
  (alg) => {
    const prefix = `gatehouse-test-${randomBytes(6).toString('hex')}`;
    let scratch: ScratchDatabase;
    let a: ServerProcess;
    let b: ServerProcess;
    let client = alg === 'HS256' ? 0 : 100;
    let env: NodeJS.ProcessEnv;
    /** A fresh client address per test (through TRUST_PROXY), so the tests' limits stay apart. */
    const from = (): CallOptions => {
      client += 1;
      return { headers: { 'x-forwarded-for': `10.1.0.${client}` } };
    };

    beforeAll(async () => {
      scratch = await createScratchPostgres();
      env = {
        NODE_ENV: 'test',
        HOST: '127.0.0.1',
        PORT: '0',
        DATA_DIR: mkdtempSync(join(tmpdir(), 'gatehouse-two-')),
        DATABASE_URL: scratch.url,
        REDIS_URL: TEST_REDIS_URL,
        RATE_LIMIT_KEY_PREFIX: prefix,
        ...TOKENS[alg],
        BCRYPT_COST: '4',
        LOG_LEVEL: 'info',
        TRUST_PROXY: '1',
        REFRESH_REUSE_GRACE: '0',
        GATEHOUSE_ADMIN_USERNAME: ADMIN.username,
        GATEHOUSE_ADMIN_EMAIL: ADMIN.email,
        GATEHOUSE_ADMIN_PASSWORD: ADMIN.password,
      };
      // Started together on purpose: migrations and the admin bootstrap must cope.
      [a, b] = await Promise.all([spawnServer(env), spawnServer(env)]);
    }, 30_000);

    afterAll(async () => {
      await Promise.all([a?.stop(), b?.stop()]);
      killServers();
      await scratch?.drop();
      const redis = new Redis(TEST_REDIS_URL);
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length) await redis.del(...keys);
      await redis.quit();
    }, 30_000);

    async function signUp(name: string, on: ServerProcess, options: CallOptions) {
      const registered = await call(
        on.url,
        'auth.register',
        { username: name, email: `${name}@example.com`, password: PASSWORD },
        options,
      );
      expect(registered.status).toBe(200);
      const login = await call(on.url, 'auth.login', { username: name, password: PASSWORD }, options);
      expect(login.status).toBe(200);
      return { id: registered.data.id as number, tokens: login.data };
    }

    it('logs in on A and refreshes on B', async () => {
      const options = from();
      const { tokens } = await signUp('ada', a, options);
      const refreshed = await call(b.url, 'auth.refresh', { refreshToken: tokens.refreshToken }, options);
      expect(refreshed.status).toBe(200);
      expect((await call(a.url, 'user.me', undefined, { ...options, token: refreshed.data.accessToken })).status).toBe(
        200,
      );
    });

    it('revokes the session made on A when B sees a rotated refresh token again', async () => {
      const options = from();
      const { tokens } = await signUp('bea', a, options);
      const rotated = await call(a.url, 'auth.refresh', { refreshToken: tokens.refreshToken }, options);
      expect(rotated.status).toBe(200);
      expect((await call(b.url, 'auth.refresh', { refreshToken: tokens.refreshToken }, options)).status).toBe(401);
      expect((await call(a.url, 'auth.refresh', { refreshToken: rotated.data.refreshToken }, options)).status).toBe(
        401,
      );
      expect((await call(a.url, 'user.me', undefined, { ...options, token: rotated.data.accessToken })).status).toBe(
        401,
      );
    });

    it('ends on B a session logged out on A', async () => {
      const options = from();
      const { tokens } = await signUp('cal', a, options);
      expect((await call(a.url, 'auth.logout', { refreshToken: tokens.refreshToken }, options)).status).toBe(200);
      expect((await call(b.url, 'auth.refresh', { refreshToken: tokens.refreshToken }, options)).status).toBe(401);
    });

    it('blocks on A the access token of a user deactivated on B', async () => {
      const options = from();
      const { id, tokens } = await signUp('dee', a, options);
      expect((await call(a.url, 'user.me', undefined, { ...options, token: tokens.accessToken })).status).toBe(200);
      const admin = await call(b.url, 'auth.login', { username: ADMIN.username, password: ADMIN.password }, options);
      const deactivated = await call(
        b.url,
        'admin.users.setActive',
        { userId: id, active: false },
        { ...options, token: admin.data.accessToken },
      );
      expect(deactivated.status).toBe(200);
      const me = await call(a.url, 'user.me', undefined, { ...options, token: tokens.accessToken });
      expect(me.status).toBe(403);
    });

    it('shares the login rate limit: 5 attempts over A and B, the 6th refused on either', async () => {
      const options = from();
      await signUp('eve', a, from());
      const statuses: number[] = [];
      for (const server of [a, b, a, b, a]) {
        statuses.push((await call(server.url, 'auth.login', { username: 'eve', password: PASSWORD }, options)).status);
      }
      expect(statuses).toEqual([200, 200, 200, 200, 200]);
      const onB = await call(b.url, 'auth.login', { username: 'eve', password: PASSWORD }, options);
      const onA = await call(a.url, 'auth.login', { username: 'eve', password: PASSWORD }, options);
      expect([onB.status, onA.status]).toEqual([429, 429]);
      expect(Number(onA.headers.get('retry-after'))).toBeGreaterThan(0);
    });

    if (alg === 'EdDSA') {
      it('lets B verify tokens A signs with a key rotated while both run', async () => {
        const options = from();
        const { tokens } = await signUp('fay', a, options);
        const rotation = runCommand(['rotate-keys'], env);
        expect(rotation.status).toBe(0);
        const newKid = /new signing key (\S+)/.exec(rotation.stdout)?.[1];
        // B publishes the new key at once; A signs with it once its 1 s key cache has run out.
        const published = (await (await fetch(`${b.url}/.well-known/jwks.json`)).json()) as { keys: { kid: string }[] };
        expect(published.keys.map((k) => k.kid)).toContain(newKid);
        // A is another process on the real clock: wait until it does (a bounded poll through
        // refreshes, whose limit of 60 a minute 40 polls stay under), not a fixed 1.1 s.
        let refreshToken = tokens.refreshToken;
        await vi.waitFor(
          async () => {
            const refreshed = await call(a.url, 'auth.refresh', { refreshToken }, options);
            expect(refreshed.status).toBe(200);
            refreshToken = refreshed.data.refreshToken;
            expect(decodeProtectedHeader(refreshed.data.accessToken).kid).toBe(newKid);
          },
          { timeout: 10_000, interval: 250 },
        );
        const fresh = await call(a.url, 'auth.login', { username: 'fay', password: PASSWORD }, options);
        expect(decodeProtectedHeader(fresh.data.accessToken).kid).toBe(newKid);
        for (const token of [fresh.data.accessToken, tokens.accessToken]) {
          expect((await call(b.url, 'user.me', undefined, { ...options, token })).status).toBe(200);
        }
      });
    }
  },
);
