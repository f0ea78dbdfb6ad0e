/**
 * Webhooks (A-008, A-023): registration and the secret (WEBHOOK-001), the HTTPS rule
 * (WEBHOOK-002), and what a receiver gets: a signature over the raw body (WEBHOOK-003), an
 * event matching its schema with its ID in a header (WEBHOOK-004), timestamps fresh on every
 * attempt, retries included (WEBHOOK-005), and delivery and retry within the spec's bounds
 * (WEBHOOK-006). Deliveries go to a receiver this suite runs on 127.0.0.1; a remote target
 * reaches it only through BILLERAPI_WEBHOOK_RECEIVER_URL.
 *
 * Every wait is a bound of the spec's `x-delivery`, and the test timeout is derived from them:
 * an event that never comes fails WEBHOOK-006 with a sentence, never a generic timeout.
 */
import { test as base, type Api } from '../lib/run/fixtures';
import { clientAuth } from '../lib/transport/auth';
import { schemaErrors, statusIs, type Failure } from '../lib/judgement/checks';
import type { Exchange } from '../lib/transport/client';
import { isLoopbackUrl } from '../lib/safety/loopback';
import { redact } from '../lib/transport/redact';
import { coversWithWrites, type RequirementId } from '../lib/contract/requirements';
import { sleep } from '../lib/limits/pacing';
import { webhookDelivery, webhookListConsistencySeconds } from '../lib/contract/spec';
import { bodyOf, type WebhookCreate } from '../lib/contract/types';
import { deadlineIn, seconds, timeoutAfterWaits } from '../lib/judgement/waits';
import { receiverOptionsFromEnv, startWebhookReceiver, type Delivery, type WebhookReceiver } from '../lib/webhooks/webhook-receiver';
import { deliveredEventId, EVENT_ID_HEADER, parseSignatureHeader, verifyWebhookSignature } from '../lib/webhooks/webhook-signature';

/** A fired event's first attempt arrives within this of the fire's answer (x-delivery.delivery_seconds). */
const DELIVERY_MS = webhookDelivery.delivery_seconds * 1000;
/** An attempt answered non-2xx is followed by the next within this (x-delivery.retry_seconds). */
const RETRY_MS = webhookDelivery.retry_seconds * 1000;
/** Every attempt's t is within this of its sending (x-delivery.tolerance_seconds). */
const TOLERANCE_SECONDS = webhookDelivery.tolerance_seconds;
/** GET /webhooks may lag a registration by this (x-consistency-seconds of listWebhooks, A-030). */
const LIST_CONSISTENCY_MS = webhookListConsistencySeconds * 1000;
const LIST_POLL_MS = 100;
const EVENT_TYPE = 'BILLS_UPDATED';
/** How much later than its signing an attempt may reach the receiver, compared with the first attempt. */
const DELIVERY_JITTER_SECONDS = 2;
/** A retry this long after the first attempt tells a re-signed timestamp from a reused one, whatever the jitter. */
const FRESHNESS_GAP_MS = (DELIVERY_JITTER_SECONDS + 1) * 1000;

interface Registered {
  exchange: Exchange;
  webhookId: string;
  secret: string;
}

interface Webhooks {
  /** POST /webhooks; whatever gets created is deleted after the test. */
  create(url: string): Promise<Exchange>;
  /** Registers `url`; anything but a 201 stops the test, citing the test's requirement. */
  register(url: string, requirement: RequirementId): Promise<Registered>;
  /** Fires an event at the webhook (a precondition, as `register`); returns the exchange and the event ID. */
  fire(webhookId: string, requirement: RequirementId): Promise<{ exchange: Exchange; eventId: string }>;
}

/**
 * One test at a time: with BILLERAPI_WEBHOOK_RECEIVER_PORT every test's receiver takes the same
 * port. The longest test's waits, one after the other: the first delivery, then an attempt at
 * least FRESHNESS_GAP_MS after it (the retry before that gap plus one retry bound).
 */
