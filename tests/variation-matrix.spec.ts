/**
 * The other half of the proof (reference/variations.ts): an implementation that keeps the
 * contract but chooses differently from our reference stays green. The whole suite with every
 * variation on, and each variation alone on the requirements it touches. The fault matrix
 * (tests/fault-matrix.spec.ts) runs with every variation on, so no fault hides behind one.
 */
import { test, expect } from '@playwright/test';
import { variationNames, variationOf } from '../reference/variations';
import { runConformance } from './support/run';

test('every variation together: the whole suite is green, nothing skipped (exit 0)', async () => {
  const run = await runConformance(['--variations', 'all']);
  expect(run.code, run.stdout + run.stderr).toBe(0);
  expect(run.result?.judgement.verdict).toBe('PASS');
  expect(run.result?.judgement.warned).toEqual([]);
  expect(run.result?.judgement.totals.skipped).toBe(0);
  expect(run.result?.record.meta?.variations).toEqual(variationNames);
});

for (const name of variationNames) {
  const { touches, allowedBy } = variationOf(name);
  test(`variation ${name} (${allowedBy}) alone keeps ${touches.join(', ')} green`, async () => {
    const run = await runConformance(['--variations', name, '--grep', touches.map((id) => `@${id}`).join('|')]);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.result?.judgement.verdict).toBe('PASS');
    expect(run.result?.judgement.warned).toEqual([]);
  });
}
