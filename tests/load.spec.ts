/** Unit tests of the k6 rate-limit run: the plan (lib/load/load-plan.ts), its reports (lib/load/k6-summary.ts) and the script's exports. */
import { test, expect } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import specJson from '../schemas/spec.json';
import { escapeMarkup, htmlOf, junitOf, textSummaryOf, thresholdResultsOf, type K6Metric, type K6SummaryData, type SummaryContext } from '../lib/load/k6-summary';
import {
  countersOf,
  DEFAULT_WINDOWS,
  execNameOf,
  LOCAL_REFERENCE_URL,
  limitStartSecondsOf,
  loadPlanOf,
  loadTargetOf,
  probeRequestOf,
  refusalOf,
  retryAfterOf,
  type CounterIncrements,
  type EnvMap,
  type LoadPlan,
  type LoadPlanSpec,
} from '../lib/load/load-plan';
import { NEVER_ISSUED_PUBLIC_TOKEN, type GroupName } from '../lib/contract/rate-limits';

const repoRoot = join(__dirname, '..');
const spec = specJson as unknown as LoadPlanSpec;
const specGroups = Object.entries(spec['x-rate-limit-groups']);
const groupNames = specGroups.map(([name]) => name as GroupName);
const CREDENTIALS = { BILLERAPI_RATE_LIMIT_CLIENT_ID: 'cli_rate_limit', BILLERAPI_RATE_LIMIT_CLIENT_SECRET: 'bb_test_rate_limit_secret' };

/** A copy of the spec with one group's numbers changed. */
function specWith(group: GroupName, change: Partial<LoadPlanSpec['x-rate-limit-groups'][string]>): LoadPlanSpec {
  const copy = structuredClone(spec);
  Object.assign(copy['x-rate-limit-groups'][group], change);
  return copy;
}

/** Seconds of a k6 duration written by the plan (`60s`, `114000ms`). */
function secondsOf(duration: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s)$/.exec(duration);
  if (!match) throw new Error(`Unexpected k6 duration "${duration}"`);
  return Number(match[1]) / (match[2] === 'ms' ? 1000 : 1);
}

const expectationOf = (plan: LoadPlan, group: GroupName) => plan.expectations.find((e) => e.group === group)!;

test.describe('lib/load/load-plan.ts: scenarios', () => {
  const plan = loadPlanOf(spec);

  test('one latency and one limit scenario per group of x-rate-limit-groups, and nothing else', () => {
    expect(Object.keys(plan.scenarios).sort()).toEqual(groupNames.flatMap((g) => [`${g}_latency`, `${g}_limit`]).sort());
    for (const g of groupNames) {
      for (const name of [`${g}_latency`, `${g}_limit`]) {
        expect(plan.scenarios[name]).toMatchObject({ executor: 'constant-arrival-rate', exec: execNameOf(g), tags: { group: g } });
      }
    }
  });

  for (const [group, { limit, window_seconds }] of specGroups) {
    test(`${group}: the limit scenario sends above ${limit} per ${window_seconds} s, the latency scenario below`, () => {
      const latency = plan.scenarios[`${group}_latency`];
      const limitScenario = plan.scenarios[`${group}_limit`];
      expect(limitScenario.rate).toBeGreaterThan(limit);
      expect(latency.rate).toBeLessThan(limit);
      expect(latency.rate).toBeGreaterThanOrEqual(1);
      expect(limitScenario.timeUnit).toBe(`${window_seconds}s`);
      expect(latency.timeUnit).toBe(`${window_seconds}s`);
    });

    test(`${group}: the limit scenario spans ${DEFAULT_WINDOWS} windows (less an early stop) and starts after the latency traffic's windows have ended`, () => {
      const latency = plan.scenarios[`${group}_latency`];
      const limitScenario = plan.scenarios[`${group}_limit`];
      const latencyEnd = secondsOf(latency.startTime) + secondsOf(latency.duration);
      expect(secondsOf(latency.duration)).toBe(window_seconds);
      // A window opened by the latency scenario's last request ends a window after it; the
      // request may still be in flight for the latency scenario's gracefulStop.
      expect(secondsOf(limitScenario.startTime)).toBeGreaterThanOrEqual(latencyEnd + window_seconds + secondsOf(latency.gracefulStop!));
      expect(secondsOf(limitScenario.duration)).toBeGreaterThan((plan.windows - 1) * window_seconds);
      expect(secondsOf(limitScenario.duration)).toBeLessThanOrEqual(plan.windows * window_seconds);
    });
  }

  test('the window override replaces every window, in scenarios and start times', () => {
    const shortened = loadPlanOf(spec, { windowSecondsOverride: 5 });
    for (const g of groupNames) {
      expect(shortened.scenarios[`${g}_latency`]).toMatchObject({ timeUnit: '5s', duration: '5s', startTime: '0s' });
      expect(shortened.scenarios[`${g}_limit`]).toMatchObject({ timeUnit: '5s', startTime: `${limitStartSecondsOf(5)}s` });
      expect(secondsOf(shortened.scenarios[`${g}_limit`].duration)).toBeLessThanOrEqual(2 * 5);
      expect(expectationOf(shortened, g).windowSeconds).toBe(5);
    }
  });

  test('every scenario has VUs for its rate', () => {
    for (const scenario of Object.values(loadPlanOf(spec, { windowSecondsOverride: 1 }).scenarios)) {
      expect(scenario.preAllocatedVUs).toBeGreaterThanOrEqual(1);
      expect(scenario.maxVUs).toBeGreaterThan(scenario.preAllocatedVUs);
      expect(scenario.maxVUs).toBeGreaterThanOrEqual(scenario.rate / secondsOf(scenario.timeUnit));
    }
  });
});

