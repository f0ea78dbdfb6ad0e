/**
 * lib/stateful/ — stateful testing: the model of what the clients must observe (model.ts), the
 * commands with their pre- and postconditions (commands.ts), a sequence's steps as a person
 * replays them (steps.ts), and the runner with its closing sweep (run.ts). Imports lib/contract/,
 * lib/transport/, lib/judgement/, lib/limits/, lib/webhooks/, lib/fuzz/ (settings, shell
 * quoting), lib/config/ and the fixtures' Api type.
 */
/**
 * Runs the stateful property: fast-check generates sequences of commands
 * (lib/stateful/commands.ts), runs each against the target and the model with
 * `fc.asyncModelRun`, judges the deliveries the sequence caused at the suite's receiver, and
 * shrinks a failing sequence to the shortest one that still fails. A failure prints as
 * numbered steps, the seed and path, the replay command and a bash script of curl calls
 * (lib/stateful/steps.ts).
 *
 * One run reports every requirement it finds broken: once one is reported, its failures stop
 * counting (the sequence goes on as the model says it should) and the search continues with
 * the sequences left, so a fault that breaks two rules is reported under both.
 *
 * Every request goes through the run's rate budget (paced, never a 429); the exchange, whose
 * Authentication quota is 5 a minute per IP and already spent by the run, only within
 * FC_EXCHANGES per sequence (0 unless set).
 */
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { bearerAuth, clientAuth, type Auth } from '../transport/auth';
import { contractChecks, runChecks, statusLine, type Failure } from '../judgement/checks';
import type { Exchange } from '../transport/client';
import type { EnvName, Environment } from '../config/env';
import { HarnessError } from '../config/errors';
import type { Api } from '../run/fixtures';
import { fuzzSettings } from '../fuzz/fuzz';
import type { LinkedAccount } from '../run/linked-accounts';
import { sleep } from '../limits/pacing';
import { requirement, type RequirementId } from '../contract/requirements';
import type { RateLimitGroup } from '../contract/rate-limits';
import { webhookDelivery, webhookListConsistencySeconds } from '../contract/spec';
import { seconds } from '../judgement/waits';
import type { Delivery, WebhookReceiver } from '../webhooks/webhook-receiver';
import { deliveredEventId } from '../webhooks/webhook-signature';
import { sequenceArbitrary, type Real, type Sent, type StatefulCommand } from './commands';
import { awaitedEvents, deliveriesCanStray, deliveryViolation, described, initialModel, live, webhookAt, type Model, type ModelLink, type ObservedDelivery } from './model';
import { bashScript, realRequest, stepLine, valueOf, type Role, type RoleClients, type Step, type StepAuth, type StepRequest } from './steps';

/** Sequences per run: many against the reference with short windows, what a real window's budget allows elsewhere, none in production. */
export const DEFAULT_SEQUENCES: Readonly<Record<EnvName, number>> = { local: 100, sandbox: 10, partner: 20, production: 0 };
export const MAX_COMMANDS = 20;
/** The requirements the stateful sequences judge (suites/stateful.spec.ts cites them). */
export const STATEFUL_REQUIREMENTS: readonly RequirementId[] = ['WEBHOOK-007', 'WEBHOOK-008', 'WEBHOOK-009', 'WEBHOOK-010'];
/** Windows this long are real budgets: a local run against them takes the sandbox's number. */
const REAL_WINDOW_SECONDS = 60;
/** The tag every stateful test carries: the replay command selects it. */
export const STATEFUL_TAG = '@STATEFUL';
/** The test annotation that carries each reported counterexample as JSON (a Counterexample). */
export const COUNTEREXAMPLE_ANNOTATION = 'stateful-counterexample';

