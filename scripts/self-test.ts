/**
 * `billerapi-conformance self-test [--faults a,b] [--variations a,b|all] [--jobs N] [--timeout SECONDS]`
 * (`npm run self-test -- …`)
 *
 * The suite's own strength, both halves: runs the WHOLE conformance suite once per fault of
 * reference/faults.ts against the embedded reference with every variation on, and prints which
 * requirements caught each fault, then the kill rate; then once per variation of
 * reference/variations.ts alone, and prints the false alarms (a legitimate variation not PASS). Unlike the matrix of `npm test` (tests/matrix.spec.ts,
 * which selects each fault's own tests), a whole run also shows faults that other requirements notice.
 * Exit 0: every fault caught by a requirement it breaks, and no false alarm. 1: some fault
 * missed or caught only elsewhere, or a false alarm. 2: bad options, or a run that stopped on
 * its configuration.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { faultNames, faults, type FaultName } from '../reference/faults';
import { variationNames, type VariationName } from '../reference/variations';
import { ConfigError, ExitCode } from '../lib/config/errors';
import { readRunResult, type RunResult } from '../lib/judgement/results';
import type { Judgement, Verdict as RunVerdict } from '../lib/judgement/verdict';
import type { RequirementId } from '../schemas/requirements';
import { cleanEnv, tsxCli } from '../lib/run/conformance-process';
import { repoRoot, userRoot } from '../lib/config/env';
import { faultsOption, variationsOption } from './shared-options';
import { runAsScript, valueOption, type Subcommand } from './subcommand';

interface SelfTestOptions {
  faults: FaultName[];
  variations: VariationName[];
  jobs: number;
  /** Seconds. */
  timeout: number;
}

export const selfTestCommand: Subcommand<SelfTestOptions> = {
  name: 'self-test',
  label: 'self-test',
  summary: "the suite's own strength: faults caught, variations passed",
  description: "The suite's own strength: a whole run per fault with every variation on, then per variation alone. Exit 0 every fault caught by a requirement it breaks and no false alarm, 1 otherwise, 2 a run stopped on its configuration.",
  options: () => [
    faultsOption('faults to test, comma-separated: a whole run each, every variation on').default([...faultNames], 'all'),
    variationsOption('variations to test alone, comma-separated, or all: a whole run each').default([...variationNames], 'all'),
    valueOption('--jobs <n>', 'runs at a time', { parse: wholeNumberAbove0('--jobs') }).default(2),
    valueOption('--timeout <seconds>', 'a run still going after this long is stopped and counted as an error', { parse: wholeNumberAbove0('--timeout') }).default(300),
  ],
  run: (options) => runSelfTest(options),
  crashExit: ExitCode.nonConformant,
};

function wholeNumberAbove0(flag: string): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) throw new ConfigError(`${flag} must be a whole number above 0, not "${value}".`);
    return n;
  };
}
/** The local default number of fuzz cases, set explicitly so that a caller's FC_NUM_RUNS cannot weaken the self-test. */
const FC_NUM_RUNS = '100';

export type Verdict = 'caught' | 'caught elsewhere' | 'MISSED' | 'ERROR';

export interface SelfTestRow {
  fault: string;
  /** The requirements the fault is meant to break (reference/faults.ts). */
  breaks: readonly string[];
  /** Requirements the run reported broken or warned. */
  caughtBy: readonly string[];
  verdict: Verdict;
  /** Why a run gave no verdict (timeout, configuration error). */
  note?: string;
}

/** The verdict for one fault from the requirements it should break and those the run reported. */
export function verdictFor(breaks: readonly string[], caughtBy: readonly string[]): Verdict {
  if (breaks.some((id) => caughtBy.includes(id))) return 'caught';
  return caughtBy.length > 0 ? 'caught elsewhere' : 'MISSED';
}

