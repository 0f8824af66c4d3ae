import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from './config.js';
import { type RunningGatehouse, startGatehouse } from './gatehouse.js';
import { createLogger } from './logger.js';
import { RELAXED_RATE_LIMITS } from './relaxed-limits.js';

/** The admin every test server bootstraps. */
export const TEST_ADMIN = { username: 'root', email: 'root@example.com', password: 'admin-password-1' } as const;

/** The HS256 secret of every test server, for tests that forge or inspect tokens. */
export const TEST_JWT_SECRET = 'test-secret-that-is-long-enough-0123456789';

const tempDir = (prefix: string) => mkdtempSync(join(tmpdir(), prefix));

/**
 * A clock a test moves forward by hand, so expiry is tested without waiting for it: the real time
 * plus every `advance` so far. It keeps ticking with the real time, so timestamps of calls made in
 * a row still differ and order as they would in production.
 */
export interface TestClock {
  /** The time the server sees; hand it over as the `clock` option. */
  readonly now: () => Date;
  /** Moves the server's time forward by `ms` milliseconds. */
  advance(ms: number): void;
}

export function createTestClock(): TestClock {
  let offsetMs = 0;
  return {
    now: () => new Date(Date.now() + offsetMs),
    advance: (ms) => {
      if (!(ms >= 0)) throw new RangeError('A test clock only moves forward');
      offsetMs += ms;
    },
  };
}

export interface TestGatehouseOptions {
  /** The server's time source, e.g. `createTestClock().now`; the real time when absent. */
  clock?: () => Date;
}

/**
 * The real server on an ephemeral port with a fresh in-memory database, for test suites of the
 * client, the CLI, the web demo and apps built on Gatehouse: cheap bcrypt, silent logs, relaxed
 * per-address limits (every test calls from 127.0.0.1), no web build unless WEB_DIST is given,
 * mail as .eml files in the temporary DATA_DIR unless SMTP_URL is given.
 */
export async function startTestGatehouse(
  env: Record<string, string | undefined> = {},
  options: TestGatehouseOptions = {},
): Promise<RunningGatehouse> {
  const config = loadConfig({
    ...RELAXED_RATE_LIMITS,
    NODE_ENV: 'test',
    PORT: '0',
    DATABASE_URL: ':memory:',
    DATA_DIR: tempDir('gatehouse-test-'),
    WEB_DIST: tempDir('gatehouse-noweb-'),
    JWT_SECRET: TEST_JWT_SECRET,
    BCRYPT_COST: '4',
    // No time floor on mail requests (tests of enumeration timing set it back).
    EMAIL_REQUEST_MIN_MS: '0',
    LOG_LEVEL: 'silent',
    GATEHOUSE_ADMIN_USERNAME: TEST_ADMIN.username,
    GATEHOUSE_ADMIN_EMAIL: TEST_ADMIN.email,
    GATEHOUSE_ADMIN_PASSWORD: TEST_ADMIN.password,
    ...env,
  });
  return startGatehouse(config, createLogger(config), options.clock ? { clock: options.clock } : {});
}