const DELIVERY_MS = webhookDelivery.delivery_seconds * 1000;
const AFTER_DELETE_MS = webhookDelivery.after_delete_seconds * 1000;
const LIST_CONSISTENCY_MS = webhookListConsistencySeconds * 1000;
/**
 * After a sequence's awaited deliveries arrived, how long to listen for others (another
 * webhook's event, a deleted webhook's): twice as long as the slowest of them took, within
 * these. Twice, because a stray delivery leaves with the awaited one but may land later on a
 * loaded machine, and a shrink candidate that misses it passes, so that shrinking stops a step
 * short (seen in the matrix: 5 steps instead of 4). A heuristic; the end of the run waits the
 * whole delivery bound once (the sweep).
 */
const SETTLE_FACTOR = 2;
const SETTLE_MIN_MS = 100;
const SETTLE_MAX_MS = 1_000;
/** Requests a sequence sends on average (commands, repeated listings, clean-up), for the test's time budget. */
const REQUESTS_PER_SEQUENCE = 15;
/** What a sequence may spend waiting on average (deliveries, listings catching up), for the test's time budget. */
const WAITS_PER_SEQUENCE_MS = 1_000;

export interface StatefulSettings {
  numRuns: number;
  seed?: number;
  path?: string;
  /** Exchanges one sequence may make (FC_EXCHANGES, default 0). */
  exchanges: number;
  maxCommands: number;
}

/**
 * FC_NUM_RUNS, FC_SEED, FC_PATH as for fuzzing, unless FC_STATEFUL_NUM_RUNS or FC_STATEFUL_SEED
 * says otherwise for the sequences alone (the project's matrix fixes them there and leaves the
 * fuzz properties random); FC_EXCHANGES, the exchanges a sequence may make.
 */
export function statefulSettings(name: EnvName, groups: readonly RateLimitGroup[], env: NodeJS.ProcessEnv = process.env): StatefulSettings {
  const own = (variable: string) => env[`FC_STATEFUL_${variable}`] || env[`FC_${variable}`];
  const shared = fuzzSettings(name, groups, { ...env, FC_NUM_RUNS: own('NUM_RUNS'), FC_SEED: own('SEED') });
  const realWindows = Math.max(...groups.map((g) => g.windowSeconds)) >= REAL_WINDOW_SECONDS;
  const byDefault = name === 'local' && realWindows ? DEFAULT_SEQUENCES.sandbox : DEFAULT_SEQUENCES[name];
  const exchanges = env.FC_EXCHANGES;
  if (exchanges !== undefined && exchanges !== '' && !/^\d+$/.test(exchanges)) throw new Error(`FC_EXCHANGES must be a whole number of exchanges per sequence (0 or more), not "${exchanges}".`);
  return {
    numRuns: own('NUM_RUNS') ? shared.numRuns : byDefault,
    seed: shared.seed,
    path: shared.path,
    exchanges: exchanges ? Number(exchanges) : 0,
    maxCommands: MAX_COMMANDS,
  };
}

/**
 * The test's timeout: the sequences at the link group's pace and with their waits (twice, for
 * shrinking), the closing sweep, and the usual allowance. New sequences stop in time for the
 * sweep and the reports (`runStateful`'s deadline), so a slow target gets fewer, never a timeout.
 */
export function statefulTimeoutMs(settings: StatefulSettings, groups: readonly RateLimitGroup[]): number {
  const link = groups.find((g) => g.name === 'link')!;
  const windows = Math.ceil((settings.numRuns * REQUESTS_PER_SEQUENCE) / link.limit) + 1;
  return 2 * (windows * link.windowSeconds * 1000 + settings.numRuns * WAITS_PER_SEQUENCE_MS) + DELIVERY_MS + 30_000;
}

/** The replay command of a failing sequence. */
export function replayCommand(env: EnvName, seed: number, path: string, exchanges: number): string {
  return `${exchanges > 0 ? `FC_EXCHANGES=${exchanges} ` : ''}FC_SEED=${seed} FC_PATH=${path} npm run conformance -- --env ${env} --grep ${STATEFUL_TAG}`;
}

