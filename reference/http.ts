/** HTTP plumbing of the reference: the error shape, JSON responses and request bodies. */
import { randomBytes } from 'node:crypto';
import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import { reasonPhraseOf } from '../lib/contract/spec';
import type { components } from '../schemas/openapi';
import type { FaultName } from './faults';
import type { VariationName } from './variations';

/**
 * The reference's switches: the faults (reference/faults.ts) and variations
 * (reference/variations.ts) it runs with. A fault outranks a variation where both bend one behaviour.
 */
export type Switches = ReadonlySet<FaultName | VariationName>;
type ErrorResponse = components['schemas']['ErrorResponse'];

export const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';
/** `application/json` needs no charset parameter (RFC 8259 defines none). */
const BARE_JSON_CONTENT_TYPE = 'application/json';
const TEXT_CONTENT_TYPE = 'text/plain; charset=utf-8';
export const MAX_BODY_BYTES = 100 * 1024;

/** An error response to send: thrown by any step of the pipeline. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly messages: string | string[],
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(Array.isArray(messages) ? messages.join('; ') : messages);
  }
}

export const badRequest = (messages: string | string[]) => new HttpError(400, messages);
export const notFound = (message: string) => new HttpError(404, message);

export function newRequestId(): string {
  return `req_${randomBytes(8).toString('hex')}`;
}

/** The spec's reason phrase of `status` (`x-reason-phrases`, A-001); Node's for a status the spec lists none for. */
export function reasonPhrase(status: number): string {
  return reasonPhraseOf(status) ?? STATUS_CODES[status] ?? 'Error';
}

/** Other words for the reference's own messages (error-message-wording, A-002); a message not listed keeps its words. */
const OTHER_WORDING: readonly [RegExp, string][] = [
  [/^Invalid client credentials$/, 'Client authentication failed: check X-Client-ID and X-Client-Secret.'],
  [/^Invalid or missing access token$/, 'The Authorization header does not carry a valid Bearer access token.'],
  [/^Access token is not valid for this account link$/, 'This access token belongs to another linked account.'],
  [/^Missing scope: (.+)$/, 'This client is not allowed to do that (it lacks the $1 scope).'],
  [/^Rate limit exceeded$/, 'Too many requests: wait for the Retry-After period, then try again.'],
  [/^Internal server error$/, 'Something went wrong on our side.'],
  [/^(Biller|Webhook) not found$/, 'No such $1.'],
  [/^Invalid public token$/, 'This public token cannot be exchanged.'],
];

function reworded(messages: string | string[]): string {
  // A list of validation messages becomes one sentence: A-002 allows either form for any error.
  if (Array.isArray(messages)) return `The request is invalid: ${messages.join('; ')}.`;
  const rule = OTHER_WORDING.find(([pattern]) => pattern.test(messages));
  return rule ? messages.replace(rule[0], rule[1]) : messages;
}

/** The message as the variations word it: other words (error-message-wording), always a list (error-message-list). */
function messageOf(error: HttpError, switches: Switches): string | string[] {
  const message = switches.has('error-message-wording') ? reworded(error.messages) : error.messages;
  return switches.has('error-message-list') && !Array.isArray(message) ? [message] : message;
}

/** The NestJS `HttpException` body, bent by the error-format faults; a fault outranks a variation. */
export function errorBody(error: HttpError, switches: Switches): ErrorResponse {
  return {
    statusCode: switches.has('error-status-mismatch') ? 400 : error.status,
    message: switches.has('empty-error-message') ? '' : messageOf(error, switches),
    error: switches.has('wrong-reason-phrase') ? 'Error' : reasonPhrase(error.status),
  };
}

function jsonContentType(switches: Switches): string {
  return switches.has('json-without-charset') ? BARE_JSON_CONTENT_TYPE : JSON_CONTENT_TYPE;
}

/** Header fields the contract does not name, as servers and proxies add them (extra-response-headers, A-029). */
function extraHeaders(switches: Switches, requestId: string): Record<string, string> {
  if (!switches.has('extra-response-headers')) return {};
  return {
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    'Strict-Transport-Security': 'max-age=63072000; includeSubDomains',
    'Server-Timing': 'app;dur=1',
    'X-Trace-Id': `trace_${requestId.replace(/^req_/, '')}`,
    Vary: 'Accept-Encoding',
  };
}

export function sendError(res: ServerResponse, error: HttpError, requestId: string, switches: Switches): void {
  const headers = { ...extraHeaders(switches, requestId), ...error.headers, 'X-Request-Id': requestId };
  if (switches.has('plain-text-errors')) {
    send(res, error.status, TEXT_CONTENT_TYPE, reasonPhrase(error.status), headers);
    return;
  }
  send(res, error.status, jsonContentType(switches), JSON.stringify(errorBody(error, switches)), headers);
}

/** A success response: the body gains `request_id`, echoed as `X-Request-Id`. */
export function sendSuccess(res: ServerResponse, status: number, body: object, requestId: string, switches: Switches): void {
  const contentType = switches.has('wrong-content-type') ? TEXT_CONTENT_TYPE : jsonContentType(switches);
  const headers: Record<string, string> = { ...extraHeaders(switches, requestId), ...(switches.has('missing-request-id-header') ? {} : { 'X-Request-Id': requestId }) };
  send(res, status, contentType, JSON.stringify({ ...body, request_id: requestId }), headers);
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  send(res, status, JSON_CONTENT_TYPE, JSON.stringify(body), {});
}

function send(res: ServerResponse, status: number, contentType: string, payload: string, headers: Record<string, string>): void {
  res.writeHead(status, { ...headers, 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(payload) });
  res.end(payload);
}

/** Reads the whole body; an oversized one is drained (so the client sees the answer) and refused. */
export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => {
      if (size > MAX_BODY_BYTES) reject(badRequest(`Request body must not be larger than ${MAX_BODY_BYTES} bytes`));
      else resolve(Buffer.concat(chunks).toString('utf8'));
    });
    req.on('error', reject);
  });
}

/** An empty body reads as `{}` so validation names each missing field, as NestJS does. */
export function parseJsonBody(raw: string): unknown {
  if (raw.trim() === '') return {};
  try {
    return JSON.parse(raw);
  } catch {
    throw badRequest('Request body is not valid JSON');
  }
}
