/**
 * Runs once per conformance run, before any worker: checks the configuration, starts the
 * embedded reference when the local run has no target of its own, links the sandbox accounts
 * the suites share, writes the run's metadata (run.json: the target it actually hits) and
 * starts the run coordinator, which hands the run context to every worker.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { FullConfig } from '@playwright/test';
import { COORDINATOR_VARIABLE, startCoordinator } from './coordinator';
import { environmentSecrets, loadEnvironment, reportsDir, repoRoot } from './env';
import { assertConfiguration, assertReachable } from './guard';
import { isReadOnly, profileOf } from './profile';
import { linkAccounts } from './linked-accounts';
import { redact, redactor } from './redact';
import { parseFaultList, parseVariationList, startEmbeddedReference } from './embedded-reference';
import { writeRunMeta } from './results';
import type { RunContext } from './run-context';
import { createLedger, pacedClient } from './run-ledger';
import { EMBEDDED_WINDOW_SECONDS, WINDOW_VARIABLE, effectiveRateLimitGroups } from './windows';

export const RATE_BUDGET_REPORT = 'rate-budget.json';

export default async function globalSetup(config: FullConfig): Promise<() => Promise<void>> {
  const environment = loadEnvironment();
  redactor.register(...environmentSecrets(environment));
  assertConfiguration(environment);
  const startedAt = new Date().toISOString();
  const profile = profileOf();
  const readOnly = isReadOnly(environment.name);

  const closers: (() => Promise<void>)[] = [];
  let baseUrl = environment.baseUrl;
  const embedded = baseUrl === undefined;
  // The embedded reference's window is short unless set; the harness paces and probes by it.
  const windowEnv = embedded ? { ...process.env, [WINDOW_VARIABLE]: process.env[WINDOW_VARIABLE] || String(EMBEDDED_WINDOW_SECONDS) } : process.env;
  if (baseUrl === undefined) {
    const reference = await startEmbeddedReference(windowEnv);
    baseUrl = reference.url;
    closers.push(reference.close);
  } else {
    await assertReachable(baseUrl);
  }

  const groups = effectiveRateLimitGroups(windowEnv);
  const ledger = createLedger(environment, baseUrl, groups, process.env, config.shard);

  const linked: RunContext['linked'] = readOnly
    ? { error: 'a read-only run (production, the gate profile) links no accounts' }
    : await linkAccounts(environment, pacedClient(ledger, environment, baseUrl), groups.find((g) => g.name === 'authentication')!.windowSeconds)
      .catch((error: unknown) => ({ error: redact(error instanceof Error ? error.message : String(error)) }));
  const context: RunContext = {
    meta: {
      environment: environment.name,
      baseUrl,
      embeddedReference: embedded,
      profile,
      readOnly,
      faults: embedded ? parseFaultList(process.env.REFERENCE_FAULTS) : [],
      variations: embedded ? parseVariationList(process.env.REFERENCE_VARIATIONS) : [],
      startedAt,
    },
    groups,
    linked,
  };
  const reports = resolve(repoRoot, reportsDir(environment.name));
  mkdirSync(reports, { recursive: true });
  writeRunMeta(reports, context.meta);

  const coordinator = await startCoordinator(ledger, context);
  process.env[COORDINATOR_VARIABLE] = coordinator.url;
  closers.unshift(coordinator.close);

  return async () => {
    ledger.abort();
    writeFileSync(join(reports, RATE_BUDGET_REPORT), `${JSON.stringify(ledger.summary(), null, 2)}\n`);
    for (const close of closers) await close();
  };
}
