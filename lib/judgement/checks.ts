/**
 * Checks: each a small pure function of one exchange that returns a Failure naming the
 * requirement it breaks, or undefined. Tests combine them; the fixture runs the contract
 * checks on every exchange.
 */
import { STATUS_CODES } from 'node:http';
import validators from '../../schemas/validators.cjs';
import type { Exchange } from '../transport/client';
import type { RequirementId } from '../contract/requirements';
import { reasonPhraseOf } from '../contract/spec';

export interface Failure {
  requirement: RequirementId;
  expected: string;
  received: string;
}

export type Check = (exchange: Exchange) => Failure | undefined;

const JSON_MEDIA_TYPE = /^application\/json\s*(;|$)/i;

/** `401 Unauthorized`: how failure messages name an answer. */
export function statusLine(x: Exchange): string {
  return `${x.response.status} ${x.response.statusText}`.trim();
}

function isSuccess(x: Exchange): boolean {
  return x.response.status >= 200 && x.response.status < 300;
}

function isError(x: Exchange): boolean {
  return x.response.status >= 400;
}

function field(x: Exchange, name: string): unknown {
  return x.json && typeof x.json === 'object' ? (x.json as Record<string, unknown>)[name] : undefined;
}

/** AJV errors as `pointer message` lines. */
export function schemaErrors(schema: keyof typeof validators, value: unknown): string[] {
  const validate = validators[schema];
  if (validate(value)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}${e.params && 'additionalProperty' in e.params ? ` (${String(e.params.additionalProperty)})` : ''}`);
}

/** `404 Not Found`: a status as failure messages name it, with the spec's reason phrase (Node's for statuses the spec lists none for). */
export function statusName(status: number): string {
  return `${status} ${reasonPhraseOf(status) ?? STATUS_CODES[status] ?? ''}`.trim();
}

export function statusIs(requirement: RequirementId, expected: number): Check {
  return (x) =>
    x.response.status === expected
      ? undefined
      : { requirement, expected: `status ${statusName(expected)}`, received: statusLine(x) };
}

/** A check that applies only to exchanges the predicate selects. */
function only(predicate: (x: Exchange) => boolean, check: Check): Check {
  return (x) => (predicate(x) ? check(x) : undefined);
}

// Error format (ERR-*)

export const errorIsJsonWithFields: Check = only(isError, (x) => {
  const type = x.response.headers['content-type'] ?? '(none)';
  if (!JSON_MEDIA_TYPE.test(type)) {
    return { requirement: 'ERR-001', expected: 'an application/json error body', received: `Content-Type ${type}` };
  }
  const missing = ['statusCode', 'message', 'error'].filter((name) => field(x, name) === undefined);
  return missing.length === 0
    ? undefined
    : { requirement: 'ERR-001', expected: 'fields statusCode, message and error', received: `missing ${missing.join(', ')}` };
});

export const errorStatusCodeMatches: Check = only(isError, (x) => {
  const statusCode = field(x, 'statusCode');
  if (statusCode === undefined) return undefined;
  return statusCode === x.response.status
    ? undefined
    : { requirement: 'ERR-002', expected: `statusCode ${x.response.status}`, received: `statusCode ${JSON.stringify(statusCode)}` };
});

/** ERR-003 with the phrases of the spec (`x-reason-phrases`, A-001); a status the spec lists none for is not judged here (SCHEMA-002 is). */
export const errorIsReasonPhrase: Check = only(isError, (x) => {
  const error = field(x, 'error');
  const phrase = reasonPhraseOf(x.response.status);
  if (error === undefined || phrase === undefined) return undefined;
  return error === phrase
    ? undefined
    : { requirement: 'ERR-003', expected: `error "${phrase}"`, received: `error ${JSON.stringify(error)}` };
});

export const errorMessageIsNonEmpty: Check = only(isError, (x) => {
  const message = field(x, 'message');
  if (message === undefined) return undefined;
  const ok = typeof message === 'string'
    ? message.trim().length > 0
    : Array.isArray(message) && message.length > 0 && message.every((m) => typeof m === 'string' && m.trim().length > 0);
  return ok
    ? undefined
    : { requirement: 'ERR-004', expected: 'a non-empty message (or list of them)', received: `message ${JSON.stringify(message)}` };
});

export const errorFormatChecks: readonly Check[] = [
  errorIsJsonWithFields,
  errorStatusCodeMatches,
  errorIsReasonPhrase,
  errorMessageIsNonEmpty,
];

// Contract conformance (SCHEMA-*)

export const statusIsDocumented: Check = (x) =>
  x.operation.statuses.includes(String(x.response.status))
    ? undefined
    : {
        requirement: 'SCHEMA-002',
        expected: `a documented status of ${x.operation.operationId}: ${x.operation.statuses.join(', ')}`,
        received: statusLine(x),
      };

export const successIsJson: Check = only(isSuccess, (x) => {
  const type = x.response.headers['content-type'] ?? '(none)';
  return JSON_MEDIA_TYPE.test(type)
    ? undefined
    : { requirement: 'SCHEMA-003', expected: 'Content-Type application/json', received: `Content-Type ${type}` };
});

export const successMatchesSchema: Check = only(isSuccess, (x) => {
  const schema = x.operation.responseSchemas[String(x.response.status)];
  if (!schema) return undefined;
  if (x.json === undefined) return { requirement: 'SCHEMA-001', expected: `a ${schema} JSON body`, received: 'a body that is not JSON' };
  const errors = schemaErrors(schema, x.json);
  return errors.length === 0
    ? undefined
    : { requirement: 'SCHEMA-001', expected: `a body matching ${schema}`, received: errors.slice(0, 8).join('; ') };
});

export const successHasRequestIdHeader: Check = only(isSuccess, (x) => {
  const header = x.response.headers['x-request-id'];
  const body = field(x, 'request_id');
  return header !== undefined && header === body
    ? undefined
    : { requirement: 'SCHEMA-004', expected: `X-Request-Id equal to request_id ${JSON.stringify(body)}`, received: header === undefined ? 'no X-Request-Id header' : `X-Request-Id ${header}` };
});

/** Run on every exchange the suites make. */
export const contractChecks: readonly Check[] = [
  statusIsDocumented,
  successIsJson,
  successMatchesSchema,
  successHasRequestIdHeader,
  ...errorFormatChecks,
];

export function runChecks(exchange: Exchange, checks: readonly Check[]): Failure[] {
  return checks.map((check) => check(exchange)).filter((f): f is Failure => f !== undefined);
}
