import { createRequire } from 'node:module';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { GENEROUS_LIMITS } from './harness.js';

/** The environment of a server process on a SQLite file in `dir`, with relaxed rate limits. */
export function processEnv(dir: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    ...GENEROUS_LIMITS,
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    PORT: '0',
    DATA_DIR: dir,
    DATABASE_URL: `file:${dir}/gatehouse.db`,
    JWT_SECRET: 'process-test-secret-that-is-long-enough-0123',
    BCRYPT_COST: '4',
    // 'info' for the "listening" line; request lines are kept in memory only.
    LOG_LEVEL: 'info',
    ...extra,
  };
}

/** Whether a brand-new TCP connection to the server's port is accepted. */
export function acceptsConnections(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

interface SqliteDatabase {
  prepare(sql: string): { all(...params: unknown[]): unknown[]; get(...params: unknown[]): unknown };
  pragma(sql: string, options?: { simple?: boolean }): unknown;
  close(): void;
}

/** Opens the SQLite file directly (better-sqlite3 as @gatehouse/db resolves it), for checks from outside. */
export function openSqliteFile(path: string): SqliteDatabase {
  const requireFromDb = createRequire(fileURLToPath(import.meta.resolve('@gatehouse/db')));
  const BetterSqlite3 = requireFromDb('better-sqlite3') as new (file: string) => SqliteDatabase;
  return new BetterSqlite3(path);
}

/** POSTs a mutation; resolves null when the connection fails (the process is gone). */
export async function post(
  url: string,
  path: string,
  input: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: any } | null> {
  try {
    const response = await fetch(`${url}/trpc/${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(input),
    });
    return { status: response.status, body: await response.json() };
  } catch {
    return null;
  }
}
