/**
 * The conformance run. One project per environment (local, sandbox, production, partner);
 * BILLERAPI_ENV selects which one runs, and reports go to reports/<env>/ (lib/config/env.ts, reportsPath).
 */
import { join } from 'node:path';
import { defineConfig, type Project } from '@playwright/test';
import { environmentNames, parseEnvName, reportsPath, SHARD_VARIABLE, type EnvName } from './lib/config/env';
import { chromiumLaunchOptions } from './lib/connect/browser';
import { isReadOnly } from './lib/config/profile';
import { PRODUCTION_SAFE_TAG } from './lib/contract/requirements';
import { statefulProjectName, type TargetSwitches } from './lib/run/run-targets';

const selected = parseEnvName(process.env.BILLERAPI_ENV);
// Absolute: the installed package's reports go to the working directory, not beside this file.
const reports = reportsPath(selected);
const shard = process.env[SHARD_VARIABLE];

/**
 * The suites that spend Authentication quota (5 a minute per IP), in the order they must spend
 * it: the browser Connect flow's exchange first, then the rate-limit probes, which need every
 * other exchange of the run behind them. One worker runs them, in file order.
 */
const QUOTA_SUITES = ['connect.spec.ts', 'rate-limits.spec.ts'];
/**
 * The stateful sequences: the run's longest test, paced by budgets of their own clients. A
 * project of its own, listed before the functional suites, so that it starts with the run.
 */
const STATEFUL_SUITE = 'stateful.spec.ts';
/** The webhook receiver certification judges a partner's receiver, not the API: its own run (suites/receiver/playwright.config.ts). */
const RECEIVER_SUITE = 'receiver/**';

/**
 * Three projects per target: the quota suites first, so that the probes start within seconds and
 * their windows overlap the functional suites, which run beside them; the stateful sequences
 * beside both. The
 * run's own target by default; the project's matrix (tests/matrix/) makes one pair per case, each
 * with its own embedded reference (`target`, lib/run/run-targets.ts) and its own `grep`.
 */
export function conformanceProjects(name: EnvName, matrixCase?: { target: TargetSwitches; grep: RegExp }): Project[] {
  // Read-only runs (production, the gate profile) run only requirements marked production_safe.
  const grep = matrixCase?.grep ?? (isReadOnly(name) ? new RegExp(PRODUCTION_SAFE_TAG) : undefined);
  const metadata = { environment: name, ...(matrixCase ? { target: matrixCase.target } : {}) };
  const project = matrixCase?.target.key ?? name;
  return [
    { name: `${project}-quota`, testMatch: QUOTA_SUITES, workers: 1, fullyParallel: false, grep, metadata, use: { launchOptions: chromiumLaunchOptions() } },
    { name: statefulProjectName(project), testMatch: STATEFUL_SUITE, grep, metadata },
    { name: project, testIgnore: [...QUOTA_SUITES, STATEFUL_SUITE, RECEIVER_SUITE], grep, metadata },
  ];
}

export default defineConfig({
  testDir: join(__dirname, 'suites'),
  globalSetup: './lib/run/global-setup.ts',
  fullyParallel: true,
  forbidOnly: true,
  // A conformance verdict must not depend on luck: no retries.
  retries: 0,
  // Three: the quota suites, the stateful sequences and the functional suites mostly wait on pacing and the network, not on the CPU.
  workers: 3,
  timeout: 30_000,
  outputDir: `${reports}/test-results`,
  reporter: [
    ['list'],
    ['html', { outputFolder: `${reports}/html`, open: 'never' }],
    ['junit', { outputFile: `${reports}/junit.xml` }],
    ['json', { outputFile: `${reports}/results.json` }],
    // A shard also leaves a blob, for `npx playwright merge-reports` across the shards.
    ...(shard ? [['blob', { outputDir: `${reports}/blob`, fileName: `report-${shard.replace('/', '-of-')}.zip` }] as ['blob', object]] : []),
  ],
  use: {
    // API traces would record request headers, credentials included.
    trace: 'off',
  },
  projects: environmentNames.filter((name) => name === selected).flatMap((name) => conformanceProjects(name)),
});
