/**
 * lib/judgement/ — judging: the checks a response meets (checks.ts), the failure sentence
 * (failure.ts), the outcomes recorded where they are judged (outcomes.ts), the run read back as
 * data (results.ts), bounded named waits (waits.ts) and the one verdict every command prints
 * (verdict.ts). Imports lib/contract/, lib/transport/, lib/config/ and the target keys of
 * lib/run/run-targets.ts.
 */
/**
 * The verdict: one pure function from a run's recorded outcomes (lib/judgement/outcomes.ts), its profile
 * and the catalogue to a result per requirement and one verdict for the run. Every command
 * (conformance, gate, certify, the landing page, self-test, bench) derives what it prints and
 * its exit code from here, and from nowhere else. The rules:
 * - a requirement fails if any outcome anywhere in the run fails it, whichever test observed it;
 *   a SHOULD that fails or warns is a warning;
 * - a requirement passes only when some test judged it and none failed it;
 * - a MUST in scope that nothing judged (skipped, no client for it, a test that stopped first,
 *   excluded by the profile of a certification run) makes the run INCOMPLETE, never PASS;
 * - a harness error is never a pass and never a verdict on the target: the run is an ERROR;
 * - nearly every answer the same non-API answer (a 404 page, HTML) is a configuration error.
 * Precedence: CONFIGURATION, FAIL, ERROR, INCOMPLETE, PASS.
 */
import { ExitCode, type HarnessErrorKind } from '../config/errors';
import type { Outcome, RunRecord, TestRecord, TestStatus } from './outcomes';
import type { Requirement, RequirementId } from '../contract/requirements';

export type Verdict = 'PASS' | 'FAIL' | 'INCOMPLETE' | 'ERROR' | 'CONFIGURATION';

export type RequirementStatus = 'passed' | 'failed' | 'warning' | 'waived' | 'not-judged' | 'out-of-scope';

export interface RequirementResult {
  id: RequirementId;
  level: Requirement['level'];
  statement: string;
  status: RequirementStatus;
  /** Why failed (expected and received), warned, not judged, or waived (the partner's comment). */
  reason?: string;
  /** The tests that cite it or judged it, with Playwright's status. */
  tests: { title: string; status: TestStatus }[];
  /** Failure messages and request/response logs, redacted by the harness. */
  evidence: string[];
}

export interface HarnessErrorRecord {
  test: string;
  kind: HarnessErrorKind;
  message: string;
}

export interface Judgement {
  verdict: Verdict;
  exitCode: number;
  requirements: RequirementResult[];
  /** MUST requirements failed (unwaived), sorted. */
  failed: RequirementId[];
  /** Requirements with a warning: a SHOULD broken. */
  warned: RequirementId[];
  /** MUST requirements in scope that nothing judged. */
  notJudged: RequirementId[];
  waived: RequirementId[];
  harnessErrors: HarnessErrorRecord[];
  /** Why the run says nothing about the target (a configuration problem), when it does not. */
  configurationProblem?: string;
  totals: { passed: number; failed: number; skipped: number };
  score: { mustPassed: number; mustInScope: number; percent: number };
}

export interface JudgeOptions {
  /** Accepted deviations, by requirement, with the partner's comment (certification only). */
  waivers?: ReadonlyMap<RequirementId, string>;
}

/** A target answering this share of a run's requests (of at least the minimum) with one non-API answer is not the API. */
export const NON_API_SHARE = 0.9;
export const NON_API_MINIMUM = 10;

/** The configuration problem a run's answers show, if nearly all of them are the same non-API answer. */
export function nonApiProblem(tests: readonly TestRecord[], baseUrl: string | undefined): string | undefined {
  const total = tests.reduce((n, t) => n + t.answers.total, 0);
  const bySignature = new Map<string, number>();
  for (const t of tests) for (const [signature, n] of Object.entries(t.answers.nonApi)) bySignature.set(signature, (bySignature.get(signature) ?? 0) + n);
  const [signature, count] = [...bySignature].sort((a, b) => b[1] - a[1])[0] ?? ['', 0];
  if (total < NON_API_MINIMUM || count < NON_API_SHARE * total) return undefined;
  const cause = /text\/html/.test(signature)
    ? 'a login page or a proxy answers instead of the API'
    : /^3/.test(signature) ? 'the target redirects elsewhere (the suite never follows a redirect with credentials)' : 'a wrong base URL or path prefix, or a proxy in the way';
  return `The target${baseUrl ? ` ${baseUrl}` : ''} answered ${count} of ${total} requests with the same non-API answer (${signature}): likely ${cause}. This is not a verdict on an implementation.`;
}

