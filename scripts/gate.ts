/**
 * `billerapi-conformance gate [--env production|sandbox|partner|local] [--base-url URL] [--compare previous-results.json]`
 * (`npm run gate -- …`)
 *
 * The release gate: the read-only profile (production_safe requirements only, no linking, no
 * probes, no fuzzing). First a dry run against the embedded reference measures how many
 * requests per rate-limit group the gate sends, and prints it; if that exceeds the gate's cap
 * (a quarter of each limit), it stops with exit 2 before sending anything to the target. Then
 * the gate runs against the target with the caps enforced by the harness, prints one verdict
 * line, and, with --compare, the requirements that regressed or differ from a previous run.
 * Exit 0 PASS, 1 FAIL, 2 bad configuration, unreachable target or a plan over its caps,
 * 3 INCOMPLETE, 4 run error (the verdict module's, lib/judgement/verdict.ts).
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { runConformanceProcess } from '../lib/run/conformance-process';
import { credentialVariables, reportsPath, type EnvName } from '../lib/config/env';
import { ConfigError, ExitCode } from '../lib/config/errors';
import { gateCaps, overCaps, PROFILE_VARIABLE } from '../lib/config/profile';
import type { GroupName } from '../lib/contract/rate-limits';
import { readRunRecord, readRunResult, RESULTS_FILE } from '../lib/judgement/results';
import { requirements } from '../lib/contract/requirements';
import { judge, verdictLine, type Judgement } from '../lib/judgement/verdict';
import { RATE_BUDGET_REPORT, type LedgerSummary } from '../lib/limits/run-ledger';
import { REACHABILITY_OPERATION } from '../lib/config/guard';
import { operation, rateLimitGroups } from '../lib/contract/spec';
import { baseUrlOption, conformanceArgv, envOption } from './shared-options';
import { parseCommandLine, pathOption, runAsScript, type Subcommand } from './subcommand';

const groups = Object.values(rateLimitGroups);

interface GateOptions {
  env: EnvName;
  baseUrl?: string;
  compare?: string;
}

export const gateCommand: Subcommand<GateOptions> = {
  name: 'gate',
  label: 'gate',
  summary: 'the release gate: read-only, within a quarter of each rate limit',
  description: 'The release gate: the read-only profile, its requests per rate-limit group measured on the reference and capped at a quarter of each limit before anything is sent to the target. Exit codes as run.',
  options: () => [
    envOption().default('production'),
    baseUrlOption(),
    pathOption('--compare <results>', "a previous run's results.json or reports folder: also print the requirements that regressed or differ"),
  ],
  run: (options) => runGate(gateArgs(options)),
  crashExit: ExitCode.runError,
};

export interface GateArgs {
  env: EnvName;
  conformanceArgs: string[];
  comparePath?: string;
}

function gateArgs({ env, baseUrl, compare }: GateOptions): GateArgs {
  return { env, conformanceArgs: conformanceArgv({ env, baseUrl }), comparePath: compare };
}

/** The gate's command line as the run it makes. */
export function parseGateArgs(argv: string[]): GateArgs {
  return gateArgs(parseCommandLine(gateCommand, argv).options);
}

export function planLine(planned: Record<GroupName, number>, caps: Record<GroupName, number>): string {
  return `gate: will send ${groups.map((g) => `${g.name} ${planned[g.name] ?? 0} (cap ${caps[g.name]})`).join(', ')} requests`;
}

/** Requirements a previous run passed that this one breaks, and those whose result differs either way (out-of-scope ones aside). */
export function compareRuns(previous: Judgement, current: Judgement): { regressed: string[]; differ: string[] } {
  const judged = (j: Judgement) => new Map(j.requirements.filter((r) => r.status !== 'out-of-scope').map((r) => [r.id as string, r.status]));
  const [before, now] = [judged(previous), judged(current)];
  const shared = [...now.keys()].filter((id) => before.has(id)).sort();
  return {
    regressed: shared.filter((id) => before.get(id) === 'passed' && now.get(id) === 'failed'),
    differ: shared.filter((id) => before.get(id) !== now.get(id)),
  };
}

/** The gate's one verdict line. */
export function gateLine(judgement: Judgement): string {
  return verdictLine(judgement, 'gate');
}

/** The run a --compare path names: a reports folder, or the results.json in one. */
function readComparedRun(path: string): Judgement {
  const dir = path.endsWith('.json') ? dirname(path) : path;
  const record = readRunRecord(dir, path.endsWith('.json') ? basename(path) : RESULTS_FILE);
  if (!record) throw new ConfigError(`--compare: no Playwright results at ${path}.`);
  return judge(record, requirements);
}

/** A local gate without a base URL runs against an embedded reference of its own. */
function targetIsEmbedded(args: GateArgs): boolean {
  return args.env === 'local' && !args.conformanceArgs.includes('--base-url') && !process.env.BILLERAPI_BASE_URL;
}

async function runGate(args: GateArgs): Promise<number> {
  const previous = args.comparePath ? readComparedRun(resolve(args.comparePath)) : undefined;

  const planDir = mkdtempSync(join(tmpdir(), 'billerapi-gate-plan-'));
  const gateEnv = { ...process.env, [PROFILE_VARIABLE]: 'gate' };
  // The dry run uses the reference's own clients (.env.local), never the target's credentials.
  const planEnv: NodeJS.ProcessEnv = { ...gateEnv, BILLERAPI_ENV: 'local', BILLERAPI_BASE_URL: '', BILLERAPI_REPORTS_DIR: planDir };
  for (const name of Object.values(credentialVariables).flat()) delete planEnv[name];
  await runConformanceProcess([], { env: planEnv, quiet: true });
  const plan = JSON.parse(readFileSync(join(planDir, RATE_BUDGET_REPORT), 'utf8')) as LedgerSummary;
  // The target, unlike the embedded reference of the dry run, also gets the reachability check.
  const reachabilityGroup = operation(REACHABILITY_OPERATION).group;
  const planned = { ...plan.requested, [reachabilityGroup]: plan.requested[reachabilityGroup] + (targetIsEmbedded(args) ? 0 : 1) };
  const caps = gateCaps(groups);
  console.log(planLine(planned, caps));
  const over = overCaps(planned, caps);
  if (over.length > 0) throw new ConfigError(`The gate would exceed its caps (${over.join(', ')}): nothing was sent to the target.`);

  const exit = await runConformanceProcess(args.conformanceArgs, { env: gateEnv });
  if (exit === ExitCode.configuration) return exit;
  const run = readRunResult(reportsPath(args.env));
  if (!run) throw new ConfigError('The gate run wrote no results.json.');
  console.log(gateLine(run.judgement));
  if (previous) {
    const { regressed, differ } = compareRuns(previous, run.judgement);
    console.log(`gate: regressed since ${args.comparePath}: ${regressed.join(', ') || 'none'}`);
    console.log(`gate: differ from ${args.comparePath}: ${differ.join(', ') || 'none'}`);
  }
  return run.judgement.exitCode;
}

if (require.main === module) runAsScript(gateCommand);