/** The requirements a run noticed broken: failed MUSTs and warned SHOULDs, from the verdict module. */
export function caughtByOf(judgement: Judgement): RequirementId[] {
  return [...new Set<RequirementId>([...judgement.failed, ...judgement.warned])].sort();
}

/** A fault counts as killed when any requirement noticed it, its own or another. */
export function isKilled(row: SelfTestRow): boolean {
  return row.verdict === 'caught' || row.verdict === 'caught elsewhere';
}

export function killRateLine(rows: readonly SelfTestRow[]): string {
  const caught = rows.filter(isKilled).length;
  const percent = rows.length === 0 ? 0 : Math.round((caught / rows.length) * 1000) / 10;
  return `kill rate: ${caught} of ${rows.length} faults caught (${percent}%)`;
}

/** The result table, one aligned row per fault; `caught elsewhere` names the requirements that did. */
export function formatTable(rows: readonly SelfTestRow[]): string {
  const cells = rows.map((r) => [
    r.fault,
    r.breaks.join(', '),
    r.caughtBy.length ? r.caughtBy.join(', ') : '-',
    r.verdict === 'caught elsewhere' ? `caught elsewhere (by ${r.caughtBy.join(', ')}; not by ${r.breaks.join(', ')})`
      : r.note ? `${r.verdict} (${r.note})` : r.verdict,
  ]);
  const header = ['fault', 'should break', 'caught by', 'verdict'];
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c: string[]) => c.map((cell, i) => (i === c.length - 1 ? cell : cell.padEnd(widths[i]))).join('  ');
  // The last column is not padded, so its rule is only as wide as its title.
  const rule = widths.map((w, i) => '-'.repeat(i === header.length - 1 ? header[i].length : w));
  return [line(header), line(rule), ...cells.map(line)].join('\n');
}

const running = new Set<ChildProcess>();

function killGroup(child: ChildProcess): void {
  try {
    process.kill(-child.pid!, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

type SuiteRun = { run: RunResult } | { error: string };

/** One whole-suite conformance run with `args`, in its own reports folder, killed after `timeoutMs`. */
async function runSuite(args: string[], label: string, timeoutMs: number): Promise<SuiteRun> {
  const reportsDir = mkdtempSync(join(tmpdir(), `billerapi-self-test-${label}-`));
  try {
    // Its own process group: tsx, Playwright, its workers and the embedded reference are
    // grandchildren, and a timeout (or Ctrl-C here) must stop all of them, not only tsx.
    const child = spawn(process.execPath, [tsxCli, join(repoRoot, 'scripts/conformance.ts'), ...args], {
      cwd: userRoot(),
      env: cleanEnv({ BILLERAPI_REPORTS_DIR: reportsDir, FC_NUM_RUNS }),
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    running.add(child);
    let stderr = '';
    child.stdout!.resume();
    child.stderr!.on('data', (d) => (stderr += d));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child);
    }, timeoutMs);
    const code = await new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? -1)));
    clearTimeout(timer);
    running.delete(child);
    if (timedOut) return { error: `timed out after ${timeoutMs / 1000} s` };
    const run = readRunResult(reportsDir);
    if (code === ExitCode.configuration || !run) return { error: `exit ${code}: ${stderr.trim().split('\n')[0] ?? ''}` };
    return { run };
  } finally {
    rmSync(reportsDir, { recursive: true, force: true });
  }
}

/** The whole suite with `fault` on and every variation with it: a fault must not hide behind a legitimate choice. */
async function runFault(fault: FaultName, timeoutMs: number): Promise<SelfTestRow> {
  const breaks = faults[fault].breaks;
  const result = await runSuite(['--faults', fault, '--variations', 'all'], fault, timeoutMs);
  if ('error' in result) return { fault, breaks, caughtBy: [], verdict: 'ERROR', note: result.error };
  const caughtBy = caughtByOf(result.run.judgement);
  return { fault, breaks, caughtBy, verdict: verdictFor(breaks, caughtBy) };
}

