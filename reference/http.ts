/** HTTP plumbing of the reference: the error shape, JSON responses and request bodies. */
import { randomBytes } from 'node:crypto';
import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
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

export function reasonPhrase(status: number): string {
  return STATUS_CODES[status] ?? 'Error';
}

/** The NestJS `HttpException` body, bent by the error-format faults. */
export function errorBody(error: HttpError, switches: Switches): ErrorResponse {
  return {
    statusCode: switches.has('error-status-mismatch') ? 400 : error.status,
    message: switches.has('empty-error-message') ? '' : error.messages,
    error: switches.has('wrong-reason-phrase') ? 'Error' : reasonPhrase(error.status),
  };
}

export function sendError(res: ServerResponse, error: HttpError, requestId: string, switches: Switches): void {
  const headers = { ...error.headers, 'X-Request-Id': requestId };
  if (switches.has('plain-text-errors')) {
    send(res, error.status, TEXT_CONTENT_TYPE, reasonPhrase(error.status), headers);
    return;
  }
  send(res, error.status, JSON_CONTENT_TYPE, JSON.stringify(errorBody(error, switches)), headers);
}

/** A success response: the body gains `request_id`, echoed as `X-Request-Id`. */
export function sendSuccess(res: ServerResponse, status: number, body: object, requestId: string, switches: Switches): void {
  const contentType = switches.has('wrong-content-type') ? TEXT_CONTENT_TYPE : JSON_CONTENT_TYPE;
  const headers: Record<string, string> = switches.has('missing-request-id-header') ? {} : { 'X-Request-Id': requestId };
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