base.describe.configure({ mode: 'default', timeout: timeoutAfterWaits(DELIVERY_MS, FRESHNESS_GAP_MS, RETRY_MS) });

const test = base.extend<{ receiver: WebhookReceiver; webhooks: Webhooks }>({
  receiver: async ({}, use, testInfo) => {
    const receiver = await startWebhookReceiver(receiverOptionsFromEnv());
    await use(receiver);
    await receiver.close();
    if (receiver.deliveries.length > 0) {
      await testInfo.attach('deliveries.txt', { body: redact(receiver.deliveries.map(formatDelivery).join('\n\n----\n\n')), contentType: 'text/plain' });
    }
  },
  webhooks: async ({ api, environment }, use) => {
    const auth = clientAuth(environment.primary);
    const created: string[] = [];
    const create = async (url: string) => {
      const exchange = await api.call('createWebhook', { auth, body: { url, events: [EVENT_TYPE] } });
      const webhookId = bodyOf<WebhookCreate>(exchange)?.webhook?.webhook_id;
      if (exchange.response.status === 201 && webhookId) created.push(webhookId);
      return exchange;
    };
    await use({
      create,
      async register(url, requirement) {
        const exchange = await create(url);
        api.require(exchange, statusIs(requirement, 201));
        const body = bodyOf<WebhookCreate>(exchange)!;
        return { exchange, webhookId: body.webhook.webhook_id, secret: body.secret };
      },
      async fire(webhookId, requirement) {
        const exchange = await api.call('sandboxFireWebhook', { auth, body: { webhook_id: webhookId, event_type: EVENT_TYPE } });
        api.require(exchange, statusIs(requirement, 200));
        return { exchange, eventId: (exchange.json as { event_id: string }).event_id };
      },
    });
    for (const webhookId of created) {
      const deleted = await api.call('deleteWebhook', { auth, params: { webhook_id: webhookId } });
      api.verify(deleted, statusIs('SCHEMA-001', 200));
    }
  },
});

function formatDelivery(d: Delivery): string {
  const headers = Object.entries(d.headers).map(([name, value]) => `${name}: ${String(value)}`).join('\n');
  return `${d.method} ${d.path} (received ${new Date(d.receivedAtMs).toISOString()}, answered ${d.answered})\n${headers}\n\n${d.rawBody}`;
}

/** Whether the target can reach the receiver: through the public URL, or because both are on this machine. */
function unreachableReason(receiver: WebhookReceiver, target: string): string | undefined {
  if (!receiver.local) return undefined;
  if (isLoopbackUrl(new URL(target))) return undefined;
  return 'the target cannot reach a receiver on 127.0.0.1: set BILLERAPI_WEBHOOK_RECEIVER_URL to a public URL forwarding to BILLERAPI_WEBHOOK_RECEIVER_PORT (see README, Webhooks)';
}

/** Skips the test, saying why, when the target cannot deliver to the receiver. */
function skipUnlessReachable(receiver: WebhookReceiver, api: Api): void {
  const reason = unreachableReason(receiver, api.baseUrl);
  test.skip(reason !== undefined, reason);
}

/** A delivery of this event, told by its header or by the event ID anywhere in the raw body (whatever its formatting). */
function isDeliveryOf(eventId: string): (d: Delivery) => boolean {
  return (d) => deliveredEventId(d.headers) === eventId || d.rawBody.includes(`"${eventId}"`);
}

/** The attempts of the event once `enough` holds for them; undefined after the bounded wait. */
async function attemptsOf(receiver: WebhookReceiver, eventId: string, enough: (attempts: Delivery[]) => boolean, timeoutMs: number): Promise<Delivery[] | undefined> {
  const seen = await receiver.waitFor((all) => enough(all.filter(isDeliveryOf(eventId))), timeoutMs);
  return seen?.filter(isDeliveryOf(eventId));
}

const atLeast = (count: number) => (attempts: Delivery[]) => attempts.length >= count;