test.describe('lib/load/load-plan.ts: thresholds and expectations', () => {
  const plan = loadPlanOf(spec);

  for (const [group, { limit, latency_p95_ms }] of specGroups) {
    test(`${group}: accepted between ${limit} × (windows − 1) and ${limit} × windows; no invalid Retry-After, no failure; p95 below ${latency_p95_ms} ms`, () => {
      const n = plan.windows;
      expect(plan.thresholds[`billerapi_${group}_accepted{scenario:${group}_limit}`]).toEqual([`count>=${limit * (n - 1)}`, `count<=${limit * n}`]);
      expect(plan.thresholds[`billerapi_${group}_retry_after_invalid`]).toEqual(['count==0']);
      expect(plan.thresholds[`billerapi_${group}_failed`]).toEqual(['count==0']);
      expect(plan.thresholds[`http_req_duration{scenario:${group}_latency}`]).toEqual([`p(95)<${latency_p95_ms}`]);
      expect(expectationOf(plan, group as GroupName)).toMatchObject({ limit, acceptedMin: limit * (n - 1), acceptedMax: limit * n, latencyP95Ms: latency_p95_ms });
    });
  }

  test('an unexpected status anywhere fails the run (http_req_failed)', () => {
    expect(plan.thresholds.http_req_failed).toEqual(['rate==0']);
  });

  test('thresholds follow a changed limit and latency objective in the spec', () => {
    const changed = loadPlanOf(specWith('link', { limit: 7, latency_p95_ms: 123 }));
    expect(changed.thresholds['billerapi_link_accepted{scenario:link_limit}']).toEqual(['count>=7', 'count<=14']);
    expect(changed.thresholds['http_req_duration{scenario:link_latency}']).toEqual(['p(95)<123']);
    expect(changed.scenarios.link_limit.rate).toBeGreaterThan(7);
    expect(changed.scenarios.link_latency.rate).toBeLessThan(7);
    expect(changed.thresholds['billerapi_biller_accepted{scenario:biller_limit}']).toEqual(plan.thresholds['billerapi_biller_accepted{scenario:biller_limit}']);
  });

  test('thresholds follow the number of windows', () => {
    const limit = spec['x-rate-limit-groups'].biller.limit;
    const three = loadPlanOf(spec, { windows: 3 });
    expect(three.thresholds['billerapi_biller_accepted{scenario:biller_limit}']).toEqual([`count>=${limit * 2}`, `count<=${limit * 3}`]);
  });

  test('the planned requests exceed the most that may be accepted', () => {
    for (const e of plan.expectations) expect(e.plannedRequests).toBeGreaterThan(e.acceptedMax);
  });
});

