/**
 * The commands of the stateful suite (fast-check model-based testing): each has a precondition
 * on the model, the real call, and a postcondition citing the requirement it checks, and
 * updates the model with what must now be true. Which webhook, token or link a command acts on
 * is a number chosen at generation and resolved against the model when it runs, so that a
 * shrunk sequence still means something.
 */
import fc from 'fast-check';
import { statusIs, statusLine, type Failure } from '../judgement/checks';
import type { Exchange } from '../transport/client';
import type { RequirementId } from '../contract/requirements';
import { linkTokenLifetimeSeconds, spec } from '../contract/spec';
import type { BillsGet, LinkTokenCreate, PublicTokenExchange, WebhookCreate } from '../contract/types';
import { bodyOf } from '../contract/types';
import {
  canExchange, deleted, described, existence, judgeListing, lastWebhookWrite, listingExpectation, listingReceived, live,
  type EventType, type ListedEntry, type Model, type ModelWebhook,
} from './model';
import { literal, otherRole, shown, valueOf, ROLES, type Role, type Step, type StepRequest } from './steps';

/** What a command sent and when: the step (numbered, for the printout), the answer, and the clock around it. */
export interface Sent {
  step: Step;
  x: Exchange;
  /** Clock when the request left (the answer's time less its duration: pacing waits excluded). */
  sentAt: number;
  answeredAt: number;
}

/** The real system as the commands see it: one sequence against the target (lib/stateful/run.ts). */
export interface Real {
  /** Unique to the sequence: every webhook URL of it ends in `/<namespace>/w<k>`. */
  readonly namespace: string;
  webhookUrl(path: string): string;
  /** A webhook URL every implementation must refuse (WEBHOOK-002). */
  readonly refusedWebhookUrl: string;
  readonly billerId: string;
  /** A well-formed webhook ID nothing ever issued. */
  readonly unknownWebhookId: string;
  /** x-consistency-seconds of listWebhooks, in ms. */
  readonly listConsistencyMs: number;
  /** The longest this run has seen GET /webhooks take to show a registration, in ms (0 when always at once). */
  readonly listLagMs: number;
  noteListLag(ms: number): void;
  /** A numbered step that sends nothing: the sequence waits `ms`. */
  pause(ms: number, why: string): Promise<void>;
  /** The number the next step gets. */
  nextStep(): number;
  /** Sends one step (paced like every request of the run) and checks the contract; `again` repeats a step (a listing polled). */
  send(request: StepRequest, expected: string, again?: Step): Promise<Sent>;
  /** Counts a judgement of `requirement`; a failure ends the sequence, unless that requirement was reported already. */
  judge(step: Step, requirement: RequirementId, failure: Failure | undefined): void;
  /** Whether failures of `requirement` were reported already (they no longer count, so nothing need be waited for). */
  reported(requirement: RequirementId): boolean;
  /** A webhook created that the model does not keep (a registration that should have been refused): deleted when the sequence ends. */
  stray(role: Role, webhookId: string): void;
  sleep(ms: number): Promise<void>;
  now(): number;
}

export type StatefulCommand = fc.AsyncCommand<Model, Real>;

class Command implements StatefulCommand {
  constructor(
    private readonly label: string,
    readonly check: (m: Readonly<Model>) => boolean,
    private readonly body: (m: Model, r: Real) => Promise<void>,
  ) {}

  run(m: Model, r: Real): Promise<void> {
    return this.body(m, r);
  }

  toString(): string {
    return this.label;
  }

  [fc.toStringMethod](): string {
    return this.label;
  }
}

const EVENT_TYPES: readonly EventType[] = spec.components.schemas.WebhookEventType.enum;
/** A listing that disagrees with the model within the consistency bound is repeated this often. */
const LIST_POLL_MS = 100;
const CLOCK_SKEW_MS = 60_000;

