/**
 * Crash consistency: registrations, logins and refreshes against a server process on a SQLite
 * file, SIGKILL in the middle, restart on the same file. No acknowledged write may be lost, the
 * file must pass its integrity check, and no refresh token may work twice.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteFile, post, processEnv, type ServerProcess, startProcess } from './process-support.js';

const WORKERS = 8;
const LOAD_MS = 2000;

interface Chain {
  username: string;
  sessionId: string;
  /** The last refresh token the server handed out in an acknowledged answer. */
  current: string;
  /** Tokens an acknowledged refresh rotated away: each must be refused from now on. */
  rotatedAway: string[];
  /** A refresh was on the wire when the process died: `current` may or may not have been spent. */
  inFlight: boolean;
}

const running: ServerProcess[] = [];
afterEach(() => {
  for (const server of running.splice(0)) server.child.kill('SIGKILL');
});

describe('crash consistency (SIGKILL mid-load, restart on the same SQLite file)', () => {
  it('loses no acknowledged registration, passes integrity_check, and no refresh token works twice', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-crash-'));
    const env = processEnv(dir, { REFRESH_REUSE_GRACE: '0' });
    const first = await startProcess(env);
    running.push(first);

    const registered: Array<{ username: string; password: string }> = [];
    const chains: Chain[] = [];
    let stopped = false;
    let attempted = 0;

    const worker = async (w: number) => {
      for (let i = 0; !stopped; i++) {
        const username = `crash${w}x${i}`;
        const password = `crash-password-${w}-${i}`;
        attempted += 1;
        const reg = await post(first.url, 'auth.register', { username, email: `${username}@example.com`, password });
        if (!reg) return;
        if (reg.status !== 200) throw new Error(`register answered ${reg.status}: ${JSON.stringify(reg.body)}`);
        registered.push({ username, password });
        const signIn = await post(first.url, 'auth.login', { username, password });
        if (!signIn) return;
        expect(signIn.status).toBe(200);
        const token: string = signIn.body.result.data.refreshToken;
        const chain: Chain = {
          username,
          sessionId: token.split('.')[0]!,
          current: token,
          rotatedAway: [],
          inFlight: false,
        };
        chains.push(chain);
        for (let r = 0; r < 3; r++) {
          chain.inFlight = true;
          const refreshed = await post(first.url, 'auth.refresh', { refreshToken: chain.current });
          if (!refreshed) return;
          chain.inFlight = false;
          expect(refreshed.status).toBe(200);
          chain.rotatedAway.push(chain.current);
          chain.current = refreshed.body.result.data.refreshToken;
        }
      }
    };

    const load = Promise.all(Array.from({ length: WORKERS }, (_, w) => worker(w)));
    await new Promise((resolve) => setTimeout(resolve, LOAD_MS));
    first.child.kill('SIGKILL');
    const { signal } = await first.exited;
    stopped = true;
    await load;
    expect(signal).toBe('SIGKILL');
    expect(registered.length).toBeGreaterThan(10);

    // The file as the crash left it: recovered by SQLite on open, and sound.
    const file = openSqliteFile(join(dir, 'gatehouse.db'));
    try {
      expect(file.pragma('integrity_check', { simple: true })).toBe('ok');
      expect(file.pragma('foreign_key_check')).toEqual([]);
      const keys = new Set(
        (file.prepare('select username_key as k from users').all() as Array<{ k: string }>).map((row) => row.k),
      );
      const lost = registered.filter((r) => !keys.has(r.username.toLowerCase()));
      expect(lost, 'acknowledged registrations missing after the crash').toEqual([]);
      const sessions = new Set(
        (file.prepare('select id from sessions').all() as Array<{ id: string }>).map((row) => row.id),
      );
      expect(
        chains.filter((c) => !sessions.has(c.sessionId)),
        'acknowledged logins without a session',
      ).toEqual([]);
    } finally {
      file.close();
    }

    // Restart on the same file.
    const second = await startProcess(env);
    running.push(second);

    // Every acknowledged registration can sign in (a sample, to keep bcrypt time bounded).
    for (const { username, password } of registered.filter((_, i) => i % 5 === 0)) {
      expect((await post(second.url, 'auth.login', { username, password }))?.status, username).toBe(200);
    }

    // The last acknowledged token of each settled chain still works: its rotation was durable...
    const settled = chains.filter((c) => !c.inFlight);
    for (const chain of settled) {
      const refreshed = await post(second.url, 'auth.refresh', { refreshToken: chain.current });
      expect(refreshed?.status, `current token of ${chain.username}`).toBe(200);
      chain.rotatedAway.push(chain.current);
      chain.current = refreshed!.body.result.data.refreshToken;
    }
    // ...and every token an acknowledged refresh rotated away is refused, crash or not.
    let refused = 0;
    for (const chain of chains) {
      for (const old of chain.rotatedAway) {
        const replay = await post(second.url, 'auth.refresh', { refreshToken: old });
        expect(replay?.status, `rotated-away token of ${chain.username}`).toBe(401);
        refused += 1;
      }
    }
    // A chain cut mid-refresh: its last known token works at most once.
    for (const chain of chains.filter((c) => c.inFlight)) {
      const once = await post(second.url, 'auth.refresh', { refreshToken: chain.current });
      const twice = await post(second.url, 'auth.refresh', { refreshToken: chain.current });
      expect([200, 401]).toContain(once?.status);
      expect(twice?.status).toBe(401);
    }
    console.log(
      `crash consistency: ${attempted} registrations attempted, ${registered.length} acknowledged and all present ` +
        `after SIGKILL; ${chains.length} sessions, ${refused} rotated-away refresh tokens all refused; ` +
        `${chains.length - settled.length} refreshes were in flight at the kill`,
    );
    second.child.kill('SIGTERM');
    expect((await second.exited).code).toBe(0);
  }, 60_000);
});
