/**
 * Run profiles. `gate` is the release gate's read-only profile: only requirements marked
 * production_safe, no linking, no probes, no fuzzing, and a hard cap on requests per rate-limit
 * group, far below each limit, that the harness enforces (a request past it is refused, not paced).
 * Production is always read-only, whatever the profile.
 */
import { ConfigError } from './errors';
import { capOf } from '../limits/rate-budget';
import type { GroupName, RateLimitGroup } from '../contract/rate-limits';
import { runProfiles, type RunProfile } from '../judgement/outcomes';

/** Set by the gate and certify commands for the Playwright run they start. */
export const PROFILE_VARIABLE = 'BILLERAPI_PROFILE';

/** The run's profile: `conformance` unless a command set another. */
export function profileOf(env: NodeJS.ProcessEnv = process.env): RunProfile {
  const raw = env[PROFILE_VARIABLE]?.trim() || 'conformance';
  if (!(runProfiles as readonly string[]).includes(raw)) throw new ConfigError(`${PROFILE_VARIABLE} must be one of ${runProfiles.join(', ')}, not "${raw}".`);
  return raw as RunProfile;
}

/** The gate may spend this share of each limit per window: a quarter, so it never comes near a 429. */
export const DEFAULT_GATE_SHARE = 0.25;
export const GATE_SHARE_VARIABLE = 'BILLERAPI_GATE_SHARE';

/** BILLERAPI_GATE_SHARE (above 0, at most 1) lowers or raises the gate's caps. */
export function gateShare(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env[GATE_SHARE_VARIABLE];
  if (raw === undefined || raw === '') return DEFAULT_GATE_SHARE;
  const share = Number(raw);
  if (!(share > 0 && share <= 1)) throw new ConfigError(`${GATE_SHARE_VARIABLE} must be a number above 0 and at most 1, not "${raw}".`);
  return share;
}

export function isGate(env: NodeJS.ProcessEnv = process.env): boolean {
  return profileOf(env) === 'gate';
}

/** Whether the run may send only reads: production, or the gate profile anywhere. */
export function isReadOnly(envName: string, env: NodeJS.ProcessEnv = process.env): boolean {
  return envName === 'production' || isGate(env);
}

export function gateCaps(groups: readonly RateLimitGroup[], share = gateShare()): Record<GroupName, number> {
  return Object.fromEntries(groups.map((g) => [g.name, capOf(g, share)])) as Record<GroupName, number>;
}

/** Groups whose planned requests exceed the gate's cap, as `group planned > cap` phrases. */
export function overCaps(planned: Partial<Record<GroupName, number>>, caps: Record<GroupName, number>): string[] {
  return (Object.keys(caps) as GroupName[]).filter((g) => (planned[g] ?? 0) > caps[g]).map((g) => `${g} ${planned[g]} > ${caps[g]}`);
}
