/** Run records as the fixtures would have written them, for tests of the verdict and of every page built on it. */
import { emptyTally, type Outcome, type RunMeta, type RunRecord, type TestRecord } from '../../lib/judgement/outcomes';
import type { RequirementId } from '../../lib/contract/requirements';

export const pass = (requirement: RequirementId): Outcome => ({ result: 'pass', requirement, message: 'no check of the test found a violation' });
export const fail = (requirement: RequirementId, expected = 'status 401', received = '200 OK'): Outcome =>
  ({ result: 'fail', requirement, message: `${requirement} statement [MUST]\n  Expected: ${expected}\n  Received: ${received}`, expected, received });
export const warn = (requirement: RequirementId): Outcome => ({ result: 'warn', requirement, message: `${requirement} statement [SHOULD]`, expected: 'X', received: 'Y' });
export const skip = (requirement: RequirementId, message = 'needs a second client'): Outcome => ({ result: 'skip', requirement, message });
export const harness = (kind: 'unplanned-429' | 'refused-write' | 'no-judgement', message = `Harness: ${kind}`): Outcome => ({ result: 'error', harness: kind, message });

/** A test citing `cites`, ended with `status`, that recorded `outcomes`. */
export function testRecord(title: string, cites: RequirementId[], status: TestRecord['status'], outcomes: Outcome[], extra: Partial<TestRecord> = {}): TestRecord {
  return { title, file: 'x.spec.ts', cites, status, outcomes, answers: emptyTally(), evidence: [], ...extra };
}

export const runMeta = (extra: Partial<RunMeta> = {}): RunMeta => ({
  environment: 'partner',
  baseUrl: 'https://partner.example',
  embeddedReference: false,
  profile: 'conformance',
  readOnly: false,
  faults: [],
  variations: [],
  startedAt: '2026-11-29T04:00:00.000Z',
  ...extra,
});

export function runRecord(tests: TestRecord[], meta: Partial<RunMeta> = {}, runErrors: string[] = []): RunRecord {
  return { meta: runMeta(meta), tests, runErrors, startedAt: '2026-11-29T04:00:00.000Z', durationMs: 61_000 };
}
