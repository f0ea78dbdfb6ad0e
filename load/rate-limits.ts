/**
 * The k6 run of the rate limits: per group of
 * `x-rate-limit-groups`, traffic below the limit for its latency, then above it for its limit.
 * Scenarios, thresholds and reports come from lib/; load/README.md says how to run it.
 */
import http, { type RefinedParams } from 'k6/http';
import { Counter } from 'k6/metrics';
import type { Options } from 'k6/options';
import { htmlOf, junitOf, textSummaryOf, type K6SummaryData, type SummaryContext } from '../lib/load/k6-summary.ts';
import {
  counterKinds,
  countersOf,
  loadPlanOf,
  loadTargetOf,
  probeRequestOf,
  retryAfterOf,
  type CounterKind,
  type GroupExpectation,
  type LoadPlanSpec,
  type ProbeRequest,
} from '../lib/load/load-plan.ts';
import type { GroupName } from '../lib/contract/rate-limits.ts';

// k6 has no JSON modules: the spec is read as text, in the init context where `open` exists.
const spec = JSON.parse(open('../schemas/spec.json')) as LoadPlanSpec;
const target = loadTargetOf(__ENV, spec);
const plan = loadPlanOf(spec, { windows: target.windows, windowSecondsOverride: target.windowSecondsOverride });
const reportsDir = `reports/${target.environment}`;

export const options: Options = {
  scenarios: plan.scenarios,
  thresholds: plan.thresholds,
};

interface GroupProbe {
  expectation: GroupExpectation;
  request: ProbeRequest;
  params: RefinedParams<'text'>;
  counters: Record<CounterKind, Counter>;
}

function groupProbeOf(expectation: GroupExpectation): GroupProbe {
  const request = probeRequestOf(spec, expectation.group, target);
  return {
    expectation,
    request,
    params: {
      headers: request.headers,
      tags: { name: request.operation.operationId },
      // 429 and the probe's documented answer are what the run is after, not failed requests.
      responseCallback: http.expectedStatuses(...request.expectedStatuses),
    },
    counters: Object.fromEntries(counterKinds.map((kind) => [kind, new Counter(expectation.metrics[kind])])) as Record<CounterKind, Counter>,
  };
}

const probes = Object.fromEntries(plan.expectations.map((e) => [e.group, groupProbeOf(e)])) as Record<GroupName, GroupProbe>;

function probe(group: GroupName): void {
  const { expectation, request, params, counters } = probes[group];
  const response = http.request(request.method, request.url, request.body, params);
  const increments = countersOf(response.status, retryAfterOf(response.headers), expectation.windowSeconds);
  for (const kind of counterKinds) counters[kind].add(increments[kind]);
}

export function probeAuthentication(): void {
  probe('authentication');
}

export function probeLink(): void {
  probe('link');
}

export function probeBiller(): void {
  probe('biller');
}

export function handleSummary(data: K6SummaryData): Record<string, string> {
  const context: SummaryContext = { environment: target.environment, reportsDir, expectations: plan.expectations };
  return {
    [`${reportsDir}/k6-summary.json`]: JSON.stringify(data, null, 2),
    [`${reportsDir}/k6-junit.xml`]: junitOf(data),
    [`${reportsDir}/k6-summary.html`]: htmlOf(data, context),
    stdout: textSummaryOf(data, context),
  };
}
