/** Calls BillerAPI operations by operationId and returns the whole exchange, for checks and reports. */
import { authHeaders, type Auth } from './auth';
import { send, DEFAULT_TIMEOUT_MS, type HttpRequest, type HttpResponse } from './http';
import { redactor } from './redact';
import { operation, type Operation } from './spec';

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

export class ApiClient {
  constructor(
    private readonly baseUrl: string,
    private readonly onExchange: (exchange: Exchange) => void = () => {},
    private readonly pace: Pacer = async () => {},
  ) {}

  async call(operationId: string, options: CallOptions): Promise<Exchange> {
    const op = operation(operationId);
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
