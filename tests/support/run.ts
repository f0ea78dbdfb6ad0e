/** Runs the conformance CLI (or the reference) as a user would, in a child process, with its own reports folder. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readSummary, type RunSummary } from '../../lib/results';

export const repoRoot = join(__dirname, '..', '..');
const tsxCli = join(repoRoot, 'node_modules/tsx/dist/cli.mjs');
const RUN_TIMEOUT_MS = 100_000;

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  reportsDir: string;
  summary: RunSummary | undefined;
}

/** The parent's environment without Playwright's own worker variables or any BillerAPI setting. */
export function cleanEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(PW_|PLAYWRIGHT_|TEST_|BILLERAPI_|REFERENCE_|FORCE_COLOR)/.test(key)) continue;
    env[key] = value;
  }
  for (const [key, value] of Object.entries(extra)) if (value !== undefined) env[key] = value;
  return env;
}

export function runTsx(script: string, args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  return spawn(process.execPath, [tsxCli, script, ...args], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** `npm run conformance -- <args>` with `env`; reports go to a fresh temporary folder. */
export async function runConformance(args: string[] = [], env: Record<string, string | undefined> = {}): Promise<CliRun> {
  const reportsDir = mkdtempSync(join(tmpdir(), 'billerapi-run-'));
  const child = runTsx('scripts/conformance.ts', args, cleanEnv({ BILLERAPI_REPORTS_DIR: reportsDir, ...env }));
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), RUN_TIMEOUT_MS);
  const code = await new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? -1)));
  clearTimeout(timer);
  return { code, stdout, stderr, reportsDir, summary: readSummary(join(reportsDir, 'results.json')) };
}

export interface StartedReference {
  url: string;
  stop(): Promise<void>;
}

/** `npm run reference` on a free port; resolves once it says where it listens. */
export async function startReferenceProcess(env: Record<string, string | undefined> = {}): Promise<StartedReference> {
  const child = runTsx('reference/main.ts', [], cleanEnv({ PORT: '0', ...env }));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`reference did not start: ${out}`)), 15_000);
    child.stdout!.on('data', (d) => {
      out += d;
      const match = /listening on (http:\/\/\S+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.on('close', (code) => reject(new Error(`reference exited ${code}: ${out}`)));
  });
  return {
    url,
    stop: () => new Promise<void>((resolve) => {
      child.once('close', () => resolve());
      child.kill('SIGTERM');
    }),
  };
}
