/**
 * lib/load/ — the k6 rate-limit load run: its plan (load-plan.ts) and its reports
 * (k6-summary.ts). k6 loads these files as they are: they import no node: module and no package,
 * only each other and lib/contract/rate-limits.ts, with the .ts extension (.dependency-
 * cruiser.cjs checks it).
 */
/**
 * The k6 plan of the rate-limit load run: per rate-limit group, a latency scenario below the
 * limit and then a limit scenario above it, with thresholds
 * computed from `x-rate-limit-groups`, never from typed-in numbers.
 *
 * Pure and k6-safe: k6 loads this file as it is, so it imports only `./rate-limits.ts`, with
 * the extension because k6 resolves module paths exactly as written.
 */
import {
  groupsFromSpec,
  NEVER_ISSUED_PUBLIC_TOKEN,
  parseRetryAfter,
  probeOperationOf,
  verdictOf,
  type GroupName,
  type LimitScope,
  type ProbeOperation,
  type RateLimitGroup,
  type RateLimitSpec,
} from '../contract/rate-limits.ts';

/** The part of the OpenAPI document the load plan reads: the groups with their latency objective, and the servers. */
export interface LoadPlanSpec extends RateLimitSpec {
  'x-rate-limit-groups': Record<string, { limit: number; window_seconds: number; scope: LimitScope; latency_p95_ms: number }>;
  servers?: { url: string; 'x-environment'?: string }[];
}

/** Limit scenarios send this many times the limit per window, so that every window ends refused. */
export const ABOVE_LIMIT_FACTOR = 1.5;
/** Latency scenarios send this fraction of the limit per window, so that no request is refused. */
export const BELOW_LIMIT_FACTOR = 0.5;
export const DEFAULT_WINDOWS = 2;
/**
 * Seconds added to the one-window pause between the latency and the limit scenarios: the
 * latency scenario's last requests may still be in flight (its gracefulStop) and open a window
 * of their own as it ends.
 */
export const PAUSE_MARGIN_SECONDS = 5;
/**
 * A limit scenario stops this fraction of a window before its N windows are over: a late request
 * answered slowly would otherwise reach the server after the N-th window and open an (N+1)-th,
 * one accepted request more than limit × N. Above the limit by ABOVE_LIMIT_FACTOR, the shortened
 * last window still receives more than the limit.
 */
export const EARLY_STOP_WINDOW_FRACTION = 0.1;
/** VUs k6 keeps ready per request per second: an answer is expected within a second... */
const PREALLOCATED_VU_SECONDS = 1;
/** ...and it may start more, up to this many seconds of answers, before it drops iterations. */
const MAX_VU_SECONDS = 10;

// ---------------------------------------------------------------------------------------------
// Environment

export type EnvMap = Readonly<Record<string, string | undefined>>;
export const loadEnvironmentNames = ['local', 'sandbox', 'production', 'partner'] as const;
export type LoadEnvironmentName = (typeof loadEnvironmentNames)[number];

/** Where `npm run reference` listens by default (PORT 4010, HOST 127.0.0.1). */
export const LOCAL_REFERENCE_URL = 'http://127.0.0.1:4010';
export const RATE_LIMIT_CREDENTIAL_VARIABLES = ['BILLERAPI_RATE_LIMIT_CLIENT_ID', 'BILLERAPI_RATE_LIMIT_CLIENT_SECRET'] as const;

const valueOf = (env: EnvMap, name: string): string | undefined => env[name]?.trim() || undefined;
const isEnvironmentName = (name: string): name is LoadEnvironmentName => (loadEnvironmentNames as readonly string[]).includes(name);

/** BILLERAPI_ENV, `local` when unset; undefined when it names no environment. */
export function environmentNameOf(env: EnvMap): LoadEnvironmentName | undefined {
  const name = valueOf(env, 'BILLERAPI_ENV') ?? 'local';
  return isEnvironmentName(name) ? name : undefined;
}