/** WEBHOOK-006's sentence for an event that did not arrive within the delivery bound. */
function notDelivered(receiver: WebhookReceiver, eventId: string): Failure {
  return {
    requirement: 'WEBHOOK-006',
    expected: `a delivery of ${eventId} within ${seconds(DELIVERY_MS)} after POST /sandbox/webhooks/fire answered (x-delivery.delivery_seconds)`,
    received: `no delivery of ${eventId} within ${seconds(DELIVERY_MS)} (the receiver got ${receiver.deliveries.length} request(s), none of this event)`,
  };
}

/**
 * Registers a webhook at the receiver, fires an event and waits for its first delivery. Without
 * one the test has nothing to judge: WEBHOOK-006 fails, and the test stops with its own
 * requirement unjudged.
 */
async function firstDelivery(api: Api, receiver: WebhookReceiver, webhooks: Webhooks, requirement: RequirementId): Promise<{ delivery: Delivery; exchange: Exchange; secret: string; eventId: string }> {
  const { webhookId, secret } = await webhooks.register(receiver.url, requirement);
  const { exchange, eventId } = await webhooks.fire(webhookId, requirement);
  const [delivery] = (await attemptsOf(receiver, eventId, atLeast(1), DELIVERY_MS)) ?? [];
  if (!delivery) api.require(exchange, () => notDelivered(receiver, eventId));
  return { delivery, exchange, secret, eventId };
}

const receiptSecond = (d: Delivery) => Math.floor(d.receivedAtMs / 1000);
const signatureOf = (d: Delivery) => d.headers['billerapi-signature'] as string | undefined;

test('WEBHOOK-001 returns the signing secret on registration and never in the webhook list', coversWithWrites('WEBHOOK-001'), async ({ api, environment, receiver, webhooks }) => {
  const { exchange, webhookId, secret } = await webhooks.register(receiver.url, 'WEBHOOK-001');
  if (!/^whsec_\S+$/.test(secret ?? '')) {
    api.report({ requirement: 'WEBHOOK-001', expected: 'a signing secret (whsec_…) in the registration response', received: secret === undefined ? 'no secret field' : `secret ${JSON.stringify(secret)}` }, exchange);
  }
  // The listing may lag the registration (A-030): list again until the webhook shows, within the bound.
  const deadline = deadlineIn(LIST_CONSISTENCY_MS);
  let listed: Exchange;
  let entries: Record<string, unknown>[];
  let own: Record<string, unknown> | undefined;
  for (;;) {
    listed = await api.call('listWebhooks', { auth: clientAuth(environment.primary) });
    api.require(listed, statusIs('SCHEMA-001', 200));
    entries = (listed.json as { webhooks?: Record<string, unknown>[] }).webhooks ?? [];
    own = entries.find((w) => w.webhook_id === webhookId);
    if (own || entries.some((w) => 'secret' in w) || deadline.passed()) break;
    await sleep(Math.min(LIST_POLL_MS, deadline.left()));
  }
  const leaked = [
    ...entries.filter((w) => 'secret' in w).map((w) => `the entry of ${String(w.webhook_id)} has a secret field`),
    ...(secret && listed.response.body.includes(secret) ? [`the body contains the secret of ${webhookId}`] : []),
  ];
  if (leaked.length > 0) {
    api.report({ requirement: 'WEBHOOK-001', expected: 'GET /webhooks entries without their signing secrets', received: leaked.join('; ') }, listed);
  } else if (!own) {
    api.report({ requirement: 'WEBHOOK-001', expected: `the registered webhook ${webhookId} in GET /webhooks within ${seconds(LIST_CONSISTENCY_MS)} of its registration (x-consistency-seconds)`, received: `${entries.length} webhooks, not that one` }, listed);
  }
});

test('WEBHOOK-002 refuses a plain http webhook URL on a public host with 400', coversWithWrites('WEBHOOK-002'), async ({ api, webhooks }) => {
  const x = await webhooks.create('http://example.com/hook');
  api.verify(x, statusIs('WEBHOOK-002', 400));
});