test.describe('lib/load/load-plan.ts: classification', () => {
  const none: CounterIncrements = { accepted: 0, limited: 0, retry_after_invalid: 0, failed: 0 };
  const cases: [string, { given: [number, string | undefined]; want: Partial<CounterIncrements> }][] = [
    ['200', { given: [200, undefined], want: { accepted: 1 } }],
    ['400 (the never-issued public token)', { given: [400, undefined], want: { accepted: 1 } }],
    ['429 with a valid Retry-After', { given: [429, '30'], want: { limited: 1 } }],
    ['429 with Retry-After equal to the window', { given: [429, '60'], want: { limited: 1 } }],
    ['429 with Retry-After padded by spaces', { given: [429, ' 7 '], want: { limited: 1 } }],
    ['429 without Retry-After', { given: [429, undefined], want: { limited: 1, retry_after_invalid: 1 } }],
    ['429 with Retry-After 0', { given: [429, '0'], want: { limited: 1, retry_after_invalid: 1 } }],
    ['429 with a negative Retry-After', { given: [429, '-5'], want: { limited: 1, retry_after_invalid: 1 } }],
    ['429 with a non-numeric Retry-After', { given: [429, 'soon'], want: { limited: 1, retry_after_invalid: 1 } }],
    ['429 with a fractional Retry-After', { given: [429, '1.5'], want: { limited: 1, retry_after_invalid: 1 } }],
    ['429 with an HTTP-date Retry-After', { given: [429, 'Wed, 21 Oct 2015 07:28:00 GMT'], want: { limited: 1, retry_after_invalid: 1 } }],
    ['429 with Retry-After longer than the window', { given: [429, '61'], want: { limited: 1, retry_after_invalid: 1 } }],
    ['503 (Retry-After is not judged)', { given: [503, undefined], want: { failed: 1 } }],
    ['500', { given: [500, '10'], want: { failed: 1 } }],
    ['no answer (k6 status 0)', { given: [0, undefined], want: { failed: 1 } }],
  ];
  for (const [name, { given: [status, retryAfter], want }] of cases) {
    test(`countersOf: ${name}`, () => expect(countersOf(status, retryAfter, 60)).toEqual({ ...none, ...want }));
  }

  const headers: [string, { given: Record<string, string>; want: string | undefined }][] = [
    ['canonical case (k6)', { given: { 'Retry-After': '12' }, want: '12' }],
    ['lower case', { given: { 'retry-after': '3' }, want: '3' }],
    ['absent', { given: { 'Content-Type': 'application/json' }, want: undefined }],
  ];
  for (const [name, { given, want }] of headers) test(`retryAfterOf: ${name}`, () => expect(retryAfterOf(given)).toBe(want));
});

