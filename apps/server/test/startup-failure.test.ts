/**
 * A start-up that fails after the services exist (the admin bootstrap refuses its password, the
 * port is taken) rejects with the reason and leaves no worker pool or database behind.
 */
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, type RunningGatehouse } from '../src/index.js';
import { ADMIN, call, startTestServer } from './harness.js';

/** OS threads of this process (the password pool's workers among them); null off Linux. */
const threadCount = (): number | null => (existsSync('/proc/self/task') ? readdirSync('/proc/self/task').length : null);

/** Waits until this process has no more threads than `baseline` (worker threads end asynchronously). */
async function threadsBackTo(baseline: number | null): Promise<number | null> {
  if (baseline === null) return null;
  const deadline = Date.now() + 5000;
  let now = threadCount()!;
  while (now > baseline && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    now = threadCount()!;
  }
  return now;
}

const cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

describe('a start-up that fails after the services are created', () => {
  it('refuses a too-common GATEHOUSE_ADMIN_PASSWORD clearly, closes everything, and a retry on the same file starts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-startfail-'));
    const DATABASE_URL = `file:${join(dir, 'gatehouse.db')}`;
    // One full start and stop first, so lazily started threads (libuv's pool…) are in the baseline.
    const noAdmin = {
      GATEHOUSE_ADMIN_USERNAME: undefined,
      GATEHOUSE_ADMIN_EMAIL: undefined,
      GATEHOUSE_ADMIN_PASSWORD: undefined,
    };
    await (await startTestServer({ DATABASE_URL, ...noAdmin })).close();
    const baseline = threadCount();

    const refused = await startTestServer({ DATABASE_URL, GATEHOUSE_ADMIN_PASSWORD: 'password123' }).then(
      async (app) => {
        cleanup.push(() => app.close());
        return null;
      },
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(ConfigError);
    expect((refused as Error).message).toMatch(
      /GATEHOUSE_ADMIN_\*: cannot create the first admin "root": .*too common/,
    );
    expect(await threadsBackTo(baseline), 'threads left running by the failed start').toBe(baseline);

    // Same file, a sound password: starts, and the admin it creates can sign in.
    const app: RunningGatehouse = await startTestServer({ DATABASE_URL });
    cleanup.push(() => app.close());
    const login = await call(app.url, 'auth.login', { username: ADMIN.username, password: ADMIN.password });
    expect(login.status).toBe(200);
  });

  it('closes the services when listen fails with EADDRINUSE', async () => {
    const taken: Server = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    cleanup.push(() => new Promise((resolve) => taken.close(resolve)));
    const port = (taken.address() as { port: number }).port;
    await (await startTestServer()).close();
    const baseline = threadCount();

    await expect(startTestServer({ HOST: '127.0.0.1', PORT: String(port) })).rejects.toMatchObject({
      code: 'EADDRINUSE',
    });
    expect(await threadsBackTo(baseline), 'threads left running by the failed start').toBe(baseline);
  });
});
