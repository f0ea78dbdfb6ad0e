/**
 * Both halves of the proof, case by case, from one run of the matrix (tests/matrix/: one
 * Playwright run of the conformance suites, an embedded reference per case, each case selecting
 * the tests of its requirements, as a reproduction command does):
 * - every fault of reference/faults.ts, with every variation on (a fault must not hide behind a
 *   legitimate choice), fails the requirements it breaks (a SHOULD warns);
 * - every variation of reference/variations.ts, alone, keeps the requirements it touches green;
 * - every lifecycle fault's failure is shrunk by the stateful sequences to a few steps.
 * A fault that also trips other tests (a shared limit makes functional tests meet 429s) cannot
 * hide its requirement's verdict this way; tests/whole-runs.spec.ts proves the whole suite green.
 */
import { test, expect } from '@playwright/test';
import { faultNames, faults } from '../reference/faults';
import { requirement, type RequirementId } from '../lib/contract/requirements';
import { variationNames, variationOf } from '../reference/variations';
import { STATEFUL_REQUIREMENTS } from '../lib/stateful/run';
import { matrixRun, type MatrixRun } from './support/matrix';
import { matrixKey, type MatrixCase } from './support/matrix-cases';

/** A lifecycle fault's shortest failing sequence: a person reads it at a glance. */
const MAX_SHRUNK_STEPS = 4;

// One worker reads them all, in order: the others stay free while the matrix runs.
test.describe.configure({ mode: 'default', timeout: 15 * 60_000 });

function judgementOf(matrix: MatrixRun, kind: MatrixCase['kind'], name: string) {
  const judgement = matrix.judgements[matrixKey(kind, name)];
  expect(judgement, `no result for ${kind} ${name}; the matrix run exited ${matrix.code}:\n${matrix.tail}`).toBeDefined();
  return judgement;
}

for (const name of faultNames) {
  const { breaks } = faults[name];
  const warnsOnly = breaks.every((id) => requirement(id).level === 'SHOULD');
  test(`fault ${name} is caught by ${breaks.join(', ')} (every variation on)`, { tag: '@runs' }, async () => {
    const judgement = judgementOf(await matrixRun(), 'fault', name);
    if (warnsOnly) {
      // A broken SHOULD warns: the verdict stays PASS and names the warning.
      expect(judgement.verdict).toBe('PASS');
      expect(judgement.warned).toEqual(expect.arrayContaining([...breaks]));
    } else {
      expect(judgement.verdict, JSON.stringify(judgement.harnessErrors)).toBe('FAIL');
      expect(judgement.failed).toEqual(expect.arrayContaining([...breaks]));
    }
  });
  const lifecycle: RequirementId[] = breaks.filter((id) => STATEFUL_REQUIREMENTS.includes(id));
  if (lifecycle.length === 0) continue;
  test(`fault ${name}: the stateful sequences shrink its failure of ${lifecycle.join(', ')} to at most ${MAX_SHRUNK_STEPS} steps`, { tag: '@runs' }, async () => {
    const matrix = await matrixRun();
    const own = (matrix.counterexamples[matrixKey('fault', name)] ?? []).filter((c) => lifecycle.includes(c.requirement));
    expect(own.map((c) => c.requirement), `no counterexample; the matrix run exited ${matrix.code}:\n${matrix.tail}`).toEqual(expect.arrayContaining(lifecycle));
    for (const c of own) expect(c.steps, JSON.stringify(c)).toBeLessThanOrEqual(MAX_SHRUNK_STEPS);
  });
}

for (const name of variationNames) {
  const { touches, allowedBy } = variationOf(name);
  test(`variation ${name} (${allowedBy}) alone keeps ${touches.join(', ')} green`, { tag: '@runs' }, async () => {
    const judgement = judgementOf(await matrixRun(), 'variation', name);
    expect({ verdict: judgement.verdict, failed: judgement.failed, notJudged: judgement.notJudged, errors: judgement.harnessErrors.map((e) => e.message) })
      .toEqual({ verdict: 'PASS', failed: [], notJudged: [], errors: [] });
    expect(judgement.warned).toEqual([]);
  });
}
