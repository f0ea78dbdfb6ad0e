/**
 * Probes one rate-limit group the way A-017 describes it, and records what it saw for the
 * RATE-* tests to judge:
 *   1. saturate the key until the first 429 (at most twice the limit);
 *   2. wait what Retry-After said (the whole window when it said nothing usable);
 *   3. send `limit` requests into the fresh window, then one more;
 *   4. while the key is still limited, send the cross-checks (another client; another
 *      X-Client-ID and an X-Forwarded-For header for per-IP groups).
 * Every group's probe runs at once, so their waits overlap: a probe costs about one window.
 */
import { clientAuth, type Auth } from '../transport/auth';
import type { ApiClient, CallOptions, Exchange } from '../transport/client';
import type { ClientCredentials } from '../config/env';
import { backoffSeconds, NEVER_ISSUED_PUBLIC_TOKEN, parseRetryAfter, verdictOf, type RateLimitGroup } from '../contract/rate-limits';

/** Requests in flight at once while saturating or filling a window. */
const CONCURRENCY = 10;
/** Saturating in small steps for small limits: every request past the first 429 is waste. */
const saturationBatch = (limit: number) => Math.max(1, Math.min(CONCURRENCY, Math.floor(limit / 5)));
/** Waiting this much past Retry-After absorbs the rounding of whole seconds. */
const WAIT_MARGIN_MS = 250;
/** TEST-NET-3 (RFC 5737): an address no caller really has. */
const FORWARDED_FOR = '203.0.113.7';

export interface CrossCheck {
  label: 'another client' | 'another X-Client-ID' | 'X-Forwarded-For';
  exchange: Exchange;
}

export interface ProbeObservation {
  group: RateLimitGroup;
  operationId: string;
  saturation: { sent: number; accepted: number; limited: number; failed: number; last: Exchange; refusal?: Exchange };
  waitedMs?: number;
  /** The `limit` requests sent into the fresh window; the first is also the recovery after the wait. */
  window?: { exchanges: Exchange[]; elapsedMs: number };
  overflow?: Exchange;
  crossChecks: CrossCheck[];
  /** Milliseconds from the window's first request to the last cross-check's answer. */
  limitedPhaseMs?: number;
}

export interface ProbeClients {
  /** The client whose quota is spent (the dedicated rate-limit client). */
  probe: ClientCredentials;
  /** A client of the same environment that the probe must not affect (per-client groups) or must not escape with (per-IP groups). */
  other: ClientCredentials;
}

export interface ProbeDeps {
  client: ApiClient;
  sleep(ms: number): Promise<void>;
  now(): number;
  /** Called before each request of the other client, which spends functional budget. */
  beforeOtherClientRequest(): Promise<void>;
}

function probeRequest(group: RateLimitGroup, operationId: string, auth: Auth, headers: [string, string][] = []): CallOptions {
  const body = group.name === 'authentication' ? { public_token: NEVER_ISSUED_PUBLIC_TOKEN } : undefined;
  const query = operationId === 'listBillers' ? { limit: 1 } : undefined;
  return { auth, body, query, headers };
}

async function inBatches(count: number, size: number, send: () => Promise<Exchange>, stop: (batch: Exchange[]) => boolean): Promise<Exchange[]> {
  const all: Exchange[] = [];
  while (all.length < count) {
    const batch = await Promise.all(Array.from({ length: Math.min(size, count - all.length) }, send));
    all.push(...batch);
    if (stop(batch)) break;
  }
  return all;
}

const isLimited = (x: Exchange) => x.response.status === 429;

export async function probeGroup(group: RateLimitGroup, operationId: string, clients: ProbeClients, deps: ProbeDeps): Promise<ProbeObservation> {
  const send = (auth: Auth = clientAuth(clients.probe), headers?: [string, string][]) =>
    deps.client.call(operationId, probeRequest(group, operationId, auth, headers));

  const saturating = await inBatches(2 * group.limit, saturationBatch(group.limit), () => send(), (batch) => batch.some(isLimited));
  const refusal = saturating.find(isLimited);
  const observation: ProbeObservation = {
    group,
    operationId,
    saturation: {
      sent: saturating.length,
      accepted: saturating.filter((x) => verdictOf(x.response.status) === 'accepted').length,
      limited: saturating.filter(isLimited).length,
      failed: saturating.filter((x) => verdictOf(x.response.status) === 'failed').length,
      last: saturating[saturating.length - 1],
      refusal,
    },
    crossChecks: [],
  };
  if (!refusal) return observation;

  const waitMs = backoffSeconds(parseRetryAfter(refusal.response.headers['retry-after'], group.windowSeconds), group.windowSeconds) * 1000 + WAIT_MARGIN_MS;
  await deps.sleep(waitMs);
  observation.waitedMs = waitMs;

  const started = deps.now();
  const recovery = await send();
  const rest = await inBatches(group.limit - 1, CONCURRENCY, () => send(), () => false);
  observation.window = { exchanges: [recovery, ...rest], elapsedMs: deps.now() - started };
  observation.overflow = await send();

  if (group.scope === 'client') {
    await deps.beforeOtherClientRequest();
    observation.crossChecks.push({ label: 'another client', exchange: await send(clientAuth(clients.other)) });
  } else {
    observation.crossChecks.push(
      { label: 'another X-Client-ID', exchange: await send(clientAuth(clients.other)) },
      { label: 'X-Forwarded-For', exchange: await send(undefined, [['X-Forwarded-For', FORWARDED_FOR]]) },
    );
  }
  observation.limitedPhaseMs = deps.now() - started;
  return observation;
}

/** Requests a probe sent, and the 429s among them. */
export function probeTraffic(o: ProbeObservation): { sent: number; limited: number } {
  const later = [...(o.window?.exchanges ?? []), ...(o.overflow ? [o.overflow] : []), ...o.crossChecks.map((c) => c.exchange)];
  return { sent: o.saturation.sent + later.length, limited: o.saturation.limited + later.filter(isLimited).length };
}

/** Until when the probe leaves its key limited: what the last 429 said, or a whole window. */
export function limitedUntil(observation: ProbeObservation, now: number): number {
  const last = observation.overflow ?? observation.saturation.refusal;
  const retryAfter = parseRetryAfter(last?.response.headers['retry-after'], observation.group.windowSeconds);
  return now + backoffSeconds(retryAfter, observation.group.windowSeconds) * 1000;
}
