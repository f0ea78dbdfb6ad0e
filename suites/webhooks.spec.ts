/**
 * Webhooks (A-008, A-023): registration and the secret (WEBHOOK-001), the HTTPS rule
 * (WEBHOOK-002), and what a receiver gets: a signature over the raw body (WEBHOOK-003), an
 * event matching its schema with its ID in a header (WEBHOOK-004), and timestamps fresh on
 * every attempt, retries included (WEBHOOK-005). Deliveries go to a receiver this suite runs
 * on 127.0.0.1; a remote target reaches it only through BILLERAPI_WEBHOOK_RECEIVER_URL.
 */
import { test as base, type Api } from '../lib/fixtures';
import { clientAuth } from '../lib/auth';
import { schemaErrors, statusIs } from '../lib/checks';
import type { Exchange } from '../lib/client';
import { isLoopbackUrl } from '../lib/loopback';
import { redact } from '../lib/redact';
import { coversWithWrites, type RequirementId } from '../lib/requirements';
import { bodyOf, type WebhookCreate } from '../lib/types';
import { receiverOptionsFromEnv, startWebhookReceiver, type Delivery, type WebhookReceiver } from '../lib/webhook-receiver';
import { DEFAULT_TOLERANCE_SECONDS, parseSignatureHeader, verifyWebhookSignature } from '../lib/webhook-signature';

/** Bounded waits: the reference delivers within milliseconds and retries 3 s apart. */
const DELIVERY_TIMEOUT_MS = 10_000;
const RETRY_TIMEOUT_MS = 15_000;
const EVENT_TYPE = 'BILLS_UPDATED';
/** How much later than its signing an attempt may reach the receiver, compared with the first attempt. */
const DELIVERY_JITTER_SECONDS = 2;

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

// One test at a time: with BILLERAPI_WEBHOOK_RECEIVER_PORT every test's receiver takes the same port.
base.describe.configure({ mode: 'default' });

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
  return (d) => d.headers['billerapi-event-id'] === eventId || d.rawBody.includes(`"${eventId}"`);
}

/** Waits for `count` attempts of the event; undefined after the bounded wait. */
async function attemptsOf(receiver: WebhookReceiver, eventId: string, count: number, timeoutMs: number): Promise<Delivery[] | undefined> {
  const seen = await receiver.waitFor((all) => all.filter(isDeliveryOf(eventId)).length >= count, timeoutMs);
  return seen?.filter(isDeliveryOf(eventId));
}

/**
 * Registers a webhook at the receiver, fires an event and waits for its first delivery; a
 * missing delivery is reported against `requirement`, and the test has nothing more to judge.
 */
async function firstDelivery(api: Api, receiver: WebhookReceiver, webhooks: Webhooks, requirement: RequirementId): Promise<{ delivery: Delivery; exchange: Exchange; secret: string; eventId: string } | undefined> {
  const { webhookId, secret } = await webhooks.register(receiver.url, requirement);
  const { exchange, eventId } = await webhooks.fire(webhookId, requirement);
  const [delivery] = (await attemptsOf(receiver, eventId, 1, DELIVERY_TIMEOUT_MS)) ?? [];
  if (delivery) return { delivery, exchange, secret, eventId };
  api.report({ requirement, expected: `a delivery of ${eventId} within ${DELIVERY_TIMEOUT_MS / 1000} s`, received: `no delivery (${receiver.deliveries.length} other requests)` }, exchange);
  return undefined;
}

const receiptSecond = (d: Delivery) => Math.floor(d.receivedAtMs / 1000);
const signatureOf = (d: Delivery) => d.headers['billerapi-signature'] as string | undefined;

test('WEBHOOK-001 returns the signing secret on registration and never in the webhook list', coversWithWrites('WEBHOOK-001'), async ({ api, environment, receiver, webhooks }) => {
  const { exchange, webhookId, secret } = await webhooks.register(receiver.url, 'WEBHOOK-001');
  if (!/^whsec_\S+$/.test(secret ?? '')) {
    api.report({ requirement: 'WEBHOOK-001', expected: 'a signing secret (whsec_…) in the registration response', received: secret === undefined ? 'no secret field' : `secret ${JSON.stringify(secret)}` }, exchange);
  }
  const listed = await api.call('listWebhooks', { auth: clientAuth(environment.primary) });
  api.require(listed, statusIs('SCHEMA-001', 200));
  const entries = (listed.json as { webhooks?: Record<string, unknown>[] }).webhooks ?? [];
  const own = entries.find((w) => w.webhook_id === webhookId);
  const leaked = [
    ...entries.filter((w) => 'secret' in w).map((w) => `the entry of ${String(w.webhook_id)} has a secret field`),
    ...(secret && listed.response.body.includes(secret) ? [`the body contains the secret of ${webhookId}`] : []),
  ];
  if (leaked.length > 0) {
    api.report({ requirement: 'WEBHOOK-001', expected: 'GET /webhooks entries without their signing secrets', received: leaked.join('; ') }, listed);
  } else if (!own) {
    api.report({ requirement: 'WEBHOOK-001', expected: `the registered webhook ${webhookId} in GET /webhooks`, received: `${entries.length} webhooks, not that one` }, listed);
  }
});

