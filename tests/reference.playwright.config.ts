/** Unit-level tests of the reference sandbox server itself (not the conformance run). */
import { defineConfig } from '@playwright/test';

export default defineConfig({
  testDir: '.',
  testMatch: 'reference.spec.ts',
  reporter: 'list',
  forbidOnly: true,
  retries: 0,
  timeout: 10_000,
  use: { trace: 'off' },
});
