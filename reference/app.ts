/**
 * The reference sandbox server: node:http only. Every request runs the pipeline
 * route match → rate limit → authentication → scopes → validation → handler
 * (the check-order variations move the 429 after validation, or validation before scopes: A-028).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { isSafeMethod } from '../lib/safety/send-policy';
import { matchOperation, operations, rateLimitGroups, type GroupName, type Operation } from '../lib/contract/spec';
import { authenticateBearer, authenticateClient, clientCredentialsOf, clientOfBearer, type Caller, type ClientSeed } from './auth';
import type { FaultName } from './faults';
import type { VariationName } from './variations';
import { handlers } from './handlers';
import type { HandlerResult } from './handlers/context';
import { HttpError, newRequestId, parseJsonBody, readBody, sendError, sendJson, sendSuccess, type Switches } from './http';
import { serveConnect } from './connect';
import { createRateLimiter, rateLimitHeaders, retryAfterHeader, type RateLimiter } from './rate-limit';
import { createStore, type Store } from './store';
import { validateBody, validateParameters } from './validation';

export type { ClientSeed } from './auth';

export interface ReferenceOptions {
  clients: readonly ClientSeed[];
  faults?: readonly FaultName[];
  /** Legitimate alternative behaviours (reference/variations.ts). */
  variations?: readonly VariationName[];
  /** Overrides every rate-limit group's window (fast local runs). */
  windowSeconds?: number;
  /** Milliseconds clock, injectable for tests. */
  now?: () => number;
  /** One line per request; never receives a secret, a token or a query string. */
  log?: (line: string) => void;
  /** Serve HTTPS with this key and certificate chain (PEM; reference/certificate.ts makes one for loopback). */
  tls?: { key: string; cert: string };
  /** An origin (`http://127.0.0.1:PORT`): every request but the stats is answered 307 to it, same path and query (REFERENCE_REDIRECT_TO). */
  redirectTo?: string;
}

export interface ReferenceStats {
  requests: Record<GroupName, number>;
  limited: Record<GroupName, number>;
  /** Requests with a method that is not safe (lib/safety/send-policy.ts) that reached routing, however they were answered. */
  writes: number;
}

export interface Reference {
  url: string;
  close(): Promise<void>;
  reset(): void;
  stats(): ReferenceStats;
}

export type ReferenceHandler = ((req: IncomingMessage, res: ServerResponse) => void) & {
  reset(): void;
  stats(): ReferenceStats;
};

/** Served outside the contract: no auth, no rate limit. */
export const STATS_PATH = '/_reference/stats';

interface App {
  clients: readonly ClientSeed[];
  switches: Switches;
  now: () => number;
  store: Store;
  limiter: RateLimiter;
  stats: ReferenceStats;
  redirectTo: string | undefined;
}

const perGroup = (): Record<GroupName, number> =>
  Object.fromEntries(Object.keys(rateLimitGroups).map((g) => [g, 0])) as Record<GroupName, number>;

const freshStats = (): ReferenceStats => ({ requests: perGroup(), limited: perGroup(), writes: 0 });

function splitUrl(url: string): { pathname: string; query: URLSearchParams } {
  const at = url.indexOf('?');
  return at === -1
    ? { pathname: url, query: new URLSearchParams() }
    : { pathname: url.slice(0, at), query: new URLSearchParams(url.slice(at + 1)) };
}

/** NestJS's answer to an unknown route; the query string is left out so no credential is echoed. */
function matchRoute(method: string, pathname: string): { op: Operation; params: Record<string, string> } {
  let matched: ReturnType<typeof matchOperation>;
  try {
    matched = matchOperation(method, pathname);
  } catch {
    throw new HttpError(400, 'Malformed percent-encoding in path');
  }
  if (!matched) throw new HttpError(404, `Cannot ${method} ${pathname}`);
  return matched;
}

function peerKey(req: IncomingMessage, app: App): string {
  const forwarded = req.headers['x-forwarded-for'];
  if (app.switches.has('rate-limit-trusts-forwarded-for') && typeof forwarded === 'string') return `ip:${forwarded.split(',')[0].trim()}`;
  const peer = `ip:${req.socket.remoteAddress ?? 'unknown'}`;
  return app.switches.has('rate-limit-ip-keyed-by-client') ? `${peer} ${String(req.headers['x-client-id'])}` : peer;
}

