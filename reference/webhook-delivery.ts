/** Signed delivery of sandbox webhook events, to loopback receivers only. */
import { createHmac } from 'node:crypto';

export interface WebhookEvent {
  event_id: string;
  event_type: string;
  created_at: string;
  data: Record<string, never>;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);
const DELIVERY_TIMEOUT_MS = 5_000;

/** Whether a URL names this machine; `URL.hostname` keeps the brackets of IPv6 literals. */
export function isLoopbackUrl(url: URL): boolean {
  return LOOPBACK_HOSTS.has(url.hostname);
}

/** `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`, as Stripe's signature header. */
export function signatureHeader(secret: string, body: string, unixSeconds: number): string {
  const v1 = createHmac('sha256', secret).update(`${unixSeconds}.${body}`).digest('hex');
  return `t=${unixSeconds},v1=${v1}`;
}

/** Posts the event in the background; the sandbox never sends traffic off this machine. */
export function deliverEvent(url: string, secret: string, event: WebhookEvent, nowMs: number): void {
  if (!isLoopbackUrl(new URL(url))) return;
  const body = JSON.stringify(event);
  fetch(url, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      'BillerAPI-Event-Id': event.event_id,
      'BillerAPI-Signature': signatureHeader(secret, body, Math.floor(nowMs / 1000)),
    },
    body,
    signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
  }).then((res) => res.body?.cancel(), () => undefined);
}
