/**
 * Signed delivery of sandbox webhook events, to loopback receivers only.
 * A non-2xx answer or a network error is retried, a bounded number of times; every attempt
 * is signed anew with the clock at its sending.
 */
import { createHmac } from 'node:crypto';
import { isLoopbackUrl } from '../lib/loopback';
import type { components } from '../schemas/openapi';
import type { Switches } from './http';

export type WebhookEvent = components['schemas']['WebhookEvent'];

const DELIVERY_TIMEOUT_MS = 5_000;
export const MAX_ATTEMPTS = 3;
/**
 * Three seconds, not one: the suite judges a retry's timestamp by how far it moved since the
 * first attempt, less two seconds for delivery jitter, so a shorter gap could not tell a
 * re-signed retry from a reused timestamp.
 */
export const RETRY_DELAY_MS = 3_000;
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
  for (let n = 1; n <= MAX_ATTEMPTS; n++) {
    const unixSeconds = delivery.switches.has('stale-retry-timestamp') ? firstSecond : Math.floor(delivery.now() / 1000);
    if (await attempt(delivery.url, headersOf(delivery, signed, unixSeconds), sent)) return;
    if (n < MAX_ATTEMPTS) await new Promise((resolve) => setTimeout(resolve, RETRY_DELAY_MS));
  }
}

/** Delivers the event in the background; the sandbox never sends traffic off this machine. */
export function deliverEvent(delivery: Delivery): void {
  if (!isLoopbackUrl(new URL(delivery.url))) return;
  void deliverWithRetries(delivery);
}