/** The client the request authenticates as for `op`, without refusing it; undefined when it does not authenticate. */
function authenticatedClientOf(op: Operation, req: IncomingMessage, query: URLSearchParams, app: App): string | undefined {
  if (op.auth === 'bearer') {
    const caller = authenticateBearer(req, query, app.clients, app.store, app.switches);
    return caller && caller.kind !== 'anyone' ? caller.clientId : undefined;
  }
  return (authenticateClient(req, query, app.clients, app.switches) ?? clientOfBearer(req, app.clients, app.store, app.switches))?.clientId;
}

/**
 * Scope ip: the TCP peer (X-Forwarded-For ignored, A-018). Scope client: the client the request
 * authenticates as (the token's client for bearer calls); a request that does not authenticate
 * counts against its TCP peer, never against the client it names (A-010, RATE-008).
 */
function rateLimitKey(op: Operation, req: IncomingMessage, query: URLSearchParams, app: App): string {
  if (rateLimitGroups[op.group].scope === 'ip') return peerKey(req, app);
  if (app.switches.has('rate-limit-shared-by-clients')) return 'every-client';
  const peer = `ip:${req.socket.remoteAddress ?? 'unknown'}`;
  if (app.switches.has('rate-limit-counts-unauthenticated-by-client-id')) {
    const clientId = req.headers['x-client-id'];
    if (typeof clientId === 'string' && clientId !== '') return `client:${clientId}`;
  }
  const clientId = authenticatedClientOf(op, req, query, app);
  return clientId === undefined ? peer : `client:${clientId}`;
}

/** Counts the request against its key (every request counts, A-010, A-017); the 429 to answer when it is past the limit. */
function countRequest(op: Operation, req: IncomingMessage, query: URLSearchParams, res: ServerResponse, app: App): HttpError | undefined {
  app.stats.requests[op.group] += 1;
  if (app.switches.has('no-rate-limit')) return undefined;
  const decision = app.limiter.hit(op.group, rateLimitKey(op, req, query, app));
  if (decision.allowed) {
    for (const [name, value] of Object.entries(rateLimitHeaders(op.group, decision, app.switches))) res.setHeader(name, value);
    return undefined;
  }
  app.stats.limited[op.group] += 1;
  const status = app.switches.has('rate-limit-503') ? 503 : 429;
  return new HttpError(status, status === 429 ? 'Rate limit exceeded' : 'Service unavailable', retryAfterHeader(decision, app.switches));
}

function authenticate(op: Operation, req: IncomingMessage, query: URLSearchParams, app: App): Caller {
  if (op.auth === 'bearer') {
    const caller = authenticateBearer(req, query, app.clients, app.store, app.switches);
    if (!caller) throw new HttpError(401, 'Invalid or missing access token');
    return caller;
  }
  const client = authenticateClient(req, query, app.clients, app.switches) ?? clientOfBearer(req, app.clients, app.store, app.switches);
  if (!client && app.switches.has('echo-secret-in-error')) {
    throw new HttpError(401, `Invalid client credentials: secret "${clientCredentialsOf(req, query, app.switches).secret ?? ''}" is not valid`);
  }
  if (!client) throw new HttpError(401, 'Invalid client credentials');
  return { kind: 'client', clientId: client.clientId };
}

function requireScopes(op: Operation, caller: Caller, app: App): void {
  if (caller.kind !== 'client' || app.switches.has('ignore-scopes')) return;
  const granted = app.clients.find((c) => c.clientId === caller.clientId)?.scopes ?? [];
  const missing = op.scopes.find((scope) => !granted.includes(scope));
  if (missing) throw new HttpError(403, `Missing scope: ${missing}`);
}

/** Headers the reject-unfamiliar-headers fault lets through. */
const FAMILIAR_X_HEADERS = new Set(['x-client-id', 'x-client-secret', 'x-request-id', 'x-forwarded-for']);

function refuseUnfamiliarHeaders(req: IncomingMessage, app: App): void {
  if (!app.switches.has('reject-unfamiliar-headers')) return;
  const unfamiliar = Object.keys(req.headers).find((name) => name === 'cookie' || name === 'origin' || (name.startsWith('x-') && !FAMILIAR_X_HEADERS.has(name)));
  if (unfamiliar) throw new HttpError(400, `Unexpected header ${unfamiliar}`);
}

