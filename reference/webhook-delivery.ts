/**
 * Signed delivery of sandbox webhook events, to loopback receivers only.
 * A non-2xx answer or a network error is retried, a bounded number of times; every attempt
 * is signed anew with the clock at its sending.
 */
import { createHmac } from 'node:crypto';
import { isLoopbackUrl } from '../lib/safety/loopback';
import type { components } from '../schemas/openapi';
import type { Switches } from './http';

export type WebhookEvent = components['schemas']['WebhookEvent'];

const DELIVERY_TIMEOUT_MS = 5_000;

/**
 * The waits before each retry, by schedule: the reference's (3 attempts, 3 s apart), or
 * another that `x-delivery` allows (the first `min_attempts − 1` retries within
 * `retry_seconds` each; any number of attempts beyond). `tests/webhooks.spec.ts` holds every
 * schedule to the spec. Where both schedule variations are on, backing off wins.
 */
export function retryDelaysMs(switches: Switches): readonly number[] {
  if (switches.has('webhook-never-retried')) return [];
  if (switches.has('webhook-exponential-backoff')) return [1_000, 2_000, 4_000, 8_000, 16_000];
  if (switches.has('webhook-quick-first-retry')) return [500, 5_000, 5_000];
  return [3_000, 3_000];
}
/** What `signature-wrong-secret` signs with: a plausible shared default, not the webhook's own. */
const WRONG_SECRET = 'whsec_reference0default0secret0000';

/** `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`, as Stripe's signature header. */
export function signatureHeader(secret: string, body: string, unixSeconds: number): string {
  const v1 = createHmac('sha256', secret).update(`${unixSeconds}.${body}`).digest('hex');
  return `t=${unixSeconds},v1=${v1}`;
}

export interface Delivery {
  url: string;
  secret: string;
  event: WebhookEvent;
  /** Milliseconds clock, read at each attempt. */
  now: () => number;
  switches: Switches;
  /** Whether the webhook is still registered: under `webhook-delete-cancels-pending`, nothing more is attempted once it is not. */
  registered?: () => boolean;
}

/** Under `webhook-deliveries-queued`: the queue is drained at every multiple of this. */
const QUEUE_TICK_MS = 150;

/** A fired event leaves the queue at the second tick after it was fired: every delivery of one fire leaves together. */
export function queueDelayMs(nowMs: number): number {
  return 2 * QUEUE_TICK_MS - (nowMs % QUEUE_TICK_MS);
}

/** The bytes sent and the bytes signed: the same, except under `signature-over-reserialized-body`. */
function bodies(event: WebhookEvent, switches: Switches): { sent: string; signed: string } {
  const compact = JSON.stringify(event);
  return switches.has('signature-over-reserialized-body')
    ? { sent: JSON.stringify(event, null, 2), signed: compact }
    : { sent: compact, signed: compact };
}

function headersOf(delivery: Delivery, signed: string, unixSeconds: number): Record<string, string> {
  const { event, switches } = delivery;
  const secret = switches.has('signature-wrong-secret') ? WRONG_SECRET : delivery.secret;
  return {
    'Content-Type': 'application/json',
    ...(switches.has('webhook-event-id-missing') ? {} : { 'BillerAPI-Event-Id': event.event_id }),
    'BillerAPI-Signature': signatureHeader(secret, signed, unixSeconds),
  };
}

/** One attempt: whether the receiver answered 2xx. Network errors and timeouts count as failures. */
async function attempt(url: string, headers: Record<string, string>, body: string): Promise<boolean> {
  try {
    const res = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS) });
    await res.body?.cancel();
    return res.ok;
  } catch {
    return false;
  }
}

async function deliverWithRetries(delivery: Delivery): Promise<void> {
  const { sent, signed } = bodies(delivery.event, delivery.switches);
  const firstSecond = Math.floor(delivery.now() / 1000);
  const delays = retryDelaysMs(delivery.switches);
  for (let n = 0; ; n++) {
    if (delivery.switches.has('webhook-delete-cancels-pending') && delivery.registered && !delivery.registered()) return;
    const unixSeconds = delivery.switches.has('stale-retry-timestamp') ? firstSecond : Math.floor(delivery.now() / 1000);
    if (await attempt(delivery.url, headersOf(delivery, signed, unixSeconds), sent)) return;
    if (n >= delays.length) return;
    await new Promise((resolve) => setTimeout(resolve, delays[n]));
  }
}

/** Delivers the event in the background; the sandbox never sends traffic off this machine. */
export function deliverEvent(delivery: Delivery): void {
  if (!isLoopbackUrl(new URL(delivery.url))) return;
  if (delivery.switches.has('webhook-never-delivered')) return;
  if (!delivery.switches.has('webhook-deliveries-queued')) return void deliverWithRetries(delivery);
  // A deletion does not recall what is queued (unless webhook-delete-cancels-pending): it arrives after it, in flight.
  setTimeout(() => void deliverWithRetries(delivery), queueDelayMs(delivery.now()));
}
