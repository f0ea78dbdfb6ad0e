/**
 * The conformance run. One project per environment (local, sandbox, production, partner);
 * BILLERAPI_ENV selects which one runs, and reports go to reports/<env>/.
 */
import { defineConfig, type Project } from '@playwright/test';
import { environmentNames, parseEnvName, reportsDir, type EnvName } from './lib/env';
import { PRODUCTION_SAFE_TAG } from './lib/requirements';

const selected = parseEnvName(process.env.BILLERAPI_ENV);
const reports = reportsDir(selected);

const RATE_LIMIT_SUITE = 'rate-limits.spec.ts';

/**
 * Two projects per environment: the rate-limit suite first, so that its probes start at once
 * and their windows overlap the functional suites, which run beside it in the other workers.
 */
function projects(name: EnvName): Project[] {
  // Against production only requirements marked production_safe run (read-only requests).
  const grep = name === 'production' ? new RegExp(PRODUCTION_SAFE_TAG) : undefined;
  const metadata = { environment: name };
  return [
    { name: `${name}-rate-limits`, testMatch: RATE_LIMIT_SUITE, grep, metadata },
    { name, testIgnore: RATE_LIMIT_SUITE, grep, metadata },
  ];
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
  projects: environmentNames.filter((name) => name === selected).flatMap(projects),
});
