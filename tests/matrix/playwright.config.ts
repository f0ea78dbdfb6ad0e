/**
 * The project's fault and variation matrix, as ONE Playwright run of the conformance suites:
 * a pair of projects per case, each against its own embedded reference (lib/run/run-targets.ts),
 * selecting the tests of the requirements the case is about. A fault runs with every variation
 * on (a fault must not hide behind a legitimate choice) and must fail what it breaks; a
 * variation runs alone and must keep what it touches green. Run it with an absolute
 * BILLERAPI_REPORTS_DIR (tests/support/matrix.ts does); it writes results.json and runs.json there.
 */
import { join } from 'node:path';
import { defineConfig } from '@playwright/test';
import conformance, { conformanceProjects } from '../../playwright.config';
import type { RequirementId } from '../../lib/contract/requirements';
import { faultNames, faults } from '../../reference/faults';
import { variationNames, variationOf } from '../../reference/variations';
import { matrixCases } from '../support/matrix-cases';

const reports = process.env.BILLERAPI_REPORTS_DIR ?? join(__dirname, '..', '..', 'reports', 'matrix');

const grepOf = (ids: readonly RequirementId[]) => new RegExp(ids.map((id) => `@${id}`).join('|'));

export default defineConfig({
  ...conformance,
  globalSetup: join(__dirname, '..', '..', 'lib', 'run', 'global-setup.ts'),
  outputDir: join(reports, 'test-results'),
  reporter: [['json', { outputFile: join(reports, 'results.json') }]],
  // Most of a case's time is waiting (rate windows, frames, deliveries): more workers than cores overlap it.
  workers: 4,
  projects: matrixCases(faultNames.map((name) => [name, faults[name].breaks]), variationNames.map((name) => [name, variationOf(name).touches]), variationNames)
    .flatMap((c) => conformanceProjects('local', { target: c.target, grep: grepOf(c.requirements) })),
});
