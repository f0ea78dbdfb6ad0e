/**
 * The landing page of a run, `reports/<env>/index.html`: the environment, the run's time and
 * totals, links to the reports that exist (Playwright, certification, k6) or the command that
 * produces each missing one, and a coverage table with one row per catalogue requirement.
 * Self-contained: inline CSS, no script, no remote URL, every link relative.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { reportsPath, userRoot, type EnvName } from '../config/env';
import { requirements, type Requirement } from '../contract/requirements';
import type { RunRecord } from '../judgement/outcomes';
import { readRunRecord } from '../judgement/results';
import { judge, totalsLine, verdictLine, type Judgement } from '../judgement/verdict';

export const LANDING_PAGE = 'index.html';

export type LinkedReport = 'playwright' | 'certification' | 'k6';

/** Each linked report: its path relative to the landing page, and how to produce it when missing. */
export const linkedReports: Record<LinkedReport, { path: string; title: string; produce: (env: string) => string }> = {
  playwright: { path: 'html/index.html', title: 'Playwright report', produce: (env) => `npm run conformance -- --env ${env}` },
  certification: { path: 'certification/index.html', title: 'Certification report', produce: (env) => `npm run certify -- --env ${env}` },
  k6: {
    path: 'k6-summary.html',
    title: 'k6 rate-limit summary',
    produce: (env) => `mkdir -p reports/${env} && BILLERAPI_ENV=${env} k6 run load/rate-limits.ts (see load/README.md)`,
  },
};
const linkedReportNames = Object.keys(linkedReports) as LinkedReport[];

export type CoverageStatus = 'passed' | 'failed' | 'warning' | 'not judged' | 'not run';

/** Tests per requirement, by how they ended. */
export type TestTally = Record<'passed' | 'failed' | 'skipped', number>;

export interface CoverageRow {
  id: string;
  level: Requirement['level'];
  statement: string;
  tests: number;
  outcomes: TestTally;
  status: CoverageStatus;
  /** Why failed, warned or skipped (first failure line, skip reason). */
  reason?: string;
}

export interface LandingPageInput {
  environment: string;
  /** The run's record; undefined when results.json is missing (no run yet, or it crashed). */
  run: RunRecord | undefined;
  catalogue: readonly Requirement[];
  /** Which linked reports exist next to the page. */
  present: Record<LinkedReport, boolean>;
  /** The reports a run of this kind can have (default: all); the page names no other. */
  reports?: readonly LinkedReport[];
  /** The page's heading (default: `BillerAPI conformance: <environment>`). */
  title?: string;
  /** When the page was written. */
  now: Date;
}

/**
 * One row per requirement, from the verdict module's judgement (the certification report's
 * results without waivers, so the two pages never disagree); out of scope reads "not run".
 */
