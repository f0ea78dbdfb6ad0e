/**
 * `npm run conformance -- [--env local|sandbox|production|partner] [--base-url URL]
 *   [--faults a,b] [--variations a,b|all] [--window SECONDS] [--grep PATTERN] [-- <playwright args>]`
 *
 * Checks the configuration and the target, runs the Playwright suites with every line of
 * their output redacted, and ends with the totals and a verdict.
 * Exit codes (lib/config/errors.ts, judged by lib/judgement/verdict.ts): 0 PASS, 1 FAIL (a MUST broken), 2 bad
 * configuration, unreachable target or a target that is not the API, 3 INCOMPLETE (a MUST in
 * scope not judged), 4 ERROR (the suite itself erred).
 */
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { ALLOW_INSECURE_HTTP_VARIABLE, CA_FILE_VARIABLE, environmentSecrets, loadEnvironment, reportsDir, repoRoot, SHARD_VARIABLE, type Environment } from '../lib/config/env';
import { ConfigError, ExitCode } from '../lib/config/errors';
import { assertConfiguration, assertReachable } from '../lib/config/guard';
import { redact, redactor } from '../lib/transport/redact';
import { writeLandingPage } from '../lib/reports/landing-page';
import { readRunResult, RESULTS_FILE, RUN_META_FILE } from '../lib/judgement/results';
import { totalsLine, verdictLine, type Judgement } from '../lib/judgement/verdict';
import { parseFaultList, parseVariationList, parseWindowSeconds } from '../lib/run/embedded-reference';

const USAGE = 'usage: npm run conformance -- [--env local|sandbox|production|partner] [--base-url URL] [--ca FILE] [--allow-insecure-http] [--faults a,b] [--variations a,b|all] [--window SECONDS] [--grep PATTERN] [--shard I/N] [-- playwright args]';

/** `--help`: the usage line, then what the options that touch transport security mean. */
const HELP = [
  USAGE,
  '  --ca FILE               also trust the certificate authority in FILE (PEM) for an https target (BILLERAPI_CA_FILE); verification stays on',
  '  --allow-insecure-http   allow an http:// target that is not this machine (BILLERAPI_ALLOW_INSECURE_HTTP=yes): the client secret and',
  '                          every token then travel unencrypted, readable and reusable by anyone on the network path',
].join('\n');

interface Options {
  env: Record<string, string>;
  playwrightArgs: string[];
}

const FLAGS: Record<string, string> = {
  '--env': 'BILLERAPI_ENV',
  '--base-url': 'BILLERAPI_BASE_URL',
  '--faults': 'REFERENCE_FAULTS',
  '--variations': 'REFERENCE_VARIATIONS',
  '--window': 'REFERENCE_WINDOW_SECONDS',
  '--ca': CA_FILE_VARIABLE,
};

/** Flags without a value: each sets its variable to `yes`. */
const SWITCHES: Record<string, string> = {
  '--allow-insecure-http': ALLOW_INSECURE_HTTP_VARIABLE,
};

/** Paths are taken from where the command was typed, not from the repository the suite runs in. */
const PATH_FLAGS = new Set(['--ca']);

export function parseArgs(argv: string[]): Options {
  const env: Record<string, string> = {};
  const playwrightArgs: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      playwrightArgs.push(...argv.slice(i + 1));
      break;
    }
    const [flag, inline] = arg.split(/=(.*)/s, 2);
    const value = inline ?? argv[i + 1];
    if (flag in FLAGS || flag === '--grep' || flag === '--shard') {
      if (value === undefined || value.startsWith('--')) throw new ConfigError(`${flag} needs a value. ${USAGE}`);
      if (inline === undefined) i++;
      if (flag === '--grep') playwrightArgs.push('--grep', value);
      else if (flag === '--shard') {
        if (!/^[1-9]\d*\/[1-9]\d*$/.test(value) || Number(value.split('/')[0]) > Number(value.split('/')[1])) throw new ConfigError(`--shard must be I/N with 1 ≤ I ≤ N, not "${value}".`);
        playwrightArgs.push(`--shard=${value}`);
        env[SHARD_VARIABLE] = value;
      } else env[FLAGS[flag]] = PATH_FLAGS.has(flag) ? resolve(value) : value;
    } else if (flag in SWITCHES) {
      if (inline !== undefined) throw new ConfigError(`${flag} takes no value. ${USAGE}`);
      env[SWITCHES[flag]] = 'yes';
    } else if (flag === '--help' || flag === '-h') {
      console.log(HELP);
      process.exit(ExitCode.conformant);
    } else {
      throw new ConfigError(`Unknown option ${arg}. ${USAGE}`);
    }
  }
  return { env, playwrightArgs };
}

