/**
 * Runs the project's fault and variation matrix (tests/matrix/playwright.config.ts) once per
 * `playwright test` invocation, whichever of its workers asks first, and hands every asker the
 * judgement of each case. A worker replaced after a failed test asks again and gets the same run.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { readRunRecordsByTarget } from '../../lib/judgement/results';
import { requirements } from '../../lib/contract/requirements';
import { judge, type Judgement } from '../../lib/judgement/verdict';
import type { Counterexample } from '../../lib/stateful/run';
import { statefulProjectName } from '../../lib/run/run-targets';
import { counterexamplesByProject } from './counterexamples';
import { assertTaggedRuns, cleanEnv, repoRoot } from './run';

export const MATRIX_RUN_VARIABLE = 'BILLERAPI_SELF_TEST_RUN';
/** The whole matrix, every case, may take this long; a stuck one is killed and reported. */
const MATRIX_TIMEOUT_MS = 12 * 60_000;
const POLL_MS = 500;
/**
 * The stateful sequences of every case (the fuzz properties stay random): generated from one
 * seed, so that each case meets the same sequences whatever the run, and enough of them for
 * every lifecycle fault to show.
 */
const MATRIX_STATEFUL_ENV = { FC_STATEFUL_SEED: '1', FC_STATEFUL_NUM_RUNS: '25' };

export interface MatrixRun {
  /** Each case's judgement, by target key (`fault-<name>`, `variation-<name>`). */
  judgements: Record<string, Judgement>;
  /** Each case's stateful counterexamples, by target key. */
  counterexamples: Record<string, Counterexample[]>;
  /** Playwright's exit code and the tail of its output, for a failure message. */
  code: number;
  tail: string;
}

function runMatrix(reportsDir: string): Promise<{ code: number; output: string }> {
  const child = spawn(process.execPath, [join(repoRoot, 'node_modules/@playwright/test/cli.js'), 'test', '-c', 'tests/matrix/playwright.config.ts'], {
    cwd: repoRoot,
    env: cleanEnv({ BILLERAPI_ENV: 'local', BILLERAPI_REPORTS_DIR: reportsDir, ...MATRIX_STATEFUL_ENV }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d) => (output = (output + d).slice(-20_000)));
  child.stderr!.on('data', (d) => (output = (output + d).slice(-20_000)));
  const timer = setTimeout(() => child.kill('SIGKILL'), MATRIX_TIMEOUT_MS);
  return new Promise((resolve) => child.on('close', (code) => {
    clearTimeout(timer);
    resolve({ code: code ?? -1, output });
  }));
}

/** The matrix's result for this invocation: run by the first worker to ask (a lock directory), awaited by the others. */
export async function matrixRun(): Promise<MatrixRun> {
  assertTaggedRuns('the fault and variation matrix');
  const id = process.env[MATRIX_RUN_VARIABLE] ?? `${process.pid}`;
  const dir = join(tmpdir(), `billerapi-matrix-${id}`);
  const done = join(dir, 'done.json');
  let owner = false;
  try {
    mkdirSync(dir);
    owner = true;
  } catch {
    // Another worker runs it.
  }
  if (owner) {
    const reports = join(dir, 'reports');
    const { code, output } = await runMatrix(reports);
    const records = existsSync(join(reports, 'runs.json')) ? [...readRunRecordsByTarget(reports)] : [];
    const judgements = Object.fromEntries(records.map(([key, record]) => [key, judge(record, requirements)]));
    const byProject = existsSync(join(reports, 'results.json')) ? counterexamplesByProject(reports) : new Map<string, Counterexample[]>();
    const counterexamples = Object.fromEntries(records.map(([key]) => [key, byProject.get(statefulProjectName(key)) ?? []]));
    const run: MatrixRun = { judgements, counterexamples, code, tail: output.slice(-2_000) };
    // Written whole, then renamed: a waiting worker never reads half a file.
    writeFileSync(`${done}.partial`, JSON.stringify(run));
    renameSync(`${done}.partial`, done);
    return run;
  }
  const deadline = Date.now() + MATRIX_TIMEOUT_MS + 60_000;
  while (!existsSync(done)) {
    if (Date.now() > deadline) throw new Error(`the matrix run in ${dir} did not finish within ${MATRIX_TIMEOUT_MS / 60_000} minutes`);
    await sleep(POLL_MS);
  }
  return JSON.parse(readFileSync(done, 'utf8')) as MatrixRun;
}
