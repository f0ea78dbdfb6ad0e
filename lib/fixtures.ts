/**
 * The Playwright fixtures every suite uses: `api` calls operations, runs the contract checks on
 * every exchange and reports failures in the house format; `accounts` are the linked sandbox
 * accounts prepared once by the global setup.
 */
import { test as base, expect } from '@playwright/test';
import { ApiClient, type CallOptions, type Exchange } from './client';
import { coordinatorFromEnv, type CoordinatorClient, type ProbeReport } from './coordinator';
import { pacerOf } from './pacing';
import { isReadOnly } from './profile';
import { effectiveRateLimitGroups, probeDeadlineMs } from './windows';
import { contractChecks, runChecks, type Check, type Failure } from './checks';
import { environmentSecrets, loadEnvironment, type Environment } from './env';
import { formatExchange, formatFailure, requestLine } from './failure';
import { readLinkedAccounts, type LinkedAccount } from './linked-accounts';
import { redact, redactor } from './redact';
import { requirement } from './requirements';

const conformance = expect.extend({
  toHold(failure: Failure | undefined, message: string) {
    return { pass: failure === undefined, name: 'toHold', message: () => message };
  },
});

export class Api {
  readonly exchanges: Exchange[] = [];
  private readonly client: ApiClient;
  private readonly unrecorded: ApiClient;

  constructor(readonly environment: Environment, baseUrl: string, private readonly coordinator?: CoordinatorClient) {
    const pace = coordinator ? pacerOf((group, key) => coordinator.reserve(group, key), environment.primary.id) : undefined;
    this.client = new ApiClient(baseUrl, (x) => this.exchanges.push(x), pace);
    this.unrecorded = new ApiClient(baseUrl, undefined, pace);
  }

  /** Calls an operation and checks the exchange against the contract (SCHEMA-*, ERR-*). */
  async call(operationId: string, options: CallOptions): Promise<Exchange> {
    const exchange = await base.step(`${operationId}`, async () => {
      try {
        return await this.client.call(operationId, options);
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        throw new Error(redact(`No response to ${operationId}: ${reason}`));
      }
    });
    await this.assertNotLimited(exchange);
    this.verify(exchange, ...contractChecks);
    return exchange;
  }

  /** A 429 the suite did not plan is a bug of the suite: counted by the coordinator, and the test stops. */
  async assertNotLimited(exchange: Exchange): Promise<void> {
    if (exchange.response.status !== 429) return;
    await this.coordinator?.reportUnplanned(exchange.operation.group);
    throw new Error(
      redact(`Harness: unplanned 429 on ${requestLine(exchange)}. The suite exceeded a rate limit it should have budgeted for; this is a bug of the suite, not a verdict on the implementation.`),
    );
  }

  /** Takes an exchange made elsewhere (the setup, a probe) into this test's evidence, with the contract checks. */
  adopt(exchange: Exchange): Exchange {
    this.exchanges.push(exchange);
    this.verify(exchange, ...contractChecks);
    return exchange;
  }

  /** Soft checks: every MUST failure fails the test, every SHOULD failure adds a warning. */
  verify(exchange: Exchange | undefined, ...checks: Check[]): void {
    const failures = exchange ? runChecks(exchange, checks) : [];
    for (const failure of failures) this.report(failure, exchange);
  }

  /** A paced call that is neither checked nor kept as evidence (fuzzing sends hundreds; it adopts the counterexample). */
  async send(operationId: string, options: CallOptions): Promise<Exchange> {
    return this.unrecorded.call(operationId, options);
  }

  /** Reports a failure found outside a single-exchange check (comparisons across exchanges). */
  report(failure: Failure, exchange?: Exchange, reproduction?: readonly string[]): void {
    const message = formatFailure(failure, exchange, this.environment, reproduction);
    if (requirement(failure.requirement).level === 'SHOULD') {
      base.info().annotations.push({ type: 'warning', description: message });
    } else {
      conformance.soft(failure).toHold(message);
    }
  }

  /** A precondition: stops the test when the exchange fails any of the checks. */
  require(exchange: Exchange, ...checks: Check[]): void {
    const failures = runChecks(exchange, checks);
    if (failures.length > 0) {
      throw new Error(`Precondition failed:\n${failures.map((f) => formatFailure(f, exchange, this.environment)).join('\n')}`);
    }
  }
}

let probeReport: Promise<ProbeReport> | undefined;

export const test = base.extend<{ api: Api; accounts: LinkedAccount[]; rateProbes: ProbeReport }, { environment: Environment }>({
  environment: [
    async ({}, use) => {
      const environment = loadEnvironment();
      redactor.register(...environmentSecrets(environment));
      await use(environment);
    },
    { scope: 'worker' },
  ],
  api: async ({ environment }, use, testInfo) => {
    const baseUrl = process.env.BILLERAPI_BASE_URL;
    if (!baseUrl) throw new Error('BILLERAPI_BASE_URL is not set: the global setup did not run (use the playwright.config.ts at the root).');
    const api = new Api(environment, baseUrl, coordinatorFromEnv());
    await use(api);
    if (api.exchanges.length > 0) {
      await testInfo.attach('exchanges.txt', {
        body: api.exchanges.map(formatExchange).join('\n\n----\n\n'),
        contentType: 'text/plain',
      });
    }
  },
  accounts: async ({ environment }, use, testInfo) => {
    testInfo.skip(isReadOnly(environment.name), 'read-only runs (production, the gate profile) link no accounts');
    await use(readLinkedAccounts());
  },
  /** The rate-limit probes' observations: the first test to ask starts them, in the main process. */
  rateProbes: async ({}, use) => {
    const coordinator = coordinatorFromEnv();
    if (!coordinator) throw new Error('Harness: no run coordinator (use the playwright.config.ts at the root).');
    probeReport ??= coordinator.probes(probeDeadlineMs(effectiveRateLimitGroups()));
    await use(await probeReport);
  },
});

export { expect };