/** Everything that can be known wrong before the first request of the suite. */
async function preflight(): Promise<Environment> {
  const environment = loadEnvironment();
  redactor.register(...environmentSecrets(environment));
  assertConfiguration(environment);
  if (environment.name !== 'local' && (process.env.REFERENCE_FAULTS || process.env.REFERENCE_VARIATIONS || process.env.REFERENCE_WINDOW_SECONDS)) {
    throw new ConfigError('--faults, --variations and --window configure the embedded reference: they apply to --env local only.');
  }
  parseFaultList(process.env.REFERENCE_FAULTS);
  parseVariationList(process.env.REFERENCE_VARIATIONS);
  parseWindowSeconds(process.env.REFERENCE_WINDOW_SECONDS);
  if (environment.baseUrl !== undefined) await assertReachable(environment.baseUrl);
  return environment;
}

function pipeRedacted(stream: NodeJS.ReadableStream, out: NodeJS.WritableStream): Promise<void> {
  return new Promise((resolve) => {
    const lines = createInterface({ input: stream, crlfDelay: Infinity });
    lines.on('line', (line) => out.write(`${redact(line)}\n`));
    lines.on('close', resolve);
  });
}

async function runPlaywright(args: string[]): Promise<number> {
  const cli = join(repoRoot, 'node_modules/@playwright/test/cli.js');
  const child = spawn(process.execPath, [cli, 'test', ...args], { cwd: repoRoot, env: process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  const piped = Promise.all([pipeRedacted(child.stdout, process.stdout), pipeRedacted(child.stderr, process.stderr)]);
  const code = await new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? 1)));
  await piped;
  return code;
}

async function main(): Promise<number> {
  const options = parseArgs(process.argv.slice(2));
  Object.assign(process.env, options.env);
  const environment = await preflight();
  const reports = reportsDir(environment.name);
  // A crashed run writes no results: the verdict must not come from the previous run's.
  for (const file of [RESULTS_FILE, RUN_META_FILE]) rmSync(resolve(repoRoot, reports, file), { force: true });
  const playwrightExit = await runPlaywright(options.playwrightArgs);
  const run = readRunResult(resolve(repoRoot, reports));
  if (!run) throw new ConfigError(`The run produced no report (Playwright exited ${playwrightExit}); see the output above.`);
  const { judgement } = run;
  if (judgement.verdict === 'CONFIGURATION') throw new ConfigError(redact(judgement.configurationProblem ?? 'the run judged nothing'));
  writeLandingPage(environment.name);
  console.log(`conformance (${environment.name}): reports in ${reports}/ (index.html, html/index.html, junit.xml, results.json, run.json)`);
  for (const line of conformanceLines(judgement)) console.log(redact(line));
  return judgement.exitCode;
}

/** What the command prints after a run: harness errors, the CI-readable totals, the verdict. */
export function conformanceLines(judgement: Judgement): string[] {
  return [
    ...judgement.harnessErrors.map((e) => `harness error (${e.kind}) in "${e.test}": ${e.message.split('\n')[0]}`),
    totalsLine(judgement),
    verdictLine(judgement),
  ];
}

if (require.main === module) main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    console.error(`conformance: ${redact(message.split('\n')[0])}`);
    process.exit(error instanceof ConfigError ? ExitCode.configuration : ExitCode.runError);
  },
);
