/**
 * Rate-limit facts and judgements shared by the Playwright suites, the run coordinator and the
 * k6 scripts. Pure and import-free on purpose: k6 loads this file as it is, and k6 has no
 * Node modules and no JSON imports, so the spec document is passed in by the caller.
 */

export type GroupName = 'authentication' | 'link' | 'biller';
export type LimitScope = 'ip' | 'client';

export interface RateLimitGroup {
  name: GroupName;
  limit: number;
  windowSeconds: number;
  scope: LimitScope;
}

/** The part of the OpenAPI document these functions read. */
export interface RateLimitSpec {
  'x-rate-limit-groups': Record<string, { limit: number; window_seconds: number; scope: LimitScope }>;
  paths: Record<string, Record<string, any>>;
}

/** The groups of `x-rate-limit-groups`, in the spec's order; a window override shortens every group alike. */
export function groupsFromSpec(spec: RateLimitSpec, windowSecondsOverride?: number): RateLimitGroup[] {
  return Object.entries(spec['x-rate-limit-groups']).map(([name, g]) => ({
    name: name as GroupName,
    limit: g.limit,
    windowSeconds: windowSecondsOverride ?? g.window_seconds,
    scope: g.scope,
  }));
}

export interface ProbeOperation {
  operationId: string;
  method: string;
  path: string;
}

/**
 * The operation that probes a group's limit: a GET without path parameters when the group has
 * one (cheapest, no side effect), otherwise the group's first operation (the exchange, for
 * Authentication, sent with a public token that was never issued).
 */
export function probeOperationOf(spec: RateLimitSpec, group: GroupName): ProbeOperation {
  const candidates: ProbeOperation[] = [];
  for (const [path, item] of Object.entries(spec.paths)) {
    for (const method of ['get', 'post', 'delete']) {
      const op = item[method];
      if (op?.['x-rate-limit-group'] === group && op['x-sandbox-only'] !== true) {
        candidates.push({ operationId: op.operationId, method: method.toUpperCase(), path });
      }
    }
  }
  const plainGet = candidates.find((c) => c.method === 'GET' && !c.path.includes('{'));
  const chosen = plainGet ?? candidates[0];
  if (!chosen) throw new Error(`No operation of the spec belongs to rate-limit group "${group}".`);
  return chosen;
}

/** A public token that no implementation issued: the exchange answers it without linking anything. */
export const NEVER_ISSUED_PUBLIC_TOKEN = 'public-sandbox-00000000-0000-4000-8000-000000000000';

export type RetryAfter = { valid: true; seconds: number } | { valid: false; reason: string };

/**
 * A 429's Retry-After, judged by A-012: delay-seconds (RFC 9110 §10.2.3), whole, at least 1
 * and at most the group's window. HTTP-dates are refused because the documentation speaks of a
 * "period".
 */
export function parseRetryAfter(value: string | undefined, windowSeconds: number): RetryAfter {
  if (value === undefined) return { valid: false, reason: 'no Retry-After header' };
  const text = value.trim();
  if (!/^-?\d+$/.test(text)) return { valid: false, reason: `Retry-After "${value}" is not a whole number of seconds` };
  const seconds = Number(text);
  if (seconds < 1) return { valid: false, reason: `Retry-After ${seconds} is less than 1 second` };
  if (seconds > windowSeconds) return { valid: false, reason: `Retry-After ${seconds} is longer than the ${windowSeconds}-second window` };
  return { valid: true, seconds };
}

/** How a rate-limit probe counts an answer: only 429 means refused; 5xx means neither. */
export type Verdict = 'accepted' | 'limited' | 'failed';

export function verdictOf(status: number): Verdict {
  if (status === 429) return 'limited';
  return status >= 500 || status === 0 ? 'failed' : 'accepted';
}

/** How long to wait after a 429: what Retry-After said, or the whole window when it said nothing usable. */
export function backoffSeconds(retryAfter: RetryAfter, windowSeconds: number): number {
  return retryAfter.valid ? retryAfter.seconds : windowSeconds;
}
