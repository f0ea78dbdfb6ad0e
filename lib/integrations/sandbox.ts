/**
 * The observing sandbox of the client certification: the reference (as a request handler,
 * lib/run/embedded-reference.ts) behind a recorder on 127.0.0.1. Every request is recorded as
 * an ObservedRequest (lib/integrations/observe.ts: what it carried, masked; how it was
 * answered); the scenario's conditions are answered in the reference's stead: a 429 with
 * Retry-After on the Nth request of a group, a 500 on a request and every retry of it, a 403 for
 * a scope. `POST /_observe/finish` (or the command's signal handler) ends the observation.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConfigError } from '../config/errors';
import { matchOperation, reasonPhraseOf, type GroupName, type Operation } from '../contract/spec';
import { maskSecret, redact, redactor } from '../transport/redact';
import type { Injected, ObservedRequest } from './observe';

export const FINISH_PATH = '/_observe/finish';

export interface Scenario {
  description: string;
  /** A 429 with this Retry-After to the Nth request of the group per credentials, and to every request of it until the period has passed. */
  tooManyRequests?: { group: GroupName; nth: number; retryAfterSeconds: number };
  /** A 500 to the Nth request of the operation per credentials, and to every later request with the same method, path, query and credentials. */
  serverError?: { operationId: string; nth: number };
  /** A 403 to every client-credential call of an operation that needs the scope. */
  missingScope?: { scope: string };
}

const TOO_MANY_REQUESTS = { group: 'biller', nth: 3, retryAfterSeconds: 1 } as const;
const SERVER_ERROR = { operationId: 'createLinkToken', nth: 1 } as const;
const MISSING_SCOPE = { scope: 'webhooks:write' } as const;

export const scenarios = {
  all: { description: 'every condition of the scenarios below', tooManyRequests: TOO_MANY_REQUESTS, serverError: SERVER_ERROR, missingScope: MISSING_SCOPE },
  'rate-limit': { description: `a 429 with Retry-After ${TOO_MANY_REQUESTS.retryAfterSeconds} s to ${TOO_MANY_REQUESTS.group} request number ${TOO_MANY_REQUESTS.nth} of each client or token`, tooManyRequests: TOO_MANY_REQUESTS },
  'server-errors': { description: `a 500 to the first ${SERVER_ERROR.operationId} request and to every retry of it`, serverError: SERVER_ERROR },
  'missing-scope': { description: `a 403 to every call that needs ${MISSING_SCOPE.scope}`, missingScope: MISSING_SCOPE },
} satisfies Record<string, Scenario>;

export type ScenarioName = keyof typeof scenarios;
export const scenarioNames = Object.keys(scenarios) as ScenarioName[];

export function parseScenario(text: string): ScenarioName {
  if (!(scenarioNames as string[]).includes(text)) throw new ConfigError(`Unknown scenario "${text}". Use one of: ${scenarioNames.join(', ')}.`);
  return text as ScenarioName;
}

export interface ObserveSandboxOptions {
  scenario: Scenario;
  /** The reference's request handler. */
  handle(req: IncomingMessage, res: ServerResponse): void;
  /** The sandbox's client secrets: found in a URL, they are named (masked). */
  secrets: readonly string[];
  /** Ends the observation; what it resolves with is the answer to POST /_observe/finish. */
  onFinish(): Promise<unknown>;
  port?: number;
}

export interface ObserveSandbox {
  url: string;
  readonly requests: readonly ObservedRequest[];
  close(): Promise<void>;
}

/** Shapes of credentials in a URL: client secrets and tokens of either environment. */
const CREDENTIAL_SHAPES = [/bb_(?:test|live)_[A-Za-z0-9_-]{6,}/g, /(?:access|public)-(?:sandbox|production)-[0-9A-Za-z-]{8,}/g];

