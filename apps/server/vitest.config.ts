import { postgresAdminUrl, shouldRun } from '@gatehouse/db/testing';
import { defineConfig } from 'vitest/config';

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
  'test/asymmetric-tokens.test.ts',
  'test/postgres-*.test.ts',
];

/** Suites that run a second time through tRPC's own standalone adapter instead of the lean path. */
const ON_STANDALONE_ADAPTER = [
  ...ON_POSTGRES.filter((file) => !file.includes('postgres-')),
  'test/http-edge.test.ts',
  'test/fuzz-procedures.test.ts',
  'test/security-regression.test.ts',
];

export default defineConfig(async () => {
  const withPostgres = shouldRun('PostgreSQL', (await postgresAdminUrl()) !== null);
  return {
    test: {
      testTimeout: 20_000,
      hookTimeout: 20_000,
      projects: [
        {
          extends: true,
          test: { name: 'sqlite', include: ['test/**/*.test.ts'], exclude: ['test/postgres-*.test.ts'] },
        },
        {
          extends: true,
          test: {
            name: 'standalone-adapter',
            include: ON_STANDALONE_ADAPTER,
            env: { GATEHOUSE_TRPC_ADAPTER: 'standalone' },
          },
        },
        ...(withPostgres
          ? [{ extends: true, test: { name: 'postgres', include: ON_POSTGRES, env: { TEST_DATABASE: 'postgres' } } }]
          : []),
      ],
    },
  };
});
