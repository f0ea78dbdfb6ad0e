/** Client credentials and per-account Bearer access tokens. */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { keyPrefixes } from '../lib/contract/spec';
import type { Switches } from './http';
import type { Store } from './store';

export interface ClientSeed {
  clientId: string;
  secret: string;
  scopes: readonly string[];
}

/** Who a request acts as once authenticated. `anyone` exists only under faults. */
export type Caller =
  | { kind: 'client'; clientId: string }
  | { kind: 'token'; clientId: string; linkId: string }
  | { kind: 'anyone' };

interface ClientCredentials {
  clientId?: string;
  secret?: string;
}

function headerValue(req: IncomingMessage, name: string, switches: Switches): string | undefined {
  if (switches.has('case-sensitive-header-names')) {
    const index = req.rawHeaders.findIndex((raw, i) => i % 2 === 0 && raw === name);
    return index === -1 ? undefined : req.rawHeaders[index + 1];
  }
  const value = req.headers[name.toLowerCase()];
  return Array.isArray(value) ? value.join(', ') : value;
}

/** What the crash-on-odd-credential fault chokes on. */
const ODD_CREDENTIAL = (value: string | undefined) => value !== undefined && (value.length > 256 || /[^\x00-\x7f]/.test(value));

/** The X-Client-ID / X-Client-Secret pair; the query string counts only under a fault. */
export function clientCredentialsOf(req: IncomingMessage, query: URLSearchParams, switches: Switches): ClientCredentials {
  const fromQuery = switches.has('accept-query-credentials');
  if (switches.has('crash-on-odd-credential')) {
    const raw = [headerValue(req, 'X-Client-ID', switches), headerValue(req, 'X-Client-Secret', switches)];
    if (raw.some(ODD_CREDENTIAL)) throw new TypeError('credential parser: unexpected input');
  }
  return {
    clientId: headerValue(req, 'X-Client-ID', switches) ?? (fromQuery ? query.get('client_id') ?? undefined : undefined),
    secret: headerValue(req, 'X-Client-Secret', switches) ?? (fromQuery ? query.get('client_secret') ?? undefined : undefined),
  };
}

function withoutKeyPrefix(secret: string): string {
  const prefix = Object.values(keyPrefixes).find((p) => secret.startsWith(p));
  return prefix ? secret.slice(prefix.length) : secret;
}

/** Constant-time comparison; hashing first makes the lengths equal. */
function sameSecret(given: string, expected: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/** A sandbox secret must carry the sandbox key prefix, and match exactly. */
function secretMatches(given: string, expected: string, switches: Switches): boolean {
  if (switches.has('ignore-key-prefix')) return sameSecret(withoutKeyPrefix(given), withoutKeyPrefix(expected));
  if (switches.has('secret-prefix-match')) return given.startsWith(expected);
  if (switches.has('secret-case-insensitive')) return sameSecret(given.toLowerCase(), expected.toLowerCase());
  return given.startsWith(keyPrefixes.sandbox) && sameSecret(given, expected);
}

function clientBySecret(secret: string | undefined, clients: readonly ClientSeed[], switches: Switches): ClientSeed | undefined {
  return secret ? clients.find((c) => secretMatches(secret, c.secret, switches)) : undefined;
}

/** The client whose credential pair this request carries, or undefined (401). */
export function authenticateClient(
  req: IncomingMessage,
  query: URLSearchParams,
  clients: readonly ClientSeed[],
  switches: Switches,
): ClientSeed | undefined {
  const { clientId, secret } = clientCredentialsOf(req, query, switches);
  if (clientId === undefined && secret === undefined) return switches.has('accept-anonymous') ? clients[0] : undefined;
  if (clientId === undefined && switches.has('accept-missing-client-id')) return clientBySecret(secret, clients, switches);
  if (!clientId) return undefined;
  if (switches.has('accept-unknown-client')) return clientBySecret(secret, clients, switches);
  const client = clients.find((c) => c.clientId === clientId);
  if (!client) return undefined;
  if (secret === undefined) return switches.has('accept-missing-secret') ? client : undefined;
  if (secret === '') return switches.has('accept-empty-secret') ? client : undefined;
  if (switches.has('accept-wrong-secret')) return client;
  return secretMatches(secret, client.secret, switches) ? client : undefined;
}

/** RFC 6750 §2.1: `Bearer 1*SP b64token`, nothing after the token. */
const AUTHORIZATION = /^(\S+) +([A-Za-z0-9\-._~+/]+=*)$/;

function schemeAccepted(scheme: string, switches: Switches): boolean {
  if (switches.has('accept-any-scheme')) return true;
  if (switches.has('case-sensitive-bearer-scheme')) return scheme === 'Bearer';
  return scheme.toLowerCase() === 'bearer';
}

/** The access token of an `Authorization` header, or undefined when it is malformed or not Bearer. */
export function bearerTokenOf(authorization: string | undefined, switches: Switches): string | undefined {
  if (authorization === undefined) return undefined;
  if (switches.has('accept-trailing-garbage-bearer')) {
    const [scheme = '', token] = authorization.trim().split(/\s+/);
    return token && schemeAccepted(scheme, switches) ? token : undefined;
  }
  const match = AUTHORIZATION.exec(authorization);
  return match && schemeAccepted(match[1], switches) ? match[2] : undefined;
}

/** Under bearer-token-prefix-match, the issued token that `token` starts with. */
function issuedPrefixOf(token: string, store: Store, switches: Switches) {
  if (!switches.has('bearer-token-prefix-match')) return undefined;
  for (const [issuedToken, link] of store.accessTokens) if (token.startsWith(issuedToken)) return link;
  return undefined;
}

/** The caller of a Bearer operation, or undefined (401). Client credentials count only under a fault. */
export function authenticateBearer(
  req: IncomingMessage,
  query: URLSearchParams,
  clients: readonly ClientSeed[],
  store: Store,
  switches: Switches,
): Caller | undefined {
  const token = bearerTokenOf(req.headers.authorization, switches);
  const issued = token === undefined ? undefined : store.accessTokens.get(token) ?? issuedPrefixOf(token, store, switches);
  if (issued) return { kind: 'token', ...issued };
  if (token?.startsWith('access-') && switches.has('accept-unknown-token')) return { kind: 'anyone' };
  if (switches.has('bills-accept-client-credentials')) {
    const client = authenticateClient(req, query, clients, switches);
    if (client) return { kind: 'client', clientId: client.clientId };
  }
  if (req.headers.authorization === undefined && switches.has('bills-without-token')) return { kind: 'anyone' };
  return undefined;
}

/** The client a valid access token belongs to: for client-credential endpoints only under a fault. */
export function clientOfBearer(req: IncomingMessage, clients: readonly ClientSeed[], store: Store, switches: Switches) {
  if (!switches.has('billers-accept-bearer')) return undefined;
  const token = bearerTokenOf(req.headers.authorization, switches);
  const issued = token === undefined ? undefined : store.accessTokens.get(token);
  return issued && clients.find((c) => c.clientId === issued.clientId);
}