test.describe('lib/load/load-plan.ts: environment', () => {
  const refusals: [string, { given: EnvMap; want: string | undefined }][] = [
    ['local with the rate-limit client', { given: { ...CREDENTIALS }, want: undefined }],
    ['sandbox with the rate-limit client', { given: { BILLERAPI_ENV: 'sandbox', ...CREDENTIALS }, want: undefined }],
    ['production allowed explicitly', { given: { BILLERAPI_ENV: 'production', BILLERAPI_ALLOW_PRODUCTION_LOAD: 'yes', ...CREDENTIALS }, want: undefined }],
    ['production not allowed', { given: { BILLERAPI_ENV: 'production', ...CREDENTIALS }, want: 'Refusing to send above-limit traffic to production: set BILLERAPI_ALLOW_PRODUCTION_LOAD=yes to do it on purpose.' }],
    ['production allowed by something other than "yes"', { given: { BILLERAPI_ENV: 'production', BILLERAPI_ALLOW_PRODUCTION_LOAD: 'true', ...CREDENTIALS }, want: 'Refusing to send above-limit traffic to production: set BILLERAPI_ALLOW_PRODUCTION_LOAD=yes to do it on purpose.' }],
    ['no rate-limit client', { given: { BILLERAPI_ENV: 'sandbox' }, want: 'Missing BILLERAPI_RATE_LIMIT_CLIENT_ID and BILLERAPI_RATE_LIMIT_CLIENT_SECRET: set the client reserved for rate-limit traffic (see .env.example).' }],
    ['a blank secret', { given: { ...CREDENTIALS, BILLERAPI_RATE_LIMIT_CLIENT_SECRET: ' ' }, want: 'Missing BILLERAPI_RATE_LIMIT_CLIENT_SECRET: set the client reserved for rate-limit traffic (see .env.example).' }],
    ['production, not allowed and without a client (both said)', { given: { BILLERAPI_ENV: 'production' }, want: [
      'Refusing to send above-limit traffic to production: set BILLERAPI_ALLOW_PRODUCTION_LOAD=yes to do it on purpose.',
      'Missing BILLERAPI_RATE_LIMIT_CLIENT_ID and BILLERAPI_RATE_LIMIT_CLIENT_SECRET: set the client reserved for rate-limit traffic (see .env.example).',
    ].join('\n') }],
    ['an unknown environment', { given: { BILLERAPI_ENV: 'staging', ...CREDENTIALS }, want: 'Unknown environment "staging" in BILLERAPI_ENV. Use one of: local, sandbox, production, partner.' }],
    ['partner without a base URL', { given: { BILLERAPI_ENV: 'partner', ...CREDENTIALS }, want: 'BILLERAPI_BASE_URL is required for the partner environment.' }],
    ['a window override that is not a whole number', { given: { REFERENCE_WINDOW_SECONDS: '2.5', ...CREDENTIALS }, want: 'REFERENCE_WINDOW_SECONDS must be a positive whole number of seconds, got "2.5".' }],
    ['a window override against sandbox', { given: { BILLERAPI_ENV: 'sandbox', REFERENCE_WINDOW_SECONDS: '5', ...CREDENTIALS }, want: 'REFERENCE_WINDOW_SECONDS only suits a server started with shortened windows: unset it for sandbox.' }],
    ['one window', { given: { BILLERAPI_LOAD_WINDOWS: '1', ...CREDENTIALS }, want: 'BILLERAPI_LOAD_WINDOWS must be a whole number of windows, at least 2 (with one, no accepted count is too low), got "1".' }],
  ];
  for (const [name, { given, want }] of refusals) test(`refusalOf: ${name}`, () => expect(refusalOf(given)).toBe(want));

  test('loadTargetOf: sandbox defaults to the spec\'s sandbox server, with the rate-limit client', () => {
    expect(loadTargetOf({ BILLERAPI_ENV: 'sandbox', ...CREDENTIALS }, spec)).toEqual({
      environment: 'sandbox',
      baseUrl: spec.servers!.find((s) => s['x-environment'] === 'sandbox')!.url,
      clientId: CREDENTIALS.BILLERAPI_RATE_LIMIT_CLIENT_ID,
      clientSecret: CREDENTIALS.BILLERAPI_RATE_LIMIT_CLIENT_SECRET,
      windows: 2,
      windowSecondsOverride: undefined,
    });
  });

  test('loadTargetOf: local defaults to the reference\'s address; base URL, windows and override are read', () => {
    expect(loadTargetOf({ ...CREDENTIALS }, spec).baseUrl).toBe(LOCAL_REFERENCE_URL);
    const target = loadTargetOf({ BILLERAPI_BASE_URL: 'http://127.0.0.1:4011/', REFERENCE_WINDOW_SECONDS: '5', BILLERAPI_LOAD_WINDOWS: '3', ...CREDENTIALS }, spec);
    expect(target).toMatchObject({ environment: 'local', baseUrl: 'http://127.0.0.1:4011', windows: 3, windowSecondsOverride: 5 });
  });

  test('loadTargetOf: throws the refusal', () => {
    expect(() => loadTargetOf({ BILLERAPI_ENV: 'production', ...CREDENTIALS }, spec)).toThrow(refusalOf({ BILLERAPI_ENV: 'production', ...CREDENTIALS })!);
  });
});