export function coverageRows(judgement: Judgement): CoverageRow[] {
  return judgement.requirements.map((r) => ({
    id: r.id,
    level: r.level,
    statement: r.statement,
    tests: r.tests.length,
    outcomes: {
      passed: r.tests.filter((t) => t.status === 'passed').length,
      failed: r.tests.filter((t) => t.status !== 'passed' && t.status !== 'skipped').length,
      skipped: r.tests.filter((t) => t.status === 'skipped').length,
    },
    status: r.status === 'out-of-scope' ? 'not run' : r.status === 'not-judged' ? 'not judged' : r.status === 'waived' ? 'failed' : r.status,
    reason: r.status === 'out-of-scope' ? undefined : r.reason,
  }));
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

const STATUS_CLASS: Record<CoverageStatus, string> = { passed: 'passed', failed: 'failed', warning: 'warning', 'not judged': 'not-judged', 'not run': 'not-run' };

const CSS = `
body { font: 14px/1.45 system-ui, sans-serif; margin: 2rem; color: #1d1d1f; }
h1 { font-size: 1.5rem; margin-bottom: .25rem; }
dl { display: grid; grid-template-columns: max-content auto; gap: .2rem 1rem; }
dt { font-weight: 600; }
code { background: #f2f2f4; padding: 0 .25rem; border-radius: 3px; }
table { border-collapse: collapse; width: 100%; margin-top: 1rem; }
th, td { border: 1px solid #d0d0d7; padding: .3rem .5rem; text-align: left; vertical-align: top; }
th { background: #f2f2f4; }
td:first-child, td.num { white-space: nowrap; }
td.num { text-align: right; }
td.status { font-weight: 600; white-space: nowrap; }
td.status small { display: block; font-weight: 400; white-space: normal; color: #555; }
.passed { color: #146c2e; } .failed { color: #b3261e; } .warning { color: #8a5a00; }
.not-judged { color: #8a5a00; } .not-run { color: #666; }
`;

function linksHtml(environment: string, present: Record<LinkedReport, boolean>, names: readonly LinkedReport[]): string {
  const items = names.map((name) => {
    const { path, title, produce } = linkedReports[name];
    return present[name]
      ? `<li id="link-${name}"><a href="${escapeHtml(path)}">${escapeHtml(title)}</a></li>`
      : `<li id="link-${name}">${escapeHtml(title)}: not produced for this run; produce it with <code>${escapeHtml(produce(environment))}</code></li>`;
  });
  return `<ul id="reports">\n${items.join('\n')}\n</ul>`;
}

function runHtml(environment: string, run: RunRecord | undefined, judgement: Judgement, now: Date): string {
  if (!run) {
    return `<p id="run">No run recorded: results.json is missing. Run <code>${escapeHtml(linkedReports.playwright.produce(environment))}</code>.</p>`;
  }
  const started = run.startedAt ? new Date(run.startedAt) : undefined;
  const rows: [string, string][] = [
    ['Target', run.meta ? `${run.meta.baseUrl}${run.meta.embeddedReference ? ' (the embedded reference)' : ''}, profile ${run.meta.profile}` : 'unknown (no run.json)'],
    ['Started', started ? started.toISOString() : 'unknown'],
    ['Duration', run.durationMs === undefined ? 'unknown' : `${Math.round(run.durationMs / 1000)} s`],
    ['Totals', totalsLine(judgement)],
    ['Verdict', verdictLine(judgement).replace(/^verdict: /, '')],
    ...run.runErrors.map((e): [string, string] => ['Run error', e]),
    ...judgement.harnessErrors.map((e): [string, string] => ['Harness error', `${e.kind} in "${e.test}": ${e.message.split('\n')[0]}`]),
    ['Page written', now.toISOString()],
  ];
  return `<dl id="run">\n${rows.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`).join('\n')}\n</dl>`;
}

function rowHtml(r: CoverageRow): string {
  const outcomes = `${r.outcomes.passed} passed, ${r.outcomes.failed} failed, ${r.outcomes.skipped} skipped`;
  const reason = r.reason ? `<small>${escapeHtml(r.reason)}</small>` : '';
  return `<tr data-id="${escapeHtml(r.id)}"><td>${escapeHtml(r.id)}</td><td>${escapeHtml(r.level)}</td><td>${escapeHtml(r.statement)}</td>`
    + `<td class="num">${r.tests}</td><td class="num">${escapeHtml(outcomes)}</td>`
    + `<td class="status ${STATUS_CLASS[r.status]}">${escapeHtml(r.status)}${reason}</td></tr>`;
}

/** The page's HTML. Pure: everything it shows comes from `input`. */
export function landingPageHtml(input: LandingPageInput): string {
  const title = escapeHtml(input.title ?? `BillerAPI conformance: ${input.environment}`);
  const judgement = judge(input.run ?? { meta: undefined, tests: [], runErrors: [] }, input.catalogue);
  const rows = coverageRows(judgement);
  const counts = (['passed', 'failed', 'warning', 'not judged', 'not run'] as CoverageStatus[])
    .map((s) => `${rows.filter((r) => r.status === s).length} ${s}`).join(', ');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<style>${CSS}</style>
</head>
<body>
<h1>${title}</h1>
${runHtml(input.environment, input.run, judgement, input.now)}
<h2>Reports</h2>
${linksHtml(input.environment, input.present, input.reports ?? linkedReportNames)}
<h2>Requirement coverage</h2>
<p id="coverage-counts">${escapeHtml(`${rows.length} requirements: ${counts}`)}</p>
<table id="coverage">
<thead><tr><th>ID</th><th>Level</th><th>Statement</th><th>Tests</th><th>Outcomes</th><th>Status</th></tr></thead>
<tbody>
${rows.map(rowHtml).join('\n')}
</tbody>
</table>
</body>
</html>
`;
}

/**
 * Writes `<reports>/index.html` from `<reports>/results.json` and `run.json` and the reports found beside it;
 * `reports` defaults to the environment's folder (reports/<env>/ or BILLERAPI_REPORTS_DIR).
 * Returns the page's path.
 */
export function writeLandingPage(envName: EnvName, reports: string = reportsPath(envName)): string {
  const dir = resolve(userRoot(), reports);
  return writeLandingPageOf(dir, { environment: envName, run: readRunRecord(dir), catalogue: requirements });
}

/** Writes `<dir>/index.html` for a run of any kind (a receiver or client certification too), linking the reports found beside it. */
export function writeLandingPageOf(dir: string, input: Omit<LandingPageInput, 'present' | 'now'>): string {
  const present = Object.fromEntries(linkedReportNames.map((name) => [name, existsSync(join(dir, linkedReports[name].path))])) as Record<LinkedReport, boolean>;
  const html = landingPageHtml({ ...input, present, now: new Date() });
  mkdirSync(dir, { recursive: true });
  const path = join(dir, LANDING_PAGE);
  writeFileSync(path, html);
  return path;
}
