/**
 * lib/limits/ — the rate-limit machinery: the run's budget (rate-budget.ts), pacing by it
 * (pacing.ts), the probes (rate-probe.ts), the ledger of a run (run-ledger.ts), the coordinator
 * that shares them between workers (coordinator.ts), and the RateLimit header fields (rate-limit-
 * fields.ts). Imports lib/contract/, lib/transport/, lib/config/ and the run context's types.
 */
/**
 * The run's rate budget: how many requests the functional suites may send per group and key,
 * shared by every worker through the run coordinator. A sliding log per key: a request is
 * scheduled no earlier than `span` after the request `cap` places before it, so no interval
 * shorter than `span` ever holds more than `cap` requests, whatever window algorithm the
 * server uses (fixed, fixed per key, sliding). It paces; it never refuses, except a wait longer
 * than `maxWaitMs`, which means the suites planned more requests than the limits allow.
 */
import { authHeaders, CLIENT_ID_HEADER, CLIENT_SECRET_HEADER, type Auth } from '../transport/auth';
import type { GroupName, LimitScope, RateLimitGroup } from '../contract/rate-limits';

export interface BudgetOptions {
  /** The functional suites' share of each limit; the rest is headroom for other callers. */
  share: number;
  /**
   * Shards of one run spend the same clients from different machines: each takes this part
   * of a per-client limit (1/n). Per-IP limits stay whole: each machine has its own address.
   */
  clientShare?: number;
  /** Added to the window, for clock skew between us and the server and the requests' transit. */
  marginMs: number;
  maxWaitMs: number;
}

/**
 * The whole limit: the suite must be the only user of its clients (and, for per-IP limits, of
 * its address) while it runs; the margin covers clock skew and transit. A smaller share would
 * push the run's fifth exchange into a second Authentication window, doubling a real-window run.
 */
export const DEFAULT_BUDGET_OPTIONS: BudgetOptions = { share: 1, marginMs: 1_000, maxWaitMs: 150_000 };

export interface Reservation {
  /** Milliseconds to wait before sending. */
  waitMs: number;
}

export class BudgetExceeded extends Error {}

export interface RateBudget {
  /**
   * Schedules one request of `group` for `key`, or for every one of `key` when it is a list (a
   * request the server may count against either: it is scheduled, and logged, once for all);
   * throws BudgetExceeded past `maxWaitMs`.
   */
  reserve(group: GroupName, key: string | readonly string[], now: number): Reservation;
  /** The key is limited by the server until `untilMs` (a probe ended there): nothing is scheduled before. */
  block(group: GroupName, key: string, untilMs: number): void;
  /** Requests scheduled so far, per group. */
  granted(): Record<GroupName, number>;
  /** Requests asked for, scheduled or refused, per group. */
  requested(): Record<GroupName, number>;
  /** Requests allowed per window and key, per group. */
  caps(): Record<GroupName, number>;
}

/** At least one request per window, or no functional test of the group could ever run. */
export function capOf(group: RateLimitGroup, share: number): number {
  return Math.max(1, Math.floor(group.limit * share));
}

function shareOf(group: RateLimitGroup, options: BudgetOptions): number {
  return group.scope === 'client' ? options.share * (options.clientShare ?? 1) : options.share;
}

