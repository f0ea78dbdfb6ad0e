/**
 * The transport: node:http(s), not Playwright's APIRequestContext. Playwright records every
 * API call's URL as a report step and, when a call fails, its request headers in the call log,
 * so a client secret would reach the HTML report unredacted. node:http also keeps header names
 * exactly as written, which the header-case checks need.
 */
import http from 'node:http';
import https from 'node:https';

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

const agents = { http: new http.Agent({ keepAlive: true }), https: new https.Agent({ keepAlive: true }) };

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

/** Sends one request; rejects on network errors, bodies over 5 MiB and after `timeoutMs`. */
export function send(request: HttpRequest, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<HttpResponse> {
  const url = new URL(request.url);
  const isHttps = url.protocol === 'https:';
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = (isHttps ? https : http).request(url, {
      method: request.method,
      headers: flatHeaders(request, url) as unknown as http.OutgoingHttpHeaders,
      agent: isHttps ? agents.https : agents.http,
      timeout: timeoutMs,
    });
    const timer = setTimeout(() => req.destroy(new Error(`no response within ${timeoutMs} ms`)), timeoutMs);
    req.on('timeout', () => req.destroy(new Error(`no response within ${timeoutMs} ms`)));
    req.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
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
