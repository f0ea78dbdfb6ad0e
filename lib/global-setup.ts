/**
 * Runs once per conformance run, before any worker: checks the configuration, starts the
 * embedded reference when the local run has no target of its own, starts the run coordinator
 * (shared rate budget, rate-limit probes) and links the sandbox accounts the suites share.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { FullConfig } from '@playwright/test';
import { COORDINATOR_VARIABLE, startCoordinator } from './coordinator';
import { environmentSecrets, loadEnvironment, reportsDir, repoRoot } from './env';
import { assertConfiguration, assertReachable } from './guard';
import { isReadOnly } from './profile';
import { linkAccounts, publishLinkedRun } from './linked-accounts';
import { redactor } from './redact';
import { startEmbeddedReference } from './embedded-reference';
import { createLedger, pacedClient } from './run-ledger';
import { EMBEDDED_WINDOW_SECONDS, WINDOW_VARIABLE, effectiveRateLimitGroups } from './windows';

export const RATE_BUDGET_REPORT = 'rate-budget.json';

export default async function globalSetup(config: FullConfig): Promise<() => Promise<void>> {
  const environment = loadEnvironment();
  redactor.register(...environmentSecrets(environment));
  assertConfiguration(environment);

  const closers: (() => Promise<void>)[] = [];
  let baseUrl = environment.baseUrl;
  if (baseUrl === undefined) {
    process.env[WINDOW_VARIABLE] ||= String(EMBEDDED_WINDOW_SECONDS);
    const reference = await startEmbeddedReference(process.env);
    baseUrl = reference.url;
    closers.push(reference.close);
  } else {
    await assertReachable(baseUrl);
  }
  process.env.BILLERAPI_BASE_URL = baseUrl;

  const groups = effectiveRateLimitGroups(process.env);
  const ledger = createLedger(environment, baseUrl, groups, process.env, config.shard);
  const coordinator = await startCoordinator(ledger);
  process.env[COORDINATOR_VARIABLE] = coordinator.url;
  closers.unshift(coordinator.close);

  if (!isReadOnly(environment.name)) {
    const authentication = groups.find((g) => g.name === 'authentication')!;
    const linked = await linkAccounts(environment, pacedClient(ledger, environment, baseUrl), authentication.windowSeconds)
      .catch((error: unknown) => (error instanceof Error ? error : new Error(String(error))));
    publishLinkedRun(linked);
  }

  return async () => {
    ledger.abort();
    const reports = resolve(repoRoot, reportsDir(environment.name));
    mkdirSync(reports, { recursive: true });
    writeFileSync(join(reports, RATE_BUDGET_REPORT), `${JSON.stringify(ledger.summary(), null, 2)}\n`);
    for (const close of closers) await close();
  };
}
