/**
 * The session view (docs/session-view.md): authenticated calls answered without a database read,
 * and every revocation honoured on the very next call, on this instance and on the others.
 */
import { spawnSync } from 'node:child_process';
import { createScratchPostgres, postgresAdminUrl, type ScratchDatabase, shouldRun } from '@gatehouse/db/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RunningGatehouse } from '../src/index.js';
import { type OwnRedis, ownRedisUnavailable, secondsUntil, startOwnRedis } from './faults/fault-support.js';
import { adminTokens, call, newUser, startTestServer } from './harness.js';

const viewOf = (app: RunningGatehouse) => {
  const view = app.services.sessionView;
  if (!view) throw new Error('this server has no session view');
  return view;
};

describe('one instance', () => {
  let app: RunningGatehouse;
  afterEach(() => app?.close());

  it('answers repeated calls of a session from the view, and a revocation on the next call', async () => {
    app = await startTestServer();
    const user = await newUser(app.url);
    const before = viewOf(app).status();
    for (let i = 0; i < 20; i++)
      expect((await call(app.url, 'user.me', undefined, { token: user.tokens.accessToken })).status).toBe(200);
    const after = viewOf(app).status();
    expect(after.misses - before.misses).toBe(1);
    expect(after.hits - before.hits).toBe(19);

    await call(app.url, 'auth.logout', { refreshToken: user.tokens.refreshToken });
    expect((await call(app.url, 'user.me', undefined, { token: user.tokens.accessToken })).status).toBe(401);
  });

  it('keeps at most SESSION_CACHE_SIZE sessions', async () => {
    app = await startTestServer({ SESSION_CACHE_SIZE: '2' });
    for (let i = 0; i < 4; i++) {
      const user = await newUser(app.url);
      await call(app.url, 'user.me', undefined, { token: user.tokens.accessToken });
    }
    expect(viewOf(app).status().entries).toBe(2);
  });

  it('is not there with SESSION_CACHE=off', async () => {
    app = await startTestServer({ SESSION_CACHE: 'off' });
    expect(app.services.sessionView).toBeNull();
    const user = await newUser(app.url);
    expect((await call(app.url, 'user.me', undefined, { token: user.tokens.accessToken })).status).toBe(200);
  });
});

const reachable = (await postgresAdminUrl()) !== null;
const redisMissing = ownRedisUnavailable();

/** Waits until the instance hears its own heartbeat (and, with `peers`, the others'). */
async function inStep(app: RunningGatehouse, peers = 1): Promise<void> {
  await secondsUntil(() => viewOf(app).status().trusted && viewOf(app).status().peers >= peers, 10_000);
}

/**
 * Signs in `count` sessions on A, makes B hold each in its view, then revokes them one by one on
 * A and calls B the moment each revocation has returned. Every call must be refused.
 */
async function raceRevocations(a: RunningGatehouse, b: RunningGatehouse, count: number) {
  const sessions = [];
  for (let i = 0; i < count; i++) {
    const user = await newUser(a.url, 'race');
    expect((await call(b.url, 'user.me', undefined, { token: user.tokens.accessToken })).status).toBe(200);
    sessions.push(user.tokens);
  }
  const statuses: number[] = [];
  for (const tokens of sessions) {
    await call(a.url, 'auth.logout', { refreshToken: tokens.refreshToken });
    statuses.push((await call(b.url, 'user.me', undefined, { token: tokens.accessToken })).status);
  }
  return statuses;
}

/** Two instances on one scratch PostgreSQL database, with the extra settings of the channel under test. */
function twoInstances(env: () => Record<string, string>) {
  const pair = { a: undefined as unknown as RunningGatehouse, b: undefined as unknown as RunningGatehouse };
  let scratch: ScratchDatabase;
  beforeAll(async () => {
    scratch = await createScratchPostgres();
    pair.a = await startTestServer({ DATABASE_URL: scratch.url, ...env() });
    pair.b = await startTestServer({ DATABASE_URL: scratch.url, ...env() });
    await Promise.all([inStep(pair.a), inStep(pair.b)]);
  }, 30_000);
  afterAll(async () => {
    await Promise.all([pair.a?.close(), pair.b?.close()]);
    await scratch?.drop();
  });
  return pair;
}

