/**
 * lib/run/ — one conformance run: the global setup in Playwright's main process (global-setup.ts:
 * configuration, targets, the embedded reference, linked accounts, the coordinator), the run
 * context each worker gets (run-context.ts, run-targets.ts), the worker fixtures every suite uses
 * (fixtures.ts, on the outcome recording of outcomes-fixture.ts), and the spawning of a run by a
 * command (conformance-process.ts). Only embedded-reference.ts imports reference/; the main
 * process never imports the worker fixtures (.dependency-cruiser.cjs).
 */
/**
 * The Playwright fixtures every API suite uses: `run` is the run context the global setup made;
 * `outcomes` (lib/run/outcomes-fixture.ts) records every judgement of a test as data and attaches
 * it when the test ends; `api` calls operations, runs the contract checks on every exchange and
 * records failures in the house format; `accounts` are the linked sandbox accounts.
 */
import { test as base, expect } from '@playwright/test';
import { ApiClient, type CallOptions, type Exchange } from '../transport/client';
import { coordinatorFromEnv, type CoordinatorClient, type ProbeReport } from '../limits/coordinator';
import { pacerOf } from '../limits/pacing';
import { probeDeadlineMs } from '../contract/windows';
import { contractChecks, runChecks, type Check, type Failure } from '../judgement/checks';
import { configuredClients, environmentSecrets, loadEnvironment, type Environment } from '../config/env';
import type { KnownCredentials } from '../limits/rate-budget';
import { HarnessError } from '../config/errors';
import { formatExchange, formatFailure, requestLine } from '../judgement/failure';
import type { LinkedAccount } from './linked-accounts';
import type { OutcomeRecorder } from '../judgement/outcomes';
import { redact, redactor } from '../transport/redact';
import { requirement } from '../contract/requirements';
import { test as recording } from './outcomes-fixture';
import { linkedRunOf, type RunContext } from './run-context';
import { DEFAULT_TARGET, targetKeyOf } from './run-targets';

const conformance = expect.extend({
  toHold(failure: Failure | undefined, message: string) {
    return { pass: failure === undefined, name: 'toHold', message: () => message };
  },
});

export class Api {
  readonly exchanges: Exchange[] = [];
  readonly baseUrl: string;
  private readonly client: ApiClient;
  private readonly unrecorded: ApiClient;

  constructor(
    readonly environment: Environment,
    readonly run: RunContext,
    private readonly recorder: OutcomeRecorder,
    private readonly coordinator?: CoordinatorClient,
  ) {
    this.baseUrl = run.meta.baseUrl;
    const pace = coordinator ? pacerOf((group, keys) => coordinator.reserve(group, keys), knownCredentials(environment, run)) : undefined;
    const readOnly = run.meta.readOnly;
    this.client = new ApiClient(this.baseUrl, { readOnly, onExchange: (x) => this.exchanges.push(x), pace });
    this.unrecorded = new ApiClient(this.baseUrl, { readOnly, pace });
  }

  /** Calls an operation and checks the exchange against the contract (SCHEMA-*, ERR-*). */
  async call(operationId: string, options: CallOptions): Promise<Exchange> {
    const exchange = await base.step(`${operationId}`, async () => {
      try {
        return await this.client.call(operationId, options);
      } catch (error) {
        if (error instanceof HarnessError) this.harnessError(error);
        const reason = error instanceof Error ? error.message : String(error);
        throw new Error(redact(`No response to ${operationId}: ${reason}`));
      }
    });
    this.tally(exchange);
    await this.assertNotLimited(exchange);
    this.verify(exchange, ...contractChecks);
    return exchange;
  }

  /** Records a defect of the suite and stops the test: never a pass, never a verdict on the target. */
  harnessError(error: HarnessError): never {
    const message = redact(error.message);
    this.recorder.record({ result: 'error', harness: error.kind, message });
    this.stoppingOnRecord();
    throw new HarnessError(error.kind, message);
  }

  /**
   * The test is about to stop on a judgement the recorder holds. In the matrix (`recordOnly`)
   * that stop is expected: Playwright then keeps its worker, which it replaces after a failure.
   */
  private stoppingOnRecord(): void {
    this.recorder.stoppedOnRecord = true;
    if (this.run.recordOnly) base.info().fail();
  }

  private tally(x: Exchange): void {
    this.recorder.answer(x.response.status, x.response.headers['content-type'], x.json !== undefined);
  }

  /** A 429 the suite did not plan is a bug of the suite: counted by the coordinator, and the test stops. */
  async assertNotLimited(exchange: Exchange): Promise<void> {
    if (exchange.response.status !== 429) return;
    await this.coordinator?.reportUnplanned(exchange.operation.group);
    this.harnessError(new HarnessError(
      'unplanned-429',
      `Harness: unplanned 429 on ${requestLine(exchange)}. The suite exceeded a rate limit it should have budgeted for; this is a bug of the suite, not a verdict on the implementation.`,
    ));
  }