function unknownEnvironment(env: EnvMap): string | undefined {
  if (environmentNameOf(env)) return undefined;
  return `Unknown environment "${valueOf(env, 'BILLERAPI_ENV')}" in BILLERAPI_ENV. Use one of: ${loadEnvironmentNames.join(', ')}.`;
}

function productionNotAllowed(env: EnvMap): string | undefined {
  if (environmentNameOf(env) !== 'production' || valueOf(env, 'BILLERAPI_ALLOW_PRODUCTION_LOAD') === 'yes') return undefined;
  return 'Refusing to send above-limit traffic to production: set BILLERAPI_ALLOW_PRODUCTION_LOAD=yes to do it on purpose.';
}

function missingCredentials(env: EnvMap): string | undefined {
  const missing = RATE_LIMIT_CREDENTIAL_VARIABLES.filter((name) => !valueOf(env, name));
  if (missing.length === 0) return undefined;
  return `Missing ${missing.join(' and ')}: set the client reserved for rate-limit traffic (see .env.example).`;
}

function partnerWithoutBaseUrl(env: EnvMap): string | undefined {
  if (environmentNameOf(env) !== 'partner' || valueOf(env, 'BILLERAPI_BASE_URL')) return undefined;
  return 'BILLERAPI_BASE_URL is required for the partner environment.';
}

const POSITIVE_WHOLE_NUMBER = /^[1-9]\d*$/;

function invalidWindowOverride(env: EnvMap): string | undefined {
  const raw = valueOf(env, 'REFERENCE_WINDOW_SECONDS');
  if (raw === undefined) return undefined;
  if (!POSITIVE_WHOLE_NUMBER.test(raw)) return `REFERENCE_WINDOW_SECONDS must be a positive whole number of seconds, got "${raw}".`;
  const name = environmentNameOf(env);
  if (name !== 'sandbox' && name !== 'production') return undefined;
  return `REFERENCE_WINDOW_SECONDS only suits a server started with shortened windows: unset it for ${name}.`;
}

function invalidWindowCount(env: EnvMap): string | undefined {
  const raw = valueOf(env, 'BILLERAPI_LOAD_WINDOWS');
  if (raw === undefined || (POSITIVE_WHOLE_NUMBER.test(raw) && Number(raw) >= 2)) return undefined;
  return `BILLERAPI_LOAD_WINDOWS must be a whole number of windows, at least 2 (with one, no accepted count is too low), got "${raw}".`;
}

const refusalChecks = [unknownEnvironment, productionNotAllowed, missingCredentials, partnerWithoutBaseUrl, invalidWindowOverride, invalidWindowCount];

/** Why the load run must not start, one sentence per problem; undefined when it may. */
export function refusalOf(env: EnvMap): string | undefined {
  const problems = refusalChecks.map((check) => check(env)).filter((problem): problem is string => problem !== undefined);
  return problems.length > 0 ? problems.join('\n') : undefined;
}

export interface LoadTarget {
  environment: LoadEnvironmentName;
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  windows: number;
  windowSecondsOverride?: number;
}

/** The spec's server URL for an environment (`servers[].x-environment`). */
function serverUrlOf(spec: LoadPlanSpec, environment: LoadEnvironmentName): string | undefined {
  return spec.servers?.find((server) => server['x-environment'] === environment)?.url;
}

