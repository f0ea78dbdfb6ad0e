/**
 * lib/contract/ — the contract as data: the spec (spec.ts), the requirement catalogue, the rate-
 * limit groups and the run's windows, the body types, the listing's rules and the request data
 * the suites share. It imports only schemas/ and two leaves (lib/config/errors.ts, the Exchange
 * type); everything else may import it, and the reference server imports nothing else of lib/ but
 * it and lib/safety/. lib/contract/rate-limits.ts is loaded by k6 as it is: it imports nothing.
 */
/** The contract as data, read from the generated schemas/spec.json (never from hand-typed numbers). */
import specJson from '../../schemas/spec.json';
import type { SchemaName } from '../../schemas/validators.cjs';
import { groupsFromSpec, type GroupName, type RateLimitGroup, type RateLimitSpec } from './rate-limits';

export type { GroupName, RateLimitGroup } from './rate-limits';
export type AuthMode = 'client' | 'bearer';
export type HttpMethod = 'GET' | 'POST' | 'DELETE';

export interface Operation {
  operationId: string;
  method: HttpMethod;
  /** OpenAPI path template, e.g. `/billers/{biller_id}`. */
  path: string;
  group: GroupName;
  auth: AuthMode;
  /** Scopes named in the security requirement (OpenAPI 3.1 role names). */
  scopes: string[];
  sandboxOnly: boolean;
  /** Documented status codes, as strings (`'200'`, `'401'`). */
  statuses: string[];
  requestSchema?: SchemaName;
  responseSchemas: Partial<Record<string, SchemaName>>;
}

type Json = Record<string, any>;
export const spec: Json = specJson;

function schemaNameOf(spec: Json, node: Json | undefined): SchemaName | undefined {
  if (!node) return undefined;
  const resolved = typeof node.$ref === 'string'
    ? node.$ref.replace(/^#\//, '').split('/').reduce((at: Json, key: string) => at[key], spec)
    : node;
  const ref = resolved?.content?.['application/json']?.schema?.$ref as string | undefined;
  return ref?.replace('#/components/schemas/', '') as SchemaName | undefined;
}

function toOperation(path: string, method: string, op: Json): Operation {
  const security: Json[] = op.security ?? spec.security;
  const requirement = security[0] ?? {};
  return {
    operationId: op.operationId,
    method: method.toUpperCase() as HttpMethod,
    path,
    group: op['x-rate-limit-group'],
    auth: 'accessToken' in requirement ? 'bearer' : 'client',
    scopes: (Object.values(requirement)[0] as string[] | undefined) ?? [],
    sandboxOnly: op['x-sandbox-only'] === true,
    statuses: Object.keys(op.responses),
    requestSchema: schemaNameOf(spec, op.requestBody),
    responseSchemas: Object.fromEntries(
      Object.entries<Json>(op.responses).map(([status, response]) => [status, schemaNameOf(spec, response)]),
    ),
  };
}

export const operations: readonly Operation[] = Object.entries<Json>(spec.paths).flatMap(([path, item]) =>
  ['get', 'post', 'delete'].filter((m) => item[m]).map((m) => toOperation(path, m, item[m])),
);

export function operation(operationId: string): Operation {
  const found = operations.find((op) => op.operationId === operationId);
  if (!found) throw new Error(`Unknown operationId "${operationId}": it is not in specs/billerapi.openapi.yaml.`);
  return found;
}

export const rateLimitSpec = spec as RateLimitSpec;

export const rateLimitGroups: Readonly<Record<GroupName, RateLimitGroup>> = Object.fromEntries(
  groupsFromSpec(rateLimitSpec).map((g) => [g.name, g]),
) as Record<GroupName, RateLimitGroup>;

/** Key prefix of client secrets per environment, from `servers[].x-key-prefix`. */
export const keyPrefixes: Readonly<Record<'sandbox' | 'production', string>> = Object.fromEntries(
  (spec.servers as Json[]).map((s) => [s['x-environment'], s['x-key-prefix']]),
) as Record<'sandbox' | 'production', string>;

export const serverUrls: Readonly<Record<'sandbox' | 'production', string>> = Object.fromEntries(
  (spec.servers as Json[]).map((s) => [s['x-environment'], s.url]),
) as Record<'sandbox' | 'production', string>;

/** The reason phrase of each error status (`x-reason-phrases` of `ErrorResponse.error`, A-001). */
export const reasonPhrases: Readonly<Record<string, string>> = spec.components.schemas.ErrorResponse.properties.error['x-reason-phrases'];

/** The reason phrase the spec gives `status`, or undefined for a status it lists none for. */
export function reasonPhraseOf(status: number): string | undefined {
  return reasonPhrases[String(status)];
}

/** The schema of an operation's query or path parameter, `$ref` resolved; throws naming the operation's parameters otherwise. */
export function parameterSchema(operationId: string, name: string): Json {
  const op = operation(operationId);
  const declared: Json[] = spec.paths[op.path][op.method.toLowerCase()].parameters ?? [];
  const found = declared.find((p) => p.name === name);
  if (!found) throw new Error(`${operationId} has no parameter "${name}" in specs/billerapi.openapi.yaml (it has: ${declared.map((p) => p.name).join(', ') || 'none'}).`);
  const ref = found.schema.$ref as string | undefined;
  return ref ? spec.components.schemas[ref.replace('#/components/schemas/', '')] : found.schema;
}

/** Matches a concrete request path against an operation's path template. */
export function matchOperation(method: string, pathname: string): { op: Operation; params: Record<string, string> } | undefined {
  for (const op of operations) {
    if (op.method !== method.toUpperCase()) continue;
    const names: string[] = [];
    const pattern = op.path.replace(/\{([^}]+)\}/g, (_, name: string) => {
      names.push(name);
      return '([^/]+)';
    });
    const match = new RegExp(`^${pattern}$`).exec(pathname);
    if (match) {
      return { op, params: Object.fromEntries(names.map((n, i) => [n, decodeURIComponent(match[i + 1])])) };
    }
  }
  return undefined;
}

