/**
 * Reads a run back: Playwright's JSON report (each test's status, cited tags and the outcome
 * attachment its recorder wrote) and the run's own metadata (run.json, written by the global
 * setup), as one RunRecord for the verdict module. Reads data only: never a message's text.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { emptyTally, OUTCOMES_ATTACHMENT, plainFirstLine, type Outcome, type RecordedTest, type RunMeta, type RunRecord, type TestRecord, type TestStatus } from './outcomes';
import { requirementIdsIn, requirements } from '../contract/requirements';
import { targetKeyOf } from '../run/run-targets';
import { judge, type Judgement, type JudgeOptions } from './verdict';

export const RESULTS_FILE = 'results.json';
export const RUN_META_FILE = 'run.json';
/** A run of several targets (the project's matrix): each target's metadata, by key. */
export const RUN_METAS_FILE = 'runs.json';

type Json = Record<string, any>;


function decoded(attachment: Json): string | undefined {
  return typeof attachment.body === 'string' ? Buffer.from(attachment.body, 'base64').toString('utf8') : undefined;
}

/** A test's outcomes; a test that never ran its fixtures (skipped before, or a crashed worker) gets them from its status. */
function outcomesOf(status: TestStatus, cites: TestRecord['cites'], results: Json[], annotations: Json[]): RecordedTest {
  const attachment = results.flatMap((r) => r.attachments ?? []).find((a: Json) => a.name === OUTCOMES_ATTACHMENT);
  const text = attachment && decoded(attachment);
  if (text) return JSON.parse(text) as RecordedTest;
  if (status === 'skipped') {
    const reason = annotations.find((a) => a.type === 'skip')?.description ?? 'skipped';
    return { outcomes: cites.map((requirement): Outcome => ({ result: 'skip', requirement, message: reason })), answers: emptyTally() };
  }
  const cause = results.flatMap((r) => r.errors ?? []).map((e: Json) => plainFirstLine(e.message))[0] ?? `the test ended ${status}`;
  if (status === 'passed') return { outcomes: [], answers: emptyTally() };
  return { outcomes: [{ result: 'error', harness: 'no-judgement', message: `The test recorded no outcome: ${cause}` }], answers: emptyTally() };
}

function statusOf(test: Json): TestStatus {
  const last: Json | undefined = (test.results ?? []).at(-1);
  if (test.status === 'skipped') return 'skipped';
  return (last?.status as TestStatus | undefined) ?? (test.status === 'expected' ? 'passed' : 'failed');
}

function collect(suite: Json, out: TestRecord[]): void {
  for (const spec of suite.specs ?? []) {
    for (const test of spec.tests ?? []) {
      const results: Json[] = test.results ?? [];
      const status = statusOf(test);
      const cites = requirementIdsIn((spec.tags ?? []).join(' '));
      const annotations: Json[] = [...(test.annotations ?? []), ...results.flatMap((r) => r.annotations ?? [])];
      const { outcomes, answers } = outcomesOf(status, cites, results, annotations);
      out.push({
        title: spec.title,
        file: spec.file,
        project: test.projectName,
        cites,
        status,
        outcomes,
        answers,
        evidence: results.flatMap((r) => (r.attachments ?? [])
          .filter((a: Json) => a.contentType === 'text/plain')
          .flatMap((a: Json) => decoded(a) ?? [])),
      });
    }
  }
  for (const child of suite.suites ?? []) collect(child, out);
}

export function runRecordFromReport(report: Json, meta: RunMeta | undefined): RunRecord {
  const tests: TestRecord[] = [];
  for (const suite of report.suites ?? []) collect(suite, tests);
  return {
    meta,
    tests,
    runErrors: (report.errors ?? []).map((e: Json) => plainFirstLine(e.message)),
    startedAt: report.stats?.startTime,
    durationMs: report.stats?.duration,
  };
}

/**
 * A run of several targets (the project's matrix), as one record per target: the tests of the
 * projects aimed at it (their `metadata.target`), with that target's metadata from runs.json.
 */
export function readRunRecordsByTarget(reportsDir: string): Map<string, RunRecord> {
  const report = JSON.parse(readFileSync(join(reportsDir, RESULTS_FILE), 'utf8')) as Json;
  const metas = JSON.parse(readFileSync(join(reportsDir, RUN_METAS_FILE), 'utf8')) as Record<string, RunMeta>;
  const whole = runRecordFromReport(report, undefined);
  const keyOfProject = new Map<string, string>((report.config?.projects ?? []).map((p: Json) => [p.name, targetKeyOf(p)]));
  return new Map(Object.entries(metas).map(([key, meta]) => [key, {
    ...whole,
    meta,
    tests: whole.tests.filter((t) => keyOfProject.get(t.project ?? '') === key),
  }]));
}

export function writeRunMeta(reportsDir: string, meta: RunMeta): void {
  mkdirSync(reportsDir, { recursive: true });
  writeFileSync(join(reportsDir, RUN_META_FILE), `${JSON.stringify(meta, null, 2)}\n`);
}

export function writeRunMetas(reportsDir: string, metas: Record<string, RunMeta>): void {
  writeFileSync(join(reportsDir, RUN_METAS_FILE), `${JSON.stringify(metas, null, 2)}\n`);
}

export function readRunMeta(reportsDir: string): RunMeta | undefined {
  const path = join(reportsDir, RUN_META_FILE);
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as RunMeta) : undefined;
}

/** The run recorded in a reports folder (results.json and run.json), or undefined when it wrote no results. */
export function readRunRecord(reportsDir: string, resultsFile = RESULTS_FILE): RunRecord | undefined {
  const path = join(reportsDir, resultsFile);
  if (!existsSync(path)) return undefined;
  return runRecordFromReport(JSON.parse(readFileSync(path, 'utf8')), readRunMeta(reportsDir));
}

export interface RunResult {
  record: RunRecord;
  judgement: Judgement;
}

/** A reports folder's run and its one judgement. */
export function readRunResult(reportsDir: string, options: JudgeOptions = {}): RunResult | undefined {
  const record = readRunRecord(reportsDir);
  return record && { record, judgement: judge(record, requirements, options) };
}