/** What the run points at; throws the refusal when the environment cannot be used. */
export function loadTargetOf(env: EnvMap, spec: LoadPlanSpec): LoadTarget {
  const refusal = refusalOf(env);
  if (refusal !== undefined) throw new Error(refusal);
  const environment = environmentNameOf(env) as LoadEnvironmentName;
  const baseUrl = valueOf(env, 'BILLERAPI_BASE_URL') ?? serverUrlOf(spec, environment) ?? LOCAL_REFERENCE_URL;
  const override = valueOf(env, 'REFERENCE_WINDOW_SECONDS');
  return {
    environment,
    baseUrl: baseUrl.replace(/\/+$/, ''),
    clientId: valueOf(env, RATE_LIMIT_CREDENTIAL_VARIABLES[0]) as string,
    clientSecret: valueOf(env, RATE_LIMIT_CREDENTIAL_VARIABLES[1]) as string,
    windows: Number(valueOf(env, 'BILLERAPI_LOAD_WINDOWS') ?? DEFAULT_WINDOWS),
    windowSecondsOverride: override === undefined ? undefined : Number(override),
  };
}

// ---------------------------------------------------------------------------------------------
// Metrics and classification

export type CounterKind = 'accepted' | 'limited' | 'retry_after_invalid' | 'failed';
export const counterKinds: readonly CounterKind[] = ['accepted', 'limited', 'retry_after_invalid', 'failed'];
export type CounterIncrements = Record<CounterKind, 0 | 1>;

export function counterMetricName(group: GroupName, kind: CounterKind): string {
  return `billerapi_${group}_${kind}`;
}

export const latencyScenarioName = (group: GroupName): string => `${group}_latency`;
export const limitScenarioName = (group: GroupName): string => `${group}_limit`;
/** The exported function of load/rate-limits.ts that both scenarios of a group run. */
export const execNameOf = (group: GroupName): string => `probe${group.charAt(0).toUpperCase()}${group.slice(1)}`;

/** A k6 sub-metric: the metric's samples that carry the scenario's tag. */
const inScenario = (metric: string, scenario: string): string => `${metric}{scenario:${scenario}}`;

/**
 * What one answer adds to a group's counters. Every counter gets a value, 0 included, so that
 * each metric has samples and its thresholds are evaluated even when nothing happened.
 */
export function countersOf(status: number, retryAfter: string | undefined, windowSeconds: number): CounterIncrements {
  const verdict = verdictOf(status);
  return {
    accepted: verdict === 'accepted' ? 1 : 0,
    limited: verdict === 'limited' ? 1 : 0,
    retry_after_invalid: verdict === 'limited' && !parseRetryAfter(retryAfter, windowSeconds).valid ? 1 : 0,
    failed: verdict === 'failed' ? 1 : 0,
  };
}

/** The Retry-After header of k6 response headers, whatever their case. */
export function retryAfterOf(headers: Readonly<Record<string, string>>): string | undefined {
  const name = Object.keys(headers).find((key) => key.toLowerCase() === 'retry-after');
  return name === undefined ? undefined : headers[name];
}

// ---------------------------------------------------------------------------------------------
// Probe requests

/** Probes that need a body, and the documented answer that body gets besides a success. */
const probeBodies: Record<string, { body: unknown; documentedAnswer: number }> = {
  exchangePublicToken: { body: { public_token: NEVER_ISSUED_PUBLIC_TOKEN }, documentedAnswer: 400 },
};

export interface ProbeRequest {
  operation: ProbeOperation;
  method: string;
  url: string;
  body: string | null;
  headers: Record<string, string>;
  /** Answers that are not failures of the run: the operation's documented successes, 429, and the probe's documented answer. */
  expectedStatuses: number[];
}

function documentedSuccesses(spec: LoadPlanSpec, operation: ProbeOperation): number[] {
  const responses: Record<string, unknown> = spec.paths[operation.path]?.[operation.method.toLowerCase()]?.responses ?? {};
  return Object.keys(responses).map(Number).filter((status) => status >= 200 && status < 300);
}

