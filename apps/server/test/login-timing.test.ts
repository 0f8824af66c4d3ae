/**
 * User enumeration through timing: a login for a name nobody has must cost what a wrong password
 * for a real account costs, or the difference tells an attacker which usernames exist. Runs in
 * the `timing` project (vitest.config.ts), one file at a time after the others, and compares the
 * two costs with each other instead of against a number of milliseconds.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningGatehouse } from '../src/index.js';
import { call, login, startTestServer } from './harness.js';

/**
 * Unknown-user median over wrong-password median. Without the dummy hash an unknown user costs a
 * database lookup (about 1 ms) against a cost-10 bcrypt (about 60 ms here): a ratio near 0.02.
 * Above 0.2 leaves five times that much room for noise while still catching the leak.
 */
const MIN_RATIO = 0.2;
/**
 * The mirror image: an unknown user costing far more than a wrong password (a dummy hash of a
 * higher cost, or hashing twice) leaks just as much. Five times, the same room as below.
 */
const MAX_RATIO = 5;

describe('user enumeration through timing', () => {
  let app: RunningGatehouse;
  beforeAll(async () => {
    app = await startTestServer({ BCRYPT_COST: '10' });
  }, 60_000);
  afterAll(() => app.close());

  it('unknown-user and wrong-password logins cost about the same (median of 50 each, cost 10)', async () => {
    const known = `timing${Date.now() % 100000}`;
    const registered = await call(app.url, 'auth.register', {
      username: known,
      email: `${known}@example.com`,
      password: 'timing-password-1',
    });
    expect(registered.status).toBe(200);
    await login(app.url, known, 'timing-password-1');
    const timeOf = async (username: string) => {
      const started = performance.now();
      const result = await call(app.url, 'auth.login', { username, password: 'wrong-password-0' });
      expect(result.status).toBe(401);
      return performance.now() - started;
    };
    const unknown: number[] = [];
    const wrong: number[] = [];
    for (let i = 0; i < 50; i++) {
      // Interleaved, so drift (JIT, GC, other processes) hits both sides alike.
      unknown.push(await timeOf(`nobody${i}`));
      wrong.push(await timeOf(known));
    }
    const median = (values: number[]) => {
      const sorted = [...values].sort((a, b) => a - b);
      return (sorted[24]! + sorted[25]!) / 2;
    };
    const ratio = median(unknown) / median(wrong);
    console.log(
      `login timing (BCRYPT_COST=10, 50 each): unknown user median ${median(unknown).toFixed(1)} ms, ` +
        `wrong password median ${median(wrong).toFixed(1)} ms, ratio ${ratio.toFixed(3)}`,
    );
    expect(ratio).toBeGreaterThan(MIN_RATIO);
    expect(ratio).toBeLessThan(MAX_RATIO);
  }, 120_000);
});
