/** Reads Playwright's JSON report into per-test outcomes and a per-requirement verdict. */
import { readFileSync, existsSync } from 'node:fs';
import { requirementIdsIn, type RequirementId } from './requirements';

export type Outcome = 'passed' | 'failed' | 'skipped';

export interface TestOutcome {
  title: string;
  file: string;
  tags: string[];
  outcome: Outcome;
  /** Failure messages, as reported (already redacted by the harness). */
  failures: string[];
  warnings: string[];
  /** Why it was skipped, where it says. */
  skipReason?: string;
  /** Its text attachments (the harness's redacted request/response logs). */
  evidence: string[];
}

export interface RunSummary {
  tests: TestOutcome[];
  passed: number;
  failed: number;
  skipped: number;
  /** Requirements that a failure message names first (a MUST broken). */
  broken: RequirementId[];
  /** Requirements that a warning names first (a SHOULD broken). */
  warned: RequirementId[];
  /** Errors outside any test (global setup), e.g. a bad configuration. */
  runErrors: string[];
  startedAt?: string;
  durationMs?: number;
}

type Json = Record<string, any>;

const ANSI = /\u001b\[[0-9;]*m/g;

function stripAnsi(text: string): string {
  return text.replace(ANSI, '');
}

/** The requirements a message is about: the IDs that open one of its lines. */
export function leadingRequirementIds(message: string): RequirementId[] {
  const leading = stripAnsi(message)
    .split('\n')
    .map((line) => /^\s*(?:Error: )?([A-Z]+-\d{3}) /.exec(line)?.[1])
    .filter((id): id is string => id !== undefined);
  return requirementIdsIn(leading.join(' '));
}

function outcomeOf(test: Json): Outcome {
  if (test.status === 'skipped') return 'skipped';
  return test.status === 'expected' || test.status === 'flaky' ? 'passed' : 'failed';
}

function collect(suite: Json, out: TestOutcome[]): void {
  for (const spec of suite.specs ?? []) {
    for (const test of spec.tests ?? []) {
      const results: Json[] = test.results ?? [];
      out.push({
        title: spec.title,
        file: spec.file,
        tags: spec.tags ?? [],
        outcome: outcomeOf(test),
        failures: results.flatMap((r) => (r.errors ?? []).map((e: Json) => stripAnsi(String(e.message ?? '')))),
        warnings: (test.annotations ?? []).filter((a: Json) => a.type === 'warning').map((a: Json) => String(a.description)),
        skipReason: [...(test.annotations ?? []), ...results.flatMap((r) => r.annotations ?? [])].find((a: Json) => a.type === 'skip')?.description,
        evidence: results.flatMap((r) => (r.attachments ?? [])
          .filter((a: Json) => a.contentType === 'text/plain' && typeof a.body === 'string')
          .map((a: Json) => Buffer.from(a.body, 'base64').toString('utf8'))),
      });
    }
  }
  for (const child of suite.suites ?? []) collect(child, out);
}

export function summarise(report: Json): RunSummary {
  const tests: TestOutcome[] = [];
  for (const suite of report.suites ?? []) collect(suite, tests);
  const count = (o: Outcome) => tests.filter((t) => t.outcome === o).length;
  const idsIn = (texts: string[]) => [...new Set(texts.flatMap(leadingRequirementIds))].sort();
  return {
    tests,
    passed: count('passed'),
    failed: count('failed'),
    skipped: count('skipped'),
    broken: idsIn(tests.flatMap((t) => t.failures)),
    warned: idsIn(tests.flatMap((t) => t.warnings)),
    runErrors: (report.errors ?? []).map((e: Json) => stripAnsi(String(e.message ?? '')).split('\n')[0]),
    startedAt: report.stats?.startTime,
    durationMs: report.stats?.duration,
  };
}

export function readSummary(path: string): RunSummary | undefined {
  if (!existsSync(path)) return undefined;
  return summarise(JSON.parse(readFileSync(path, 'utf8')));
}

/** The CI-readable totals line. */
export function totalsLine(s: RunSummary): string {
  return `${s.passed} passed, ${s.failed} failed, ${s.skipped} skipped`;
}

export function verdictLine(s: RunSummary): string {
  const warnings = s.warned.length ? ` (warnings: ${s.warned.join(', ')})` : '';
  if (s.failed === 0) return `verdict: PASS${warnings}`;
  return `verdict: FAIL (${s.broken.length ? s.broken.join(', ') : 'no requirement named: see the report'})${warnings}`;
}
