/**
 * The run context: everything a worker needs to know about the run (its metadata and target,
 * the rate-limit windows in force, the linked sandbox accounts), made once by the global setup
 * and handed to every worker as one typed object by the run coordinator. The one environment
 * variable a worker reads is the coordinator's address.
 */
import type { LinkedRun } from './linked-accounts';
import type { RunMeta } from '../judgement/outcomes';
import type { RateLimitGroup } from '../contract/rate-limits';

export interface RunContext {
  /** The target's key when the run has several (the project's matrix); absent for the run's own. */
  key?: string;
  /** Judgements are recorded but fail no Playwright test (the project's matrix: lib/run/run-targets.ts). */
  recordOnly?: boolean;
  meta: RunMeta;
  /** The groups as the target enforces them (a local run shortens the windows). */
  groups: RateLimitGroup[];
  /** The accounts linked by the setup, or why there are none (read-only runs link none). */
  linked: LinkedRun | { error: string };
}

export function linkedRunOf(context: RunContext): LinkedRun {
  if ('error' in context.linked) throw new Error(`Precondition failed: no linked sandbox account (${context.linked.error}).`);
  return context.linked;
}
