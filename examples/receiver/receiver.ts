/**
 * A BillerAPI webhook receiver, as a partner writes one with node:http: it reads
 * the raw body, verifies BillerAPI-Signature over those bytes with lib/webhooks/webhook-signature.ts
 * before parsing anything, answers 400 to a delivery that does not verify, and acknowledges an
 * event it has already processed without processing it again (BillerAPI retries until it gets a
 * 2xx). `npm run receiver -- --url … --secret …` certifies it (tests/receiver-certification.spec.ts).
 *
 *   BILLERAPI_WEBHOOK_SECRET=whsec_… PORT=3000 npx tsx examples/receiver/receiver.ts
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SIGNATURE_HEADER, verifyWebhookSignature } from '../../lib/webhooks/webhook-signature';

/** Why a delivery is not BillerAPI's, or undefined when it is. */
export type Verify = (rawBody: Buffer, signature: string | undefined) => string | undefined;

export interface ReceiverOptions {
  /** The webhook's secret, and during a rotation the previous one too. */
  secrets: readonly string[];
  /** How a delivery is verified; default: `verifyWebhookSignature` with every secret, 5 minutes either way. */
  verify?: Verify;
  /** An event already processed, delivered again: acknowledged (default), or refused (409). */
  redelivery?: 'acknowledge' | 'refuse';
  /** Called once for each new event. */
  onEvent?: (event: { event_id: string; event_type: string }) => void;
}

export function verifiedWith(secrets: readonly string[]): Verify {
  return (rawBody, signature) => {
    const verdict = verifyWebhookSignature({ rawBody, header: signature, secrets });
    return verdict.valid ? undefined : verdict.reason;
  };
}

function answer(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' }).end(text);
}

function readRawBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export function createReceiver(options: ReceiverOptions): Server {
  const verify = options.verify ?? verifiedWith(options.secrets);
  // In production: a table with a unique key on event_id, written in the same transaction as the event's effects.
  const processed = new Set<string>();
  return createServer(async (req, res) => {
    if (req.method !== 'POST') return answer(res, 405, 'BillerAPI delivers events with POST');
    const rawBody = await readRawBody(req);
    const signature = req.headers[SIGNATURE_HEADER.toLowerCase()];
    const refusal = verify(rawBody, typeof signature === 'string' ? signature : undefined);
    if (refusal) return answer(res, 400, refusal);
    let event: { event_id: string; event_type: string };
    try {
      event = JSON.parse(rawBody.toString('utf8'));
    } catch {
      return answer(res, 400, 'the body is not JSON');
    }
    if (processed.has(event.event_id)) {
      return options.redelivery === 'refuse' ? answer(res, 409, 'event already processed') : answer(res, 200, 'event already processed');
    }
    processed.add(event.event_id);
    options.onEvent?.(event);
    answer(res, 200, 'ok');
  });
}

/** Listens on 127.0.0.1; resolves with the URL to register. */
export function listen(server: Server, port = 0): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`));
  });
}

if (require.main === module) {
  const secret = process.env.BILLERAPI_WEBHOOK_SECRET;
  if (!secret) {
    console.error('receiver: set BILLERAPI_WEBHOOK_SECRET to the whsec_… secret BillerAPI returned when the webhook was registered.');
    process.exit(2);
  }
  const server = createReceiver({ secrets: [secret], onEvent: (event) => console.log(`receiver: ${event.event_type} ${event.event_id}`) });
  void listen(server, Number(process.env.PORT ?? 3000)).then((url) => console.log(`receiver: listening on ${url}`));
}