const at = <T>(items: readonly T[], pick: number): T => items[pick % items.length];
const roleAvailable = (m: Readonly<Model>, role: Role) => m.roles.includes(role);
const field = (x: Exchange, name: string): unknown => (x.json && typeof x.json === 'object' ? (x.json as Record<string, unknown>)[name] : undefined);

/** The failure when `x` has not `status`, else the failure `more` finds, if any. */
function unless(requirement: RequirementId, status: number, x: Exchange, more?: () => Failure | undefined): Failure | undefined {
  return statusIs(requirement, status)(x) ?? more?.();
}

// Webhooks (A-030)

function registerWebhook(role: Role, events: readonly EventType[]): StatefulCommand {
  return new Command(`register(${role}, ${events.join('+')})`, (m) => roleAvailable(m, role), async (m, r) => {
    const k = m.webhooks.length + 1;
    const path = `/${r.namespace}/w${k}`;
    const variable = `WH_${r.nextStep()}`;
    const s = await r.send({ operationId: 'createWebhook', auth: { role }, body: { url: literal(r.webhookUrl(path)), events }, captures: { [variable]: 'webhook_id' } }, '201');
    const created = bodyOf<WebhookCreate>(s.x);
    const id = created?.webhook?.webhook_id;
    r.judge(s.step, 'WEBHOOK-007', unless('WEBHOOK-007', 201, s.x, () => (id ? undefined : { requirement: 'WEBHOOK-007', expected: 'the registered webhook in the answer', received: 'no webhook.webhook_id' })));
    if (!id) return;
    s.step.received += `; ${variable}=${id}`;
    r.judge(s.step, 'WEBHOOK-001', /^whsec_\S+$/.test(created.secret ?? '') ? undefined : { requirement: 'WEBHOOK-001', expected: 'a signing secret (whsec_…) in the registration answer', received: created.secret === undefined ? 'no secret field' : 'a secret of another shape' });
    m.webhooks.push({ k, owner: role, ref: { variable, value: id }, step: s.step.n, path, events, registeredAt: s.answeredAt });
  });
}

function registerRefusedUrl(role: Role): StatefulCommand {
  return new Command(`registerHttp(${role})`, (m) => roleAvailable(m, role), async (_m, r) => {
    const s = await r.send({ operationId: 'createWebhook', auth: { role }, body: { url: literal(r.refusedWebhookUrl), events: [EVENT_TYPES[0]] } }, '400');
    const id = bodyOf<WebhookCreate>(s.x)?.webhook?.webhook_id;
    if (id) r.stray(role, id);
    r.judge(s.step, 'WEBHOOK-002', unless('WEBHOOK-002', 400, s.x));
  });
}

function listWebhooks(role: Role): StatefulCommand {
  return new Command(`list(${role})`, (m) => roleAvailable(m, role), async (m, r) => {
    const expected = listingExpectation(m, role);
    let step: Step | undefined;
    for (let listings = 1; ; listings++) {
      const s = await r.send({ operationId: 'listWebhooks', auth: { role } }, expected, step);
      step = s.step;
      r.judge(step, 'WEBHOOK-007', unless('WEBHOOK-007', 200, s.x));
      const entries = (field(s.x, 'webhooks') as ListedEntry[] | undefined) ?? [];
      const verdict = judgeListing(m, role, entries, s.sentAt, r.listConsistencyMs);
      noteLateListings(m, role, entries, s.sentAt, r);
      step.received = `${statusLine(s.x)} ${listingReceived(m, entries)}${listings > 1 ? ` (listing ${listings})` : ''}`;
      if (verdict.failure) return r.judge(step, verdict.failure.requirement, verdict.failure);
      if (verdict.pendingUntil === undefined || r.now() >= verdict.pendingUntil + LIST_POLL_MS || r.reported('WEBHOOK-007')) {
        if (verdict.judged > 0) r.judge(step, 'WEBHOOK-007', undefined);
        if (m.webhooks.some((w) => w.owner !== role)) r.judge(step, 'WEBHOOK-010', undefined);
        return;
      }
      // Within the consistency bound (A-030): list again until the listing agrees or the bound has passed.
      await r.sleep(Math.min(LIST_POLL_MS, Math.max(1, verdict.pendingUntil - r.now())));
    }
  });
}

