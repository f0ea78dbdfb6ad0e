/**
 * The model of what one run's clients can observe of their sandbox (A-030, A-006, A-007): link
 * tokens, public tokens issued and exchanged, links with their access tokens, webhooks
 * registered and deleted, and the events fired at them. Deliberately simpler than a server:
 * what must be true, never how. The judgements here are pure functions of the model, what was
 * observed and the clock readings, so they are tested on their own (tests/stateful.spec.ts).
 */
import type { Failure } from '../judgement/checks';
import { seconds } from '../judgement/waits';
import { shown, type Role, type Sym } from './steps';

export type EventType = 'BILLS_UPDATED' | 'LINK_ERROR' | 'LINK_REMOVED';

export interface ModelWebhook {
  /** 1-based, in order of registration within the sequence. */
  k: number;
  owner: Role;
  /** The webhook_id, as the script names it (`$WH_3`). */
  ref: Extract<Sym, { variable: string }>;
  /** The step that registered it. */
  step: number;
  /** The end of its URL: what tells its deliveries from every other webhook's at the receiver. */
  path: string;
  events: readonly EventType[];
  /** Clock when the registration was answered. */
  registeredAt: number;
  /** Set when its deletion was answered 200 (step 0: the clean-up after the sequence). */
  deleted?: { step: number; at: number };
  /** A listing sent after its registration did not show it yet (the run learns how late listings are). */
  unlisted?: boolean;
  /** Another client's delete or fire at it was answered 2xx: whatever befalls it next breaks WEBHOOK-010 ("leave it in place"). */
  tampered?: boolean;
}

/** The requirement a live webhook found gone breaks: WEBHOOK-007, or WEBHOOK-010 when another client was let at it. */
export const existence = (w: ModelWebhook) => (w.tampered ? 'WEBHOOK-010' : 'WEBHOOK-007');

export interface ModelEvent {
  eventId: string;
  /** The webhook (k) it was fired at. */
  webhook: number;
  step: number;
  /** Clock when the fire was answered. */
  firedAt: number;
  /** False for a fire the model expected refused (a deleted or another client's webhook) that was answered 200. */
  accepted: boolean;
}

export interface ModelToken {
  ref: Extract<Sym, { variable: string }>;
  owner: Role;
  /** `offered`: another client tried to exchange it (refused); the model then leaves it alone. */
  state: 'issued' | 'exchanged' | 'offered';
}

export interface ModelLink {
  owner: Role;
  token: Sym;
  linkId: Sym;
  /** `the setup`, `step 4`: where it came from, for messages. */
  origin: string;
}

export interface Model {
  /** The clients this run has. */
  readonly roles: readonly Role[];
  /** Exchanges a sequence may make (FC_EXCHANGES); the Authentication group is per IP and scarce. */
  readonly exchangesAllowed: number;
  exchanges: number;
  linkTokens: number;
  tokens: ModelToken[];
  links: ModelLink[];
  webhooks: ModelWebhook[];
  events: ModelEvent[];
}

export function initialModel(roles: readonly Role[], exchangesAllowed: number, setupLinks: readonly ModelLink[]): Model {
  return { roles, exchangesAllowed, exchanges: 0, linkTokens: 0, tokens: [], links: [...setupLinks], webhooks: [], events: [] };
}

export const live = (m: Readonly<Model>) => m.webhooks.filter((w) => !w.deleted && m.roles.includes(w.owner));
export const deleted = (m: Readonly<Model>) => m.webhooks.filter((w) => w.deleted);
export const canExchange = (m: Readonly<Model>) => m.exchanges < m.exchangesAllowed;

/** `$WH_1 (registered in step 1, deleted in step 3)`: how messages name a webhook. */
export function described(w: ModelWebhook): string {
  const deletion = !w.deleted ? '' : w.deleted.step === 0 ? ', deleted after the sequence' : `, deleted in step ${w.deleted.step}`;
  return `${shown(w.ref)} (registered in step ${w.step}${deletion}${w.tampered ? ', which another client was let delete or fire at' : ''})`;
}

