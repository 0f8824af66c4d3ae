import { postgresAdminUrl, shouldRun } from '@gatehouse/db/testing';
import { defineConfig, type ViteUserConfig } from 'vitest/config';

/** Suites that run a second time with every test server on its own PostgreSQL database. */
const ON_POSTGRES = [
  'test/runbook.test.ts',
  'test/registration-login.test.ts',
  'test/refresh-sessions.test.ts',
  'test/refresh-cookie.test.ts',
  'test/access-tokens.test.ts',
  'test/account-changes.test.ts',
  'test/account-lockout.test.ts',
  'test/admin-users.test.ts',
  'test/api-keys.test.ts',
  'test/audit-log.test.ts',
  'test/introspection.test.ts',
  'test/rate-limits.test.ts',
  'test/oauth-oidc.test.ts',
  'test/email-flows.test.ts',
  'test/device-flow.test.ts',
  'test/asymmetric-tokens.test.ts',
  'test/mfa.test.ts',
  'test/postgres-*.test.ts',
];

/** Suites that run a second time through tRPC's own standalone adapter instead of the lean path. */
const ON_STANDALONE_ADAPTER = [
  ...ON_POSTGRES.filter((file) => !file.includes('postgres-')),
  'test/http-edge.test.ts',
  'test/fuzz-procedures.test.ts',
  'test/security-regression.test.ts',
];

/**
 * Suites that assert how long something takes (each bound is explained where it is asserted).
 * They run in the `timing` project only: one file at a time, after every other project of this
 * package has finished, so they do not measure the load of the other suites.
 */
const TIMING = ['test/soak.test.ts', 'test/graceful-shutdown.test.ts', 'test/login-timing.test.ts'];

/**
 * Dependencies failing under load (docs/reliability.md): they stop and start servers of their
 * own, and bound how long answers take, so they run last (after `timing`), one file at a time.
 */
const FAULTS = ['test/faults/*.test.ts'];

export default defineConfig(async (): Promise<ViteUserConfig> => {
  const withPostgres = shouldRun('PostgreSQL', (await postgresAdminUrl()) !== null);
  return {
    test: {
      testTimeout: 20_000,
      hookTimeout: 20_000,
      projects: [
        {
          extends: true,
          test: {
            name: 'sqlite',
            include: ['test/**/*.test.ts'],
            exclude: ['test/postgres-*.test.ts', ...TIMING, ...FAULTS],
          },
        },
        {
          extends: true,
          test: {
            name: 'standalone-adapter',
            include: ON_STANDALONE_ADAPTER,
            exclude: TIMING,
            env: { GATEHOUSE_TRPC_ADAPTER: 'standalone' },
          },
        },
        ...(withPostgres
          ? [
              {
                extends: true as const,
                test: { name: 'postgres', include: ON_POSTGRES, exclude: TIMING, env: { TEST_DATABASE: 'postgres' } },
              },
            ]
          : []),
        {
          extends: true,
          test: {
            name: 'timing',
            include: TIMING,
            // Group 1 starts once group 0 (every project above) is done; one file at a time within it.
            sequence: { groupOrder: 1 },
            fileParallelism: false,
          },
        },
        {
          extends: true,
          test: {
            name: 'faults',
            include: FAULTS,
            sequence: { groupOrder: 2 },
            fileParallelism: false,
            // Each test injects a real fault into real processes on a shared 2-core machine; a
            // retry starts again from a fresh server and a fresh fault, so a real regression still
            // fails every attempt, while a one-off scheduling stall does not fail CI.
            retry: 2,
            testTimeout: 120_000,
            hookTimeout: 60_000,
          },
        },
      ],
    },
  };
});
