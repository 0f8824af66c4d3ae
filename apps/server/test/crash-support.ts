/**
 * The load and the checks of the crash-consistency tests (SQLite and PostgreSQL): registrations,
 * logins and refresh rotations against a server process until it is SIGKILLed, then what must
 * hold once a new process runs on the same database.
 */
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { post } from './process-support.js';
import type { ServerProcess } from './server-process.js';

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

export interface CrashLoad {
  attempted: number;
  /** Registrations the server acknowledged before it died. */
  registered: Array<{ username: string; password: string }>;
  chains: Chain[];
  signal: NodeJS.Signals | null;
}

/** Registrations acknowledged before the kill that the crash tests require (they assert more than this). */
export const MIN_ACKNOWLEDGED = 10;

/** Runs `workers` register → login → 3 × refresh loops against `server`, SIGKILLs it after `loadMs`. */
export async function loadUntilKilled(server: ServerProcess, workers: number, loadMs: number): Promise<CrashLoad> {
  const registered: CrashLoad['registered'] = [];
  const chains: Chain[] = [];
  let stopped = false;
  let attempted = 0;

  const worker = async (w: number) => {
    for (let i = 0; !stopped; i++) {
      const username = `crash${w}x${i}`;
      const password = `crash-password-${w}-${i}`;
      attempted += 1;
      const reg = await post(server.url, 'auth.register', { username, email: `${username}@example.com`, password });
      if (!reg) return;
      if (reg.status !== 200) throw new Error(`register answered ${reg.status}: ${JSON.stringify(reg.body)}`);
      registered.push({ username, password });
      const signIn = await post(server.url, 'auth.login', { username, password });
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
        const refreshed = await post(server.url, 'auth.refresh', { refreshToken: chain.current });
        if (!refreshed) return;
        chain.inFlight = false;
        expect(refreshed.status).toBe(200);
        chain.rotatedAway.push(chain.current);
        chain.current = refreshed.body.result.data.refreshToken;
      }
    }
  };

  const load = Promise.all(Array.from({ length: workers }, (_, w) => worker(w)));
  await new Promise((resolve) => setTimeout(resolve, loadMs));
  // A busy machine gets through less in loadMs: keep the load on until enough registrations are
  // acknowledged for the checks to mean something (bounded, so a stuck server still fails).
  const deadline = Date.now() + 30_000;
  while (registered.length <= MIN_ACKNOWLEDGED && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  server.child.kill('SIGKILL');
  const { signal } = await server.exited;
  stopped = true;
  await load;
  return { attempted, registered, chains, signal };
}

/** SHA-256 of a refresh token's secret, the form sessions store it in. */
export function storedHash(refreshToken: string): string {
  return createHash('sha256').update(refreshToken.split('.').at(-1)!).digest('hex');
}

/**
 * Against the restarted server: acknowledged registrations sign in, each settled chain's last
 * token works once more, every rotated-away token is refused, an in-flight chain's token works
 * at most once. Returns how many rotated-away tokens were refused and how many chains were settled.
 */
export async function checkAfterRestart(url: string, load: CrashLoad): Promise<{ refused: number; settled: number }> {
  // Every acknowledged registration can sign in (a sample, to keep bcrypt time bounded).
  for (const { username, password } of load.registered.filter((_, i) => i % 5 === 0)) {
    expect((await post(url, 'auth.login', { username, password }))?.status, username).toBe(200);
  }

  // The last acknowledged token of each settled chain still works: its rotation was durable...
  const settled = load.chains.filter((c) => !c.inFlight);
  for (const chain of settled) {
    const refreshed = await post(url, 'auth.refresh', { refreshToken: chain.current });
    expect(refreshed?.status, `current token of ${chain.username}`).toBe(200);
    chain.rotatedAway.push(chain.current);
    chain.current = refreshed!.body.result.data.refreshToken;
  }
  // ...and every token an acknowledged refresh rotated away is refused, crash or not.
  let refused = 0;
  for (const chain of load.chains) {
    for (const old of chain.rotatedAway) {
      const replay = await post(url, 'auth.refresh', { refreshToken: old });
      expect(replay?.status, `rotated-away token of ${chain.username}`).toBe(401);
      refused += 1;
    }
  }
  // A chain cut mid-refresh: its last known token works at most once.
  for (const chain of load.chains.filter((c) => c.inFlight)) {
    const once = await post(url, 'auth.refresh', { refreshToken: chain.current });
    const twice = await post(url, 'auth.refresh', { refreshToken: chain.current });
    expect([200, 401]).toContain(once?.status);
    // Refused either way: 409 right after a successful rotation (the reuse grace window), else 401.
    expect([401, 409]).toContain(twice?.status);
  }
  return { refused, settled: settled.length };
}

interface PostgresClient {
  unsafe<T = Record<string, unknown>[]>(query: string, params?: unknown[]): Promise<T>;
  end(options?: { timeout?: number }): Promise<void>;
}

/** A client on `url` (the postgres package as @gatehouse/db resolves it), for checks from outside. */
export function openPostgres(url: string): PostgresClient {
  const requireFromDb = createRequire(fileURLToPath(import.meta.resolve('@gatehouse/db')));
  const postgres = requireFromDb('postgres') as (url: string, options: object) => PostgresClient;
  return postgres(url, { max: 1, onnotice: () => {} });
}
