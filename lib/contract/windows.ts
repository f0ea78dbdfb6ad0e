/**
 * The rate-limit windows of the target. The spec's windows are real minutes; a local run
 * against the embedded reference shortens them (REFERENCE_WINDOW_SECONDS, 5 s unless set), and
 * the harness must know, because it paces and probes by them.
 */
import { ConfigError } from '../config/errors';
import { groupsFromSpec, type RateLimitGroup } from './rate-limits';
import { rateLimitSpec } from './spec';

export const WINDOW_VARIABLE = 'REFERENCE_WINDOW_SECONDS';
/** Long enough to fill the biller group's 200 requests on a loaded 2-core CI machine. */
export const EMBEDDED_WINDOW_SECONDS = 5;

export function parseWindowSeconds(value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  const seconds = Number(value);
  if (!Number.isInteger(seconds) || seconds < 1) {
    throw new ConfigError(`${WINDOW_VARIABLE} must be a whole number of seconds ≥ 1, not "${value}".`);
  }
  return seconds;
}

/** The groups as the target enforces them: the spec's, with the local window override when set. */
export function effectiveRateLimitGroups(env: NodeJS.ProcessEnv = process.env): RateLimitGroup[] {
  const local = (env.BILLERAPI_ENV?.trim() || 'local') === 'local';
  return groupsFromSpec(rateLimitSpec, local ? parseWindowSeconds(env[WINDOW_VARIABLE]) : undefined);
}

/** How long the probes may take: saturate, wait up to a window, fill a window; plus slack for slow targets. */
export function probeDeadlineMs(groups: readonly RateLimitGroup[]): number {
  const longest = Math.max(...groups.map((g) => g.windowSeconds));
  return 2 * longest * 1000 + 60_000;
}
