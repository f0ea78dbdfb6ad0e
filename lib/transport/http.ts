/**
 * lib/transport/ — how a request travels: one HTTP request with its timeout (http.ts), the
 * operation client and its exchanges (client.ts), the credentials a request carries (auth.ts),
 * and the one redactor every output goes through (redact.ts). Imports lib/contract/, lib/config/
 * and lib/safety/ (what may be sent where).
 */
/**
 * The transport: node:http(s), not Playwright's APIRequestContext. Playwright records every
 * API call's URL as a report step and, when a call fails, its request headers in the call log,
 * so a client secret would reach the HTML report unredacted. node:http also keeps header names
 * exactly as written, which the header-case checks need.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import tls from 'node:tls';
import { caFileOf } from '../config/env';

export interface HttpRequest {
  method: string;
  url: string;
  /** Name/value pairs, sent in order with their case kept; a name may repeat. */
  headers: readonly (readonly [string, string])[];
  body?: string;
}

export interface HttpResponse {
  status: number;
  statusText: string;
  /** Header names lower-cased; repeated headers joined with ", ". */
  headers: Record<string, string>;
  body: string;
  durationMs: number;
}

export const DEFAULT_TIMEOUT_MS = 10_000;
const MAX_BODY_BYTES = 5 * 1024 * 1024;

const httpAgent = new http.Agent({ keepAlive: true });
const httpsAgents = new Map<string, https.Agent>();

/**
 * Node's roots plus `extraAuthorities`. An explicit `ca` replaces Node's default store, which
 * also holds NODE_EXTRA_CA_CERTS, so that file is added back. Verification itself is never relaxed.
 */
export function httpsAgentOptions(extraAuthorities: readonly string[], nodeExtraCaCerts?: string): https.AgentOptions {
  if (extraAuthorities.length === 0) return { keepAlive: true };
  return { keepAlive: true, ca: [...tls.rootCertificates, ...(nodeExtraCaCerts ? [nodeExtraCaCerts] : []), ...extraAuthorities] };
}

/** The PEM text of a CA file; throws a sentence naming the file when it cannot be used. */
export function readCertificateAuthority(path: string): string {
  let pem: string;
  try {
    pem = readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(`cannot read the CA file ${path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw new Error(`the CA file ${path} holds no PEM certificate`);
  return pem;
}

/** The certificates of NODE_EXTRA_CA_CERTS; an unreadable file is ignored, as Node itself does (with a warning). */
function nodeExtraCaCerts(): string | undefined {
  const path = process.env.NODE_EXTRA_CA_CERTS;
  try {
    return path ? readFileSync(path, 'utf8') : undefined;
  } catch {
    return undefined;
  }
}

/** One keep-alive agent per CA file (none: Node's default trust), made on first use. */
function httpsAgent(caFile: string | undefined): https.Agent {
  const key = caFile ?? '';
  let agent = httpsAgents.get(key);
  if (!agent) {
    agent = new https.Agent(httpsAgentOptions(caFile ? [readCertificateAuthority(caFile)] : [], nodeExtraCaCerts()));
    httpsAgents.set(key, agent);
  }
  return agent;
}

/** Raw header list; Node adds no Host header to a raw list, so it is added here unless given. */
function flatHeaders(request: HttpRequest, url: URL): string[] {
  const flat = request.headers.flatMap(([name, value]) => [name, value]);
  if (!request.headers.some(([name]) => name.toLowerCase() === 'host')) flat.unshift('Host', url.host);
  if (request.body !== undefined) flat.push('Content-Length', String(Buffer.byteLength(request.body)));
  return flat;
}

function joinedHeaders(raw: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i].toLowerCase();
    out[name] = name in out ? `${out[name]}, ${raw[i + 1]}` : raw[i + 1];
  }
  return out;
}

/**
 * Sends one request; rejects on network errors, bodies over 5 MiB and after `timeoutMs`.
 * A redirect is returned as it is, never followed: the credentials must not go where it points.
 * HTTPS trusts Node's roots and the CA file of BILLERAPI_CA_FILE, if set.
 */
export function send(request: HttpRequest, timeoutMs = DEFAULT_TIMEOUT_MS, retried = false): Promise<HttpResponse> {
  const url = new URL(request.url);
  const isHttps = url.protocol === 'https:';
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const agent = isHttps ? httpsAgent(caFileOf(process.env)) : httpAgent;
    const req = (isHttps ? https : http).request(url, {
      method: request.method,
      headers: flatHeaders(request, url) as unknown as http.OutgoingHttpHeaders,
      agent,
      timeout: timeoutMs,
    });
    const timer = setTimeout(() => req.destroy(new Error(`no response within ${timeoutMs} ms`)), timeoutMs);
    req.on('timeout', () => req.destroy(new Error(`no response within ${timeoutMs} ms`)));
    req.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      // A kept-alive socket the server closed while idle: the request never reached it, so it
      // is sent once more on a fresh socket (the retry Node's documentation recommends).
      if (req.reusedSocket && error.code === 'ECONNRESET' && !retried) resolve(send(request, timeoutMs, true));
      else reject(error);
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_BODY_BYTES) req.destroy(new Error(`response body over ${MAX_BODY_BYTES} bytes`));
        else chunks.push(chunk);
      });
      res.on('error', reject);
      res.on('end', () => {
        clearTimeout(timer);
        resolve({
          status: res.statusCode ?? 0,
          statusText: res.statusMessage ?? '',
          headers: joinedHeaders(res.rawHeaders),
          body: Buffer.concat(chunks).toString('utf8'),
          durationMs: performance.now() - started,
        });
      });
    });
    if (request.body !== undefined) req.write(request.body);
    req.end();
  });
}