/** The request that probes a group's limit, with the rate-limit client's credentials. */
export function probeRequestOf(spec: LoadPlanSpec, group: GroupName, target: LoadTarget): ProbeRequest {
  const operation = probeOperationOf(spec, group);
  const extra = probeBodies[operation.operationId];
  if (operation.method !== 'GET' && !extra) {
    throw new Error(`No probe body is known for ${operation.operationId}: add one to probeBodies in lib/load/load-plan.ts.`);
  }
  const headers: Record<string, string> = { 'X-Client-ID': target.clientId, 'X-Client-Secret': target.clientSecret };
  if (extra) headers['Content-Type'] = 'application/json';
  return {
    operation,
    method: operation.method,
    url: `${target.baseUrl}${operation.path}`,
    body: extra ? JSON.stringify(extra.body) : null,
    headers,
    expectedStatuses: [...documentedSuccesses(spec, operation), ...(extra ? [extra.documentedAnswer] : []), 429],
  };
}

// ---------------------------------------------------------------------------------------------
// Scenarios, thresholds and expectations

/** The constant-arrival-rate scenario shape k6 accepts (a subset of k6/options' ConstantArrivalRateScenario). */
export interface ArrivalRateScenario {
  executor: 'constant-arrival-rate';
  rate: number;
  timeUnit: string;
  duration: string;
  startTime: string;
  gracefulStop?: string;
  preAllocatedVUs: number;
  maxVUs: number;
  exec: string;
  tags: Record<string, string>;
}

/** What a group's run should show, for the thresholds, the summary and the tests. */
export interface GroupExpectation {
  group: GroupName;
  scope: LimitScope;
  limit: number;
  windowSeconds: number;
  windows: number;
  probe: ProbeOperation;
  latencyScenario: string;
  limitScenario: string;
  /** Requests per window of the latency scenario, below the limit. */
  latencyRate: number;
  /** Requests per window of the limit scenario, above the limit. */
  limitRate: number;
  /** Requests the limit scenario sends. */
  plannedRequests: number;
  /**
   * Accepted answers of the limit scenario. At most limit × windows: a window opens at the
   * key's first request and the scenario spans `windows` of them. At least
   * limit × (windows − 1): traffic before the run (another run, the Playwright probes) may
   * leave the key refused for up to one window, which this run cannot see.
   */
  acceptedMin: number;
  acceptedMax: number;
  latencyP95Ms: number;
  /** Metric names per counter, and the sub-metrics the thresholds read. */
  metrics: Record<CounterKind, string>;
  acceptedMetric: string;
  latencyMetric: string;
}

export interface LoadPlan {
  windows: number;
  scenarios: Record<string, ArrivalRateScenario>;
  thresholds: Record<string, string[]>;
  expectations: GroupExpectation[];
}

export interface LoadPlanConstraints {
  /** Windows the limit scenario spans; default DEFAULT_WINDOWS. */
  windows?: number;
  /** Replaces every group's window (a reference started with REFERENCE_WINDOW_SECONDS); default: the spec's. */
  windowSecondsOverride?: number;
}

const seconds = (value: number): string => `${value}s`;
/** Math.ceil, blind to floating-point dust (300 × 1.9 must stay 570). */
const wholeAbove = (value: number): number => Math.ceil(Number(value.toFixed(6)));
const milliseconds = (value: number): string => `${Math.round(value)}ms`;

function virtualUsers(requestsPerWindow: number, windowSeconds: number): { preAllocatedVUs: number; maxVUs: number } {
  const perSecond = requestsPerWindow / windowSeconds;
  const preAllocatedVUs = Math.max(1, Math.ceil(perSecond * PREALLOCATED_VU_SECONDS));
  return { preAllocatedVUs, maxVUs: Math.max(preAllocatedVUs + 1, Math.ceil(perSecond * MAX_VU_SECONDS)) };
}

/** Requests per window below the limit, at least one. */
export const latencyRateOf = (limit: number): number => Math.max(1, Math.floor(limit * BELOW_LIMIT_FACTOR));
/** Requests per window above the limit, at least one more than the limit. */
export const limitRateOf = (limit: number): number => Math.max(limit + 1, Math.ceil(limit * ABOVE_LIMIT_FACTOR));
/** Seconds of the limit scenario: `windows` windows, less the early stop. */
const limitDurationSecondsOf = (windowSeconds: number, windows: number): number =>
  windowSeconds * (windows - EARLY_STOP_WINDOW_FRACTION);