async function runPipeline(req: IncomingMessage, res: ServerResponse, pathname: string, query: URLSearchParams, app: App): Promise<HandlerResult> {
  const { op, params: pathParams } = matchRoute(req.method ?? 'GET', pathname);
  refuseUnfamiliarHeaders(req, app);
  const limited = countRequest(op, req, query, res, app);
  const rateLimitLast = app.switches.has('check-order-rate-limit-last');
  const inputBeforeScope = app.switches.has('check-order-input-before-scope');
  if (limited && !rateLimitLast) throw limited;
  const caller = authenticate(op, req, query, app);
  if (!inputBeforeScope) requireScopes(op, caller, app);
  const params = validateParameters(op, pathParams, query, app.switches);
  const body = op.requestSchema ? validateBody(op, parseJsonBody(await readBody(req)), app.switches) : undefined;
  if (inputBeforeScope) requireScopes(op, caller, app);
  // Past the limit, still before the handler: an Authentication request never reaches its public token (A-028).
  if (limited) throw limited;
  return handlers[op.operationId]({ op, caller, params, body, clients: app.clients, store: app.store, switches: app.switches, now: app.now });
}

function asHttpError(error: unknown, log: (line: string) => void): HttpError {
  if (error instanceof HttpError) return error;
  log(`reference: internal error: ${error instanceof Error ? error.message : String(error)}`);
  return new HttpError(500, 'Internal server error');
}

async function serve(req: IncomingMessage, res: ServerResponse, app: App, log: (line: string) => void): Promise<void> {
  const { pathname, query } = splitUrl(req.url ?? '/');
  if (req.method === 'GET' && pathname === STATS_PATH) return sendJson(res, 200, app.stats);
  if (app.redirectTo !== undefined) return redirect(res, `${app.redirectTo}${req.url ?? '/'}`);
  if (!isSafeMethod(req.method ?? 'GET')) app.stats.writes += 1;
  if (await serveConnect(req, res, pathname, query, app.store, app.now(), app.switches)) return;
  const requestId = newRequestId();
  const started = app.now();
  try {
    const result = await runPipeline(req, res, pathname, query, app);
    sendSuccess(res, result.status, result.body, requestId, app.switches);
  } catch (error) {
    if (res.headersSent) res.destroy();
    else sendError(res, asHttpError(error, log), requestId, app.switches);
  }
  log(`${req.method} ${pathname} ${res.statusCode} ${app.now() - started}ms ${requestId}`);
}

/** A temporary redirect that keeps method and body (307), as a moved or misconfigured server answers. */
function redirect(res: ServerResponse, location: string): void {
  res.writeHead(307, { Location: location, 'Content-Length': '0' }).end();
}

/** The origin REFERENCE_REDIRECT_TO names (scheme, host and port only); throws a sentence otherwise. */
export function parseRedirectOrigin(value: string): string {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.pathname !== '/' || url.search || url.hash) {
    throw new Error(`REFERENCE_REDIRECT_TO must be an origin such as http://127.0.0.1:8080 (scheme, host, port; no path), got "${value}".`);
  }
  return url.origin;
}

function assertEveryOperationHandled(): void {
  const unhandled = operations.filter((op) => !handlers[op.operationId]).map((op) => op.operationId);
  if (unhandled.length > 0) throw new Error(`No reference handler for ${unhandled.join(', ')}: add one to reference/handlers/index.ts.`);
}

export function createReferenceHandler(options: ReferenceOptions): ReferenceHandler {
  assertEveryOperationHandled();
  const now = options.now ?? Date.now;
  const log = options.log ?? (() => undefined);
  const switches: Switches = new Set([...(options.faults ?? []), ...(options.variations ?? [])]);
  const app: App = {
    clients: options.clients,
    switches,
    now,
    store: createStore(),
    limiter: createRateLimiter(now, {
      windowSecondsOverride: options.windowSeconds,
      limitOffset: switches.has('rate-limit-one-late') ? 1 : switches.has('rate-limit-one-early') ? -1 : 0,
      windowsNeverEnd: switches.has('window-never-resets'),
    }),
    stats: freshStats(),
    redirectTo: options.redirectTo === undefined ? undefined : parseRedirectOrigin(options.redirectTo),
  };
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    serve(req, res, app, log).catch((error) => {
      log(`reference: failed to answer: ${error instanceof Error ? error.message : String(error)}`);
      res.destroy();
    });
  };
  return Object.assign(handler, {
    reset() {
      app.store.reset();
      app.limiter.reset();
      app.stats = freshStats();
    },
    stats: (): ReferenceStats => structuredClone(app.stats),
  });
}

export async function startReference(options: ReferenceOptions, port = 0, host = '127.0.0.1'): Promise<Reference> {
  const handler = createReferenceHandler(options);
  const server = options.tls ? createTlsServer({ key: options.tls.key, cert: options.tls.cert }, handler) : createServer(handler);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const { port: boundPort } = server.address() as AddressInfo;
  return {
    url: `${options.tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${boundPort}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
    reset: handler.reset,
    stats: handler.stats,
  };
}
