/**
 * Reports of the k6 rate-limit run, from the data k6 passes to `handleSummary`: JUnit XML with
 * one testcase per threshold, a self-contained HTML page, and a plain-text summary for stdout.
 * Pure and k6-safe (type-only imports, erased before k6 sees them).
 */
import type { GroupExpectation } from './load-plan';

/** One metric of k6's summary data; `thresholds` is there only for metrics that have some. */
export interface K6Metric {
  type: string;
  contains?: string;
  values: Record<string, number>;
  thresholds?: Record<string, { ok: boolean }>;
}

/** The part of k6's `handleSummary` data these reports read. */
export interface K6SummaryData {
  metrics: Record<string, K6Metric>;
  state: { testRunDurationMs: number };
}

export interface SummaryContext {
  environment: string;
  /** Where the run's reports are written, for the stdout summary. */
  reportsDir: string;
  expectations: readonly GroupExpectation[];
}

export interface ThresholdResult {
  metric: string;
  expression: string;
  ok: boolean;
  /** The value the expression compared, when k6 reported it. */
  observed: number | undefined;
}

/** The aggregate a threshold expression compares: `count`, `rate`, `p(95)`, … */
const AGGREGATE = /^\s*(count|rate|value|avg|min|max|med|p\(\d+(?:\.\d+)?\))/;

/** Every threshold of the run, in the order of k6's metrics. */
export function thresholdResultsOf(data: K6SummaryData): ThresholdResult[] {
  return Object.entries(data.metrics).flatMap(([metric, m]) =>
    Object.entries(m.thresholds ?? {}).map(([expression, { ok }]) => {
      const aggregate = AGGREGATE.exec(expression)?.[1];
      return { metric, expression, ok, observed: aggregate === undefined ? undefined : m.values[aggregate] };
    }),
  );
}

export const runPassed = (results: readonly ThresholdResult[]): boolean => results.every((r) => r.ok);

