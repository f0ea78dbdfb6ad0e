/** The project's own tests: harness units, the reference, and the suite run against every fault. */
import { defineConfig } from '@playwright/test';
import { MATRIX_RUN_VARIABLE } from './support/matrix';

// One id per `playwright test` invocation, inherited by its workers: they share one matrix run.
process.env[MATRIX_RUN_VARIABLE] ||= `${process.pid}-${Date.now()}`;

export default defineConfig({
  testDir: '.',
  testMatch: '*.spec.ts',
  // Planted suites, run only by the tests that plant them, through their own configs.
  testIgnore: ['fixtures/**', 'matrix/**'],
  fullyParallel: true,
  forbidOnly: true,
  retries: 0,
  // One worker mostly waits on the matrix run (tests/matrix.spec.ts): a third keeps both cores busy.
  workers: 3,
  timeout: 120_000,
  outputDir: '../reports/self-test/test-results',
  reporter: [['list'], ['json', { outputFile: '../reports/self-test/results.json' }]],
});
