import { request } from 'node:http';
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

function jsonOrText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export interface SentRequest {
  /** Resolves once the whole request has been handed to the connection. */
  sent: Promise<void>;
  /** The answer, or null when the connection failed (refused, or the process is gone). */
  answer: Promise<{ status: number; body: any } | null>;
}

/**
 * One request on a connection of its own (no pool: a shared keep-alive connection would spoil the
 * ordering `serverHasRead` relies on).
 */
export function send(url: string, method: 'GET' | 'POST', path: string, input?: unknown): SentRequest {
  let sent!: () => void;
  const sentPromise = new Promise<void>((resolve) => {
    sent = resolve;
  });
  const answer = new Promise<{ status: number; body: any } | null>((resolve) => {
    const body = input === undefined ? undefined : JSON.stringify(input);
    const req = request(
      `${url}${path}`,
      { method, agent: false, headers: body === undefined ? {} : { 'content-type': 'application/json' } },
      (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => {
          text += chunk.toString();
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: jsonOrText(text) }));
        res.on('error', () => resolve(null));
      },
    );
    req.on('error', () => {
      sent();
      resolve(null);
    });
    req.end(body, () => sent());
  });
  return { sent: sentPromise, answer };
}

/**
 * Resolves once the server has answered a request on a connection opened after every request sent
 * so far was written: it accepts connections in the order they arrive and reads those whose bytes
 * came first no later, so by then it has read (and is handling) all of them. A causal signal that a
 * test's requests are in flight, instead of a sleep that assumes how fast the machine is.
 */
export async function serverHasRead(url: string): Promise<void> {
  const probe = await send(url, 'GET', '/healthz').answer;
  if (probe?.status !== 200) throw new Error(`the server did not answer a probe: ${probe?.status ?? 'no answer'}`);
}
