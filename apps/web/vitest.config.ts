import { defineConfig } from 'vitest/config';

// Browser tests: each file starts the real server and a headless Chromium against the built app.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Two cores: one Chromium at a time keeps the timings steady.
    fileParallelism: false,
  },
});
