import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Integration files start sandbox hosts on their own address ranges;
    // two workers suit the 2-core machines this runs on.
    maxWorkers: 2,
  },
});
