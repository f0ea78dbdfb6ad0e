/** Runs the conformance CLI (or the reference) as a user would, in a child process, with its own reports folder. */
import { test } from '@playwright/test';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanEnv } from '../../lib/run/conformance-process';
import { readRunResult, type RunResult } from '../../lib/judgement/results';

export { cleanEnv };

export const repoRoot = join(__dirname, '..', '..');
const tsxCli = join(repoRoot, 'node_modules/tsx/dist/cli.mjs');
const RUN_TIMEOUT_MS = 100_000;

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  reportsDir: string;
  /** The run's record and its one judgement (lib/judgement/verdict.ts), when it wrote results. */
  result: RunResult | undefined;
}


/** The tag of a test that starts a process of the suite (a script, a run, a server): `npm run test:unit` leaves such tests out. */
export const RUNS_TAG = '@runs';

/**
 * Throws unless the running test carries RUNS_TAG: every helper that starts a process calls it,
 * so that a test which starts one and is not tagged fails at once instead of slowing the unit tier.
 */
export function assertTaggedRuns(what: string): void {
  const { tags, title } = test.info();
  if (!tags.includes(RUNS_TAG)) throw new Error(`"${title}" starts ${what} but is not tagged ${RUNS_TAG}: tag it (test(title, { tag: '${RUNS_TAG}' }, …) or on its describe) so that npm run test:unit leaves it out.`);
}

export function runTsx(script: string, args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  assertTaggedRuns(script);
  return spawn(process.execPath, [tsxCli, script, ...args], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
}

export interface ProgramRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** `file args` to its end (killed after `timeout`), in `options.cwd` with `options.env`; resolves with its exit code and output, whatever the code. */
export async function runProgram(file: string, args: readonly string[], options: { cwd: string; env: NodeJS.ProcessEnv; timeout: number; maxBuffer?: number }): Promise<ProgramRun> {
  try {
    const { stdout, stderr } = await promisify(execFile)(file, args, { ...options, encoding: 'utf8' });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

export interface ScriptRun {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout and stderr, interleaved as they arrived. */
  output: string;
}

/** A script of the project run as a user would (tsx), with a clean environment plus `env`; killed after the run timeout. */
export async function runScript(script: string, args: string[], env: Record<string, string | undefined> = {}, timeoutMs = RUN_TIMEOUT_MS): Promise<ScriptRun> {
  const child = runTsx(script, args, cleanEnv(env));
  const run = { stdout: '', stderr: '', output: '' };
  child.stdout!.on('data', (d) => (run.stdout += d, run.output += d));
  child.stderr!.on('data', (d) => (run.stderr += d, run.output += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const code = await new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? -1)));
  clearTimeout(timer);
  return { code, ...run };
}

/** `npm run conformance -- <args>` with `env`; reports go to a fresh temporary folder. */
export async function runConformance(args: string[] = [], env: Record<string, string | undefined> = {}, timeoutMs = RUN_TIMEOUT_MS): Promise<CliRun> {
  const reportsDir = mkdtempSync(join(tmpdir(), 'billerapi-run-'));
  const { code, stdout, stderr } = await runScript('scripts/conformance.ts', args, { BILLERAPI_REPORTS_DIR: reportsDir, ...env }, timeoutMs);
  return { code, stdout, stderr, reportsDir, result: readRunResult(reportsDir) };
}

export interface StartedReference {
  url: string;
  /** With REFERENCE_TLS=yes: the file holding the CA of its certificate, for `--ca`. */
  caFile: string | undefined;
  stop(): Promise<void>;
}

/** `npm run reference` on a free port; resolves once it says where it listens (and, over TLS, where its CA is). */
export async function startReferenceProcess(env: Record<string, string | undefined> = {}): Promise<StartedReference> {
  const child = runTsx('reference/main.ts', [], cleanEnv({ PORT: '0', ...env }));
  const { url, caFile } = await new Promise<{ url: string; caFile: string | undefined }>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`reference did not start: ${out}`)), 15_000);
    child.stdout!.on('data', (d) => {
      out += d;
      const match = /listening on (https?:\/\/\S+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve({ url: match[1], caFile: /^reference: CA certificate in (.+) \(give it/m.exec(out)?.[1] });
      }
    });
    child.on('close', (code) => reject(new Error(`reference exited ${code}: ${out}`)));
  });
  return {
    url,
    caFile,
    stop: () => new Promise<void>((resolve) => {
      child.once('close', () => resolve());
      child.kill('SIGTERM');
    }),
  };
}

export interface PlantedRun {
  code: number;
  output: string;
  reportsDir: string;
  result: RunResult | undefined;
}

/** Runs a folder of planted tests (tests/fixtures/<folder>) under the conformance configuration, with its own reports folder. */
export async function runPlanted(folder: string, env: Record<string, string | undefined> = {}): Promise<PlantedRun> {
  assertTaggedRuns(`the planted suite tests/fixtures/${folder}`);
  const reportsDir = mkdtempSync(join(tmpdir(), `billerapi-${folder}-`));
  const child = spawn(process.execPath, [join(repoRoot, 'node_modules/@playwright/test/cli.js'), 'test', '-c', `tests/fixtures/${folder}/playwright.config.ts`], {
    cwd: repoRoot,
    env: cleanEnv({ BILLERAPI_ENV: 'local', BILLERAPI_REPORTS_DIR: reportsDir, ...env }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), RUN_TIMEOUT_MS);
  const code = await new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? -1)));
  clearTimeout(timer);
  return { code, output, reportsDir, result: readRunResult(reportsDir) };
}