const list = (ws: readonly ModelWebhook[]) => ws.map((w) => shown(w.ref)).join(', ');

// Listing (WEBHOOK-007, WEBHOOK-010, WEBHOOK-001)

export interface ListedEntry {
  webhook_id?: unknown;
  secret?: unknown;
}

export interface ListingVerdict {
  failure?: Failure;
  /** The listing disagrees with the model only where the consistency bound has not passed: list again until then. */
  pendingUntil?: number;
  /** How many of the model's webhooks this listing judged (found where they must be, or not). */
  judged: number;
}

/** What a listing by `role` must show: its live webhooks, none of its deleted ones, none of another client's. */
export function listingExpectation(m: Readonly<Model>, role: Role): string {
  const own = m.webhooks.filter((w) => w.owner === role);
  const shownOnes = own.filter((w) => !w.deleted);
  const hidden = [...own.filter((w) => w.deleted), ...m.webhooks.filter((w) => w.owner !== role)];
  return `200${shownOnes.length ? ` listing ${list(shownOnes)}` : ''}${hidden.length ? `${shownOnes.length ? ',' : ''} not ${list(hidden)}` : ''}`;
}

/** The model's webhooks a listing shows, and how many others: `listing $WH_1, 2 other(s)`. */
export function listingReceived(m: Readonly<Model>, entries: readonly ListedEntry[]): string {
  const ids = new Set(entries.map((e) => e.webhook_id));
  const known = m.webhooks.filter((w) => ids.has(w.ref.value));
  const others = entries.length - known.length;
  return [known.length ? `listing ${list(known)}` : 'listing none of them', ...(others ? [`${others} other(s)`] : [])].join(', ');
}

/**
 * Judges one GET /webhooks answer of `role`, sent at `sentAt`: every live webhook of the role
 * registered at least `consistencyMs` before is listed, none deleted at least that long before
 * is, no webhook of another client ever is (WEBHOOK-010), no entry carries a secret (WEBHOOK-001).
 * Within the bound a disagreement is not yet a failure: `pendingUntil` says until when.
 */
export function judgeListing(m: Readonly<Model>, role: Role, entries: readonly ListedEntry[], sentAt: number, consistencyMs: number): ListingVerdict {
  const ids = new Set(entries.map((e) => e.webhook_id));
  const withSecret = entries.filter((e) => 'secret' in e);
  if (withSecret.length > 0) {
    return { judged: 0, failure: { requirement: 'WEBHOOK-001', expected: 'GET /webhooks entries without their signing secrets', received: `${withSecret.length} entr${withSecret.length === 1 ? 'y' : 'ies'} with a secret field` } };
  }
  const foreign = m.webhooks.filter((w) => w.owner !== role && ids.has(w.ref.value));
  if (foreign.length > 0) {
    return { judged: 0, failure: { requirement: 'WEBHOOK-010', expected: `no webhook of another client in the listing of ${role === 'primary' ? 'the primary' : 'the second'} client`, received: `it lists ${foreign.map(described).join(', ')}, registered by the ${foreign[0].owner} client` } };
  }
  let pendingUntil: number | undefined;
  let judged = 0;
  const missing: ModelWebhook[] = [];
  const lingering: ModelWebhook[] = [];
  for (const w of m.webhooks.filter((x) => x.owner === role)) {
    const listed = ids.has(w.ref.value);
    const since = w.deleted ? w.deleted.at : w.registeredAt;
    const agrees = w.deleted ? !listed : listed;
    if (agrees) judged++;
    else if (sentAt - since >= consistencyMs) (w.deleted ? lingering : missing).push(w);
    else pendingUntil = Math.max(pendingUntil ?? 0, since + consistencyMs);
  }
  const bound = `${seconds(consistencyMs)} (x-consistency-seconds)`;
  if (lingering.length > 0) {
    const w = lingering[0];
    return { judged, failure: { requirement: 'WEBHOOK-007', expected: `no deleted webhook listed ${bound} after its deletion`, received: `it lists ${described(w)}, ${seconds(sentAt - w.deleted!.at)} after the deletion was answered` } };
  }
  if (missing.length > 0) {
    const w = missing[0];
    return { judged, failure: { requirement: existence(w), expected: `every live webhook listed ${bound} after its registration`, received: `${described(w)} is not listed, ${seconds(sentAt - w.registeredAt)} after its registration was answered` } };
  }
  return { judged, pendingUntil };
}