/** Learns how late this target's listings are: a webhook missing from one listing and shown by a later one. */
function noteLateListings(m: Model, role: Role, entries: readonly ListedEntry[], sentAt: number, r: Real): void {
  const ids = new Set(entries.map((e) => e.webhook_id));
  for (const w of m.webhooks.filter((x) => x.owner === role && !x.deleted)) {
    if (!ids.has(w.ref.value)) w.unlisted = true;
    else if (w.unlisted) {
      r.noteListLag(sentAt - w.registeredAt);
      w.unlisted = false;
    }
  }
}

/** The shortest pause before a listing that can tell a deleted webhook kept from one not yet gone. */
const MIN_PAUSE_MS = 50;

/**
 * Lets listings catch up before the next command, once the sequence has deleted a webhook:
 * twice the lateness this run has seen (at least 50 ms, at most x-consistency-seconds) since
 * the last registration or deletion. Without it, a listing that lags could hide a deleted
 * webhook that was never removed, because it has not even shown its registration yet.
 */
function awaitListings(): StatefulCommand {
  return new Command('awaitListings', (m) => deleted(m).length > 0, async (m, r) => {
    const pause = Math.min(r.listConsistencyMs, Math.max(MIN_PAUSE_MS, 2 * r.listLagMs));
    const left = (lastWebhookWrite(m) ?? r.now()) + pause - r.now();
    await r.pause(Math.max(0, left), `until listings have caught up with the last registration or deletion: twice the ${r.listLagMs} ms GET /webhooks took at most in this run to show one, at least ${MIN_PAUSE_MS} ms`);
  });
}

/** The event type fired at `w`: one it is subscribed to. */
const typeFor = (w: ModelWebhook, pick: number) => at(w.events, pick);

function fire(pick: number, typePick: number): StatefulCommand {
  return new Command(`fire(${pick}, ${typePick})`, (m) => live(m).length > 0, async (m, r) => {
    const w = at(live(m), pick);
    const s = await r.send({ operationId: 'sandboxFireWebhook', auth: { role: w.owner }, body: { webhook_id: w.ref, event_type: literal(typeFor(w, typePick)) } }, '200');
    const eventId = field(s.x, 'event_id');
    const requirement = existence(w);
    r.judge(s.step, requirement, unless(requirement, 200, s.x, () => (typeof eventId === 'string' ? undefined : { requirement, expected: `an event_id for the fire at ${described(w)}`, received: 'none' })));
    if (typeof eventId !== 'string') return;
    s.step.received += `; ${eventId}`;
    m.events.push({ eventId, webhook: w.k, step: s.step.n, firedAt: s.answeredAt, accepted: true });
  });
}

function deleteWebhook(pick: number): StatefulCommand {
  return new Command(`delete(${pick})`, (m) => live(m).length > 0, async (m, r) => {
    const w = at(live(m), pick);
    const s = await r.send({ operationId: 'deleteWebhook', auth: { role: w.owner }, params: { webhook_id: w.ref } }, '200');
    const requirement = existence(w);
    r.judge(s.step, requirement, unless(requirement, 200, s.x, () =>
      field(s.x, 'webhook_id') === w.ref.value ? undefined : { requirement, expected: `webhook_id ${w.ref.value} in the answer`, received: `webhook_id ${JSON.stringify(field(s.x, 'webhook_id'))}` }));
    w.deleted = { step: s.step.n, at: s.answeredAt };
  });
}