function firstLine(text: string): string {
  return text.split('\n')[0];
}

function failureReason(o: Outcome, test: TestRecord): string {
  const what = o.expected !== undefined ? `expected ${o.expected}; received ${o.received ?? '(nothing)'}` : firstLine(o.message);
  return `${what} (in "${test.title}")`;
}

function notJudgedReason(tests: readonly TestRecord[], id: RequirementId, readOnly: boolean, requirement: Requirement): string {
  const citing = tests.filter((t) => t.cites.includes(id));
  if (citing.length === 0) {
    if (readOnly && !requirement.production_safe) return 'not checked in a read-only run (production, the gate profile): it needs writes';
    return 'no test of this run judges it (profile or --grep)';
  }
  const skips = [...new Set(citing.flatMap((t) => t.outcomes.filter((o) => o.result === 'skip' && o.requirement === id).map((o) => o.message)))];
  if (skips.length > 0) return `skipped: ${skips.join('; ')}`;
  // An error says itself that the test stopped; a failure here is the precondition that stopped it.
  const stopped = citing.flatMap((t) => t.outcomes.filter((o) => o.result === 'error' || o.result === 'fail')
    .map((o) => `${o.result === 'fail' ? 'a precondition failed: ' : ''}${firstLine(o.message)} (in "${t.title}")`));
  return stopped[0] ?? 'no check reached it';
}

function resultOf(req: Requirement, record: RunRecord, inScope: boolean, waiver: string | undefined): RequirementResult {
  const id = req.id as RequirementId;
  const about = record.tests.map((t) => ({ test: t, outcomes: t.outcomes.filter((o) => o.requirement === id) }));
  const involved = about.filter(({ test, outcomes }) => outcomes.length > 0 || test.cites.includes(id));
  const base = {
    id,
    level: req.level,
    statement: req.statement,
    tests: involved.map(({ test }) => ({ title: test.title, status: test.status })),
    evidence: involved.flatMap(({ test, outcomes }) => [
      ...outcomes.filter((o) => o.result === 'fail' || o.result === 'warn').map((o) => o.message),
      ...(test.cites.includes(id) ? test.evidence : []),
    ]),
  };
  const find = (result: Outcome['result']) => about.flatMap(({ test, outcomes }) => outcomes.filter((o) => o.result === result).map((o) => ({ test, o })))[0];
  const failure = find('fail') ?? (req.level === 'SHOULD' ? find('warn') : undefined);
  if (failure) {
    if (req.level === 'SHOULD') return { ...base, status: 'warning', reason: failureReason(failure.o, failure.test) };
    return waiver ? { ...base, status: 'waived', reason: waiver } : { ...base, status: 'failed', reason: failureReason(failure.o, failure.test) };
  }
  if (find('pass')) return { ...base, status: 'passed' };
  if (!inScope) return { ...base, status: 'out-of-scope', reason: 'no test of this run judges it (profile or --grep)' };
  return { ...base, status: 'not-judged', reason: notJudgedReason(record.tests, id, record.meta?.readOnly ?? false, req) };
}

/** The requirements a run must judge: the whole catalogue for a certification, else those its tests cite or judged. */
function scopeOf(record: RunRecord): (id: RequirementId) => boolean {
  if (record.meta?.profile === 'certify') return () => true;
  const selected = new Set<RequirementId>(record.tests.flatMap((t) => [...t.cites, ...t.outcomes.flatMap((o) => (o.requirement ? [o.requirement] : []))]));
  return (id) => selected.has(id);
}

const EXIT_CODES: Record<Verdict, number> = {
  PASS: ExitCode.conformant,
  FAIL: ExitCode.nonConformant,
  CONFIGURATION: ExitCode.configuration,
  INCOMPLETE: ExitCode.incomplete,
  ERROR: ExitCode.runError,
};

export function exitCodeOf(verdict: Verdict): number {
  return EXIT_CODES[verdict];
}

