import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { RunningGatehouse } from '../src/index.js';
import { call, DEFAULT_LIMITS, startTestServer } from './harness.js';
import { killServers, spawnServer } from './server-process.js';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const PASSWORD = 'password-123';

const servers: RunningGatehouse[] = [];
afterEach(async () => {
  killServers();
  await Promise.all(servers.splice(0).map((app) => app.close()));
});

describe('the database store', () => {
  it('holds the same limits across two server processes sharing one SQLite file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-shared-'));
    const env = {
      PATH: process.env.PATH,
      NODE_ENV: 'test',
      HOST: '127.0.0.1',
      PORT: '0',
      DATA_DIR: dir,
      DATABASE_URL: `file:${join(dir, 'gatehouse.db')}`,
      JWT_SECRET: 'shared-secret-that-is-long-enough-0123456789',
      BCRYPT_COST: '4',
      LOG_LEVEL: 'info',
      RATE_LIMIT_STORE: 'database',
    };
    // One after the other: the first applies the migrations.
    const a = await spawnServer(env);
    const b = await spawnServer(env);
    const registered = await call(a.url, 'auth.register', {
      username: 'pat',
      email: 'pat@example.com',
      password: PASSWORD,
    });
    expect(registered.status).toBe(200);

    const statuses: number[] = [];
    for (const url of [a.url, b.url, a.url, b.url, a.url]) {
      statuses.push((await call(url, 'auth.login', { username: 'pat', password: PASSWORD })).status);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200]);
    const sixthOnB = await call(b.url, 'auth.login', { username: 'pat', password: PASSWORD });
    const seventhOnA = await call(a.url, 'auth.login', { username: 'pat', password: PASSWORD });
    expect([sixthOnB.status, seventhOnA.status]).toEqual([429, 429]);
    expect(Number(sixthOnB.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});

describe('the Redis store', () => {
  const prefix = `gatehouse-test-${randomBytes(6).toString('hex')}`;
  const redis = new Redis(REDIS_URL, { lazyConnect: true });

  afterAll(async () => {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
  });

  it('is used when REDIS_URL is set, and holds limits across servers', async () => {
    const env = { ...DEFAULT_LIMITS, REDIS_URL, RATE_LIMIT_KEY_PREFIX: prefix };
    const a = await startTestServer(env);
    const b = await startTestServer(env);
    servers.push(a, b);
    expect(a.services.rateLimits.storeKind).toBe('redis');
    // Separate in-memory databases: each server gets its own copy of the user.
    for (const app of [a, b]) {
      await call(app.url, 'auth.register', { username: 'rae', email: 'rae@example.com', password: PASSWORD });
    }
    const statuses: number[] = [];
    for (const app of [a, b, a, b, a, b]) {
      statuses.push((await call(app.url, 'auth.login', { username: 'rae', password: PASSWORD })).status);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    expect(await redis.keys(`${prefix}:login-ip:*`)).toHaveLength(1);
  });
});
