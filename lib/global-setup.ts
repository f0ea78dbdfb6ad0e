/**
 * Runs once per conformance run, before any worker: checks the configuration, starts the
 * embedded reference when the local run has no target of its own, and links the sandbox
 * accounts that the bearer and data suites share.
 */
import type { FullConfig } from '@playwright/test';
import { environmentSecrets, loadEnvironment } from './env';
import { assertConfiguration, assertReachable } from './guard';
import { linkAccounts, publishLinkedAccounts } from './linked-accounts';
import { redactor } from './redact';
import { startEmbeddedReference } from './embedded-reference';

export default async function globalSetup(_config: FullConfig): Promise<() => Promise<void>> {
  const environment = loadEnvironment();
  redactor.register(...environmentSecrets(environment));
  assertConfiguration(environment);

  let close = async () => {};
  let baseUrl = environment.baseUrl;
  if (baseUrl === undefined) {
    const reference = await startEmbeddedReference(process.env);
    baseUrl = reference.url;
    close = reference.close;
  } else {
    await assertReachable(baseUrl);
  }
  process.env.BILLERAPI_BASE_URL = baseUrl;

  if (environment.name !== 'production') {
    publishLinkedAccounts(await linkAccounts(environment, baseUrl).catch((error: unknown) => error instanceof Error ? error : new Error(String(error))));
  }
  return close;
}