/** The one judgement of a run. Pure. */
/** A run that says nothing about its target judges no requirement, whatever its tests recorded. */
function unjudgedBy(problem: string): (r: RequirementResult) => RequirementResult {
  return (r) => (r.status === 'out-of-scope' ? r : { ...r, status: 'not-judged', reason: `the run says nothing about the target: ${problem}` });
}

export function judge(record: RunRecord, catalogue: readonly Requirement[], options: JudgeOptions = {}): Judgement {
  const inScope = scopeOf(record);
  const allSkipped = record.tests.every((t) => t.status === 'skipped');
  const configurationProblem = (allSkipped && record.runErrors[0]) || nonApiProblem(record.tests, record.meta?.baseUrl);
  const judgedResults = catalogue.map((req) => resultOf(req, record, inScope(req.id as RequirementId), options.waivers?.get(req.id as RequirementId)));
  const requirements = configurationProblem ? judgedResults.map(unjudgedBy(configurationProblem)) : judgedResults;
  const ids = (status: RequirementStatus, level?: Requirement['level']) =>
    requirements.filter((r) => r.status === status && (level === undefined || r.level === level)).map((r) => r.id).sort();
  const harnessErrors = record.tests.flatMap((t) => t.outcomes.filter((o) => o.result === 'error').map((o) => ({ test: t.title, kind: o.harness ?? 'no-judgement', message: o.message })));
  const count = (statuses: TestStatus[]) => record.tests.filter((t) => statuses.includes(t.status)).length;
  const failed = ids('failed');
  const notJudged = ids('not-judged', 'MUST');
  const verdict: Verdict = configurationProblem ? 'CONFIGURATION'
    : failed.length > 0 ? 'FAIL'
      : harnessErrors.length > 0 || record.runErrors.length > 0 ? 'ERROR'
        : notJudged.length > 0 ? 'INCOMPLETE' : 'PASS';
  const must = requirements.filter((r) => r.level === 'MUST' && r.status !== 'out-of-scope');
  const mustPassed = must.filter((r) => r.status === 'passed').length;
  return {
    verdict,
    exitCode: exitCodeOf(verdict),
    requirements,
    failed,
    warned: ids('warning'),
    notJudged,
    waived: ids('waived'),
    harnessErrors,
    configurationProblem: configurationProblem || undefined,
    totals: { passed: count(['passed']), failed: count(['failed', 'timedOut', 'interrupted']), skipped: count(['skipped']) },
    score: { mustPassed, mustInScope: must.length, percent: must.length === 0 ? 0 : Math.round((1000 * mustPassed) / must.length) / 10 },
  };
}

/** The CI-readable totals line. */
export function totalsLine(j: Judgement): string {
  return `${j.totals.passed} passed, ${j.totals.failed} failed, ${j.totals.skipped} skipped`;
}

const MAX_LISTED = 12;
const listed = (ids: readonly string[]) => (ids.length > MAX_LISTED ? `${ids.slice(0, MAX_LISTED).join(', ')} and ${ids.length - MAX_LISTED} more` : ids.join(', '));

/** What the verdict rests on, in a few words. */
export function verdictDetail(j: Judgement): string {
  switch (j.verdict) {
    case 'PASS': return '';
    case 'FAIL': return listed(j.failed);
    case 'ERROR': {
      const kinds = [...new Set(j.harnessErrors.map((e) => e.kind))];
      return `${j.harnessErrors.length} harness error(s): ${kinds.join(', ') || 'the global setup failed'}; not a verdict on the target`;
    }
    case 'INCOMPLETE': return `not judged: ${listed(j.notJudged)}`;
    case 'CONFIGURATION': return j.configurationProblem ?? '';
  }
}

/** `verdict: FAIL (AUTH-004) (warnings: SCHEMA-004)`: the line every command prints. */
export function verdictLine(j: Judgement, label = 'verdict'): string {
  const detail = verdictDetail(j);
  const warnings = j.warned.length ? ` (warnings: ${j.warned.join(', ')})` : '';
  const waived = j.waived.length ? ` (waived: ${j.waived.join(', ')})` : '';
  return `${label}: ${j.verdict}${detail ? ` (${detail})` : ''}${warnings}${waived}`;
}
