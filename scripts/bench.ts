/**
 * `billerapi-conformance bench [--only shortened|real]` (`npm run bench -- …`): runs the whole
 * conformance suite against the reference twice, with shortened windows and with the spec's
 * real 60-second windows, and prints wall time, requests per group (counted by the reference),
 * unplanned 429s (429s the reference sent beyond those the rate-limit probes planned) and the
 * ratio of the real-window run to the longest window. Exit 0 when both runs pass with no
 * unplanned 429, else 1.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runConformanceProcess } from '../lib/run/conformance-process';
import { loadDotenv } from '../lib/config/env';
import { readRunResult } from '../lib/judgement/results';
import { verdictLine, type Judgement } from '../lib/judgement/verdict';
import { RATE_BUDGET_REPORT, type LedgerSummary } from '../lib/limits/run-ledger';
import { rateLimitGroups, type GroupName } from '../lib/contract/spec';
import { EMBEDDED_WINDOW_SECONDS } from '../lib/contract/windows';
import { startReference, type ReferenceStats } from '../reference/app';
import { referenceClientsFromEnv } from '../reference/clients';
import { ConfigError } from '../lib/config/errors';
import { runAsScript, valueOption, type Subcommand } from './subcommand';

const RUNS = ['shortened', 'real'] as const;
type BenchRunName = (typeof RUNS)[number];

export const benchCommand: Subcommand<{ only?: BenchRunName }> = {
  name: 'bench',
  label: 'bench',
  summary: 'time the whole suite with shortened and with real rate-limit windows',
  description: "Time the whole suite against the reference with shortened and with the spec's real windows. Exit 0 both runs pass with no unplanned 429, else 1.",
  options: () => [valueOption('--only <run>', `one run only: ${RUNS.join(' or ')}`, { parse: oneOfRuns })],
  run: (options) => runBench(options.only),
  crashExit: 2,
};

function oneOfRuns(value: string): BenchRunName {
  if (!(RUNS as readonly string[]).includes(value)) throw new ConfigError(`--only must be ${RUNS.join(' or ')}, not "${value}".`);
  return value as BenchRunName;
}

export interface BenchRun {
  label: string;
  windowSeconds: number;
  wallMs: number;
  stats: ReferenceStats;
  planned429: Record<GroupName, number>;
  /** The run's verdict line, from the verdict module. */
  verdict: string;
  passed: boolean;
}

const groupNames = Object.keys(rateLimitGroups) as GroupName[];
/** Nothing the suite does may take longer than this, even with 60-second windows. */
const RUN_TIMEOUT_MS = 10 * 60_000;

export function unplanned429(run: BenchRun): number {
  return groupNames.reduce((sum, g) => sum + Math.max(0, run.stats.limited[g] - (run.planned429[g] ?? 0)), 0);
}

export function longestSpecWindowSeconds(): number {
  return Math.max(...groupNames.map((g) => rateLimitGroups[g].windowSeconds));
}

export function benchTable(runs: readonly BenchRun[]): string {
  const header = ['run', 'window', 'wall', ...groupNames.map((g) => `${g} (429s)`), 'unplanned 429', 'verdict'];
  const rows = runs.map((r) => [
    r.label,
    `${r.windowSeconds} s`,
    `${(r.wallMs / 1000).toFixed(1)} s`,
    ...groupNames.map((g) => `${r.stats.requests[g]} (${r.stats.limited[g]})`),
    String(unplanned429(r)),
    r.verdict,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  return [header, ...rows].map((row) => row.map((cell, i) => cell.padEnd(widths[i])).join('  ').trimEnd()).join('\n');
}

export function ratioLine(real: BenchRun): string {
  const ratio = real.wallMs / 1000 / longestSpecWindowSeconds();
  return `ratio of the real-window run to the longest window (${longestSpecWindowSeconds()} s): ${ratio.toFixed(2)} (goal: under 1.3)`;
}

/** A bench run counts only when the verdict module says PASS. */
export function benchVerdict(judgement: Judgement): Pick<BenchRun, 'verdict' | 'passed'> {
  return { verdict: verdictLine(judgement), passed: judgement.verdict === 'PASS' };
}

async function benchRun(label: string, windowSeconds: number): Promise<BenchRun> {
  const reference = await startReference({ clients: referenceClientsFromEnv(process.env), windowSeconds });
  const reportsDir = mkdtempSync(join(tmpdir(), `billerapi-bench-${label}-`));
  try {
    const started = performance.now();
    const env = { ...process.env, BILLERAPI_ENV: 'local', BILLERAPI_BASE_URL: reference.url, REFERENCE_WINDOW_SECONDS: String(windowSeconds), BILLERAPI_REPORTS_DIR: reportsDir };
    await runConformanceProcess([], { env, quiet: true, timeoutMs: RUN_TIMEOUT_MS });
    const wallMs = performance.now() - started;
    const run = readRunResult(reportsDir);
    const ledger = JSON.parse(readFileSync(join(reportsDir, RATE_BUDGET_REPORT), 'utf8')) as LedgerSummary;
    return { label, windowSeconds, wallMs, stats: reference.stats(), planned429: ledger.planned429, ...(run ? benchVerdict(run.judgement) : { verdict: 'verdict: no report', passed: false }) };
  } finally {
    await reference.close();
  }
}

async function runBench(only: BenchRunName | undefined): Promise<number> {
  loadDotenv('local');
  const runs: BenchRun[] = [];
  if (only !== 'real') runs.push(await benchRun('shortened', EMBEDDED_WINDOW_SECONDS));
  if (only !== 'shortened') runs.push(await benchRun('real', longestSpecWindowSeconds()));
  console.log(benchTable(runs));
  const real = runs.find((r) => r.label === 'real');
  if (real) console.log(ratioLine(real));
  const ok = runs.every((r) => unplanned429(r) === 0 && r.passed);
  return ok ? 0 : 1;
}

if (require.main === module) runAsScript(benchCommand);
