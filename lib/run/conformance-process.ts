/**
 * The conformance command as a child process, for the commands built on it (gate, certify,
 * bench), and a Playwright run of any configuration (the receiver certification's).
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { repoRoot } from '../config/env';
import { ExitCode } from '../config/errors';
import { redact } from '../transport/redact';

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

/** Copies `stream` to `out` line by line, each line through the redactor. */
function pipeRedacted(stream: NodeJS.ReadableStream, out: NodeJS.WritableStream): Promise<void> {
  return new Promise((resolve) => {
    const lines = createInterface({ input: stream, crlfDelay: Infinity });
    lines.on('line', (line) => out.write(`${redact(line)}\n`));
    lines.on('close', resolve);
  });
}

/** `playwright test <args>` in the repository, with `env`, every line of its output redacted; resolves with its exit code. */
export async function runPlaywrightTest(args: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  const cli = join(repoRoot, 'node_modules/@playwright/test/cli.js');
  const child = spawn(process.execPath, [cli, 'test', ...args], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const piped = Promise.all([pipeRedacted(child.stdout, process.stdout), pipeRedacted(child.stderr, process.stderr)]);
  const code = await new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? ExitCode.nonConformant)));
  await piped;
  return code;
}