/** Fires at a webhook the model says must refuse it; a fire answered 200 anyway is kept, so that its deliveries are told apart. */
async function fireRefused(m: Model, r: Real, w: ModelWebhook, role: Role, typePick: number, requirement: RequirementId): Promise<void> {
  const s = await r.send({ operationId: 'sandboxFireWebhook', auth: { role }, body: { webhook_id: w.ref, event_type: literal(typeFor(w, typePick)) } }, '404');
  const eventId = field(s.x, 'event_id');
  if (typeof eventId === 'string') m.events.push({ eventId, webhook: w.k, step: s.step.n, firedAt: s.answeredAt, accepted: false });
  if (role !== w.owner && s.x.response.status < 300) w.tampered = true;
  r.judge(s.step, requirement, unless(requirement, 404, s.x));
}

function deleteAgain(pick: number): StatefulCommand {
  return new Command(`deleteAgain(${pick})`, (m) => deleted(m).length > 0, async (m, r) => {
    const w = at(deleted(m), pick);
    const s = await r.send({ operationId: 'deleteWebhook', auth: { role: w.owner }, params: { webhook_id: w.ref } }, '404');
    r.judge(s.step, 'WEBHOOK-008', unless('WEBHOOK-008', 404, s.x));
  });
}

function fireDeleted(pick: number, typePick: number): StatefulCommand {
  return new Command(`fireDeleted(${pick}, ${typePick})`, (m) => deleted(m).length > 0, async (m, r) => {
    const w = at(deleted(m), pick);
    await fireRefused(m, r, w, w.owner, typePick, 'WEBHOOK-008');
  });
}

function deleteUnknown(role: Role): StatefulCommand {
  return new Command(`deleteUnknown(${role})`, (m) => roleAvailable(m, role), async (_m, r) => {
    const s = await r.send({ operationId: 'deleteWebhook', auth: { role }, params: { webhook_id: literal(r.unknownWebhookId) } }, '404');
    r.judge(s.step, 'WEBHOOK-008', unless('WEBHOOK-008', 404, s.x));
  });
}

/** Live webhooks whose owner has another client in this run to be refused. */
const foreignTargets = (m: Readonly<Model>) => live(m).filter((w) => roleAvailable(m, otherRole(w.owner)));

function deleteForeign(pick: number): StatefulCommand {
  return new Command(`deleteForeign(${pick})`, (m) => foreignTargets(m).length > 0, async (m, r) => {
    const w = at(foreignTargets(m), pick);
    const s = await r.send({ operationId: 'deleteWebhook', auth: { role: otherRole(w.owner) }, params: { webhook_id: w.ref } }, '404');
    if (s.x.response.status < 300) w.tampered = true;
    r.judge(s.step, 'WEBHOOK-010', unless('WEBHOOK-010', 404, s.x));
  });
}

function fireForeign(pick: number, typePick: number): StatefulCommand {
  return new Command(`fireForeign(${pick}, ${typePick})`, (m) => foreignTargets(m).length > 0, async (m, r) => {
    const w = at(foreignTargets(m), pick);
    await fireRefused(m, r, w, otherRole(w.owner), typePick, 'WEBHOOK-010');
  });
}

// Links (A-005, A-006, A-007): the exchange only within the sequence's allowance (FC_EXCHANGES).

function createLinkToken(role: Role): StatefulCommand {
  return new Command(`linkToken(${role})`, (m) => roleAvailable(m, role), async (m, r) => {
    const n = r.nextStep();
    const s = await r.send({ operationId: 'createLinkToken', auth: { role }, body: { client_user_id: literal(`conformance-${r.namespace}-${n}`) } }, '200');
    const expiration = bodyOf<LinkTokenCreate>(s.x)?.expiration;
    const remaining = expiration === undefined ? NaN : Date.parse(expiration) - s.answeredAt;
    r.judge(s.step, 'LINK-001', unless('LINK-001', 200, s.x, () =>
      remaining > -CLOCK_SKEW_MS && remaining <= linkTokenLifetimeSeconds * 1000 + CLOCK_SKEW_MS
        ? undefined
        : { requirement: 'LINK-001', expected: `an expiration in the future, at most ${linkTokenLifetimeSeconds} s away (x-token-lifetime-seconds)`, received: `expiration ${String(expiration)}` }));
    m.linkTokens++;
  });
}

