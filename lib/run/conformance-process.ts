/** The conformance command as a child process, for the commands built on it (gate, certify, bench). */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '../config/env';
import { ExitCode } from '../config/errors';

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

export interface ConformanceProcessOptions {
  env?: NodeJS.ProcessEnv;
  /** Drop its output instead of passing it through (it is redacted either way). */
  quiet?: boolean;
  /** Killed after this long; no limit when absent. */
  timeoutMs?: number;
}

/** Runs `scripts/conformance.ts` with `args`; resolves with its exit code. */
export function runConformanceProcess(args: readonly string[], options: ConformanceProcessOptions = {}): Promise<number> {
  const tsx = join(repoRoot, 'node_modules/tsx/dist/cli.mjs');
  const child = spawn(process.execPath, [tsx, 'scripts/conformance.ts', ...args], {
    cwd: repoRoot,
    env: options.env ?? process.env,
    stdio: options.quiet ? 'ignore' : 'inherit',
  });
  const timer = options.timeoutMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
  return new Promise((done) => child.on('close', (code) => {
    clearTimeout(timer);
    done(code ?? ExitCode.nonConformant);
  }));
}
