/**
 * The two whole-suite runs, made as a user makes them (the conformance command): the clean
 * reference green, nothing skipped; and the reference with every variation of
 * reference/variations.ts on, green too. tests/matrix.spec.ts proves each fault and each
 * variation on its own.
 */
import { test, expect } from '@playwright/test';
import { variationNames } from '../reference/variations';
import { runConformance } from './support/run';

test('the clean reference passes every test, none skipped (exit 0)', { tag: '@runs' }, async () => {
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

test('every variation together: the whole suite is green, nothing skipped (exit 0)', { tag: '@runs' }, async () => {
  const run = await runConformance(['--variations', 'all']);
  expect(run.code, run.stdout + run.stderr).toBe(0);
  expect(run.result?.judgement.verdict).toBe('PASS');
  expect(run.result?.judgement.warned).toEqual([]);
  expect(run.result?.judgement.totals.skipped).toBe(0);
  expect(run.result?.record.meta?.variations).toEqual(variationNames);
});
