import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import type { RunningGatehouse } from '@gatehouse/server';
import { startTestGatehouse, TEST_ADMIN, type TestGatehouseOptions } from '@gatehouse/server/testing';

export { createTestClock } from '@gatehouse/server/testing';

export const ADMIN = TEST_ADMIN;

/** The real server on an ephemeral port with a fresh in-memory database. */
export function startServer(
  env: Record<string, string> = {},
  options: TestGatehouseOptions = {},
): Promise<RunningGatehouse> {
  return startTestGatehouse(env, options);
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