export interface StatefulDeps {
  api: Api;
  environment: Environment;
  /** The setup's links: the sequences use their tokens (bills) without exchanging anything. */
  accounts: readonly LinkedAccount[];
  /** The receiver deliveries reach, or undefined when the target cannot reach it (deliveries are then not judged). */
  receiver?: WebhookReceiver;
  /** What webhook URLs start with: the receiver's URL, or an HTTPS URL that goes nowhere. */
  webhookBase: string;
  groups: readonly RateLimitGroup[];
  /** Records that a cited requirement was not judged, and why. */
  skip(requirement: RequirementId, reason: string): void;
}

export interface StatefulReport {
  /** Sequences run, shrinking included. */
  sequences: number;
  commands: number;
  exchanges: number;
  durationMs: number;
  seeds: number[];
  /** Each failure reported, as data: its requirement, how many steps its sequence had, how to replay it. */
  counterexamples: Counterexample[];
  /** Sequences skipped because the time budget ran out. */
  interrupted: boolean;
}

export interface Counterexample {
  requirement: RequirementId;
  steps: number;
  /** Shrinks fast-check made; undefined for a sequence judged again at the end (not shrunk). */
  shrinks?: number;
  seed?: number;
  path?: string;
}

/** A postcondition that failed: the sequence stops here. */
class SequenceFailure extends Error {
  constructor(readonly failure: Failure, readonly step: Step | undefined, readonly epilogue?: string, readonly exchange?: Exchange) {
    super(`${failure.requirement}: ${failure.received}`);
  }
}

/** A 429 the budget did not plan: every later sequence would meet one too. */
class Limited extends Error {
  constructor(readonly exchange: Exchange) {
    super('unplanned 429');
  }
}

/** The sequence cannot go on (the run stopped, or a request got no answer once that was reported): it counts as passing. */
class Abandoned extends Error {}

/** A sequence of the run once over: what the closing sweep judges late deliveries by. */
interface Retired {
  namespace: string;
  model: Model;
  steps: Step[];
  seedOf: () => number | undefined;
  path?: string;
}

const eventIdOf = (d: Delivery): string | undefined => {
  const header = deliveredEventId(d.headers);
  if (header !== undefined) return header;
  try {
    const id = (JSON.parse(d.rawBody) as { event_id?: unknown }).event_id;
    return typeof id === 'string' ? id : undefined;
  } catch {
    return undefined;
  }
};

const observed = (d: Delivery): ObservedDelivery => ({ path: d.path, eventId: eventIdOf(d), receivedAt: d.receivedAtMs });

/**
 * Which configured client acts as each role of the sequences: the dedicated pair where
 * configured (budgets nothing else spends), else the primary and second clients.
 */
export function statefulRoles(e: Environment): RoleClients {
  return { primary: e.stateful ? 'stateful' : 'primary', second: e.statefulSecond ? 'statefulSecond' : 'second' };
}

class StatefulRun {
  readonly ignored = new Set<RequirementId>();
  readonly judged = new Map<RequirementId, number>();
  readonly retired: Retired[] = [];
  readonly roles: Role[];
  readonly clients: RoleClients;
  readonly setupLinks: ModelLink[];
  readonly id = randomBytes(3).toString('hex');
  readonly seeds: number[] = [];
  sequences = 0;
  commands = 0;
  exchanges = 0;
  /** Per fast-check run: sequences started, and whether shrinking has begun (a sequence's path is then unknown). */
  started = 0;
  shrinking = false;
  last?: { error: SequenceFailure; steps: Step[] };
  limited?: Exchange;
  harness?: HarnessError;
  interrupted = false;
  lastFireAt?: number;
  /** The longest a listing took to show a registration, and an awaited delivery to arrive, in this run (ms). */
  listLagMs = 0;
  deliveryLatencyMs = 0;

