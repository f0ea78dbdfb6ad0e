/**
 * Named defects the reference server can be switched into (`REFERENCE_FAULTS=a,b`).
 * Each names the requirements it breaks; `npm test` proves the suite reports those
 * requirements as failed with the fault on, and passes with it off.
 */
import type { RequirementId } from '../schemas/requirements';

export interface FaultInfo {
  breaks: readonly RequirementId[];
  description: string;
}

export const faults = {
  'accept-missing-secret': { breaks: ['AUTH-001'], description: 'a known X-Client-ID alone authenticates' },
  'accept-missing-client-id': { breaks: ['AUTH-002'], description: 'a valid X-Client-Secret alone authenticates (client looked up by secret)' },
  'accept-anonymous': { breaks: ['AUTH-003'], description: 'a request with neither credential header acts as the primary client' },
  'accept-wrong-secret': { breaks: ['AUTH-004'], description: 'only the client ID is checked; any non-empty secret passes' },
  'accept-unknown-client': { breaks: ['AUTH-005'], description: 'the client is looked up by its secret; X-Client-ID is ignored' },
  'ignore-key-prefix': { breaks: ['AUTH-006'], description: 'secrets are compared without their bb_test_/bb_live_ prefix' },
  'accept-empty-secret': { breaks: ['AUTH-007'], description: 'an empty X-Client-Secret passes for a known client' },
  'case-sensitive-header-names': { breaks: ['AUTH-008'], description: 'credentials are read only from headers spelled exactly X-Client-ID / X-Client-Secret' },
  'accept-query-credentials': { breaks: ['AUTH-009'], description: 'client_id / client_secret query parameters authenticate' },
  'bills-without-token': { breaks: ['BEARER-001'], description: 'without an Authorization header the bills of the requested account are returned' },
  'accept-any-scheme': { breaks: ['BEARER-002'], description: 'any authorization scheme (Basic, Token) is accepted with a valid token' },
  'accept-trailing-garbage-bearer': { breaks: ['BEARER-003'], description: 'the token is the second word of Authorization; anything after it is ignored' },
  'accept-unknown-token': { breaks: ['BEARER-004'], description: 'any token with the access- prefix is accepted for the requested account' },
  'ignore-token-link': { breaks: ['BEARER-005'], description: 'a valid token returns the bills of whichever account_link_id is asked' },
  'bills-accept-client-credentials': { breaks: ['BEARER-006'], description: 'valid client credentials authorize bill retrieval of that client\'s links' },
  'billers-accept-bearer': { breaks: ['BEARER-007'], description: 'a valid access token authenticates client-credential endpoints as its client' },
  'case-sensitive-bearer-scheme': { breaks: ['BEARER-008'], description: 'only the exact spelling "Bearer" is accepted' },
  'plain-text-errors': { breaks: ['ERR-001'], description: 'error responses are text/plain reason phrases' },
  'error-status-mismatch': { breaks: ['ERR-002'], description: 'every error body says statusCode 400' },
  'wrong-reason-phrase': { breaks: ['ERR-003'], description: 'every error body says error "Error"' },
  'empty-error-message': { breaks: ['ERR-004'], description: 'every error body has an empty message' },
  'ignore-scopes': { breaks: ['SCOPE-001'], description: 'scopes are not enforced' },
  'schema-drift': { breaks: ['SCHEMA-001'], description: 'bill amounts are decimal strings ("42.10") instead of integer minor units' },
  'undocumented-status': { breaks: ['SCHEMA-002'], description: 'POST /link/token/create answers 201 instead of the documented 200' },
  'wrong-content-type': { breaks: ['SCHEMA-003'], description: 'success bodies are served as text/plain' },
  'missing-request-id-header': { breaks: ['SCHEMA-004'], description: 'success responses carry no X-Request-Id header' },
  'clamp-invalid-limit': { breaks: ['INPUT-001'], description: 'an out-of-range limit is clamped and a non-numeric one ignored' },
  'accept-invalid-body': { breaks: ['INPUT-002'], description: 'missing required body fields get defaults instead of a 400' },
  'unknown-biller-400': { breaks: ['RES-001'], description: 'an unknown biller_id gives 400 instead of 404' },
  'expired-link-token': { breaks: ['LINK-001'], description: 'link tokens are created already expired' },
  'reusable-public-token': { breaks: ['LINK-002'], description: 'a public token can be exchanged any number of times' },
  'accept-unknown-public-token': { breaks: ['LINK-003'], description: 'any public-sandbox- token is exchanged for a new link' },
  'shuffled-billers': { breaks: ['DATA-001'], description: 'the order of billers is random on every request' },
  'bills-leak-other-link': { breaks: ['DATA-002'], description: 'bill retrieval appends one bill of another link of the same client' },
  'cursor-overlap': { breaks: ['DATA-003'], description: 'each next page repeats the last biller of the previous page' },
  'ignore-category-filter': { breaks: ['DATA-004'], description: 'the category filter is ignored' },
  'q-filter-case-sensitive': { breaks: ['DATA-004'], description: 'q matches only names that contain it in the same case ("gas" misses "Lone Star Gas")' },
  'filtered-search-first-page-only': { breaks: ['DATA-004'], description: 'a filtered search ends after its first page: next_cursor is null however many billers match' },
  'random-bill-amounts': { breaks: ['DATA-005'], description: 'bill amounts are random on every link' },
  'no-rate-limit': { breaks: ['RATE-002'], description: 'no request is ever refused with 429' },
  'rate-limit-one-late': { breaks: ['RATE-002'], description: 'each window admits limit + 1 requests' },
  'rate-limit-one-early': { breaks: ['RATE-001'], description: 'each window admits limit − 1 requests' },
  'rate-limit-503': { breaks: ['RATE-002'], description: 'a request over the limit gets 503 Service Unavailable instead of 429' },
  'retry-after-missing': { breaks: ['RATE-003'], description: '429 responses carry no Retry-After header' },
  'retry-after-zero': { breaks: ['RATE-003'], description: 'Retry-After is 0' },
  'retry-after-negative': { breaks: ['RATE-003'], description: 'Retry-After is minus the seconds left' },
  'retry-after-not-a-number': { breaks: ['RATE-003'], description: 'Retry-After is the word "soon"' },
  'window-never-resets': { breaks: ['RATE-004'], description: 'a rate-limit window, once full, never ends' },
  'rate-limit-shared-by-clients': { breaks: ['RATE-005'], description: 'per-client groups count every client under one key' },
  'rate-limit-ip-keyed-by-client': { breaks: ['RATE-006'], description: 'the per-IP Authentication limit counts per IP and X-Client-ID' },
  'rate-limit-headers-miscount': { breaks: ['RATE-007'], description: 'the RateLimit header\'s remaining count never goes down' },
  'crash-on-odd-credential': { breaks: ['ROBUST-001'], description: 'a credential header over 256 characters or with a non-ASCII character crashes the handler (500)' },
  'secret-prefix-match': { breaks: ['AUTH-010'], description: 'a secret is accepted when it merely starts with the right value' },
  'secret-case-insensitive': { breaks: ['AUTH-010'], description: 'secrets are compared case-insensitively' },
  'bearer-token-prefix-match': { breaks: ['BEARER-009'], description: 'an access token with characters appended is accepted as the token it starts with' },
  'echo-secret-in-error': { breaks: ['SEC-001'], description: 'the 401 for wrong client credentials quotes the secret it was sent' },
  'crash-on-repeated-query-parameter': { breaks: ['ROBUST-001'], description: 'a query parameter given twice (an array) crashes the handler (500)' },
  'reject-unfamiliar-headers': { breaks: ['AUTH-011'], description: 'a request carrying an X- header the server does not know, a Cookie or an Origin is refused with 400' },
  'ignore-query-length-limits': { breaks: ['INPUT-003'], description: 'q and cursor longer than their maxLength are accepted' },
  'connect-unusable-public-token': { breaks: ['CONNECT-001'], description: 'the Connect frame posts a public token that was never issued' },
  'connect-accept-any-password': { breaks: ['CONNECT-002'], description: 'the Connect frame links the test user whatever password is typed' },
  'connect-error-with-token': { breaks: ['CONNECT-002'], description: 'wrong test credentials show the error in the Connect frame and post a public token all the same' },
  'connect-accept-unknown-link-token': { breaks: ['CONNECT-003'], description: 'the Connect frame opens for any link token, known or not' },
  'postmessage-any-origin': { breaks: ['CONNECT-004'], description: 'the Connect frame posts its result with targetOrigin "*"' },
  'connect-frame-never-loads': { breaks: ['CONNECT-001'], description: 'BillerConnect.open never inserts a frame: the host page waits for a Connect frame that never comes' },
  'cross-client-public-token': { breaks: ['LINK-004'], description: 'a public token is exchanged for whichever client presents it' },
  'webhook-secret-in-list': { breaks: ['WEBHOOK-001'], description: 'GET /webhooks returns each webhook\'s signing secret' },
  'accept-http-webhook-url': { breaks: ['WEBHOOK-002'], description: 'plain http webhook URLs are accepted for any host' },
  'signature-over-reserialized-body': { breaks: ['WEBHOOK-003'], description: 'the signature is computed over a re-serialized body, not the bytes sent' },
  'signature-wrong-secret': { breaks: ['WEBHOOK-003'], description: 'deliveries are signed with a secret other than the webhook\'s' },
  'webhook-event-id-missing': { breaks: ['WEBHOOK-004'], description: 'deliveries carry no BillerAPI-Event-Id header' },
  'stale-retry-timestamp': { breaks: ['WEBHOOK-005'], description: 'retries are sent with the first attempt\'s signature timestamp' },
  'webhook-never-delivered': { breaks: ['WEBHOOK-006'], description: 'a fired event is accepted (200) but never delivered to the webhook' },
  'webhook-never-retried': { breaks: ['WEBHOOK-006'], description: 'a delivery answered non-2xx is never retried' },
  'rate-limit-trusts-forwarded-for': { breaks: ['RATE-006'], description: 'the per-IP limit keys on X-Forwarded-For when a caller sends it' },
  'rate-limit-counts-unauthenticated-by-client-id': { breaks: ['RATE-008'], description: 'a per-client limit counts a request by the X-Client-ID it names, whether or not it authenticates' },
  'webhook-delete-keeps-webhook': { breaks: ['WEBHOOK-007'], description: 'DELETE /webhooks/{id} answers 200 {deleted: true} but keeps the webhook: still listed, fired at and delivered to' },
  'webhook-repeat-delete-200': { breaks: ['WEBHOOK-008'], description: 'deleting a webhook already deleted answers 200 {deleted: true} again (an "idempotent" delete)' },
  'webhook-delivers-after-delete': { breaks: ['WEBHOOK-009'], description: 'a deleted webhook keeps its delivery subscription: every event fired at its client\'s other webhooks reaches it too' },
  'cross-client-webhook-delete': { breaks: ['WEBHOOK-010'], description: 'DELETE /webhooks/{id} deletes whichever client\'s webhook it names' },
} as const satisfies Record<string, FaultInfo>;

export type FaultName = keyof typeof faults;

export const faultNames = Object.keys(faults) as FaultName[];

/** Parses a comma-separated fault list; throws one line naming the valid faults on an unknown one. */
export function parseFaults(list: string | undefined): FaultName[] {
  const names = (list ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = names.filter((n) => !(n in faults));
  if (unknown.length > 0) {
    throw new Error(`Unknown fault(s): ${unknown.join(', ')}. Valid faults: ${faultNames.join(', ')}.`);
  }
  return names as FaultName[];
}
