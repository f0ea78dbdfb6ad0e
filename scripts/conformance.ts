/**
 * `billerapi-conformance run [options] [-- <playwright args>]` (`npm run conformance -- …`)
 *
 * Checks the configuration and the target, runs the Playwright suites with every line of
 * their output redacted, and ends with the totals and a verdict.
 * Exit codes (lib/config/errors.ts, judged by lib/judgement/verdict.ts): 0 PASS, 1 FAIL (a MUST broken), 2 bad
 * configuration, unreachable target or a target that is not the API, 3 INCOMPLETE (a MUST in
 * scope not judged), 4 ERROR (the suite itself erred).
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { environmentSecrets, loadEnvironment, reportsDir, reportsPath, type Environment } from '../lib/config/env';
import { ConfigError, ExitCode } from '../lib/config/errors';
import { assertConfiguration, assertReachable } from '../lib/config/guard';
import { redact, redactor } from '../lib/transport/redact';
import { writeLandingPage } from '../lib/reports/landing-page';
import { readRunResult, RESULTS_FILE, RUN_META_FILE } from '../lib/judgement/results';
import { totalsLine, verdictLine, type Judgement } from '../lib/judgement/verdict';
import { parseFaultList, parseVariationList, parseWindowSeconds } from '../lib/run/embedded-reference';
import { CONFORMANCE_CONFIG, runPlaywrightTest } from '../lib/run/conformance-process';
import { chromiumMissing } from '../lib/connect/browser';
import { machineSteps, provisionChromium } from '../lib/connect/provision';
import { conformanceOptions, variablesOf, type ConformanceOptions } from './shared-options';
import { parseCommandLine, runAsScript, type Subcommand } from './subcommand';

export const conformanceCommand: Subcommand<ConformanceOptions> = {
  name: 'run',
  label: 'conformance',
  summary: 'run the conformance suites against a target and print the verdict',
  description: 'Run the conformance suites against a target, their output redacted; print the totals and the verdict. Exit 0 PASS, 1 FAIL, 2 configuration, 3 INCOMPLETE, 4 run error.',
  options: conformanceOptions,
  passesOn: '<playwright args>',
  run: (options, _args, playwrightArgs) => runConformance(options, playwrightArgs),
  crashExit: ExitCode.runError,
};

/** What a run's options stand for: the variables the suites read, and Playwright's arguments. */
interface ConformanceSettings {
  env: Record<string, string>;
  playwrightArgs: string[];
}

function conformanceSettings(options: ConformanceOptions, passedOn: readonly string[]): ConformanceSettings {
  const { grep, shard } = options;
  return { env: variablesOf(options), playwrightArgs: [...(grep === undefined ? [] : ['--grep', grep]), ...(shard === undefined ? [] : [`--shard=${shard}`]), ...passedOn] };
}

/** A run's command line as the settings it stands for. */
export function parseArgs(argv: string[]): ConformanceSettings {
  const { options, passedOn } = parseCommandLine(conformanceCommand, argv);
  return conformanceSettings(options, passedOn);
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

/** A conformance run; resolves with its exit code. */
export async function runConformance(options: ConformanceOptions, passedOn: readonly string[] = []): Promise<number> {
  const settings = conformanceSettings(options, passedOn);
  Object.assign(process.env, settings.env);
  const environment = await preflight();
  const reports = reportsDir(environment.name);
  const folder = reportsPath(environment.name);
  // A crashed run writes no results: the verdict must not come from the previous run's.
  for (const file of [RESULTS_FILE, RUN_META_FILE]) rmSync(join(folder, file), { force: true });
  // The Connect suites need a browser: on a fresh machine, get one; without it they are not judged, and the verdict says so.
  if (chromiumMissing() !== undefined) {
    const browser = await provisionChromium(machineSteps());
    console.log(browser.ok ? `conformance: Chromium installed (${browser.how})` : `conformance: ${browser.line}`);
  }
  const playwrightExit = await runPlaywrightTest(CONFORMANCE_CONFIG, settings.playwrightArgs, process.env);
  const run = readRunResult(folder);
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

if (require.main === module) runAsScript(conformanceCommand);