/** Text safe inside XML and HTML elements and quoted attributes. XML 1.0 cannot carry C0 controls at all. */
export function escapeMarkup(text: string): string {
  return text
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

const formatNumber = (value: number | undefined): string =>
  value === undefined ? 'no data' : Number.isInteger(value) ? String(value) : value.toFixed(1);
const thresholdName = (r: ThresholdResult): string => `${r.metric} ${r.expression}`;
const failureMessage = (r: ThresholdResult): string => `threshold ${r.expression} not met: observed ${formatNumber(r.observed)}`;
const seconds = (data: K6SummaryData): string => (data.state.testRunDurationMs / 1000).toFixed(3);

// ---------------------------------------------------------------------------------------------
// JUnit

function junitTestcase(r: ThresholdResult): string {
  const open = `    <testcase classname="${escapeMarkup(r.metric)}" name="${escapeMarkup(thresholdName(r))}" time="0"`;
  if (r.ok) return `${open}/>`;
  const message = escapeMarkup(failureMessage(r));
  return `${open}>\n      <failure type="threshold" message="${message}">${message}</failure>\n    </testcase>`;
}

/** JUnit XML: one testcase per threshold, a failure for each threshold that did not hold. */
export function junitOf(data: K6SummaryData, suiteName = 'k6 rate-limit thresholds'): string {
  const results = thresholdResultsOf(data);
  const counts = `tests="${results.length}" failures="${results.filter((r) => !r.ok).length}" time="${seconds(data)}"`;
  const name = escapeMarkup(suiteName);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${name}" ${counts}>`,
    `  <testsuite name="${name}" ${counts}>`,
    ...results.map(junitTestcase),
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------
// Per-group rows, shared by the HTML page and the text summary

export interface GroupRow {
  expectation: GroupExpectation;
  accepted: number | undefined;
  limited: number | undefined;
  retryAfterInvalid: number | undefined;
  failed: number | undefined;
  p95Ms: number | undefined;
  ok: boolean;
}

const valueOf = (data: K6SummaryData, metric: string, aggregate: string): number | undefined => data.metrics[metric]?.values[aggregate];

/** What a group's run showed; the group passes when every threshold on its metrics held. */
export function groupRowOf(data: K6SummaryData, e: GroupExpectation, results: readonly ThresholdResult[]): GroupRow {
  const own = new Set([e.acceptedMetric, e.latencyMetric, ...Object.values(e.metrics)]);
  return {
    expectation: e,
    accepted: valueOf(data, e.acceptedMetric, 'count'),
    limited: valueOf(data, e.metrics.limited, 'count'),
    retryAfterInvalid: valueOf(data, e.metrics.retry_after_invalid, 'count'),
    failed: valueOf(data, e.metrics.failed, 'count'),
    p95Ms: valueOf(data, e.latencyMetric, 'p(95)'),
    ok: results.filter((r) => own.has(r.metric)).every((r) => r.ok),
  };
}

const verdictWord = (ok: boolean): string => (ok ? 'PASS' : 'FAIL');
const acceptedRange = (e: GroupExpectation): string => `${e.acceptedMin}–${e.acceptedMax}`;
const limitText = (e: GroupExpectation): string => `${e.limit} per ${e.windowSeconds} s (${e.scope})`;
const latencyText = (r: GroupRow): string => `${formatNumber(r.p95Ms)} ms (objective < ${r.expectation.latencyP95Ms} ms)`;

// ---------------------------------------------------------------------------------------------
// HTML

const STYLE = `
body { font: 14px/1.45 system-ui, sans-serif; margin: 2rem; color: #1b1f24; }
table { border-collapse: collapse; margin: 1rem 0; }
th, td { border: 1px solid #c9d1d9; padding: .35rem .6rem; text-align: left; }
td.number { text-align: right; font-variant-numeric: tabular-nums; }
.pass { color: #116329; font-weight: 600; }
.fail { color: #a40e26; font-weight: 600; }
code { font: 12px ui-monospace, monospace; }
`;

const cell = (text: string, className?: string): string =>
  `<td${className ? ` class="${className}"` : ''}>${escapeMarkup(text)}</td>`;
const verdictCell = (ok: boolean): string => cell(verdictWord(ok), ok ? 'pass' : 'fail');
const row = (cells: string[]): string => `<tr>${cells.join('')}</tr>`;
const header = (titles: string[]): string => `<thead><tr>${titles.map((t) => `<th>${escapeMarkup(t)}</th>`).join('')}</tr></thead>`;

function groupHtmlRow(r: GroupRow): string {
  const e = r.expectation;
  return row([
    cell(e.group),
    cell(limitText(e)),
    cell(`${e.windows} × ${e.windowSeconds} s`),
    cell(acceptedRange(e), 'number'),
    cell(formatNumber(r.accepted), 'number'),
    cell(formatNumber(r.limited), 'number'),
    cell(formatNumber(r.retryAfterInvalid), 'number'),
    cell(formatNumber(r.failed), 'number'),
    cell(latencyText(r), 'number'),
    verdictCell(r.ok),
  ]);
}

function thresholdHtmlRow(r: ThresholdResult): string {
  return row([`<td><code>${escapeMarkup(r.metric)}</code></td>`, `<td><code>${escapeMarkup(r.expression)}</code></td>`, cell(formatNumber(r.observed), 'number'), verdictCell(r.ok)]);
}

/** A self-contained page (inline CSS, no script, nothing fetched) with the groups and every threshold. */
export function htmlOf(data: K6SummaryData, context: SummaryContext): string {
  const results = thresholdResultsOf(data);
  const passed = runPassed(results);
  const rows = context.expectations.map((e) => groupRowOf(data, e, results));
  const failedCount = results.filter((r) => !r.ok).length;
  const verdict = passed ? `PASS: all ${results.length} thresholds held` : `FAIL: ${failedCount} of ${results.length} thresholds did not hold`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>BillerAPI rate limits under load: ${escapeMarkup(context.environment)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>BillerAPI rate limits under load</h1>
<p>Environment <strong>${escapeMarkup(context.environment)}</strong>, ${escapeMarkup(seconds(data))} s.</p>
<p class="${passed ? 'pass' : 'fail'}">${escapeMarkup(verdict)}</p>
<table>
${header(['Group', 'Limit', 'Limit scenario', 'Expected accepted', 'Accepted', 'Limited', 'Retry-After invalid', 'Failed (5xx or no answer)', 'p95 latency', 'Result'])}
<tbody>
${rows.map(groupHtmlRow).join('\n')}
</tbody>
</table>
<p>Accepted counts the limit scenario only; limited, Retry-After invalid and failed count both scenarios; p95 is the latency scenario's, below the limit.</p>
<h2>Thresholds</h2>
<table>
${header(['Metric', 'Expression', 'Observed', 'Result'])}
<tbody>
${results.map(thresholdHtmlRow).join('\n')}
</tbody>
</table>
</body>
</html>
`;
}

// ---------------------------------------------------------------------------------------------
// Text

function groupTextLine(r: GroupRow): string {
  const e = r.expectation;
  return [
    `  ${verdictWord(r.ok)} ${e.group}: limit ${limitText(e)}`,
    `accepted ${formatNumber(r.accepted)} (expected ${acceptedRange(e)})`,
    `limited ${formatNumber(r.limited)}`,
    `Retry-After invalid ${formatNumber(r.retryAfterInvalid)}`,
    `failed ${formatNumber(r.failed)}`,
    `p95 ${latencyText(r)}`,
  ].join(', ');
}

/** A few lines for stdout: the verdict, one line per group, the thresholds that did not hold, where the reports are. */
export function textSummaryOf(data: K6SummaryData, context: SummaryContext): string {
  const results = thresholdResultsOf(data);
  const failures = results.filter((r) => !r.ok);
  return [
    `BillerAPI rate limits under load (${context.environment}): ${verdictWord(runPassed(results))}, ${results.length - failures.length} of ${results.length} thresholds held`,
    ...context.expectations.map((e) => groupTextLine(groupRowOf(data, e, results))),
    ...(failures.length > 0 ? ['Thresholds not met:', ...failures.map((r) => `  ${thresholdName(r)}: observed ${formatNumber(r.observed)}`)] : []),
    `Reports: ${context.reportsDir}/k6-summary.html, k6-junit.xml, k6-summary.json`,
    '',
  ].join('\n');
}