/** Credentials a URL carries (known values and known shapes, raw or percent-decoded), masked. */
function credentialsIn(url: string, known: Iterable<string>): string[] {
  let decoded = url;
  try {
    decoded = decodeURIComponent(url);
  } catch {
    // A malformed escape: the raw URL is searched.
  }
  const found = new Set<string>();
  for (const text of [url, decoded]) {
    for (const value of known) if (value.length >= 8 && text.includes(value)) found.add(value);
    for (const shape of CREDENTIAL_SHAPES) for (const match of text.matchAll(shape)) found.add(match[0]);
  }
  return [...found].map(maskSecret);
}

const header = (req: IncomingMessage, name: string): string | undefined => {
  const value = req.headers[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
};

/** The answer of an injected condition, in the error shape of A-001. */
function injectedAnswer(res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}): void {
  const body = JSON.stringify({ statusCode: status, message, error: reasonPhraseOf(status) });
  res.writeHead(status, { ...headers, 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body) }).end(body);
}

/** Counts requests per key and remembers what the scenario answers next. */
class Conditions {
  private readonly counts = new Map<string, number>();
  private readonly limitedUntil = new Map<string, number>();
  private readonly failing = new Set<string>();

  constructor(private readonly scenario: Scenario) {}

  private count(key: string): number {
    const n = (this.counts.get(key) ?? 0) + 1;
    this.counts.set(key, n);
    return n;
  }

  /** The condition that answers this request, if the scenario has one for it. */
  decide(op: Operation, credentials: string, requestKey: string, now: number): { injected: Injected; status: number; message: string; retryAfterSeconds?: number } | undefined {
    const { tooManyRequests, serverError, missingScope } = this.scenario;
    if (tooManyRequests && op.group === tooManyRequests.group) {
      const key = `${op.group} ${credentials}`;
      const until = this.limitedUntil.get(key) ?? 0;
      if (now < until) return { injected: 'too-many-requests', status: 429, message: 'Rate limit exceeded', retryAfterSeconds: Math.max(1, Math.ceil((until - now) / 1000)) };
      if (this.count(key) === tooManyRequests.nth) {
        this.limitedUntil.set(key, now + tooManyRequests.retryAfterSeconds * 1000);
        return { injected: 'too-many-requests', status: 429, message: 'Rate limit exceeded', retryAfterSeconds: tooManyRequests.retryAfterSeconds };
      }
    }
    if (missingScope && op.auth === 'client' && op.scopes.includes(missingScope.scope)) {
      return { injected: 'missing-scope', status: 403, message: `Missing scope: ${missingScope.scope}` };
    }
    if (serverError && op.operationId === serverError.operationId) {
      if (this.failing.has(requestKey) || this.count(`${op.operationId} ${credentials}`) === serverError.nth) {
        this.failing.add(requestKey);
        return { injected: 'server-error', status: 500, message: 'Internal server error' };
      }
    }
    return undefined;
  }
}

/** Credentials an answer hands out: registered with the redactor; an access token's link remembered. */
function learnFromAnswer(body: string, tokens: Map<string, string>, issued: Set<string>): void {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return;
  }
  if (!json || typeof json !== 'object') return;
  const { access_token: accessToken, account_link_id: linkId, public_token: publicToken, secret } = json as Record<string, unknown>;
  for (const value of [accessToken, publicToken, secret]) {
    if (typeof value === 'string') {
      redactor.register(value);
      issued.add(value);
    }
  }
  if (typeof accessToken === 'string' && typeof linkId === 'string') tokens.set(accessToken, linkId);
}