  /** Takes an exchange made elsewhere (the setup, a probe) into this test's evidence, with the contract checks. */
  adopt(exchange: Exchange): Exchange {
    this.exchanges.push(exchange);
    this.tally(exchange);
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
    try {
      return await this.unrecorded.call(operationId, options);
    } catch (error) {
      if (error instanceof HarnessError) this.harnessError(error);
      throw error;
    }
  }

  /** Records a failure as an outcome; a MUST fails the test (softly), a SHOULD warns. */
  report(failure: Failure, exchange?: Exchange, reproduction?: readonly string[]): void {
    const message = this.recordFailure(failure, exchange, reproduction);
    if (requirement(failure.requirement).level === 'SHOULD') {
      base.info().annotations.push({ type: 'warning', description: message });
    } else if (!this.run.recordOnly) {
      this.recorder.softFailures += 1;
      conformance.soft(failure).toHold(message);
    }
  }

  private recordFailure(failure: Failure, exchange?: Exchange, reproduction?: readonly string[]): string {
    const message = formatFailure(failure, exchange, this.environment, reproduction);
    this.recorder.record({
      result: requirement(failure.requirement).level === 'SHOULD' ? 'warn' : 'fail',
      requirement: failure.requirement,
      message,
      expected: redact(failure.expected),
      received: redact(failure.received),
      exchange: exchange && formatExchange(exchange),
    });
    return message;
  }

  /**
   * Records a failure that leaves nothing more to judge (a flow that never reached its next step)
   * and stops the test: the requirements it cites and has not judged stay unjudged, never passed.
   */
  stop(failure: Failure, exchange?: Exchange): never {
    const message = this.recordFailure(failure, exchange);
    this.stoppingOnRecord();
    throw new Error(message);
  }

  /** A precondition: records what failed and stops the test; the test's own requirements stay unjudged. */
  require(exchange: Exchange, ...checks: Check[]): void {
    const failures = runChecks(exchange, checks);
    if (failures.length === 0) return;
    const messages = failures.map((f) => this.recordFailure(f, exchange));
    this.stoppingOnRecord();
    throw new Error(`Precondition failed:\n${messages.join('\n')}`);
  }
}

/** The configured clients and the linked accounts' tokens: what tells the budget which requests authenticate. */
function knownCredentials(environment: Environment, run: RunContext): KnownCredentials {
  const tokens = 'error' in run.linked ? [] : run.linked.accounts.map((a) => a.accessToken);
  return { clients: configuredClients(environment).map(([, c]) => c), tokens, bearerOwner: environment.primary.id };
}

/** The probes' observations, asked once per worker for its target. */
let probeReport: Promise<ProbeReport> | undefined;

/** The coordinator's client for `target` (lib/run/run-targets.ts). */
function coordinator(target: string): CoordinatorClient {
  const client = coordinatorFromEnv(target);
  if (!client) throw new Error('Harness: no run coordinator: the global setup did not run (use the playwright.config.ts at the root).');
  return client;
}

export const test = recording.extend<
  { api: Api; accounts: LinkedAccount[]; rateProbes: ProbeReport },
  { environment: Environment; run: RunContext }
>({
  environment: [
    async ({}, use) => {
      const environment = loadEnvironment();
      redactor.register(...environmentSecrets(environment));
      await use(environment);
    },
    { scope: 'worker' },
  ],
  run: [
    async ({}, use, workerInfo) => {
      const context = await coordinator(targetKeyOf(workerInfo.project)).context();
      if (!('error' in context.linked)) for (const a of context.linked.accounts) redactor.register(a.accessToken, a.usedPublicToken);
      await use(context);
    },
    { scope: 'worker' },
  ],
  api: async ({ environment, run, outcomes }, use, testInfo) => {
    const api = new Api(environment, run, outcomes, coordinatorFromEnv(run.key));
    await use(api);
    if (api.exchanges.length > 0) {
      await testInfo.attach('exchanges.txt', {
        body: api.exchanges.map(formatExchange).join('\n\n----\n\n'),
        contentType: 'text/plain',
      });
    }
  },
  accounts: async ({ run }, use, testInfo) => {
    testInfo.skip(run.meta.readOnly, 'read-only runs (production, the gate profile) link no accounts');
    await use(linkedRunOf(run).accounts);
  },
  /** The rate-limit probes' observations: the first test to ask starts them, in the main process. */
  rateProbes: async ({ run }, use) => {
    probeReport ??= coordinator(run.key ?? DEFAULT_TARGET).probes(probeDeadlineMs(run.groups));
    await use(await probeReport);
  },
});

export { expect };