describe.runIf(shouldRun('PostgreSQL', reachable))('two instances, PostgreSQL LISTEN/NOTIFY', () => {
  const pair = twoInstances(() => ({}));

  it('uses PostgreSQL as the channel and hears the other instance', () => {
    expect(viewOf(pair.a).status()).toMatchObject({ channel: 'postgres', trusted: true, peers: 1 });
  });

  it('refuses, on B, every session revoked on A the moment the revocation returns', async () => {
    const statuses = await raceRevocations(pair.a, pair.b, 30);
    expect(statuses.filter((s) => s !== 401)).toEqual([]);
  });

  it('applies a role change and a deactivation made on A to the next call on B', async () => {
    const admin = await adminTokens(pair.a.url);
    const user = await newUser(pair.a.url, 'roles');
    const me = () => call(pair.b.url, 'user.me', undefined, { token: user.tokens.accessToken });
    expect((await me()).data).toMatchObject({ role: 'user' });
    await call(pair.a.url, 'admin.users.setRole', { userId: user.id, role: 'viewer' }, { token: admin.accessToken });
    expect((await me()).data).toMatchObject({ role: 'viewer' });
    await call(pair.a.url, 'admin.users.setActive', { userId: user.id, active: false }, { token: admin.accessToken });
    expect((await me()).status).toBe(403);
  });

  it('when its LISTEN connection is killed, B drops its view, reads the database, and is in step again', async () => {
    const user = await newUser(pair.a.url, 'listen');
    const me = () => call(pair.b.url, 'user.me', undefined, { token: user.tokens.accessToken });
    expect((await me()).status).toBe(200);
    // Both instances listen; kill every listener, then revoke on A while B reconnects.
    const killed = spawnSync(
      'psql',
      [
        (await postgresAdminUrl()) ?? '',
        '-Atc',
        "select pg_terminate_backend(pid) from pg_stat_activity where query ilike 'listen%'",
      ],
      { encoding: 'utf8' },
    );
    expect(killed.stdout.trim().split('\n')).toContain('t');
    await call(pair.a.url, 'auth.logout', { refreshToken: user.tokens.refreshToken });
    expect((await me()).status).toBe(401);
    const seconds = await secondsUntil(() => viewOf(pair.b).status().trusted, 10_000);
    console.log(`session view back in step ${seconds.toFixed(2)} s after its LISTEN connection was killed`);
    const again = await newUser(pair.a.url, 'listen');
    expect((await raceRevocations(pair.a, pair.b, 5)).filter((s) => s !== 401)).toEqual([]);
    expect((await call(pair.b.url, 'user.me', undefined, { token: again.tokens.accessToken })).status).toBe(200);
  }, 30_000);
});

describe.runIf(shouldRun('PostgreSQL', reachable) && redisMissing === null)('two instances, Redis pub/sub', () => {
  let redis: OwnRedis;
  beforeAll(async () => {
    redis = await startOwnRedis();
  });
  afterAll(() => redis?.kill());
  const pair = twoInstances(() => ({ REDIS_URL: redis.url }));

  it('refuses, on B, every session revoked on A the moment the revocation returns', async () => {
    expect(viewOf(pair.b).status()).toMatchObject({ channel: 'redis', trusted: true, peers: 1 });
    const statuses = await raceRevocations(pair.a, pair.b, 30);
    expect(statuses.filter((s) => s !== 401)).toEqual([]);
  });

  it('with Redis down, both read the database (no stale answer, no 5xx), and use the view again once it is back', async () => {
    const user = await newUser(pair.a.url, 'redis');
    await redis.kill();
    await secondsUntil(() => !viewOf(pair.b).status().trusted, 5000);
    const me = await call(pair.b.url, 'user.me', undefined, { token: user.tokens.accessToken });
    expect(me.status).toBe(200);
    await call(pair.a.url, 'auth.logout', { refreshToken: user.tokens.refreshToken });
    expect((await call(pair.b.url, 'user.me', undefined, { token: user.tokens.accessToken })).status).toBe(401);

    await redis.start();
    const seconds = await secondsUntil(
      () => viewOf(pair.b).status().trusted && viewOf(pair.a).status().peers === 1,
      20_000,
    );
    console.log(`session view back in step ${seconds.toFixed(2)} s after Redis returned`);
    expect((await raceRevocations(pair.a, pair.b, 5)).filter((s) => s !== 401)).toEqual([]);
  }, 40_000);
});
