import { createScratchPostgres } from '@gatehouse/db/testing';
import { RELAXED_RATE_LIMITS, type RunningGatehouse } from '../src/index.js';
import { startTestGatehouse, TEST_ADMIN, TEST_JWT_SECRET, type TestGatehouseOptions } from '../src/testing.js';

export { createTestClock } from '../src/testing.js';

export const ADMIN = TEST_ADMIN;
export const JWT_SECRET = TEST_JWT_SECRET;

/** The relaxed limits every suite starts with; tests of the limits pass DEFAULT_LIMITS. */
export const GENEROUS_LIMITS = RELAXED_RATE_LIMITS;

/** Unsets every generous limit, so the config schema's defaults apply. */
export const DEFAULT_LIMITS: Record<string, string | undefined> = Object.fromEntries(
  Object.keys(GENEROUS_LIMITS).map((name) => [name, undefined]),
);

/** The engine suites run on: TEST_DATABASE=postgres gives each server a scratch PostgreSQL database. */
export const TEST_DATABASE = process.env.TEST_DATABASE === 'postgres' ? 'postgres' : 'sqlite';

/**
 * Starts the real server on an ephemeral port with a fresh database: in memory, or under
 * TEST_DATABASE=postgres a scratch PostgreSQL database dropped when the server closes.
 */
export async function startTestServer(
  env: Record<string, string | undefined> = {},
  options: TestGatehouseOptions = {},
): Promise<RunningGatehouse> {
  if (TEST_DATABASE === 'postgres' && env.DATABASE_URL === undefined) {
    const scratch = await createScratchPostgres();
    const app = await startTestGatehouse({ ...env, DATABASE_URL: scratch.url }, options).catch(
      async (error: unknown) => {
        await scratch.drop();
        throw error;
      },
    );
    const close = app.close;
    let closing: Promise<void> | undefined;
    app.close = () => {
      closing ??= close().finally(() => scratch.drop());
      return closing;
    };
    return app;
  }
  return startTestGatehouse(env, options);
}

export interface CallResult<T = unknown> {
  status: number;
  headers: Headers;
  data: T;
  error: {
    message: string;
    code: number;
    data: { code: string; httpStatus: number; fieldErrors: Record<string, string[]> | null; retryAfter?: number };
  } | null;
}

export interface CallOptions {
  token?: string | undefined;
  headers?: Record<string, string>;
}

/** Calls one procedure the way curl would: POST for mutations, GET for queries. */
export async function call<T = any>(
  base: string,
  path: string,
  input?: unknown,
  options: CallOptions = {},
  kind: 'query' | 'mutation' = path.match(/\.(me|sessions|list)$|^health$/) ? 'query' : 'mutation',
): Promise<CallResult<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let response: Response;
  if (kind === 'query') {
    const query = input === undefined ? '' : `?input=${encodeURIComponent(JSON.stringify(input))}`;
    response = await fetch(`${base}/trpc/${path}${query}`, { headers });
  } else {
    headers['content-type'] = 'application/json';
    response = await fetch(`${base}/trpc/${path}`, { method: 'POST', headers, body: JSON.stringify(input ?? {}) });
  }
  const body = (await response.json()) as { result?: { data: T }; error?: CallResult['error'] };
  return {
    status: response.status,
    headers: response.headers,
    data: body.result?.data as T,
    error: body.error ?? null,
  };
}

export interface Tokens {
  accessToken: string;
  refreshToken: string;
}

let counter = 0;

/** Registers a fresh user and signs them in. */
export async function newUser(
  base: string,
  prefix = 'user',
): Promise<{ id: number; username: string; password: string; tokens: Tokens }> {
  counter += 1;
  const username = `${prefix}${counter}${Date.now() % 100000}`;
  const password = 'password-123';
  const registered = await call(base, 'auth.register', { username, email: `${username}@example.com`, password });
  if (registered.error) throw new Error(registered.error.message);
  const tokens = await login(base, username, password);
  return { id: registered.data.id, username, password, tokens };
}

export async function login(base: string, username: string, password: string): Promise<Tokens> {
  const result = await call<Tokens>(base, 'auth.login', { username, password });
  if (result.error) throw new Error(result.error.message);
  return result.data;
}

export async function adminTokens(base: string): Promise<Tokens> {
  return login(base, ADMIN.username, ADMIN.password);
}
