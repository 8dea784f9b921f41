import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'test/**/*.test.ts',
      'integration_tests/**/*.test.ts',
      'kit/test/**/*.test.ts',
      'destination/test/**/*.test.ts',
      'destination/integration_tests/**/*.test.ts',
    ],
    setupFiles: ['test/setup/fail-on-console.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