  constructor(readonly deps: StatefulDeps, readonly settings: StatefulSettings, readonly deadline: number) {
    this.clients = statefulRoles(deps.environment);
    this.roles = deps.environment[this.clients.second] ? ['primary', 'second'] : ['primary'];
    const tokenVariables = ['BILLERAPI_ACCESS_TOKEN', 'BILLERAPI_OTHER_ACCESS_TOKEN'];
    this.setupLinks = deps.accounts.slice(0, tokenVariables.length).map((a, i) => ({
      owner: 'primary',
      token: { env: tokenVariables[i], value: a.accessToken },
      linkId: { literal: a.accountLinkId },
      origin: 'the setup',
    }));
  }

  get stopped(): boolean {
    return this.limited !== undefined || this.harness !== undefined;
  }

  count(id: RequirementId): void {
    this.judged.set(id, (this.judged.get(id) ?? 0) + 1);
  }

  credentialsOf(role: Role) {
    const c = this.deps.environment[this.clients[role]];
    if (!c) throw new Error(`No ${role} client configured.`);
    return c;
  }
}

class Sequence implements Real {
  readonly steps: Step[] = [];
  readonly model: Model;
  readonly refusedWebhookUrl: string;
  readonly unknownWebhookId = 'wh_conformanceNeverIssued0';
  readonly listConsistencyMs = LIST_CONSISTENCY_MS;
  /** Webhooks created that the model does not keep (a refused URL accepted): deleted when the sequence ends. */
  private readonly strays: { role: Role; id: string }[] = [];

  constructor(private readonly run: StatefulRun, readonly namespace: string) {
    this.model = initialModel(run.roles, run.settings.exchanges, run.setupLinks);
    this.refusedWebhookUrl = `http://example.com/billerapi-conformance/${namespace}`;
  }

  get billerId(): string {
    return this.run.deps.accounts[0].billerId;
  }

  webhookUrl(path: string): string {
    return `${this.run.deps.webhookBase}${path}`;
  }

  nextStep(): number {
    return this.steps.length + 1;
  }

  get listLagMs(): number {
    return this.run.listLagMs;
  }

  noteListLag(ms: number): void {
    this.run.listLagMs = Math.max(this.run.listLagMs, ms);
  }

  async pause(ms: number, why: string): Promise<void> {
    if (this.run.stopped) throw new Abandoned();
    this.steps.push({ n: this.steps.length + 1, wait: { ms, why }, expected: '', expectedStatus: 0, received: '' });
    await sleep(ms);
  }

  now(): number {
    return Date.now();
  }

  sleep(ms: number): Promise<void> {
    return sleep(ms);
  }

  private auth(auth: StepAuth): Auth {
    return 'role' in auth ? clientAuth(this.run.credentialsOf(auth.role)) : bearerAuth(valueOf(auth.bearer));
  }

  async send(request: StepRequest, expected: string, again?: Step): Promise<Sent> {
    if (this.run.stopped) throw new Abandoned();
    const real = realRequest(request);
    const step = again ?? { n: this.steps.length + 1, request, expected, expectedStatus: Number(expected.slice(0, 3)), received: '' };
    if (!again) this.steps.push(step);
    let x: Exchange;
    try {
      x = await this.run.deps.api.send(request.operationId, { auth: this.auth(request.auth), params: real.params, query: real.query, body: real.body });
    } catch (error) {
      if (error instanceof HarnessError) throw error;
      step.received = `no answer: ${error instanceof Error ? error.message : String(error)}`;
      this.judge(step, 'ROBUST-001', { requirement: 'ROBUST-001', expected: 'an HTTP answer', received: step.received });
      throw new Abandoned();
    }
    if (x.response.status === 429) throw new Limited(x);
    const answeredAt = Date.now();
    this.run.commands++;
    if (request.operationId === 'exchangePublicToken') this.run.exchanges++;
    step.exchange = x;
    step.received = statusLine(x);
    if (request.operationId === 'sandboxFireWebhook') this.run.lastFireAt = answeredAt;
    const contract = runChecks(x, contractChecks).find((f) => requirement(f.requirement).level === 'MUST');
    if (contract) this.judge(step, contract.requirement, contract);
    return { step, x, sentAt: answeredAt - x.response.durationMs, answeredAt };
  }

