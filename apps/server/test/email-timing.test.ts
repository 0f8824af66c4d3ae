/**
 * Address enumeration through timing, measured the way login's timing is (interleaved medians).
 * Timing-sensitive: the bounds are generous, and the ratio is printed for the record.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningGatehouse } from '../src/index.js';
import { call, startTestServer } from './harness.js';
import { startSmtp, type TestSmtp } from './smtp-support.js';

const RUNS = 30;

describe('mail requests for unknown and known addresses take the same time', () => {
  let smtp: TestSmtp;
  let app: RunningGatehouse;

  beforeAll(async () => {
    smtp = await startSmtp();
    // The documented time floor (EMAIL_REQUEST_MIN_MS unset: 250 ms), not the test harness's 0.
    app = await startTestServer({ SMTP_URL: smtp.url, EMAIL_VERIFICATION: 'off', EMAIL_REQUEST_MIN_MS: undefined });
  }, 30_000);
  afterAll(async () => {
    await app?.close();
    await smtp?.stop();
  });

  const median = (values: number[]) => {
    const sorted = [...values].sort((a, b) => a - b);
    return (sorted[RUNS / 2 - 1]! + sorted[RUNS / 2]!) / 2;
  };

  for (const path of ['auth.requestPasswordReset', 'auth.requestSignInLink']) {
    it(`${path}: same answer, and a median time ratio near 1 (${RUNS} each, interleaved)`, async () => {
      const known: string[] = [];
      for (let i = 0; i < RUNS; i++) {
        const username = `t${path.length}${i}x${Date.now() % 100000}`;
        const email = `${username}@example.com`;
        expect((await call(app.url, 'auth.register', { username, email, password: 'password-123' })).status).toBe(200);
        known.push(email);
      }
      const timeOf = async (email: string) => {
        const started = performance.now();
        const result = await call(app.url, path, { email });
        expect(result.status).toBe(200);
        expect(result.data).toEqual({ ok: true });
        return performance.now() - started;
      };
      const unknownTimes: number[] = [];
      const knownTimes: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        // Interleaved, so drift (JIT, GC, other processes) hits both sides alike.
        unknownTimes.push(await timeOf(`nobody-${i}-${Date.now()}@example.com`));
        knownTimes.push(await timeOf(known[i]!));
      }
      const ratio = median(unknownTimes) / median(knownTimes);
      console.log(
        `${path} timing (floor 250 ms, ${RUNS} each): unknown median ${median(unknownTimes).toFixed(1)} ms, ` +
          `known median ${median(knownTimes).toFixed(1)} ms, ratio ${ratio.toFixed(3)}`,
      );
      // Generous bounds: without the floor the ratio is far from 1 (a look-up against a transaction).
      expect(ratio).toBeGreaterThan(0.8);
      expect(ratio).toBeLessThan(1.25);
      expect(median(unknownTimes)).toBeGreaterThanOrEqual(245);
    }, 60_000);
  }
});
