/**
 * Fixed-window rate limiting per group and key (A-010, A-012), as NestJS throttler:
 * a key's window starts at its first request and every request counts, refused or not.
 */
import { rateLimitGroups, type GroupName } from '../lib/contract/spec';
import type { Switches } from './http';

export interface LimitDecision {
  allowed: boolean;
  /** Whole seconds until the key's window resets, within [1, window]. */
  retryAfterSeconds: number;
  /** Requests the key may still send in this window (A-020). */
  remaining: number;
  limit: number;
  windowSeconds: number;
}

export interface RateLimiter {
  hit(group: GroupName, key: string): LimitDecision;
  reset(): void;
}

interface Window {
  startedAt: number;
  count: number;
}

/** Above this many tracked keys, expired windows are dropped on the next hit. */
const PRUNE_ABOVE_KEYS = 10_000;

export interface LimiterOptions {
  windowSecondsOverride?: number;
  /** Switches: how many requests a window admits beyond (or short of) the limit; windows that never end. */
  limitOffset?: number;
  windowsNeverEnd?: boolean;
}

export function createRateLimiter(now: () => number, options: LimiterOptions = {}): RateLimiter {
  const windows = new Map<string, Window>();
  const windowSecondsOf = (group: GroupName) => options.windowSecondsOverride ?? rateLimitGroups[group].windowSeconds;
  const ended = (window: Window, group: GroupName, at: number) =>
    !options.windowsNeverEnd && at >= window.startedAt + windowSecondsOf(group) * 1000;

  function pruneExpired(at: number): void {
    for (const [id, window] of windows) {
      const group = id.slice(0, id.indexOf(' ')) as GroupName;
      if (ended(window, group, at)) windows.delete(id);
    }
  }

  return {
    hit(group, key) {
      const at = now();
      const windowSeconds = windowSecondsOf(group);
      const id = `${group} ${key}`;
      if (windows.size > PRUNE_ABOVE_KEYS) pruneExpired(at);
      let window = windows.get(id);
      if (!window || ended(window, group, at)) {
        window = { startedAt: at, count: 0 };
        windows.set(id, window);
      }
      window.count += 1;
      const secondsLeft = Math.ceil((window.startedAt + windowSeconds * 1000 - at) / 1000);
      const limit = rateLimitGroups[group].limit + (options.limitOffset ?? 0);
      return {
        allowed: window.count <= limit,
        retryAfterSeconds: Math.min(windowSeconds, Math.max(1, secondsLeft)),
        remaining: Math.max(0, limit - window.count),
        limit,
        windowSeconds,
      };
    },
    reset: () => windows.clear(),
  };
}

/**
 * The Retry-After header of a 429 (A-012), as the Retry-After faults bend it. Any whole number
 * of seconds from the time left in the key's window up to the whole window is legal:
 * retry-after-full-window always says the whole window.
 */
export function retryAfterHeader(decision: LimitDecision, switches: Switches): Record<string, string> {
  const seconds = decision.retryAfterSeconds;
  if (switches.has('retry-after-missing')) return {};
  if (switches.has('retry-after-zero')) return { 'Retry-After': '0' };
  if (switches.has('retry-after-negative')) return { 'Retry-After': String(-seconds) };
  if (switches.has('retry-after-not-a-number')) return { 'Retry-After': 'soon' };
  return { 'Retry-After': String(switches.has('retry-after-full-window') ? decision.windowSeconds : seconds) };
}

/** One member of an RFC 9651 List: a quoted name and its parameters, in the order given. */
const member = (name: string, params: readonly (readonly [string, string | number])[]) =>
  `"${name}"${params.map(([key, value]) => `;${key}=${value}`).join('')}`;

/**
 * The IETF RateLimit header fields (A-020); `rate-limit-headers-miscount` never counts down.
 * Variations: parameters in another order (rate-limit-fields-reordered), and parameters the
 * draft defines or leaves to extensions (rate-limit-fields-extra-parameters).
 */
export function rateLimitHeaders(group: GroupName, decision: LimitDecision, switches: Switches): Record<string, string> {
  const remaining = switches.has('rate-limit-headers-miscount') ? decision.limit : decision.remaining;
  let policy: (readonly [string, string | number])[] = [['q', decision.limit], ['w', decision.windowSeconds]];
  let state: (readonly [string, string | number])[] = [['r', remaining], ['t', decision.retryAfterSeconds]];
  if (switches.has('rate-limit-fields-reordered')) {
    policy = policy.reverse();
    state = state.reverse();
  }
  if (switches.has('rate-limit-fields-extra-parameters')) {
    policy = [['qu', '"requests"'], ...policy, ['pk', ':cmVmZXJlbmNl:']];
    state = [...state, ['pk', ':cmVmZXJlbmNl:'], ['ext', '?1']];
  }
  return { 'RateLimit-Policy': member(group, policy), RateLimit: member(group, state) };
}
