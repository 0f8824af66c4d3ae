import { defineConfig } from 'vitest/config';

// Generous: the PostgreSQL suites start scratch databases, slow on a busy machine.
export default defineConfig({ test: { include: ['test/**/*.test.ts'], testTimeout: 20_000, hookTimeout: 20_000 } });