export interface VariationRow {
  variation: string;
  /** The verdict module's verdict of the whole suite with the variation alone; anything but PASS is a false alarm. */
  verdict: RunVerdict | 'ERROR';
  /** What went red: failed and warned requirements, or why the run gave no verdict. */
  note?: string;
}

/** A false alarm: a legitimate variation that the suite does not pass. */
export const isFalseAlarm = (row: VariationRow): boolean => row.verdict !== 'PASS';

async function runVariation(variation: VariationName, timeoutMs: number): Promise<VariationRow> {
  const result = await runSuite(['--variations', variation], variation, timeoutMs);
  if ('error' in result) return { variation, verdict: 'ERROR', note: result.error };
  const { judgement } = result.run;
  const red = [...judgement.failed, ...judgement.warned, ...judgement.notJudged];
  return { variation, verdict: judgement.verdict, note: red.length ? red.join(', ') : undefined };
}

export function falseAlarmLine(rows: readonly VariationRow[]): string {
  return `false alarms: ${rows.filter(isFalseAlarm).length} of ${rows.length} variations`;
}

export function formatVariationTable(rows: readonly VariationRow[]): string {
  const cells = rows.map((r) => [r.variation, r.note ? `${r.verdict} (${r.note})` : r.verdict]);
  const header = ['variation', 'verdict (whole suite, variation alone)'];
  const width = Math.max(header[0].length, ...cells.map((c) => c[0].length));
  return [header, [ '-'.repeat(width), '-'.repeat(header[1].length)], ...cells].map((c) => `${c[0].padEnd(width)}  ${c[1]}`).join('\n');
}

/** Runs `work` over `items`, at most `jobs` at a time, keeping the input order in the result. */
async function pool<T, R>(items: readonly T[], jobs: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(jobs, items.length) }, worker));
  return results;
}

async function runSelfTest(options: SelfTestOptions): Promise<number> {
  if (options.faults.length === 0) throw new ConfigError('--faults names no fault.');
  const timeoutMs = options.timeout * 1000;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      running.forEach(killGroup);
      process.exit(1);
    });
  }
  const started = Date.now();
  console.log(`self-test: ${options.faults.length} fault(s) with every variation on, then ${options.variations.length} variation(s) alone; whole suite each, ${options.jobs} at a time, FC_NUM_RUNS=${FC_NUM_RUNS}, ${options.timeout} s per run`);
  let done = 0;
  const total = options.faults.length + options.variations.length;
  const rows = await pool(options.faults, options.jobs, async (fault) => {
    const row = await runFault(fault, timeoutMs);
    console.log(`  [${++done}/${total}] fault ${fault}: ${row.verdict}`);
    return row;
  });
  const variationRows = await pool(options.variations, options.jobs, async (variation) => {
    const row = await runVariation(variation, timeoutMs);
    console.log(`  [${++done}/${total}] variation ${variation}: ${row.verdict}`);
    return row;
  });
  console.log('');
  console.log(formatTable(rows));
  console.log('');
  if (variationRows.length) console.log(`${formatVariationTable(variationRows)}\n`);
  console.log(`${killRateLine(rows)} (every variation on)`);
  console.log(falseAlarmLine(variationRows));
  const elsewhere = rows.filter((r) => r.verdict === 'caught elsewhere').map((r) => r.fault);
  if (elsewhere.length) console.log(`caught only by other requirements: ${elsewhere.join(', ')}`);
  console.log(`wall time: ${Math.round((Date.now() - started) / 1000)} s (FC_NUM_RUNS=${FC_NUM_RUNS})`);
  const errored = [...rows.map((r) => r.verdict === 'ERROR' && r.note), ...variationRows.map((r) => r.verdict === 'ERROR' && r.note)];
  if (errored.some((note) => note && !/timed out/.test(note))) return 2;
  return rows.every((r) => r.verdict === 'caught') && !variationRows.some(isFalseAlarm) ? 0 : 1;
}

if (require.main === module) runAsScript(selfTestCommand);