function createPublicToken(role: Role): StatefulCommand {
  return new Command(`publicToken(${role})`, (m) => roleAvailable(m, role), async (m, r) => {
    const variable = `PT_${r.nextStep()}`;
    const s = await r.send({ operationId: 'sandboxCreatePublicToken', auth: { role }, body: { biller_id: literal(r.billerId) }, captures: { [variable]: 'public_token' } }, '200');
    const token = field(s.x, 'public_token');
    r.judge(s.step, 'LINK-002', unless('LINK-002', 200, s.x, () => (typeof token === 'string' ? undefined : { requirement: 'LINK-002', expected: 'a public token', received: 'none' })));
    if (typeof token === 'string') m.tokens.push({ ref: { variable, value: token }, owner: role, state: 'issued' });
  });
}

const tokensIn = (m: Readonly<Model>, state: 'issued' | 'exchanged') => m.tokens.filter((t) => t.state === state && roleAvailable(m, t.owner));

function exchange(pick: number): StatefulCommand {
  return new Command(`exchange(${pick})`, (m) => canExchange(m) && tokensIn(m, 'issued').length > 0, async (m, r) => {
    const t = at(tokensIn(m, 'issued'), pick);
    const n = r.nextStep();
    m.exchanges++;
    const s = await r.send({ operationId: 'exchangePublicToken', auth: { role: t.owner }, body: { public_token: t.ref }, captures: { [`AT_${n}`]: 'access_token', [`LINK_${n}`]: 'account_link_id' } }, '200');
    const linked = bodyOf<PublicTokenExchange>(s.x);
    r.judge(s.step, 'LINK-002', unless('LINK-002', 200, s.x, () => (linked?.access_token && linked.account_link_id ? undefined : { requirement: 'LINK-002', expected: 'an access token and an account_link_id', received: 'not both' })));
    t.state = 'exchanged';
    if (!linked?.access_token || !linked.account_link_id) return;
    s.step.received += `; LINK_${n}=${linked.account_link_id}`;
    m.links.push({ owner: t.owner, token: { variable: `AT_${n}`, value: linked.access_token }, linkId: { variable: `LINK_${n}`, value: linked.account_link_id }, origin: `step ${n}` });
  });
}

function exchangeAgain(pick: number): StatefulCommand {
  return new Command(`exchangeAgain(${pick})`, (m) => canExchange(m) && tokensIn(m, 'exchanged').length > 0, async (m, r) => {
    const t = at(tokensIn(m, 'exchanged'), pick);
    m.exchanges++;
    const s = await r.send({ operationId: 'exchangePublicToken', auth: { role: t.owner }, body: { public_token: t.ref } }, '400');
    r.judge(s.step, 'LINK-002', unless('LINK-002', 400, s.x));
  });
}

function exchangeForeign(pick: number): StatefulCommand {
  const candidates = (m: Readonly<Model>) => tokensIn(m, 'issued').filter((t) => roleAvailable(m, otherRole(t.owner)));
  return new Command(`exchangeForeign(${pick})`, (m) => canExchange(m) && candidates(m).length > 0, async (m, r) => {
    const t = at(candidates(m), pick);
    m.exchanges++;
    t.state = 'offered';
    const s = await r.send({ operationId: 'exchangePublicToken', auth: { role: otherRole(t.owner) }, body: { public_token: t.ref } }, '400');
    r.judge(s.step, 'LINK-004', unless('LINK-004', 400, s.x));
  });
}

function billsOwn(pick: number): StatefulCommand {
  return new Command(`bills(${pick})`, (m) => m.links.length > 0, async (m, r) => {
    const link = at(m.links, pick);
    const s = await r.send({ operationId: 'getBills', auth: { bearer: link.token }, query: { account_link_id: link.linkId } }, '200');
    const got = bodyOf<BillsGet>(s.x);
    const others = (got?.bills ?? []).filter((b) => b.account_link_id !== valueOf(link.linkId));
    r.judge(s.step, 'DATA-002', unless('DATA-002', 200, s.x, () =>
      got?.account_link_id === valueOf(link.linkId) && others.length === 0
        ? undefined
        : { requirement: 'DATA-002', expected: `the bills of ${shown(link.linkId)} only`, received: `account_link_id ${String(got?.account_link_id)}, ${others.length} bill(s) of other links` }));
  });
}

