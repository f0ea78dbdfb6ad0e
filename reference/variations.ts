/**
 * Named, legitimate alternatives to the reference's own choices (`REFERENCE_VARIATIONS=a,b`,
 * or `all`): behaviours an implementation may choose because the contract leaves them open.
 * Each cites the spec clause or assumption that allows it. `npm test` proves the suite stays
 * green under each, alone and all together, and that every fault is still caught with all of
 * them on: the other half of the proof that faults give (reference/faults.ts).
 */
import type { RequirementId } from '../schemas/requirements';

export type VariationFamily = 'catalogue' | 'paging' | 'errors' | 'headers' | 'connect' | 'webhooks' | 'time';

export interface VariationInfo {
  family: VariationFamily;
  /** The spec clause or assumption that allows it (A-NNN, or a path in specs/billerapi.openapi.yaml). */
  allowedBy: string;
  /** The requirements whose tests meet it: the variation alone is proven green on these. */
  touches: readonly RequirementId[];
  description: string;
}

export const variations = {
  'large-catalogue': {
    family: 'catalogue',
    allowedBy: 'A-024',
    touches: ['DATA-001', 'DATA-003', 'DATA-004', 'DATA-005', 'RES-001', 'INPUT-001', 'CONNECT-001'],
    description: '237 billers (3 pages at the maximum limit) with other names (some upper or lower case, some not ASCII), hashed biller ids, 12 other countries and currencies, some down, listed by name',
  },
  'live-biller-status': {
    family: 'catalogue',
    allowedBy: 'A-024',
    touches: ['DATA-001', 'DATA-003', 'DATA-004'],
    description: 'a biller\'s status is sampled live: it may read degraded on one request and healthy on the next',
  },
  'opaque-cursors': {
    family: 'paging',
    allowedBy: 'A-025',
    touches: ['DATA-001', 'DATA-003', 'DATA-004', 'INPUT-001'],
    description: 'next_cursor is the page\'s offset encrypted (AES-256-GCM) with a fresh nonce: a different cursor on every call for the same page',
  },
  'bills-relative-to-today': {
    family: 'time',
    allowedBy: 'A-027',
    touches: ['DATA-002', 'DATA-005', 'CONNECT-001'],
    description: 'bills are dated relative to today (UTC): statements 75, 45 and 15 days ago, the last bill due in 6 days',
  },
  'short-lived-link-tokens': {
    family: 'time',
    allowedBy: 'A-027',
    touches: ['LINK-001', 'CONNECT-001', 'CONNECT-003'],
    description: 'link tokens live 30 minutes, their expiration written with a +02:00 offset in whole seconds, and open the Connect flow any number of times until they expire',
  },
  'error-message-wording': {
    family: 'errors',
    allowedBy: 'A-002',
    touches: ['ERR-001', 'ERR-002', 'ERR-003', 'ERR-004', 'INPUT-001', 'INPUT-002'],
    description: 'error messages in other words ("Client authentication failed: …", "No such Biller."), and a 400\'s validation messages joined into one sentence',
  },
  'error-message-list': {
    family: 'errors',
    allowedBy: 'A-002',
    touches: ['ERR-001', 'ERR-002', 'ERR-003', 'ERR-004', 'AUTH-004', 'RES-001'],
    description: 'every error\'s message is a list, a single message a list of one',
  },
  'check-order-rate-limit-last': {
    family: 'errors',
    allowedBy: 'A-028',
    touches: ['RATE-001', 'RATE-002', 'RATE-003', 'RATE-004', 'RATE-005', 'RATE-006', 'RATE-008', 'LINK-003', 'ERR-001'],
    description: 'every request is still counted first, but a request past its limit gets 429 only after credentials, scope and input passed (a 401, 403 or 400 outranks the 429), still before the handler',
  },
  'check-order-input-before-scope': {
    family: 'errors',
    allowedBy: 'A-028',
    touches: ['SCOPE-001', 'INPUT-001', 'INPUT-002', 'ERR-001'],
    description: 'parameters and body are validated before the client\'s scopes are checked: a client without the scope and with invalid input gets 400, not 403',
  },
  'rate-limit-fields-reordered': {
    family: 'headers',
    allowedBy: 'A-020',
    touches: ['RATE-007'],
    description: 'RateLimit-Policy and RateLimit parameters in the other order: "<group>";w=…;q=… and "<group>";t=…;r=…',
  },
  'rate-limit-fields-extra-parameters': {
    family: 'headers',
    allowedBy: 'A-020',
    touches: ['RATE-007'],
    description: 'RateLimit-Policy and RateLimit carry more parameters: qu="requests" first, a pk byte sequence, an ext boolean',
  },
  'retry-after-full-window': {
    family: 'headers',
    allowedBy: 'A-012',
    touches: ['RATE-003', 'RATE-004', 'RATE-005', 'RATE-006', 'RATE-008', 'LINK-003'],
    description: 'a 429\'s Retry-After is always the whole window, not the seconds left in it',
  },
  'extra-response-headers': {
    family: 'headers',
    allowedBy: 'A-029',
    touches: ['SCHEMA-001', 'SCHEMA-003', 'SCHEMA-004', 'ERR-001', 'SEC-001'],
    description: 'every answer carries header fields the contract does not name: Cache-Control, X-Content-Type-Options, Strict-Transport-Security, Server-Timing, X-Trace-Id, Vary',
  },
  'json-without-charset': {
    family: 'headers',
    allowedBy: 'A-029',
    touches: ['SCHEMA-003', 'ERR-001'],
    description: 'JSON answers, success and error, are served as plain application/json, without a charset parameter',
  },
  'connect-sdk-own-frame': {
    family: 'connect',
    allowedBy: 'A-022, specs/billerapi.openapi.yaml#/x-connect/open_options and #/x-connect/frame_path',
    touches: ['CONNECT-001', 'CONNECT-002', 'CONNECT-003', 'CONNECT-004'],
    description: 'the SDK makes its own overlay and iframe, with a new random id on every open(), and ignores every option but linkToken, onSuccess and onExit (a container among them)',
  },
  'connect-other-frame-parameters': {
    family: 'connect',
    allowedBy: 'A-022, specs/billerapi.openapi.yaml#/x-connect/frame_path',
    touches: ['CONNECT-001', 'CONNECT-002', 'CONNECT-003', 'CONNECT-004'],
    description: 'the frame takes the link token and host origin as ?session=…&embedder=…, and its credential page is /connect/s/credentials',
  },
  'connect-other-wording': {
    family: 'connect',
    allowedBy: 'A-022, specs/billerapi.openapi.yaml#/x-connect/completion',
    touches: ['CONNECT-001', 'CONNECT-002', 'CONNECT-003', 'CONNECT-004'],
    description: 'the frame\'s titles, h2 headings, labels, button texts and messages are other words ("All set!", not "Connected"); only the automation selectors stay',
  },
  'connect-removes-frame': {
    family: 'connect',
    allowedBy: 'A-022, specs/billerapi.openapi.yaml#/x-connect/completion',
    touches: ['CONNECT-001', 'CONNECT-002', 'CONNECT-003', 'CONNECT-004'],
    description: 'the SDK removes its frame from the host page as soon as it has called onSuccess or onExit',
  },
  'webhook-exponential-backoff': {
    family: 'webhooks',
    allowedBy: 'A-023, specs/billerapi.openapi.yaml#/webhooks/billerEvent/post/x-delivery',
    touches: ['WEBHOOK-003', 'WEBHOOK-004', 'WEBHOOK-005', 'WEBHOOK-006'],
    description: 'a failed delivery is retried after 1, 2, 4, 8 and 16 s: 6 attempts in all',
  },
  'webhook-quick-first-retry': {
    family: 'webhooks',
    allowedBy: 'A-023, specs/billerapi.openapi.yaml#/webhooks/billerEvent/post/x-delivery',
    touches: ['WEBHOOK-003', 'WEBHOOK-004', 'WEBHOOK-005', 'WEBHOOK-006'],
    description: 'a failed delivery is retried after half a second, then every 5 s: 4 attempts in all',
  },
  'webhook-default-events-subset': {
    family: 'webhooks',
    allowedBy: 'A-008, specs/billerapi.openapi.yaml#/components/schemas/WebhookCreateRequest/properties/events',
    touches: ['WEBHOOK-001', 'WEBHOOK-003', 'WEBHOOK-004', 'WEBHOOK-005', 'WEBHOOK-006'],
    description: 'a registration without events subscribes to BILLS_UPDATED only, and an event is delivered only to webhooks subscribed to its type',
  },
  'webhook-list-lags': {
    family: 'webhooks',
    allowedBy: 'A-030, specs/billerapi.openapi.yaml#/paths/~1webhooks/get/x-consistency-seconds',
    touches: ['WEBHOOK-001', 'WEBHOOK-007', 'WEBHOOK-010'],
    description: 'GET /webhooks is served from a replica 0.3 s behind: a registration shows there, and a deleted webhook is still listed, until 0.3 s after the write',
  },
  'webhook-list-newest-first': {
    family: 'webhooks',
    allowedBy: 'A-030',
    touches: ['WEBHOOK-001', 'WEBHOOK-007'],
    description: 'GET /webhooks lists the newest webhook first',
  },
  'webhook-deliveries-queued': {
    family: 'webhooks',
    allowedBy: 'A-030, specs/billerapi.openapi.yaml#/webhooks/billerEvent/post/x-delivery',
    touches: ['WEBHOOK-003', 'WEBHOOK-004', 'WEBHOOK-005', 'WEBHOOK-006', 'WEBHOOK-009'],
    description: 'deliveries leave from a queue drained every 0.15 s (a fired event at the second tick after it), and a deletion does not recall what is queued: an event fired just before a deletion arrives after it',
  },
  'webhook-delete-cancels-pending': {
    family: 'webhooks',
    allowedBy: 'A-030',
    touches: ['WEBHOOK-009'],
    description: 'deleting a webhook drops its queued deliveries and retries: an event fired at it just before may never arrive',
  },
} as const satisfies Record<string, VariationInfo>;

export type VariationName = keyof typeof variations;

export const variationNames = Object.keys(variations) as VariationName[];

/** Parses a comma-separated list (`all` for every one); throws one line naming the valid ones on an unknown name. */
export function parseVariations(list: string | undefined): VariationName[] {
  const names = (list ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  if (names.includes('all')) return [...variationNames];
  const unknown = names.filter((n) => !(n in variations));
  if (unknown.length > 0) {
    throw new Error(`Unknown variation(s): ${unknown.join(', ')}. Valid variations: all, ${variationNames.join(', ')}.`);
  }
  return names as VariationName[];
}


export function variationOf(name: VariationName): VariationInfo {
  return variations[name];
}