export async function startObserveSandbox(options: ObserveSandboxOptions): Promise<ObserveSandbox> {
  redactor.register(...options.secrets);
  const requests: ObservedRequest[] = [];
  const tokens = new Map<string, string>();
  const issued = new Set<string>(options.secrets);
  const conditions = new Conditions(options.scenario);
  let finishing: Promise<unknown> | undefined;

  const server: Server = createServer((req, res) => {
    const arrivedAt = Date.now();
    const rawUrl = req.url ?? '/';
    const url = new URL(rawUrl, 'http://sandbox');
    if (url.pathname === FINISH_PATH && req.method === 'POST') {
      req.resume();
      finishing ??= options.onFinish();
      void finishing.then((summary) => res.writeHead(200, { 'Content-Type': 'application/json', Connection: 'close' }).end(JSON.stringify(summary)));
      return;
    }
    const op = matchOperation(req.method ?? 'GET', url.pathname)?.op;
    const bearer = /^Bearer\s+(\S+)$/i.exec(header(req, 'authorization') ?? '')?.[1];
    const clientId = header(req, 'x-client-id');
    const secret = header(req, 'x-client-secret');
    const credentials = redact(bearer ? `token ${maskSecret(bearer)}` : clientId ? `client ${clientId}` : secret ? `secret ${maskSecret(secret)}` : 'no credentials');
    const target = redact(rawUrl);
    const decision = op && conditions.decide(op, credentials, `${req.method} ${target} ${credentials}`, arrivedAt);
    const entry: ObservedRequest = {
      n: requests.length + 1,
      arrivedAt,
      answeredAt: arrivedAt,
      method: req.method ?? 'GET',
      target,
      operationId: op?.operationId,
      group: op?.group,
      auth: op?.auth,
      sentClientId: clientId !== undefined,
      sentClientSecret: secret !== undefined,
      secretPrefix: secret === undefined ? undefined : /^bb_(?:test|live)_/.exec(secret)?.[0] ?? 'none',
      credentialsInUrl: credentialsIn(rawUrl, issued),
      credentials,
      tokenLink: bearer === undefined ? undefined : tokens.get(bearer),
      linkAsked: bearer === undefined ? undefined : url.searchParams.get('account_link_id') ?? undefined,
      status: 0,
      injected: decision?.injected,
    };
    requests.push(entry);
    // The Retry-After an answer carries, however it was set (writeHead's headers are not readable back).
    let retryAfter: unknown;
    const writeHead = res.writeHead.bind(res) as (...args: unknown[]) => ServerResponse;
    res.writeHead = ((...args: unknown[]) => {
      const headers = args.find((a): a is Record<string, unknown> => typeof a === 'object' && a !== null && !Array.isArray(a));
      retryAfter = Object.entries(headers ?? {}).find(([name]) => name.toLowerCase() === 'retry-after')?.[1];
      return writeHead(...args);
    }) as ServerResponse['writeHead'];
    res.on('finish', () => {
      entry.answeredAt = Date.now();
      entry.status = res.statusCode;
      const seconds = Number(retryAfter ?? res.getHeader('retry-after'));
      if (res.statusCode === 429 && Number.isFinite(seconds)) entry.retryAfterSeconds = seconds;
    });
    if (decision) {
      req.resume();
      return injectedAnswer(res, decision.status, decision.message, decision.retryAfterSeconds === undefined ? {} : { 'Retry-After': String(decision.retryAfterSeconds) });
    }
    // What the reference hands out (tokens, webhook secrets) is learnt from its answer.
    const chunks: Buffer[] = [];
    const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
    res.end = ((...args: unknown[]) => {
      if (typeof args[0] === 'string' || Buffer.isBuffer(args[0])) chunks.push(Buffer.from(args[0] as string));
      learnFromAnswer(Buffer.concat(chunks).toString('utf8'), tokens, issued);
      return end(...args);
    }) as ServerResponse['end'];
    options.handle(req, res);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => reject(new ConfigError(`The sandbox cannot listen on 127.0.0.1:${options.port ?? 0}: ${error.code === 'EADDRINUSE' ? 'the port is in use; choose another with --port' : error.message}.`)));
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
      setTimeout(() => server.closeAllConnections(), 100).unref();
    }),
  };
}