test.describe('lib/load/load-plan.ts: probe requests', () => {
  const target = loadTargetOf({ BILLERAPI_ENV: 'sandbox', ...CREDENTIALS }, spec);
  const credentialHeaders = { 'X-Client-ID': CREDENTIALS.BILLERAPI_RATE_LIMIT_CLIENT_ID, 'X-Client-Secret': CREDENTIALS.BILLERAPI_RATE_LIMIT_CLIENT_SECRET };

  test('authentication: the exchange of a never-issued public token; its 400 and 429 are expected', () => {
    const request = probeRequestOf(spec, 'authentication', target);
    expect(request).toMatchObject({ method: 'POST', url: `${target.baseUrl}/link/token/exchange`, headers: { ...credentialHeaders, 'Content-Type': 'application/json' } });
    expect(JSON.parse(request.body!)).toEqual({ public_token: NEVER_ISSUED_PUBLIC_TOKEN });
    expect(request.expectedStatuses).toEqual(expect.arrayContaining([200, 400, 429]));
    expect(request.expectedStatuses).not.toContain(401);
  });

  for (const [group, path] of [['link', '/webhooks'], ['biller', '/billers']] as const) {
    test(`${group}: GET ${path} without a body; 200 and 429 are expected, 400 is not`, () => {
      const request = probeRequestOf(spec, group, target);
      expect(request).toMatchObject({ method: 'GET', url: `${target.baseUrl}${path}`, body: null, headers: credentialHeaders });
      expect(request.expectedStatuses.sort()).toEqual([200, 429]);
    });
  }
});

// ---------------------------------------------------------------------------------------------
// Reports

/** k6 summary data for `plan` in which every threshold held, except those in `failing` (metric → observed count). */
function summaryFixture(plan: LoadPlan, failing: Record<string, number> = {}): K6SummaryData {
  const metrics: Record<string, K6Metric> = {};
  const counter = (count: number, thresholds?: Record<string, { ok: boolean }>): K6Metric => ({ type: 'counter', contains: 'default', values: { count, rate: count / 100 }, ...(thresholds && { thresholds }) });
  for (const e of plan.expectations) {
    const accepted = failing[e.acceptedMetric] ?? e.acceptedMax;
    metrics[e.acceptedMetric] = counter(accepted, { [`count>=${e.acceptedMin}`]: { ok: accepted >= e.acceptedMin }, [`count<=${e.acceptedMax}`]: { ok: accepted <= e.acceptedMax } });
    metrics[e.metrics.accepted] = counter(accepted + e.latencyRate);
    metrics[e.metrics.limited] = counter(e.plannedRequests - accepted);
    for (const metric of [e.metrics.retry_after_invalid, e.metrics.failed]) {
      const count = failing[metric] ?? 0;
      metrics[metric] = counter(count, { 'count==0': { ok: count === 0 } });
    }
    metrics[e.latencyMetric] = { type: 'trend', contains: 'time', values: { avg: 40, min: 3, med: 35, max: 90, 'p(90)': 70, 'p(95)': 80.25 }, thresholds: { [`p(95)<${e.latencyP95Ms}`]: { ok: true } } };
  }
  metrics.http_req_failed = { type: 'rate', contains: 'default', values: { rate: 0, passes: 0, fails: 900 }, thresholds: { 'rate==0': { ok: true } } };
  return { metrics, state: { testRunDurationMs: 245_012 } };
}

