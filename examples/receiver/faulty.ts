/**
 * Faulty webhook receivers: examples/receiver/receiver.ts with its verification replaced by a
 * mistake partners make, each naming the RECV requirements it breaks (all of them: the
 * receiver certification must fail exactly those, tests/receiver-certification.spec.ts). The
 * receiver side of reference/faults.ts: tests/catalogue.spec.ts asks that every RECV
 * requirement be broken by one of them.
 */
import { timingSafeEqual } from 'node:crypto';
import type { RequirementId } from '../../schemas/requirements';
import { computeSignature, DEFAULT_TOLERANCE_SECONDS, parseSignatureHeader, verifyWebhookSignature } from '../../lib/webhooks/webhook-signature';
import type { ReceiverOptions, Verify } from './receiver';

export interface FaultyReceiver {
  breaks: readonly RequirementId[];
  description: string;
  /** The receiver's options for a webhook with `secret`. */
  options(secret: string): ReceiverOptions;
}

const nowSeconds = () => Math.floor(Date.now() / 1000);
const reasonOf = (verdict: ReturnType<typeof verifyWebhookSignature>) => (verdict.valid ? undefined : verdict.reason);

/** `verify` for the webhook's one secret. */
const verifying = (make: (secret: string) => Verify) => (secret: string): ReceiverOptions => ({ secrets: [secret], verify: make(secret) });

export const faultyReceivers = {
  'no-verification': {
    breaks: ['RECV-002', 'RECV-003', 'RECV-004', 'RECV-005', 'RECV-006', 'RECV-007', 'RECV-008'],
    description: 'processes every delivery without looking at its signature',
    options: verifying(() => () => undefined),
  },
  'verifies-reserialized-json': {
    breaks: ['RECV-001', 'RECV-003'],
    description: 'verifies the signature over JSON.stringify(JSON.parse(body)) (what a framework\'s JSON body parser leaves) instead of the raw bytes',
    options: verifying((secret) => (rawBody, header) => {
      let reserialized: string;
      try {
        reserialized = JSON.stringify(JSON.parse(rawBody.toString('utf8')));
      } catch {
        return 'the body is not JSON';
      }
      return reasonOf(verifyWebhookSignature({ rawBody: reserialized, header, secrets: [secret] }));
    }),
  },
  'no-timestamp-check': {
    breaks: ['RECV-004', 'RECV-005'],
    description: 'verifies the signature but accepts any timestamp, so a captured delivery can be replayed forever',
    options: verifying((secret) => (rawBody, header) => reasonOf(verifyWebhookSignature({ rawBody, header, secrets: [secret], toleranceSeconds: Number.POSITIVE_INFINITY }))),
  },
  'tolerance-looks-back-only': {
    breaks: ['RECV-005'],
    description: 'refuses a timestamp more than 5 minutes old but accepts any in the future',
    options: verifying((secret) => (rawBody, header) => {
      const parsed = header === undefined ? undefined : parseSignatureHeader(header);
      if (parsed && nowSeconds() - parsed.timestamp > DEFAULT_TOLERANCE_SECONDS) return 'the signature is too old';
      return reasonOf(verifyWebhookSignature({ rawBody, header, secrets: [secret], toleranceSeconds: Number.POSITIVE_INFINITY }));
    }),
  },
  'prefix-compare': {
    breaks: ['RECV-008'],
    description: 'parses the header by hand and compares only as many characters as the received v1 has, so a prefix of the signature (or an empty one) matches',
    options: verifying((secret) => (rawBody, header) => {
      const parts = (header ?? '').split(',').map((part) => part.split('=') as [string, string | undefined]);
      const timestamps = parts.filter(([key]) => key === 't').map(([, value]) => Number(value));
      const received = parts.filter(([key]) => key === 'v1').map(([, value]) => value ?? '');
      if (timestamps.length !== 1 || !Number.isInteger(timestamps[0]) || received.length === 0) return 'malformed signature header';
      if (Math.abs(nowSeconds() - timestamps[0]) > DEFAULT_TOLERANCE_SECONDS) return 'the signature is outside the tolerance';
      const expected = Buffer.from(computeSignature(secret, rawBody, timestamps[0]));
      const matches = received.some((v1) => {
        const given = Buffer.from(v1);
        return given.length <= expected.length && timingSafeEqual(expected.subarray(0, given.length), given);
      });
      return matches ? undefined : 'no v1 matches';
    }),
  },
  'first-v1-only': {
    breaks: ['RECV-009'],
    description: 'compares only the first v1 of the header, so a rotation whose valid signature comes second is refused',
    options: verifying((secret) => (rawBody, header) => {
      const parsed = header === undefined ? undefined : parseSignatureHeader(header);
      if (!parsed) return 'malformed signature header';
      return reasonOf(verifyWebhookSignature({ rawBody, header: `t=${parsed.timestamp},v1=${parsed.signatures[0]}`, secrets: [secret] }));
    }),
  },
  'refuses-redelivery': {
    breaks: ['RECV-010'],
    description: 'answers 409 to an event it has already processed, so BillerAPI retries it until it gives up',
    options: (secret) => ({ secrets: [secret], redelivery: 'refuse' }),
  },
} satisfies Record<string, FaultyReceiver>;

export type FaultyReceiverName = keyof typeof faultyReceivers;
export const faultyReceiverNames = Object.keys(faultyReceivers) as FaultyReceiverName[];
