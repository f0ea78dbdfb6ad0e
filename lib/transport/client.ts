/** Calls BillerAPI operations by operationId and returns the whole exchange, for checks and reports. */
import { authHeaders, type Auth } from './auth';
import { send, DEFAULT_TIMEOUT_MS, type HttpRequest, type HttpResponse } from './http';
import { redactor } from './redact';
import { assertSendable } from '../safety/send-policy';
import { operation, type Operation } from '../contract/spec';

export interface CallOptions {
  auth: Auth;
  /** Path parameters, e.g. `{ biller_id: 'bil_x' }`. */
  params?: Record<string, string>;
  query?: Record<string, string | number | boolean>;
  /** Query pairs in order, a name possibly repeated (fuzzing), after `query`. */
  rawQuery?: readonly (readonly [string, string])[];
  /** JSON-serialised unless a string, which is sent as it is. */
  body?: unknown;
  headers?: readonly (readonly [string, string])[];
  timeoutMs?: number;
}

export interface Exchange {
  operation: Operation;
  request: HttpRequest;
  response: HttpResponse;
  /** The parsed body, or undefined when it is not JSON. */
  json: unknown;
}

/** Response fields that carry secrets, registered with the redactor as soon as they are seen. */
const SECRET_FIELDS = ['access_token', 'public_token', 'link_token', 'secret'];

export function requestUrl(baseUrl: string, op: Operation, options: Pick<CallOptions, 'params' | 'query' | 'rawQuery'>): string {
  const path = op.path.replace(/\{([^}]+)\}/g, (_, name: string) => {
    const value = options.params?.[name];
    if (value === undefined) throw new Error(`${op.operationId} needs the path parameter "${name}".`);
    return encodeURIComponent(value);
  });
  const url = new URL(baseUrl + path);
  for (const [key, value] of Object.entries(options.query ?? {})) url.searchParams.append(key, String(value));
  for (const [key, value] of options.rawQuery ?? []) url.searchParams.append(key, value);
  return url.toString();
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function registerSecrets(json: unknown): void {
  if (!json || typeof json !== 'object') return;
  for (const field of SECRET_FIELDS) {
    const value = (json as Record<string, unknown>)[field];
    if (typeof value === 'string') redactor.register(value);
  }
}

/** Resolves when the request may be sent without exceeding the run's rate budget. */
export type Pacer = (op: Operation, auth: Auth) => Promise<void>;

export interface ApiClientOptions {
  /**
   * A read-only run's client (production, the gate profile: lib/config/profile.ts `isReadOnly`): it
   * refuses what lib/safety/send-policy.ts refuses, with a HarnessError, before pacing or sending.
   */
  readOnly: boolean;
  /** Sees every exchange (the test's evidence). */
  onExchange?: (exchange: Exchange) => void;
  pace?: Pacer;
}

export class ApiClient {
  private readonly readOnly: boolean;
  private readonly onExchange: (exchange: Exchange) => void;
  private readonly pace: Pacer;

  /** Without options (the project's own tests of the probes against the reference) it may send anything. */
  constructor(private readonly baseUrl: string, options: ApiClientOptions = { readOnly: false }) {
    this.readOnly = options.readOnly;
    this.onExchange = options.onExchange ?? (() => {});
    this.pace = options.pace ?? (async () => {});
  }

  async call(operationId: string, options: CallOptions): Promise<Exchange> {
    const op = operation(operationId);
    assertSendable(op, this.readOnly);
    await this.pace(op, options.auth);
    const headers: (readonly [string, string])[] = [['Accept', 'application/json'], ...authHeaders(options.auth)];
    if (options.body !== undefined) headers.push(['Content-Type', 'application/json']);
    headers.push(...(options.headers ?? []));
    const request: HttpRequest = {
      method: op.method,
      url: requestUrl(this.baseUrl, op, options),
      headers,
      body: options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body),
    };
    const response = await send(request, options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    const json = parseJson(response.body);
    registerSecrets(json);
    const exchange = { operation: op, request, response, json };
    this.onExchange(exchange);
    return exchange;
  }
}