/** Problems that keep `xml` from being well-formed: unbalanced or crossed tags, raw `<` or `&`, unquoted attributes. */
function xmlProblems(xml: string): string[] {
  const problems: string[] = [];
  const body = xml.replace(/^<\?xml version="1\.0" encoding="UTF-8"\?>\n/, '');
  if (body === xml) problems.push('no XML declaration');
  const ENTITY = /&(?:amp|lt|gt|quot|#39);/g;
  const ATTRIBUTES = /^(?:\s+[A-Za-z_:][\w:.-]*="[^"<]*")*\s*$/;
  const stack: string[] = [];
  let roots = 0;
  for (const [token, closing, name, attributes, selfClosing, text] of body.matchAll(/<(\/?)([A-Za-z_][\w.-]*)([^<>]*?)(\/?)>|([^<]+)/g)) {
    if (text !== undefined) {
      if (text.replace(ENTITY, '').includes('&')) problems.push(`raw & in text: ${text}`);
      if (stack.length === 0 && text.trim() !== '') problems.push(`text outside the root: ${text}`);
      continue;
    }
    if (!ATTRIBUTES.test(attributes) || attributes.replace(ENTITY, '').includes('&')) problems.push(`malformed attributes: ${token}`);
    if (closing) {
      if (stack.pop() !== name) problems.push(`unbalanced </${name}>`);
    } else if (!selfClosing) {
      if (stack.length === 0) roots += 1;
      stack.push(name);
    } else if (stack.length === 0) roots += 1;
  }
  const consumed = [...body.matchAll(/<(\/?)([A-Za-z_][\w.-]*)([^<>]*?)(\/?)>|([^<]+)/g)].map((m) => m[0]).join('');
  if (consumed !== body) problems.push('a < that starts no tag');
  if (stack.length > 0) problems.push(`unclosed ${stack.join(', ')}`);
  if (roots !== 1) problems.push(`${roots} root elements`);
  return problems;
}

test.describe('lib/load/k6-summary.ts', () => {
  const plan = loadPlanOf(spec);
  const link = expectationOf(plan, 'link');
  const context: SummaryContext = { environment: 'sandbox', reportsDir: 'reports/sandbox', expectations: plan.expectations };
  const passing = summaryFixture(plan);
  const failing = summaryFixture(plan, { [link.acceptedMetric]: link.acceptedMax + 60, [link.metrics.retry_after_invalid]: 3 });

  test('xmlProblems (the checker below) finds malformed XML', () => {
    const declaration = '<?xml version="1.0" encoding="UTF-8"?>\n';
    expect(xmlProblems(`${declaration}<a><b></a></b>`)).not.toEqual([]);
    expect(xmlProblems(`${declaration}<a>x < y</a>`)).not.toEqual([]);
    expect(xmlProblems(`${declaration}<a n="1 & 2"/>`)).not.toEqual([]);
    expect(xmlProblems(`${declaration}<a/><b/>`)).not.toEqual([]);
    expect(xmlProblems(`${declaration}<a n="1 &amp; 2"><b/>x &lt; y</a>`)).toEqual([]);
  });

  test('thresholdResultsOf: one result per threshold, with the value it compared', () => {
    const results = thresholdResultsOf(failing);
    expect(results).toHaveLength(Object.values(plan.thresholds).flat().length);
    expect(results).toContainEqual({ metric: link.acceptedMetric, expression: `count<=${link.acceptedMax}`, ok: false, observed: link.acceptedMax + 60 });
    expect(results).toContainEqual({ metric: link.latencyMetric, expression: `p(95)<${link.latencyP95Ms}`, ok: true, observed: 80.25 });
  });

  test('junitOf: well-formed, one testcase per threshold, named with the metric and expression', () => {
    const xml = junitOf(passing);
    expect(xmlProblems(xml)).toEqual([]);
    const thresholdCount = Object.values(plan.thresholds).flat().length;
    expect(xml.match(/<testcase /g)).toHaveLength(thresholdCount);
    expect(xml).toContain(`tests="${thresholdCount}" failures="0" time="245.012"`);
    expect(xml).not.toContain('<failure');
    expect(xml).toContain(`name="${escapeMarkup(`${link.acceptedMetric} count<=${link.acceptedMax}`)}"`);
  });

  test('junitOf: a threshold that did not hold is a <failure> with the observed value', () => {
    const xml = junitOf(failing);
    expect(xmlProblems(xml)).toEqual([]);
    expect(xml.match(/<failure /g)).toHaveLength(2);
    expect(xml).toContain('failures="2"');
    const testcase = xml.split('<testcase ').find((t) => t.includes(`count&lt;=${link.acceptedMax}`))!;
    expect(testcase).toContain(`<failure type="threshold" message="threshold count&lt;=${link.acceptedMax} not met: observed ${link.acceptedMax + 60}"`);
  });

  test('junitOf: markup in a metric name is escaped', () => {
    const data: K6SummaryData = { metrics: { 'odd{tag:<script>&"\'}': { type: 'counter', values: { count: 1 }, thresholds: { 'count<1': { ok: false } } } }, state: { testRunDurationMs: 1 } };
    const xml = junitOf(data);
    expect(xmlProblems(xml)).toEqual([]);
    expect(xml).not.toContain('<script>');
    expect(xml).toContain('odd{tag:&lt;script&gt;&amp;&quot;&#39;}');
  });

  test('htmlOf: one row per group with limit, window, expected range, observations, p95 vs objective, and the verdict', () => {
    const html = htmlOf(failing, context);
    expect(html).toContain('FAIL: 2 of');
    expect(htmlOf(passing, context)).toContain(`PASS: all ${Object.values(plan.thresholds).flat().length} thresholds held`);
    for (const e of plan.expectations) {
      const row = html.split('<tr>').find((r) => r.startsWith(`<td>${e.group}</td>`))!;
      expect(row).toContain(`${e.limit} per ${e.windowSeconds} s`);
      expect(row).toContain(`${e.acceptedMin}–${e.acceptedMax}`);
      expect(row).toContain(`80.3 ms (objective &lt; ${e.latencyP95Ms} ms)`);
      expect(row).toContain(e.group === 'link' ? '<td class="fail">FAIL</td>' : '<td class="pass">PASS</td>');
    }
  });

  test('htmlOf: self-contained, nothing remote, no script', () => {
    const html = htmlOf(failing, context);
    expect(html).not.toMatch(/https?:|\/\/[a-z]/i);
    expect(html).not.toMatch(/<(script|link|img|iframe|object|embed)\b/i);
    expect(html).not.toMatch(/\b(src|href)=|url\(|@import/i);
  });

  test('htmlOf: interpolated text is escaped', () => {
    const html = htmlOf(failing, { ...context, environment: '<script>alert("x")</script>' });
    expect(html).not.toMatch(/<script/i);
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
  });

  test('textSummaryOf: verdict, a line per group, the thresholds not met and where the reports are', () => {
    const text = textSummaryOf(failing, context);
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^BillerAPI rate limits under load \(sandbox\): FAIL, \d+ of \d+ thresholds held$/);
    expect(lines).toContain(`  ${link.acceptedMetric} count<=${link.acceptedMax}: observed ${link.acceptedMax + 60}`);
    for (const e of plan.expectations) expect(text).toContain(`${e.group === 'link' ? 'FAIL' : 'PASS'} ${e.group}: limit ${e.limit} per ${e.windowSeconds} s`);
    expect(lines.at(-1)).toBe('Reports: reports/sandbox/k6-summary.html, k6-junit.xml, k6-summary.json');
    expect(textSummaryOf(passing, context)).not.toContain('Thresholds not met');
  });
});

// ---------------------------------------------------------------------------------------------
// The k6 script and what k6 can load

test.describe('load/rate-limits.ts', () => {
  const source = (path: string) => readFileSync(join(repoRoot, path), 'utf8');
  const script = source('load/rate-limits.ts');

  test('exports a function for every scenario\'s exec', () => {
    const execs = new Set(Object.values(loadPlanOf(spec).scenarios).map((s) => s.exec));
    expect(execs.size).toBe(groupNames.length);
    for (const exec of execs) expect(script).toMatch(new RegExp(`^export function ${exec}\\(`, 'm'));
  });

  test('exports options and handleSummary writing the three reports under reports/<env>/', () => {
    expect(script).toMatch(/^export const options: Options = /m);
    expect(script).toMatch(/^export function handleSummary\(/m);
    for (const file of ['k6-summary.json', 'k6-junit.xml', 'k6-summary.html']) expect(script).toContain(`[\`\${reportsDir}/${file}\`]`);
    expect(script).toContain('const reportsDir = `reports/${target.environment}`;');
  });

  // k6 resolves module paths exactly as written, loads no Node module and fetches remote ones.
  for (const path of ['load/rate-limits.ts', 'lib/load/load-plan.ts', 'lib/load/k6-summary.ts', 'lib/contract/rate-limits.ts']) {
    test(`${path} imports only k6 modules and relative .ts files at run time`, () => {
      const valueImports = [...source(path).matchAll(/^import (?!type )[^;]*? from '([^']+)';/gms)].map((m) => m[1]);
      for (const specifier of valueImports) expect(specifier).toMatch(/^(k6(\/[a-z-]+)*|\.\.?\/[\w./-]+\.ts)$/);
    });
  }
});