test('WEBHOOK-003 signs a delivered event over its raw body with the webhook secret', coversWithWrites('WEBHOOK-003'), async ({ api, receiver, webhooks }) => {
  skipUnlessReachable(receiver, api);
  const { delivery, exchange, secret } = await firstDelivery(api, receiver, webhooks, 'WEBHOOK-003');
  // Freshness is WEBHOOK-005's to judge: here only the signature over the bytes counts.
  const verdict = verifyWebhookSignature({ rawBody: delivery.rawBody, header: signatureOf(delivery), secrets: [secret], toleranceSeconds: Number.POSITIVE_INFINITY });
  if (!verdict.valid) {
    api.report({ requirement: 'WEBHOOK-003', expected: 'a BillerAPI-Signature v1 = HMAC-SHA256("<t>.<raw body>", webhook secret)', received: `${verdict.reason} (header ${JSON.stringify(signatureOf(delivery) ?? null)})` }, exchange);
  }
});

test('WEBHOOK-004 delivers an event matching WebhookEvent with its ID in BillerAPI-Event-Id', coversWithWrites('WEBHOOK-004'), async ({ api, receiver, webhooks }) => {
  skipUnlessReachable(receiver, api);
  const { delivery, exchange, eventId } = await firstDelivery(api, receiver, webhooks, 'WEBHOOK-004');
  let event: unknown;
  try {
    event = JSON.parse(delivery.rawBody);
  } catch {
    api.report({ requirement: 'WEBHOOK-004', expected: 'a JSON event body', received: `${delivery.rawBody.slice(0, 120)}` }, exchange);
    return;
  }
  const errors = schemaErrors('WebhookEvent', event);
  if (errors.length > 0) {
    api.report({ requirement: 'WEBHOOK-004', expected: 'a body matching WebhookEvent', received: errors.slice(0, 8).join('; ') }, exchange);
  }
  const bodyId = (event as { event_id?: unknown }).event_id;
  const headerId = deliveredEventId(delivery.headers);
  if (headerId === undefined || headerId !== bodyId || bodyId !== eventId) {
    api.report({ requirement: 'WEBHOOK-004', expected: `${EVENT_ID_HEADER} equal to event_id ${eventId}`, received: `${headerId === undefined ? `no ${EVENT_ID_HEADER} header` : `${EVENT_ID_HEADER} ${headerId}`}, event_id ${JSON.stringify(bodyId)}` }, exchange);
  }
});

/** The failure for an attempt whose timestamp is missing or not within the tolerance of its receipt, if any. */
function staleAttempt(d: Delivery, label: string): string | undefined {
  const header = signatureOf(d);
  const parsed = header === undefined ? undefined : parseSignatureHeader(header);
  if (!parsed) return `${label}: ${header === undefined ? 'no BillerAPI-Signature header' : `no timestamp in ${JSON.stringify(header)}`}`;
  const skew = parsed.timestamp - receiptSecond(d);
  return Math.abs(skew) > TOLERANCE_SECONDS ? `${label}: t=${parsed.timestamp}, ${skew} s from its receipt` : undefined;
}

test(`WEBHOOK-005 signs a delivery with a timestamp within ${seconds(TOLERANCE_SECONDS * 1000)} of its receipt`, coversWithWrites('WEBHOOK-005'), async ({ api, receiver, webhooks }) => {
  skipUnlessReachable(receiver, api);
  const { delivery, exchange } = await firstDelivery(api, receiver, webhooks, 'WEBHOOK-005');
  const stale = staleAttempt(delivery, 'the delivery');
  if (stale) api.report({ requirement: 'WEBHOOK-005', expected: `t within ${TOLERANCE_SECONDS} s of the receipt (x-delivery.tolerance_seconds)`, received: stale }, exchange);
});

/**
 * The retry's t must move on with the clock. Judged on intervals, so that the sender's and the
 * receiver's clocks need not agree: the seconds between the two t values must cover the whole
 * seconds between the two receipts, less DELIVERY_JITTER_SECONDS for delivery delays and
 * rounding. The receiver answers 500 to every attempt within FRESHNESS_GAP_MS of the first, so
 * the attempt judged comes at least that long after it, whatever the schedule: a retry reusing
 * the first t (0 s) always fails. A sender that gives up within the gap (its `min_attempts`
 * spent) leaves freshness unjudged here, never falsely failed.
 */
