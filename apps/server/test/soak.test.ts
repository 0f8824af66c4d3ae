/**
 * The soak script (scripts/soak.mjs) in its short form, so every test run includes it: a mixed
 * load against the built server process, RSS and /healthz latency sampled from outside, clean exit.
 * The full form is `pnpm soak` (two minutes by default, `--seconds N`).
 *
 * In the `timing` project (vitest.config.ts): its verdict includes a latency bound (below) and the
 * script's own floor of 10 calls a second (scripts/soak.mjs), so it runs alone, after the rest.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SOAK = fileURLToPath(new URL('../../../scripts/soak.mjs', import.meta.url));
const SECONDS = Number(process.env.SOAK_SECONDS ?? 15);

interface SoakSummary {
  ok: boolean;
  calls: number;
  rss: { warmPeakMB: number; finalMB: number; peakMB: number; slopeMBPerMinute: number };
  healthzMs: { p50: number; p99: number; max: number };
  answers: Record<string, number>;
  unexpected: unknown[];
  failures: string[];
  exit: { code: number | string | null };
}

describe('soak (short form)', () => {
  it(`runs ${SECONDS} s of mixed load with bounded memory, no unintended errors and a clean exit`, async () => {
    const child = spawn(
      process.execPath,
      [
        SOAK,
        '--seconds',
        String(SECONDS),
        '--concurrency',
        '6',
        // /healthz p99 under load. It protects against work that blocks the event loop (a bcrypt
        // hash or a big query on the main thread), which holds every call for seconds. An idle
        // machine answers in a few ms; 2500 ms (the script's default is 1000) leaves room for the
        // other engineers' builds and test runs on the same two cores, and still catches a stall.
        '--max-p99-ms',
        '2500',
        '--json',
      ],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    const line = stdout.trim().split('\n').at(-1) ?? '';
    let summary: SoakSummary;
    try {
      summary = JSON.parse(line) as SoakSummary;
    } catch {
      throw new Error(`soak printed no summary (exit ${code}):\n${stdout}\n${stderr}`);
    }
    console.log(
      `soak ${SECONDS} s: ${summary.calls} calls; RSS warm ${summary.rss.warmPeakMB} MB -> end ${summary.rss.finalMB} MB ` +
        `(peak ${summary.rss.peakMB} MB, slope ${summary.rss.slopeMBPerMinute} MB/min); /healthz p50 ${summary.healthzMs.p50} ms, ` +
        `p99 ${summary.healthzMs.p99} ms`,
    );
    expect(summary.failures).toEqual([]);
    expect(summary.unexpected).toEqual([]);
    expect(summary.exit.code).toBe(0);
    // The intended refusals really happened, so the verdict saw them and let them through.
    for (const intended of ['wrong password 401', 'not admin 403', 'bad key 429']) {
      expect(summary.answers[intended] ?? 0, intended).toBeGreaterThan(0);
    }
    expect(code).toBe(0);
  }, 60_000);
});
