/**
 * The suite's strength: against the reference with each fault switched on, the conformance
 * run goes red and names the requirement the fault breaks; with no fault it is green.
 */
import { test, expect } from '@playwright/test';
import { faultNames, faults } from '../reference/faults';
import { requirement } from '../lib/requirements';
import { runConformance } from './support/run';

test('the clean reference passes every test, none skipped (exit 0)', async () => {
  const run = await runConformance();
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  expect(run.summary?.failed).toBe(0);
  expect(run.summary?.skipped).toBe(0);
  expect(run.summary?.passed).toBeGreaterThan(50);
  expect(run.summary?.warned).toEqual([]);
  expect(run.stdout).toMatch(/^\d+ passed, 0 failed, 0 skipped$/m);
  expect(run.stdout).toContain('verdict: PASS');
});

/**
 * Playwright replaces a worker after every failed test, so a fault that breaks every error
 * response (ERR-*) costs a worker start per test: stopping after a few failures keeps each
 * run to seconds, and the first failures already name the broken requirement.
 */
const MAX_FAILURES = 12;

for (const name of faultNames) {
  const { breaks } = faults[name];
  const warnsOnly = breaks.every((id) => requirement(id).level === 'SHOULD');
  test(`fault ${name} is caught by ${breaks.join(', ')}`, async () => {
    const run = await runConformance(['--faults', name, '--', `--max-failures=${MAX_FAILURES}`]);
    if (warnsOnly) {
      // A broken SHOULD warns: the verdict stays PASS and names the warning.
      expect(run.code).toBe(0);
      expect(run.summary?.warned).toEqual(expect.arrayContaining([...breaks]));
      expect(run.stdout).toContain(`warnings: `);
    } else {
      expect(run.code).toBe(1);
      expect(run.summary?.broken).toEqual(expect.arrayContaining([...breaks]));
      expect(run.stdout).toMatch(new RegExp(`verdict: FAIL \\(.*${breaks[0]}.*\\)`));
    }
  });
}