/** The Connect experience as far as any conforming SDK and frame keep it (`x-connect`, A-022). */
export interface ConnectContract {
  sdk_path: string;
  sdk_global: string;
  /** The options `open()` honours (it ignores others). */
  open_options: string[];
  /** Where the frame's document is on the API host: at this path or under it, with any query. */
  frame_path: string;
  /** The host page's callbacks that end the flow. */
  completion: string[];
  /** The SDK loads within this, and open() shows the frame's biller choice within this. */
  load_seconds: number;
  /** The frame answers each user action (next page, error, onSuccess/onExit) within this. */
  step_seconds: number;
  test_credentials: { username: string; password: string };
  automation: { biller_button: string; username: string; password: string; submit: string; error: string };
}

export const connectContract: ConnectContract = spec['x-connect'];

/** What a webhook receiver can rely on (`x-delivery` of the spec's webhook, A-023). */
export interface WebhookDeliveryContract {
  /** The first attempt of a fired sandbox event arrives within this of the fire's answer. */
  delivery_seconds: number;
  /** An attempt answered non-2xx is followed by the next within this of that answer… */
  retry_seconds: number;
  /** …for at least this many attempts in all. */
  min_attempts: number;
  /** Every attempt's signature timestamp is within this of its sending. */
  tolerance_seconds: number;
  /** After a webhook's deletion is answered, an event fired at it before may still reach it this long; nothing later. */
  after_delete_seconds: number;
}

export const webhookDelivery: WebhookDeliveryContract = spec.webhooks.billerEvent.post['x-delivery'];

/** The longest GET /webhooks may lag a registration or a deletion, in seconds (`x-consistency-seconds` of listWebhooks, A-030). */
export const webhookListConsistencySeconds: number = spec.paths['/webhooks'].get['x-consistency-seconds'];

/** The longest a link token lives, in seconds (`x-token-lifetime-seconds` of createLinkToken, A-005). */
export const linkTokenLifetimeSeconds: number = spec.paths['/link/token/create'].post['x-token-lifetime-seconds'];