  judge(step: Step, id: RequirementId, failure: Failure | undefined): void {
    this.run.count(id);
    if (!failure || this.run.ignored.has(failure.requirement)) return;
    step.broke = failure.requirement;
    throw new SequenceFailure(failure, step);
  }

  reported(id: RequirementId): boolean {
    return this.run.ignored.has(id);
  }

  /** A webhook the model does not keep, deleted when the sequence ends. */
  stray(role: Role, id: string): void {
    this.strays.push({ role, id });
  }

  private mine(d: Delivery): boolean {
    return d.path.includes(`/${this.namespace}/`);
  }

  /** A failure found after the steps, about deliveries: it ends the sequence unless already reported. */
  private epilogue(failure: Failure, text: string, eventStep?: number): void {
    this.run.count(failure.requirement);
    if (this.run.ignored.has(failure.requirement)) return;
    throw new SequenceFailure(failure, undefined, text, eventStep === undefined ? undefined : this.steps[eventStep - 1]?.exchange);
  }

  /**
   * The deliveries the sequence caused: each event fired at a webhook still live arrives within
   * the delivery bound (WEBHOOK-006); then, after a quiet moment, every delivery to one of the
   * sequence's webhooks carries an event fired at it, and reaches a deleted one only as A-030
   * allows (WEBHOOK-009).
   */
  async finish(): Promise<void> {
    const receiver = this.run.deps.receiver;
    if (!receiver || this.model.events.length === 0) return;
    let slowest = 0;
    for (const e of awaitedEvents(this.model)) {
      const w = this.model.webhooks[e.webhook - 1];
      const arrival = (all: readonly Delivery[]) => all.find((d) => this.mine(d) && webhookAt(this.model, d.path) === w && eventIdOf(d) === e.eventId);
      const seen = await receiver.waitFor((all) => arrival(all) !== undefined, Math.max(1, e.firedAt + DELIVERY_MS - Date.now()));
      if (!seen) {
        const failure: Failure = {
          requirement: 'WEBHOOK-006',
          expected: `a delivery of ${e.eventId} to ${described(w)} within ${seconds(DELIVERY_MS)} of its fire in step ${e.step} (x-delivery.delivery_seconds)`,
          received: `none (${receiver.deliveries.filter((d) => this.mine(d)).length} delivery(ies) to this sequence's webhooks)`,
        };
        this.epilogue(failure, `no delivery of ${e.eventId} reached ${described(w)} within ${seconds(DELIVERY_MS)}`, e.step);
        continue;
      }
      slowest = Math.max(slowest, arrival(seen)!.receivedAtMs - e.firedAt);
    }
    this.run.deliveryLatencyMs = Math.max(this.run.deliveryLatencyMs, slowest);
    if (deliveriesCanStray(this.model)) await sleep(Math.min(SETTLE_MAX_MS, Math.max(SETTLE_MIN_MS, SETTLE_FACTOR * this.run.deliveryLatencyMs)));
    for (const d of receiver.deliveries.filter((x) => this.mine(x))) {
      const failure = deliveryViolation(this.model, observed(d), AFTER_DELETE_MS);
      if (failure) {
        const event = this.model.events.find((e) => e.eventId === eventIdOf(d));
        this.epilogue(failure, `at the receiver: ${failure.received}`, event?.step);
      }
    }
    this.run.count('WEBHOOK-009');
  }

  /** Deletes what the sequence left registered (not a step: nothing is judged). Deletions are written into the model for the closing sweep. */
  async cleanup(): Promise<void> {
    const leftovers = [...live(this.model).map((w) => ({ role: w.owner, id: w.ref.value, w })), ...this.strays.map((s) => ({ ...s, w: undefined }))];
    for (const { role, id, w } of leftovers) {
      if (this.run.stopped) return;
      try {
        const x = await this.run.deps.api.send('deleteWebhook', { auth: clientAuth(this.run.credentialsOf(role)), params: { webhook_id: id } });
        if (x.response.status === 429) {
          this.run.limited = x;
          return;
        }
        if (w && x.response.status === 200) w.deleted = { step: 0, at: Date.now() };
      } catch (error) {
        if (error instanceof HarnessError) this.run.harness = error;
        return;
      }
    }
  }
}

