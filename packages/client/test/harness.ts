import { mkdtempSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// @gatehouse/server already depends on this package (dev), so declaring it back would make a cycle
// in turbo's graph. Tests run after `turbo run build`, so the server's build is imported by path.
import {
  createLogger,
  loadConfig,
  RELAXED_RATE_LIMITS,
  type RunningGatehouse,
  startGatehouse,
} from '@gatehouse/server';

export const ADMIN = { username: 'root', email: 'root@example.com', password: 'admin-password-1' };

/** The real server on an ephemeral port with a fresh in-memory database. */
export async function startServer(env: Record<string, string> = {}): Promise<RunningGatehouse> {
  const config = loadConfig({
    // Every test signs in from 127.0.0.1; the per-address limits are not under test here.
    ...RELAXED_RATE_LIMITS,
    NODE_ENV: 'test',
    PORT: '0',
    DATABASE_URL: ':memory:',
    DATA_DIR: mkdtempSync(join(tmpdir(), 'gatehouse-client-')),
    WEB_DIST: mkdtempSync(join(tmpdir(), 'gatehouse-noweb-')),
    JWT_SECRET: 'x'.repeat(40),
    BCRYPT_COST: '4',
    LOG_LEVEL: 'silent',
    GATEHOUSE_ADMIN_USERNAME: ADMIN.username,
    GATEHOUSE_ADMIN_EMAIL: ADMIN.email,
    GATEHOUSE_ADMIN_PASSWORD: ADMIN.password,
    ...env,
  });
  return startGatehouse(config, createLogger(config));
}

/** A fetch that records the procedures of every request it sends (a batch lists several). */
export function recordingFetch() {
  const requests: string[][] = [];
  const fetchFn: typeof fetch = (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    requests.push(decodeURIComponent(url.pathname.replace(/^\/trpc\//, '')).split(','));
    return fetch(input, init);
  };
  return {
    fetch: fetchFn,
    requests,
    /** How many HTTP requests included this procedure. */
    requestsFor: (path: string) => requests.filter((procedures) => procedures.includes(path)).length,
    reset: () => {
      requests.length = 0;
    },
  };
}

let counter = 0;

/** A username/email/password never used before on this server. */
export function freshUser(prefix = 'user') {
  counter += 1;
  const username = `${prefix}${counter}_${Date.now().toString(36)}`;
  return { username, email: `${username}@example.com`, password: 'correct horse battery' };
}

/** A URL where nothing listens: a port the OS just handed out and took back. */
export async function deadUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}`;
}