/**
 * When the limit scenarios start: after the one-window latency scenario, a full window more
 * (so that the windows it opened have ended) and the margin.
 */
export const limitStartSecondsOf = (windowSeconds: number): number => 2 * windowSeconds + PAUSE_MARGIN_SECONDS;

function expectationOf(spec: LoadPlanSpec, group: RateLimitGroup, windows: number): GroupExpectation {
  const metrics = Object.fromEntries(counterKinds.map((kind) => [kind, counterMetricName(group.name, kind)])) as Record<CounterKind, string>;
  const limitRate = limitRateOf(group.limit);
  return {
    group: group.name,
    scope: group.scope,
    limit: group.limit,
    windowSeconds: group.windowSeconds,
    windows,
    probe: probeOperationOf(spec, group.name),
    latencyScenario: latencyScenarioName(group.name),
    limitScenario: limitScenarioName(group.name),
    latencyRate: latencyRateOf(group.limit),
    limitRate,
    plannedRequests: wholeAbove(limitRate * (windows - EARLY_STOP_WINDOW_FRACTION)),
    acceptedMin: group.limit * (windows - 1),
    acceptedMax: group.limit * windows,
    latencyP95Ms: spec['x-rate-limit-groups'][group.name].latency_p95_ms,
    metrics,
    acceptedMetric: inScenario(metrics.accepted, limitScenarioName(group.name)),
    latencyMetric: inScenario('http_req_duration', latencyScenarioName(group.name)),
  };
}

function scenariosOf(e: GroupExpectation): Record<string, ArrivalRateScenario> {
  const common = { executor: 'constant-arrival-rate' as const, timeUnit: seconds(e.windowSeconds), exec: execNameOf(e.group), tags: { group: e.group } };
  return {
    [e.latencyScenario]: {
      ...common,
      rate: e.latencyRate,
      duration: seconds(e.windowSeconds),
      startTime: seconds(0),
      gracefulStop: seconds(PAUSE_MARGIN_SECONDS),
      ...virtualUsers(e.latencyRate, e.windowSeconds),
    },
    [e.limitScenario]: {
      ...common,
      rate: e.limitRate,
      duration: milliseconds(limitDurationSecondsOf(e.windowSeconds, e.windows) * 1000),
      startTime: seconds(limitStartSecondsOf(e.windowSeconds)),
      ...virtualUsers(e.limitRate, e.windowSeconds),
    },
  };
}

function thresholdsOf(e: GroupExpectation): Record<string, string[]> {
  return {
    [e.acceptedMetric]: [`count>=${e.acceptedMin}`, `count<=${e.acceptedMax}`],
    [e.metrics.retry_after_invalid]: ['count==0'],
    [e.metrics.failed]: ['count==0'],
    [e.latencyMetric]: [`p(95)<${e.latencyP95Ms}`],
  };
}

/** The whole plan: two scenarios and their thresholds per group of the spec, plus no unexpected answer anywhere. */
export function loadPlanOf(spec: LoadPlanSpec, constraints: LoadPlanConstraints = {}): LoadPlan {
  const windows = constraints.windows ?? DEFAULT_WINDOWS;
  const expectations = groupsFromSpec(spec, constraints.windowSecondsOverride).map((group) => expectationOf(spec, group, windows));
  return {
    windows,
    scenarios: Object.assign({}, ...expectations.map(scenariosOf)),
    // An unexpected status (401 for wrong credentials, 404 for a wrong base URL) counts as accepted
    // for the limit, so it must fail the run on its own.
    thresholds: Object.assign({ http_req_failed: ['rate==0'] }, ...expectations.map(thresholdsOf)),
    expectations,
  };
}