export function createRateBudget(groups: readonly RateLimitGroup[], options: BudgetOptions = DEFAULT_BUDGET_OPTIONS): RateBudget {
  const byName = new Map(groups.map((g) => [g.name, g]));
  const logs = new Map<string, number[]>();
  const blockedUntil = new Map<string, number>();
  const zero = () => Object.fromEntries(groups.map((g) => [g.name, 0])) as Record<GroupName, number>;
  const granted = zero();
  const requested = zero();
  const groupOf = (name: GroupName) => {
    const group = byName.get(name);
    if (!group) throw new Error(`Unknown rate-limit group "${name}".`);
    return group;
  };

  return {
    reserve(name, key, now) {
      const group = groupOf(name);
      requested[name] += 1;
      const keys = typeof key === 'string' ? [key] : [...new Set(key)];
      const cap = capOf(group, shareOf(group, options));
      const spanMs = group.windowSeconds * 1000 + options.marginMs;
      let at = now;
      for (const k of keys) {
        const id = `${name} ${k}`;
        const log = logs.get(id) ?? [];
        at = Math.max(at, log[log.length - 1] ?? now, blockedUntil.get(id) ?? now);
        if (log.length >= cap) at = Math.max(at, log[log.length - cap] + spanMs);
      }
      if (at - now > options.maxWaitMs) {
        throw new BudgetExceeded(
          `the ${name} budget for ${keys.join(' and ')} (${cap} a ${group.windowSeconds}-second window) would make this request wait ${Math.ceil((at - now) / 1000)} s: the suites plan more ${name} requests than the limit allows.`,
        );
      }
      for (const k of keys) {
        const id = `${name} ${k}`;
        const log = logs.get(id) ?? [];
        log.push(at);
        // Entries older than the span no longer constrain anything; keep only the last `cap`.
        if (log.length > cap) log.splice(0, log.length - cap);
        logs.set(id, log);
      }
      granted[name] += 1;
      return { waitMs: at - now };
    },
    block(name, key, untilMs) {
      const id = `${name} ${key}`;
      blockedUntil.set(id, Math.max(untilMs, blockedUntil.get(id) ?? 0));
    },
    granted: () => ({ ...granted }),
    requested: () => ({ ...requested }),
    caps: () => Object.fromEntries(groups.map((g) => [g.name, capOf(g, shareOf(g, options))])) as Record<GroupName, number>,
  };
}

/** What the pacer knows of the run's credentials, to tell which requests authenticate. */
export interface KnownCredentials {
  /** Every configured client: only these authenticate. */
  clients: readonly { id: string; secret: string }[];
  /** Access tokens the run holds, all issued to links of `bearerOwner`. */
  tokens: readonly string[];
  /** The client the suites' access tokens belong to. */
  bearerOwner: string;
}

const valuesOf = (headers: readonly (readonly [string, string])[], name: string) =>
  headers.filter(([n]) => n.toLowerCase() === name.toLowerCase()).map(([, value]) => value);

/**
 * Who a request's quota is counted against, as A-010 says servers count it: the client it
 * authenticates as (the token's client for a bearer operation), else the caller's address
 * (UNATTRIBUTED), never a client it merely names (RATE-008). Where the pacer cannot tell whether
 * it authenticates (a duplicated credential header, a token the run does not hold), both keys:
 * counting a request twice only makes the budget stricter.
 */
export function budgetKeys(scope: LimitScope, mode: 'client' | 'bearer', auth: Auth, known: KnownCredentials): string[] {
  if (scope === 'ip') return ['ip'];
  const headers = authHeaders(auth);
  if (mode === 'client') {
    const ids = valuesOf(headers, CLIENT_ID_HEADER);
    const secrets = valuesOf(headers, CLIENT_SECRET_HEADER);
    const client = known.clients.find((c) => ids.includes(c.id) && secrets.includes(c.secret));
    if (!client) return [UNATTRIBUTED];
    return ids.length === 1 && secrets.length === 1 ? [client.id] : [client.id, UNATTRIBUTED];
  }
  const authorizations = valuesOf(headers, 'Authorization');
  if (authorizations.length === 0) return [UNATTRIBUTED];
  // Only the exact spelling is sure to authenticate: another case of the scheme is a SHOULD (BEARER-008).
  const token = authorizations.length === 1 ? /^Bearer (\S+)$/.exec(authorizations[0])?.[1] : undefined;
  return token !== undefined && known.tokens.includes(token) ? [known.bearerOwner] : [known.bearerOwner, UNATTRIBUTED];
}

/** Requests that do not authenticate: servers count them by address, apart from any client. */
export const UNATTRIBUTED = 'unattributed';
