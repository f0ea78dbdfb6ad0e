/**
 * What the run coordinator keeps for one run: the shared rate budget, the rate-limit probes
 * (started the first time a RATE-* test asks, so a run that selects none sends none), and the
 * count of unplanned 429s. At the end it is written to reports/<env>/rate-budget.json.
 */
import { ApiClient } from '../transport/client';
import type { ProbeOutcome, ProbeReport, RunLedger } from './coordinator';
import type { ClientCredentials, Environment } from '../config/env';
import { configuredClients } from '../config/env';
import { pacerOf, sleep } from './pacing';
import { gateShare, isGate, isReadOnly } from '../config/profile';
import { createRateBudget, DEFAULT_BUDGET_OPTIONS, type BudgetOptions, type RateBudget } from './rate-budget';
import { probeOperationOf, type GroupName, type RateLimitGroup } from '../contract/rate-limits';
import { limitedUntil, probeGroup, probeTraffic, type ProbeClients, type ProbeObservation } from './rate-probe';
import { rateLimitSpec } from '../contract/spec';

/** Which clients probe a group, or why it cannot be probed in this environment. */
/** The file, in the reports directory, where a run writes its ledger's summary (LedgerSummary). */
export const RATE_BUDGET_REPORT = 'rate-budget.json';

export function probeClientsFor(group: RateLimitGroup, e: Environment): ProbeClients | string {
  if (isReadOnly(e.name)) return 'rate limits are never exhausted in a read-only run (production, the gate profile)';
  const probe: ClientCredentials | undefined = e.rateLimit ?? (group.scope === 'ip' ? e.primary : undefined);
  if (!probe) {
    return 'no dedicated rate-limit client is configured (BILLERAPI_RATE_LIMIT_CLIENT_ID / _SECRET): per-client limits are probed only with a client nothing else spends';
  }
  const other = group.scope === 'client' ? e.primary : configuredClients(e).map(([, c]) => c).find((c) => c.id !== probe.id);
  if (!other) return 'a second client is needed to show that another X-Client-ID does not escape the per-IP limit';
  return { probe, other };
}

function budgetKeyOfProbe(group: RateLimitGroup, clients: ProbeClients): string {
  return group.scope === 'ip' ? 'ip' : clients.probe.id;
}

async function probeOne(group: RateLimitGroup, e: Environment, client: ApiClient, budget: RateBudget, signal: AbortSignal): Promise<ProbeOutcome> {
  const clients = probeClientsFor(group, e);
  if (typeof clients === 'string') return { skipped: clients };
  try {
    const observation: ProbeObservation = await probeGroup(group, probeOperationOf(rateLimitSpec, group.name).operationId, clients, {
      client,
      sleep: (ms) => sleep(ms, signal),
      now: Date.now,
      beforeOtherClientRequest: async () => {
        const { waitMs } = budget.reserve(group.name, e.primary.id, Date.now());
        if (waitMs > 0) await sleep(waitMs, signal);
      },
    });
    budget.block(group.name, budgetKeyOfProbe(group, clients), limitedUntil(observation, Date.now()));
    return observation;
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}

export interface Ledger extends RunLedger {
  /** Stops waiting probes (the run is over). */
  abort(): void;
  summary(): LedgerSummary;
}

export interface LedgerSummary {
  windows: Record<GroupName, number>;
  caps: Record<GroupName, number>;
  /** Requests the functional suites and the setup sent through the budget. */
  budgeted: Record<GroupName, number>;
  /** Requests they asked for, sent or refused by a hard cap (the gate profile). */
  requested: Record<GroupName, number>;
  /** Requests the probes sent, and the 429s among them (planned). */
  probed: Record<GroupName, number>;
  planned429: Record<GroupName, number>;
  unplanned429: Record<GroupName, number>;
}

function probeCounts(report: ProbeReport, groups: readonly RateLimitGroup[]): Pick<LedgerSummary, 'probed' | 'planned429'> {
  const probed = {} as Record<GroupName, number>;
  const planned429 = {} as Record<GroupName, number>;
  for (const g of groups) {
    const o = report[g.name];
    const traffic = o && 'saturation' in o ? probeTraffic(o) : { sent: 0, limited: 0 };
    probed[g.name] = traffic.sent;
    planned429[g.name] = traffic.limited;
  }
  return { probed, planned429 };
}

/** Which part of a sharded run this process is (`--shard=current/total`). */
export interface Shard {
  current: number;
  total: number;
}

/**
 * The gate never waits for quota: a request past its cap is refused, and the test fails as a
 * harness error. A shard spends its share of the per-client limits.
 */
export function budgetOptionsFor(env: NodeJS.ProcessEnv, shard: Shard | null = null): BudgetOptions {
  const base = isGate(env) ? { ...DEFAULT_BUDGET_OPTIONS, share: gateShare(env), maxWaitMs: 0 } : DEFAULT_BUDGET_OPTIONS;
  return shard && shard.total > 1 ? { ...base, clientShare: 1 / shard.total } : base;
}

export function createLedger(e: Environment, baseUrl: string, groups: readonly RateLimitGroup[], env: NodeJS.ProcessEnv = process.env, shard: Shard | null = null): Ledger {
  const budget = createRateBudget(groups, budgetOptionsFor(env, shard));
  const abort = new AbortController();
  const client = new ApiClient(baseUrl, { readOnly: isReadOnly(e.name, env) });
  const unplanned = Object.fromEntries(groups.map((g) => [g.name, 0])) as Record<GroupName, number>;
  let report: ProbeReport = {};
  let probing: Promise<ProbeReport> | undefined;
  const probes = () =>
    (probing ??= Promise.all(groups.map(async (g) => [g.name, await probeOne(g, e, client, budget, abort.signal)] as const)).then(
      (entries) => (report = Object.fromEntries(entries)),
    ));
  return {
    budget,
    unplanned,
    probes,
    abort: () => abort.abort(),
    summary: () => ({
      windows: Object.fromEntries(groups.map((g) => [g.name, g.windowSeconds])) as Record<GroupName, number>,
      caps: budget.caps(),
      budgeted: budget.granted(),
      requested: budget.requested(),
      ...probeCounts(report, groups),
      unplanned429: { ...unplanned },
    }),
  };
}

/** The setup's own client: paced by the same budget as the workers, in-process, and as read-only as the run. */
export function pacedClient(ledger: Ledger, e: Environment, baseUrl: string, env: NodeJS.ProcessEnv = process.env): ApiClient {
  // The setup links the accounts: it holds no token yet, so its bearer calls count against the primary and the address.
  const known = { clients: configuredClients(e).map(([, c]) => c), tokens: [], bearerOwner: e.primary.id };
  const pace = pacerOf((group, keys) => ledger.budget.reserve(group, keys, Date.now()).waitMs, known);
  return new ApiClient(baseUrl, { readOnly: isReadOnly(e.name, env), pace });
}