test('WEBHOOK-002 refuses a plain http webhook URL on a public host with 400', coversWithWrites('WEBHOOK-002'), async ({ api, webhooks }) => {
  const x = await webhooks.create('http://example.com/hook');
  api.verify(x, statusIs('WEBHOOK-002', 400));
});

test('WEBHOOK-003 signs a delivered event over its raw body with the webhook secret', coversWithWrites('WEBHOOK-003'), async ({ api, receiver, webhooks }) => {
  skipUnlessReachable(receiver, api);
  const delivered = await firstDelivery(api, receiver, webhooks, 'WEBHOOK-003');
  if (!delivered) return;
  const { delivery, exchange, secret } = delivered;
  // Freshness is WEBHOOK-005's to judge: here only the signature over the bytes counts.
  const verdict = verifyWebhookSignature({ rawBody: delivery.rawBody, header: signatureOf(delivery), secrets: [secret], toleranceSeconds: Number.POSITIVE_INFINITY });
  if (!verdict.valid) {
    api.report({ requirement: 'WEBHOOK-003', expected: 'a BillerAPI-Signature v1 = HMAC-SHA256("<t>.<raw body>", webhook secret)', received: `${verdict.reason} (header ${JSON.stringify(signatureOf(delivery) ?? null)})` }, exchange);
  }
});

test('WEBHOOK-004 delivers an event matching WebhookEvent with its ID in BillerAPI-Event-Id', coversWithWrites('WEBHOOK-004'), async ({ api, receiver, webhooks }) => {
  skipUnlessReachable(receiver, api);
  const delivered = await firstDelivery(api, receiver, webhooks, 'WEBHOOK-004');
  if (!delivered) return;
  const { delivery, exchange, eventId } = delivered;
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
  const headerId = delivery.headers['billerapi-event-id'];
  if (headerId === undefined || headerId !== bodyId || bodyId !== eventId) {
    api.report({ requirement: 'WEBHOOK-004', expected: `BillerAPI-Event-Id equal to event_id ${eventId}`, received: `${headerId === undefined ? 'no BillerAPI-Event-Id header' : `BillerAPI-Event-Id ${String(headerId)}`}, event_id ${JSON.stringify(bodyId)}` }, exchange);
  }
});

/** The failure for an attempt whose timestamp is missing or not within the tolerance of its receipt, if any. */
function staleAttempt(d: Delivery, label: string): string | undefined {
  const header = signatureOf(d);
  const parsed = header === undefined ? undefined : parseSignatureHeader(header);
  if (!parsed) return `${label}: ${header === undefined ? 'no BillerAPI-Signature header' : `no timestamp in ${JSON.stringify(header)}`}`;
  const skew = parsed.timestamp - receiptSecond(d);
  return Math.abs(skew) > DEFAULT_TOLERANCE_SECONDS ? `${label}: t=${parsed.timestamp}, ${skew} s from its receipt` : undefined;
}

test('WEBHOOK-005 signs a delivery with a timestamp within 5 minutes of its receipt', coversWithWrites('WEBHOOK-005'), async ({ api, receiver, webhooks }) => {
  skipUnlessReachable(receiver, api);
  const delivered = await firstDelivery(api, receiver, webhooks, 'WEBHOOK-005');
  if (!delivered) return;
  const { delivery, exchange } = delivered;
  const stale = staleAttempt(delivery, 'the delivery');
  if (stale) api.report({ requirement: 'WEBHOOK-005', expected: `t within ${DEFAULT_TOLERANCE_SECONDS} s of the receipt`, received: stale }, exchange);
});

/**
 * The retry's t must move on with the clock. Judged on intervals, so that the sender's and the
 * receiver's clocks need not agree: the seconds between the two t values must cover the whole
 * seconds between the two receipts, less DELIVERY_JITTER_SECONDS for delivery delays and
 * rounding. A retry reusing the first t (0 s) fails once the receipts are 3 s or more apart;
 * a sender retrying sooner is not judged on this point (never a false failure).
 */
test('WEBHOOK-005 re-signs a retry with a fresh timestamp (first attempt answered 500)', coversWithWrites('WEBHOOK-005'), async ({ api, receiver, webhooks }) => {
  skipUnlessReachable(receiver, api);
  const { webhookId } = await webhooks.register(receiver.url, 'WEBHOOK-005');
  receiver.failNext(1);
  const { exchange, eventId } = await webhooks.fire(webhookId, 'WEBHOOK-005');
  const attempts = await attemptsOf(receiver, eventId, 2, RETRY_TIMEOUT_MS);
  test.skip(!attempts, `no retry of ${eventId} arrived within ${RETRY_TIMEOUT_MS / 1000} s of a 500: the freshness of retries cannot be judged in this run`);
  const [first, retry] = attempts!;
  const stale = [staleAttempt(first, 'the first attempt'), staleAttempt(retry, 'the retry')].filter((s) => s !== undefined);
  if (stale.length > 0) {
    api.report({ requirement: 'WEBHOOK-005', expected: `every attempt's t within ${DEFAULT_TOLERANCE_SECONDS} s of its receipt`, received: stale.join('; ') }, exchange);
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
