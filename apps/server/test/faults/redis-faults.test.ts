// Redis (the shared rate-limit store) killed and restarted under sign-in load, on a redis-server
// of this suite's own (the shared one on 6379 serves other suites). The documented fallback:
// limits hold per process while Redis is away, no call fails, and counting resumes in Redis.
import { describe, expect, it, onTestFinished } from 'vitest';
import {
  type LoggedGatehouse,
  logCount,
  type OwnRedis,
  ownRedisUnavailable,
  printFigures,
  secondsUntil,
  send,
  sentBetween,
  sleep,
  startLoad,
  startLoggedGatehouse,
  startOwnRedis,
} from './fault-support.js';

const unavailable = ownRedisUnavailable();
if (unavailable) console.warn(`Redis fault test skipped: ${unavailable}`);

const USER = { username: 'redisuser', email: 'redisuser@example.com', password: 'fault-password-1' };

describe.skipIf(unavailable !== null)('Redis fault under load', () => {
  /**
   * Redis, the server (with its in-memory database and user) and the load belong to one attempt:
   * a retry (the faults project's `retry`) never meets a Redis or load a failed attempt left behind.
   */
  async function startAttempt(): Promise<{ redis: OwnRedis; server: LoggedGatehouse }> {
    const redis = await startOwnRedis();
    onTestFinished(() => redis.kill());
    const server = await startLoggedGatehouse({ REDIS_URL: redis.url, RATE_LIMIT_STORE: 'redis' });
    onTestFinished(() => server.close());
    expect((await send(server.url, '/trpc/auth.register', USER)).status).toBe(200);
    return { redis, server };
  }

  /** The sum of every counter Redis holds (rate-limiter-flexible keeps consumed points as integers). */
  const countedInRedis = (redis: OwnRedis) =>
    redis
      .cli('--scan')
      .split('\n')
      .filter(Boolean)
      .reduce((sum, key) => sum + (Number.parseInt(redis.cli('get', key), 10) || 0), 0);

  it('killed and restarted: sign-ins go on (per-process limits), counting resumes in Redis', async () => {
    const { redis, server } = await startAttempt();
    let acknowledged = 0;
    const load = startLoad(4, async () => {
      const answer = await send(server.url, '/trpc/auth.login', USER);
      if (answer.status === 200) acknowledged++;
      return answer;
    });
    onTestFinished(() => load.stop());
    await sleep(800);
    expect(countedInRedis(redis)).toBeGreaterThan(0);
    const logsBefore = server.logs.length;
    const faultAt = Date.now();
    await redis.kill();
    await sleep(3000);
    const backAt = Date.now();
    await redis.start();
    // A fresh Redis holds nothing: once counters appear again, counting has resumed there.
    const recoverSeconds = await secondsUntil(() => countedInRedis(redis) > 0, 10_000);
    await sleep(300);
    await load.stop();

    const during = sentBetween(load.answers, faultAt, backAt);
    expect(during.length).toBeGreaterThan(0);
    expect(during.map((a) => a.status).filter((s) => s !== 200)).toEqual([]);
    expect(Math.max(...during.map((a) => a.ms))).toBeLessThan(2000);
    expect(recoverSeconds).toBeLessThan(5);

    // Each sign-in now counts in Redis again.
    const before = countedInRedis(redis);
    for (let i = 0; i < 3; i++) expect((await send(server.url, '/trpc/auth.login', USER)).status).toBe(200);
    expect(countedInRedis(redis)).toBeGreaterThanOrEqual(before + 3);

    // The outage is logged, but not once per refused reconnection or per request.
    expect(logCount(server.logs.slice(logsBefore), 'rate-limit store error')).toBe(1);
    expect(logCount(server.logs.slice(logsBefore), 'rate-limit store reachable again')).toBe(1);
    // Every acknowledged sign-in is a session of the user.
    const token = (await send(server.url, '/trpc/auth.login', USER)).body.result.data.accessToken;
    const listed = await send(server.url, '/trpc/user.sessions', undefined, { authorization: `Bearer ${token}` });
    // Less the three sign-ins just above and the one for this token.
    const found = listed.body.result.data.length - 3 - 1;
    expect(found).toBe(acknowledged);
    printFigures({ fault: 'Redis killed 3 s', during, recoverSeconds, acknowledged, found });
  }, 60_000);
});
