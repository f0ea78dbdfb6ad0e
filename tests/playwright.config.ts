/** The project's own tests: harness units, the reference, and the suite run against every fault. */
import { defineConfig } from '@playwright/test';

export default defineConfig({
  testDir: '.',
  testMatch: '*.spec.ts',
  // Planted suites, run only by the tests that plant them, through their own configs.
  testIgnore: 'fixtures/**',
  fullyParallel: true,
  forbidOnly: true,
  retries: 0,
  workers: 2,
  timeout: 120_000,
  outputDir: '../reports/self-test/test-results',
  reporter: [['list'], ['json', { outputFile: '../reports/self-test/results.json' }]],
});
