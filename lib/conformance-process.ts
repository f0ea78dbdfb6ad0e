/** The conformance command as a child process, for the commands built on it (gate, certify, bench). */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from './env';
import { ExitCode } from './errors';

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