function billsForeign(pick: number, otherPick: number): StatefulCommand {
  return new Command(`billsForeign(${pick}, ${otherPick})`, (m) => m.links.length > 1, async (m, r) => {
    const i = pick % m.links.length;
    const j = (i + 1 + (otherPick % (m.links.length - 1))) % m.links.length;
    const [own, other] = [m.links[i], m.links[j]];
    const s = await r.send({ operationId: 'getBills', auth: { bearer: own.token }, query: { account_link_id: other.linkId } }, '403');
    const bills = (s.x.json as Partial<BillsGet> | undefined)?.bills;
    r.judge(s.step, 'BEARER-005', unless('BEARER-005', 403, s.x, () =>
      Array.isArray(bills) && bills.length > 0 ? { requirement: 'BEARER-005', expected: 'no bills', received: `${bills.length} bill(s)` } : undefined));
  });
}

/**
 * Weighted so that most sequences register, fire at and delete webhooks, and use what they
 * deleted; where sequences may exchange (`exchanges` > 0), so that most of them link an account.
 */
export function commandArbitrary(exchanges = 0): fc.Arbitrary<StatefulCommand> {
  const linking = exchanges > 0 ? 3 : 1;
  const role = fc.constantFrom(...ROLES);
  const pick = fc.nat({ max: 15 });
  const events = fc.subarray([...EVENT_TYPES], { minLength: 1 });
  return fc.oneof(
    { weight: 5, arbitrary: fc.tuple(role, events).map(([r, e]) => registerWebhook(r, e)) },
    { weight: 3, arbitrary: fc.tuple(pick, pick).map(([p, t]) => fire(p, t)) },
    { weight: 3, arbitrary: pick.map(deleteWebhook) },
    { weight: 3, arbitrary: role.map(listWebhooks) },
    { weight: 1, arbitrary: fc.constant(null).map(awaitListings) },
    { weight: 1, arbitrary: pick.map(deleteAgain) },
    { weight: 1, arbitrary: fc.tuple(pick, pick).map(([p, t]) => fireDeleted(p, t)) },
    { weight: 1, arbitrary: role.map(deleteUnknown) },
    { weight: 1, arbitrary: pick.map(deleteForeign) },
    { weight: 1, arbitrary: fc.tuple(pick, pick).map(([p, t]) => fireForeign(p, t)) },
    { weight: 1, arbitrary: role.map(registerRefusedUrl) },
    { weight: 1, arbitrary: role.map(createLinkToken) },
    { weight: linking, arbitrary: role.map(createPublicToken) },
    { weight: linking, arbitrary: pick.map(exchange) },
    { weight: linking, arbitrary: pick.map(exchangeAgain) },
    { weight: linking, arbitrary: pick.map(exchangeForeign) },
    { weight: 1, arbitrary: pick.map(billsOwn) },
    { weight: 1, arbitrary: fc.tuple(pick, pick).map(([p, o]) => billsForeign(p, o)) },
  );
}

/**
 * Sequences of up to `maxCommands` commands. A plain array rather than `fc.commands`: its
 * shrinker remembers which commands ran, so replaying a shrunk sequence would need a third
 * value (replayPath) besides FC_SEED and FC_PATH; an array's shrink tree depends on the values
 * alone, and a command whose precondition no longer holds is skipped (and printed nowhere).
 */
export function sequenceArbitrary(maxCommands: number, exchanges = 0): fc.Arbitrary<StatefulCommand[]> {
  return fc.array(commandArbitrary(exchanges), { maxLength: maxCommands, size: 'max' });
}
