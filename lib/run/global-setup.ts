/**
 * Runs once per conformance run, before any worker: checks the configuration, makes a run
 * context per target (lib/run/run-targets.ts: the run's own, or one per case of the project's
 * matrix), each with its embedded reference when the local run has no target of its own, its
 * rate budget and its linked sandbox accounts; writes the run's metadata (run.json: the target
 * it actually hits) and starts the run coordinator, which hands each worker its context.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FullConfig } from '@playwright/test';
import { COORDINATOR_VARIABLE, startCoordinator, type CoordinatedTargets } from '../limits/coordinator';
import { environmentSecrets, loadEnvironment, reportsPath, type Environment } from '../config/env';
import { assertConfiguration, assertReachable } from '../config/guard';
import { isReadOnly, profileOf } from '../config/profile';
import { linkAccounts } from './linked-accounts';
import { redact, redactor } from '../transport/redact';
import { parseFaultList, parseVariationList, startEmbeddedReference } from './embedded-reference';
import { writeRunMeta, writeRunMetas } from '../judgement/results';
import type { RunContext } from './run-context';
import { createLedger, pacedClient, RATE_BUDGET_REPORT, type Ledger } from '../limits/run-ledger';
import { targetsOf, type TargetSwitches } from './run-targets';
import { EMBEDDED_WINDOW_SECONDS, WINDOW_VARIABLE, effectiveRateLimitGroups } from '../contract/windows';

interface Target {
  ledger: Ledger;
  context: RunContext;
  close(): Promise<void>;
}

/** One target: its reference (embedded, or the configured base URL), budget, linked accounts and metadata. */
async function prepareTarget(environment: Environment, switches: TargetSwitches | undefined, config: FullConfig, startedAt: string): Promise<Target> {
  const readOnly = isReadOnly(environment.name);
  const embedded = environment.baseUrl === undefined;
  // The embedded reference's window is short unless set; the harness paces and probes by it.
  const windowEnv = embedded ? { ...process.env, [WINDOW_VARIABLE]: process.env[WINDOW_VARIABLE] || String(EMBEDDED_WINDOW_SECONDS) } : process.env;
  const faults = embedded ? (switches?.faults ?? parseFaultList(process.env.REFERENCE_FAULTS)) : [];
  const variations = embedded ? (switches?.variations ?? parseVariationList(process.env.REFERENCE_VARIATIONS)) : [];
  let baseUrl = environment.baseUrl;
  let close = async () => {};
  if (baseUrl === undefined) {
    const reference = await startEmbeddedReference({ ...windowEnv, REFERENCE_FAULTS: faults.join(','), REFERENCE_VARIATIONS: variations.join(',') });
    baseUrl = reference.url;
    close = reference.close;
  }
  const groups = effectiveRateLimitGroups(windowEnv);
  const ledger = createLedger(environment, baseUrl, groups, process.env, config.shard);
  const linked: RunContext['linked'] = readOnly
    ? { error: 'a read-only run (production, the gate profile) links no accounts' }
    : await linkAccounts(environment, pacedClient(ledger, environment, baseUrl), groups.find((g) => g.name === 'authentication')!.windowSeconds)
      .catch((error: unknown) => ({ error: redact(error instanceof Error ? error.message : String(error)) }));
  const context: RunContext = {
    key: switches?.key,
    recordOnly: switches?.recordOnly,
    meta: { environment: environment.name, baseUrl, embeddedReference: embedded, profile: profileOf(), readOnly, faults, variations, startedAt },
    groups,
    linked,
  };
  return { ledger, context, close };
}

export default async function globalSetup(config: FullConfig): Promise<() => Promise<void>> {
  const environment = loadEnvironment();
  redactor.register(...environmentSecrets(environment));
  assertConfiguration(environment);
  if (environment.baseUrl !== undefined) await assertReachable(environment.baseUrl);
  const startedAt = new Date().toISOString();

  const wanted = targetsOf(config.projects);
  const prepared = await Promise.all([...wanted].map(async ([key, switches]) => [key, await prepareTarget(environment, switches, config, startedAt)] as const));
  const targets = new Map(prepared);
  const reports = reportsPath(environment.name);
  mkdirSync(reports, { recursive: true });
  const single = targets.size === 1 ? [...targets.values()][0] : undefined;
  if (single) writeRunMeta(reports, single.context.meta);
  else writeRunMetas(reports, Object.fromEntries([...targets].map(([key, t]) => [key, t.context.meta])));

  const coordinated: CoordinatedTargets = new Map([...targets].map(([key, t]) => [key, { ledger: t.ledger, context: t.context }]));
  const coordinator = await startCoordinator(coordinated);
  process.env[COORDINATOR_VARIABLE] = coordinator.url;

  return async () => {
    for (const t of targets.values()) t.ledger.abort();
    if (single) writeFileSync(join(reports, RATE_BUDGET_REPORT), `${JSON.stringify(single.ledger.summary(), null, 2)}\n`);
    await coordinator.close();
    await Promise.all([...targets.values()].map((t) => t.close()));
  };
}
