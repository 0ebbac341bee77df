import { defineConfig } from 'vitest/config';

// Browser tests against the real server and sandbox: one file at a time (each starts servers).
export default defineConfig({
  test: {
    include: ['e2e/**/*.e2e.ts'],
    environment: 'node',
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 90_000,
    reporters: ['default'],
  },
});
