import { defineConfig } from 'vitest/config';

// Generous: the OpenAPI validator compiles its schema on first use, which is slow on a busy machine.
export default defineConfig({ test: { include: ['test/**/*.test.ts'], testTimeout: 20_000 } });