/** Lines the bash script starts with: what the reader sets, and what the script cannot replay. */
function scriptNotes(steps: readonly Step[], run: StatefulRun): string[] {
  const notes: string[] = [];
  const tokens = new Set(steps.flatMap(({ request }) => (request && 'bearer' in request.auth && 'env' in request.auth.bearer ? [request.auth.bearer.env] : [])));
  for (const link of run.setupLinks) {
    if ('env' in link.token && tokens.has(link.token.env)) notes.push(`${link.token.env}: the access token of ${valueOf(link.linkId)}, a sandbox account the run linked`);
  }
  if (steps.some((s) => s.request?.operationId === 'createWebhook') && run.deps.receiver) {
    notes.push(`webhook URLs point at the suite's receiver, gone with the run: deliveries are not replayed (listen at ${run.deps.webhookBase} to see them)`);
  }
  return notes;
}

function report(run: StatefulRun, error: SequenceFailure, steps: readonly Step[], header: string, replay?: string): void {
  const { api } = run.deps;
  const lines = [header, ...steps.map(stepLine)];
  if (error.epilogue) lines.push(`then ${error.epilogue}  ✗ ${error.failure.requirement}`);
  if (replay) lines.push(replay);
  lines.push(...bashScript(steps, api.baseUrl, run.deps.environment.name, run.clients, scriptNotes(steps, run)));
  const exchange = error.exchange ?? error.step?.exchange;
  api.report(error.failure, exchange && api.adopt(exchange), lines);
}

/** The property: one sequence per run, against a fresh model. */
function propertyOf(run: StatefulRun) {
  return fc.asyncProperty(sequenceArbitrary(run.settings.maxCommands, run.settings.exchanges), async (commands: StatefulCommand[]) => {
    const path = run.shrinking ? undefined : String(run.started);
    run.started++;
    if (run.stopped || run.interrupted) return;
    if (Date.now() > run.deadline) {
      run.interrupted = true;
      return;
    }
    run.sequences++;
    const check = run.seeds.length;
    const sequence = new Sequence(run, `${run.id}-${run.sequences}`);
    let completed = false;
    try {
      await fc.asyncModelRun(() => ({ model: sequence.model, real: sequence }), commands);
      await sequence.finish();
      completed = true;
    } catch (error) {
      if (error instanceof SequenceFailure) {
        run.shrinking = true;
        run.last = { error, steps: [...sequence.steps] };
        throw error;
      }
      if (error instanceof Limited) run.limited = error.exchange;
      else if (error instanceof HarnessError) run.harness = error;
      else if (!(error instanceof Abandoned)) throw error;
    } finally {
      await sequence.cleanup();
      // A sequence that failed was reported, or is being shrunk: the sweep judges the others.
      if (completed && sequence.model.events.length > 0) {
        run.retired.push({ namespace: sequence.namespace, model: sequence.model, steps: sequence.steps.map((s) => ({ ...s, exchange: undefined })), seedOf: () => run.seeds[check], path });
      }
    }
  });
}

/**
 * After the last sequence, waits until the delivery bound of the last fire has passed, and
 * judges every delivery the receiver got against its sequence's model: what arrived too late
 * for a sequence's own look (WEBHOOK-009). Reported unshrunk, with the sequence's replay when
 * it was a generated one.
 */