test('WEBHOOK-005 re-signs a retry with a fresh timestamp (earlier attempts answered 500)', coversWithWrites('WEBHOOK-005'), async ({ api, receiver, webhooks }) => {
  skipUnlessReachable(receiver, api);
  const { webhookId } = await webhooks.register(receiver.url, 'WEBHOOK-005');
  receiver.failWithin(FRESHNESS_GAP_MS);
  const { exchange, eventId } = await webhooks.fire(webhookId, 'WEBHOOK-005');
  const [first] = (await attemptsOf(receiver, eventId, atLeast(1), DELIVERY_MS)) ?? [];
  if (!first) api.require(exchange, () => notDelivered(receiver, eventId));
  // Retries within the gap are answered 500; the next one after it comes within the retry bound.
  const late = (attempts: Delivery[]) => attempts.find((d) => d.receivedAtMs - first.receivedAtMs >= FRESHNESS_GAP_MS);
  const attempts = await attemptsOf(receiver, eventId, (a) => late(a) !== undefined, FRESHNESS_GAP_MS + RETRY_MS);
  test.skip(!attempts, `no attempt of ${eventId} arrived ${seconds(FRESHNESS_GAP_MS)} or more after the first (${receiver.deliveries.filter(isDeliveryOf(eventId)).length} attempt(s) in ${seconds(FRESHNESS_GAP_MS + RETRY_MS)}): the freshness of retries cannot be judged in this run`);
  const retry = late(attempts!)!;
  const stale = [staleAttempt(first, 'the first attempt'), staleAttempt(retry, 'the retry')].filter((s) => s !== undefined);
  if (stale.length > 0) {
    api.report({ requirement: 'WEBHOOK-005', expected: `every attempt's t within ${TOLERANCE_SECONDS} s of its receipt (x-delivery.tolerance_seconds)`, received: stale.join('; ') }, exchange);
    return;
  }
  const t1 = parseSignatureHeader(signatureOf(first)!)!.timestamp;
  const t2 = parseSignatureHeader(signatureOf(retry)!)!.timestamp;
  const gapSeconds = Math.floor((retry.receivedAtMs - first.receivedAtMs) / 1000);
  const required = gapSeconds - DELIVERY_JITTER_SECONDS;
  if (t2 - t1 < required) {
    api.report({
      requirement: 'WEBHOOK-005',
      expected: `the retry signed at its own sending: t advanced by at least ${required} s (receipts ${gapSeconds} s apart)`,
      received: `first t=${t1}, retry t=${t2} (${t2 - t1} s later)`,
    }, exchange);
  }
});

test('WEBHOOK-006 delivers a fired event within the delivery bound and retries an attempt answered 500 within the retry bound', coversWithWrites('WEBHOOK-006'), async ({ api, receiver, webhooks }) => {
  skipUnlessReachable(receiver, api);
  const { webhookId } = await webhooks.register(receiver.url, 'WEBHOOK-006');
  receiver.failNext(1);
  const { exchange, eventId } = await webhooks.fire(webhookId, 'WEBHOOK-006');
  const [first] = (await attemptsOf(receiver, eventId, atLeast(1), DELIVERY_MS)) ?? [];
  if (!first) return api.report(notDelivered(receiver, eventId), exchange);
  const retried = await attemptsOf(receiver, eventId, atLeast(2), Math.max(1, first.receivedAtMs + RETRY_MS - Date.now()));
  if (!retried) {
    api.report({
      requirement: 'WEBHOOK-006',
      expected: `another attempt of ${eventId} within ${seconds(RETRY_MS)} after the first was answered 500 (x-delivery.retry_seconds)`,
      received: `no retry within ${seconds(RETRY_MS)} after the first attempt was answered 500`,
    }, exchange);
  }
});
