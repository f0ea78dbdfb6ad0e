/**
 * The conformance run. One project per environment (local, sandbox, production, partner);
 * BILLERAPI_ENV selects which one runs, and reports go to reports/<env>/.
 */
import { defineConfig, type Project } from '@playwright/test';
import { environmentNames, parseEnvName, reportsDir, type EnvName } from './lib/env';
import { PRODUCTION_SAFE_TAG } from './lib/requirements';

const selected = parseEnvName(process.env.BILLERAPI_ENV);
const reports = reportsDir(selected);

function project(name: EnvName): Project {
  return {
    name,
    // Against production only requirements marked production_safe run (read-only requests).
    grep: name === 'production' ? new RegExp(PRODUCTION_SAFE_TAG) : undefined,
    metadata: { environment: name },
  };
}

export default defineConfig({
  testDir: './suites',
  globalSetup: './lib/global-setup.ts',
  fullyParallel: true,
  forbidOnly: true,
  // A conformance verdict must not depend on luck: no retries.
  retries: 0,
  workers: 2,
  timeout: 30_000,
  outputDir: `${reports}/test-results`,
  reporter: [
    ['list'],
    ['html', { outputFolder: `${reports}/html`, open: 'never' }],
    ['junit', { outputFile: `${reports}/junit.xml` }],
    ['json', { outputFile: `${reports}/results.json` }],
  ],
  use: {
    // API traces would record request headers, credentials included.
    trace: 'off',
  },
  projects: environmentNames.filter((name) => name === selected).map(project),
});