async function sweep(run: StatefulRun): Promise<Counterexample | undefined> {
  const receiver = run.deps.receiver;
  if (!receiver || run.lastFireAt === undefined || run.ignored.has('WEBHOOK-009')) return;
  await sleep(Math.max(0, run.lastFireAt + DELIVERY_MS - Date.now()));
  for (const retired of run.retired) {
    for (const d of receiver.deliveries.filter((x) => x.path.includes(`/${retired.namespace}/`))) {
      const failure = deliveryViolation(retired.model, observed(d), AFTER_DELETE_MS);
      if (!failure) continue;
      const seed = retired.seedOf();
      const replay = seed !== undefined && retired.path !== undefined ? replayCommand(run.deps.environment.name, seed, retired.path, run.settings.exchanges) : undefined;
      const error = new SequenceFailure(failure, undefined, `after every sequence had ended and ${seconds(DELIVERY_MS)} had passed since the last fire, the receiver had got ${failure.received}`);
      report(run, error, retired.steps, `# a sequence of ${retired.steps.length} step(s), judged again at the end of the run (not shrunk)`, replay);
      return { requirement: failure.requirement, steps: retired.steps.length, seed, path: replay ? retired.path : undefined };
    }
  }
}

/** Runs the sequences, reports each broken requirement with its shortest sequence, and says why a cited requirement went unjudged. */
export async function runStateful(deps: StatefulDeps, settings: StatefulSettings, timeBudgetMs: number, cited: readonly RequirementId[]): Promise<StatefulReport> {
  const started = performance.now();
  // New sequences stop in time for the sweep and the reports.
  const run = new StatefulRun(deps, settings, Date.now() + timeBudgetMs - DELIVERY_MS - 20_000);
  const property = propertyOf(run);
  const counterexamples: Counterexample[] = [];
  let remaining = settings.numRuns;
  for (let round = 0; remaining > 0; round++) {
    run.started = 0;
    run.shrinking = false;
    run.last = undefined;
    const seed = settings.seed === undefined ? undefined : settings.seed + round;
    const details = await fc.check(property, { numRuns: remaining, seed, path: settings.path, endOnFailure: false });
    run.seeds.push(details.seed);
    if (run.harness) deps.api.harnessError(run.harness);
    if (run.limited) await deps.api.assertNotLimited(run.limited);
    if (!details.failed) break;
    // fast-check runs the shrunk sequence last among the failing ones: `last` is the counterexample.
    const last = run.last as StatefulRun['last'];
    if (!(details.errorInstance instanceof SequenceFailure) || !last) {
      throw new Error(`Harness: the stateful run failed without a sequence: ${details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance)}`);
    }
    const { error, steps } = last;
    const header = `# sequence ${details.numRuns} of ${remaining} failed, shrunk ${details.numShrinks} time(s) to ${steps.length} step(s); seed ${details.seed}, path ${details.counterexamplePath}`;
    report(run, error, steps, header, replayCommand(deps.environment.name, details.seed, details.counterexamplePath!, settings.exchanges));
    counterexamples.push({ requirement: error.failure.requirement, steps: steps.length, shrinks: details.numShrinks, seed: details.seed, path: details.counterexamplePath! });
    run.ignored.add(error.failure.requirement);
    // A replay reproduces one sequence.
    if (settings.path !== undefined || run.interrupted) break;
    remaining -= details.numRuns;
  }
  const late = await sweep(run);
  if (late) counterexamples.push(late);
  for (const id of cited) {
    if ((run.judged.get(id) ?? 0) > 0 || counterexamples.some((c) => c.requirement === id)) continue;
    const why = id === 'WEBHOOK-010' && !deps.environment[statefulRoles(deps.environment).second]
      ? 'needs a second client (BILLERAPI_STATEFUL_SECOND_CLIENT_ID or BILLERAPI_SECOND_CLIENT_ID): another client\'s webhooks cannot be tried'
      : id === 'WEBHOOK-009' && !deps.receiver
        ? 'the target cannot reach the webhook receiver: deliveries cannot be judged (see README, Webhooks)'
        : `no sequence of this run came to judge it (${run.sequences} sequence(s))`;
    deps.skip(id, why);
  }
  return { sequences: run.sequences, commands: run.commands, exchanges: run.exchanges, durationMs: performance.now() - started, seeds: run.seeds, counterexamples, interrupted: run.interrupted };
}
