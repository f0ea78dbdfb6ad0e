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
  expect(run.result?.judgement.totals.failed).toBe(0);
  expect(run.result?.judgement.totals.skipped).toBe(0);
  expect(run.result?.judgement.totals.passed).toBeGreaterThan(50);
  expect(run.result?.judgement.warned).toEqual([]);
  expect(run.stdout).toMatch(/^\d+ passed, 0 failed, 0 skipped$/m);
  expect(run.stdout).toContain('verdict: PASS');
});

/**
 * Each faulted run selects the tests citing the requirements the fault breaks (`--grep`, as a
 * reproduction command does): the clean run above proves the whole suite green, and this
 * proves the named requirement's own tests go red. A fault that also trips other tests (a
 * shared limit makes functional tests meet 429s) cannot hide its requirement's verdict this way.
 * Every variation is on (reference/variations.ts): a fault must not hide behind a legitimate choice.
 */
for (const name of faultNames) {
  const { breaks } = faults[name];
  const warnsOnly = breaks.every((id) => requirement(id).level === 'SHOULD');
  test(`fault ${name} is caught by ${breaks.join(', ')}`, async () => {
    const run = await runConformance(['--faults', name, '--variations', 'all', '--grep', breaks.map((id) => `@${id}`).join('|')]);
    if (warnsOnly) {
      // A broken SHOULD warns: the verdict stays PASS and names the warning.
      expect(run.code).toBe(0);
      expect(run.result?.judgement.warned).toEqual(expect.arrayContaining([...breaks]));
      expect(run.stdout).toContain(`warnings: `);
    } else {
      expect(run.code).toBe(1);
      expect(run.result?.judgement.failed).toEqual(expect.arrayContaining([...breaks]));
      expect(run.stdout).toMatch(new RegExp(`verdict: FAIL \\(.*${breaks[0]}.*\\)`));
    }
  });
}