// Deliveries (WEBHOOK-009, WEBHOOK-006)

export interface ObservedDelivery {
  /** The request path at the receiver. */
  path: string;
  /** BillerAPI-Event-Id, or the body's event_id; undefined when neither is there. */
  eventId?: string;
  receivedAt: number;
}

/** The webhook of the model a delivery went to, by the end of its URL path. */
export function webhookAt(m: Readonly<Model>, path: string): ModelWebhook | undefined {
  const bare = path.split('?')[0];
  return m.webhooks.find((w) => bare.endsWith(w.path));
}

/**
 * Whether a delivery to one of the model's webhooks breaks WEBHOOK-009: it must carry an event
 * fired at that webhook (and accepted), and reach a deleted webhook only if it was fired before
 * the deletion and arrives within `afterDeleteMs` of the deletion's answer.
 */
export function deliveryViolation(m: Readonly<Model>, d: ObservedDelivery, afterDeleteMs: number): Failure | undefined {
  const w = webhookAt(m, d.path);
  if (!w) return undefined;
  const event = d.eventId === undefined ? undefined : m.events.find((e) => e.eventId === d.eventId);
  const expected = w.deleted
    ? `no delivery to ${described(w)} but of an event fired at it before, within ${seconds(afterDeleteMs)} of the deletion (x-delivery.after_delete_seconds)`
    : `only events fired at ${described(w)}`;
  const what = d.eventId ?? 'a delivery without an event ID';
  if (!event || event.webhook !== w.k || !event.accepted) {
    const origin = !event
      ? 'an event this sequence never had answered'
      : event.webhook !== w.k
        ? `fired at ${shown(m.webhooks[event.webhook - 1].ref)} in step ${event.step}`
        : `fired in step ${event.step}, a fire that should have been refused`;
    const when = w.deleted ? ` ${seconds(d.receivedAt - w.deleted.at)} after its deletion` : '';
    return { requirement: 'WEBHOOK-009', expected, received: `${what} (${origin}) reached ${described(w)}${when}` };
  }
  if (w.deleted && d.receivedAt - w.deleted.at > afterDeleteMs) {
    return { requirement: 'WEBHOOK-009', expected, received: `${what} (fired in step ${event.step}) reached ${described(w)} ${seconds(d.receivedAt - w.deleted.at)} after its deletion` };
  }
  return undefined;
}

/** Events that must reach their webhook: accepted, fired at a webhook still live. */
export function awaitedEvents(m: Readonly<Model>): ModelEvent[] {
  return m.events.filter((e) => e.accepted && !m.webhooks[e.webhook - 1].deleted && !m.webhooks[e.webhook - 1].tampered);
}

/** Whether a delivery could go astray: to another of the sequence's webhooks, a deleted one, or for a fire that should have been refused. */
export function deliveriesCanStray(m: Readonly<Model>): boolean {
  return m.events.length > 0 && (m.webhooks.length > 1 || m.webhooks.some((w) => w.deleted) || m.events.some((e) => !e.accepted));
}

/** When the sequence last registered or deleted a webhook (clock), or undefined. */
export function lastWebhookWrite(m: Readonly<Model>): number | undefined {
  const times = m.webhooks.flatMap((w) => [w.registeredAt, ...(w.deleted ? [w.deleted.at] : [])]);
  return times.length ? Math.max(...times) : undefined;
}
