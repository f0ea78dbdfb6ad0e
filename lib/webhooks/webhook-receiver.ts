/**
 * lib/webhooks/ — the integration side of webhooks: the receiver the suite runs on loopback
 * (webhook-receiver.ts) and the signature scheme (webhook-signature.ts). Imports only
 * lib/config/errors.ts.
 */
/**
 * The harness's webhook receiver: an HTTP server on 127.0.0.1 that records every delivery
 * exactly as received, and can answer 500 to provoke retries.
 * BILLERAPI_WEBHOOK_RECEIVER_PORT fixes its port (for a tunnel to forward to);
 * BILLERAPI_WEBHOOK_RECEIVER_URL is the public URL that forwards to it, registered instead of the local one.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConfigError } from '../config/errors';

export const RECEIVER_PATH = '/billerapi-webhooks';
const LOOPBACK_HOST = '127.0.0.1';
const POLL_MS = 25;
const LISTEN_RETRY_MS = 5_000;

export interface Delivery {
  method: string;
  /** Path and query, as requested. */
  path: string;
  /** The body bytes as received, decoded as UTF-8 (never re-serialized). */
  rawBody: string;
  /** Lower-case header names, as Node gives them. */
  headers: IncomingHttpHeaders;
  /** Receiver clock, milliseconds since the epoch, when the request line arrived. */
  receivedAtMs: number;
  /** The status the receiver answered. */
  answered: number;
}

export interface ReceiverOptions {
  /** Fixed local port; 0 (default) picks a free one. */
  port?: number;
  /** Public URL forwarding to this receiver; default `http://127.0.0.1:<port>/billerapi-webhooks`. */
  publicUrl?: string;
  /** Must be loopback: the harness never listens on a reachable interface. */
  host?: string;
}

export interface WebhookReceiver {
  /** The URL to register. */
  readonly url: string;
  /** Whether `url` is the receiver's own loopback URL (no public forwarding). */
  readonly local: boolean;
  readonly deliveries: readonly Delivery[];
  /** The next `count` requests are answered 500 (then 200 again). */
  failNext(count: number): void;
  /**
   * Every request arriving within `ms` of the first one after this call is answered 500, later
   * ones 200: retries go on until one comes at least `ms` after the first attempt, however
   * often the sender retries in between.
   */
  failWithin(ms: number): void;
  /** Forgets deliveries and pending failures. */
  reset(): void;
  /** The deliveries once `predicate` holds, or undefined after `timeoutMs` (never hangs). */
  waitFor(predicate: (deliveries: readonly Delivery[]) => boolean, timeoutMs: number): Promise<readonly Delivery[] | undefined>;
  close(): Promise<void>;
}

/** The receiver options the environment asks for; a bad value is a configuration error. */
export function receiverOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): ReceiverOptions {
  const portText = env.BILLERAPI_WEBHOOK_RECEIVER_PORT?.trim();
  const publicUrl = env.BILLERAPI_WEBHOOK_RECEIVER_URL?.trim() || undefined;
  let port = 0;
  if (portText) {
    port = Number(portText);
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      throw new ConfigError(`BILLERAPI_WEBHOOK_RECEIVER_PORT must be a port number (1-65535), not "${portText}".`);
    }
  }
  if (publicUrl !== undefined && !URL.canParse(publicUrl)) {
    throw new ConfigError(`BILLERAPI_WEBHOOK_RECEIVER_URL must be an absolute URL (https://…/billerapi-webhooks), not "${publicUrl}".`);
  }
  return { port, publicUrl };
}

/** A fixed port may still be held by the previous test's receiver closing: retry for a few seconds. */
async function listen(server: Server, host: string, port: number): Promise<void> {
  const deadline = Date.now() + LISTEN_RETRY_MS;
  for (;;) {
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          resolve();
        });
      });
      return;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'EADDRINUSE' || port === 0 || Date.now() >= deadline) {
        throw new ConfigError(`The webhook receiver cannot listen on ${host}:${port}: ${(error as Error).message}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

export async function startWebhookReceiver(options: ReceiverOptions = {}): Promise<WebhookReceiver> {
  const host = options.host ?? LOOPBACK_HOST;
  if (host !== LOOPBACK_HOST) {
    throw new ConfigError(`The webhook receiver listens on ${LOOPBACK_HOST} only, not ${host}: expose it through a tunnel and set BILLERAPI_WEBHOOK_RECEIVER_URL.`);
  }
  const deliveries: Delivery[] = [];
  let failuresLeft = 0;
  let failing: { ms: number; fromMs?: number } | undefined;

  const server: Server = createServer((req, res) => {
    const receivedAtMs = Date.now();
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (failing) failing.fromMs ??= receivedAtMs;
      const withinFailing = failing !== undefined && receivedAtMs - failing.fromMs! < failing.ms;
      const answered = failuresLeft > 0 || withinFailing ? 500 : 200;
      if (failuresLeft > 0) failuresLeft--;
      deliveries.push({
        method: req.method ?? '',
        path: req.url ?? '',
        rawBody: Buffer.concat(chunks).toString('utf8'),
        headers: req.headers,
        receivedAtMs,
        answered,
      });
      res.writeHead(answered, { 'Content-Type': 'text/plain; charset=utf-8', Connection: 'close' });
      res.end(answered === 200 ? 'ok' : 'failing on purpose to provoke a retry');
    });
  });
  await listen(server, host, options.port ?? 0);
  const { port } = server.address() as AddressInfo;
  const url = options.publicUrl ?? `http://${host}:${port}${RECEIVER_PATH}`;

  return {
    url,
    local: options.publicUrl === undefined,
    deliveries,
    failNext(count) {
      failuresLeft = count;
    },
    failWithin(ms) {
      failing = { ms };
    },
    reset() {
      deliveries.length = 0;
      failuresLeft = 0;
      failing = undefined;
    },
    async waitFor(predicate, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        if (predicate(deliveries)) return [...deliveries];
        if (Date.now() >= deadline) return undefined;
        await new Promise((resolve) => setTimeout(resolve, Math.min(POLL_MS, Math.max(1, deadline - Date.now()))));
      }
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
