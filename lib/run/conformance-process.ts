/**
 * The conformance command as a child process, for the commands built on it (gate, certify,
 * bench), and a Playwright run of any configuration (the receiver certification's).
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { isInstalledPackage, repoRoot, userRoot } from '../config/env';
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

/** tsx's command line, wherever npm put it: the clone's node_modules, or beside the installed package. */
export const tsxCli = require.resolve('tsx/cli');

/** The conformance run's Playwright configuration, relative to `repoRoot`. */
export const CONFORMANCE_CONFIG = 'playwright.config.ts';

/**
 * Node's options for a Playwright run of the installed package. Playwright compiles no TypeScript
 * under node_modules, so tsx does; its source maps go to Playwright (playwright-source-maps.ts) so
 * that test locations and error snippets point into the sources. The clone needs neither.
 */
function playwrightNodeOptions(): string[] {
  if (!isInstalledPackage()) return [];
  return ['--import', pathToFileURL(require.resolve('tsx')).href, '--import', pathToFileURL(join(__dirname, 'playwright-source-maps.ts')).href];
}

/**
 * Runs `scripts/conformance.ts` with `args` in `userRoot()` (so that its reports and `.env.<env>`
 * are the same as this process's); resolves with its exit code.
 */
export function runConformanceProcess(args: readonly string[], options: ConformanceProcessOptions = {}): Promise<number> {
  const child = spawn(process.execPath, [tsxCli, join(repoRoot, 'scripts/conformance.ts'), ...args], {
    cwd: userRoot(),
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

/**
 * `playwright test -c <config> <args>` (`config` relative to `repoRoot`) in `userRoot()`, with
 * `env`, every line of its output redacted; resolves with its exit code.
 */
export async function runPlaywrightTest(config: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  const cli = require.resolve('@playwright/test/cli');
  const child = spawn(process.execPath, [...playwrightNodeOptions(), cli, 'test', '-c', join(repoRoot, config), ...args], { cwd: userRoot(), env, stdio: ['ignore', 'pipe', 'pipe'] });
  const piped = Promise.all([pipeRedacted(child.stdout, process.stdout), pipeRedacted(child.stderr, process.stderr)]);
  const code = await new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? ExitCode.nonConformant)));
  await piped;
  return code;
}
