/**
 * Verification of `BillerAPI-Signature` (A-023), as Stripe's `Stripe-Signature`:
 * `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>" keyed with the webhook secret>`.
 * Standalone (node:crypto only), so that partners can copy it into their receivers.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** Stripe's default tolerance: a timestamp more than 5 minutes from the receiver's clock is refused. */
export const DEFAULT_TOLERANCE_SECONDS = 300;

export const SIGNATURE_HEADER = 'BillerAPI-Signature';
export const EVENT_ID_HEADER = 'BillerAPI-Event-Id';

/** The event ID a delivery's BillerAPI-Event-Id header carries (Node lower-cases header names), if it has one. */
export function deliveredEventId(headers: Readonly<Record<string, string | string[] | undefined>>): string | undefined {
  const value = headers[EVENT_ID_HEADER.toLowerCase()];
  return typeof value === 'string' ? value : undefined;
}

export interface VerifyWebhookSignatureOptions {
  /** The request body exactly as received; never a re-serialized JSON object. */
  rawBody: string | Buffer;
  /** The `BillerAPI-Signature` header value, undefined when absent. */
  header: string | undefined;
  /** The current secret and any still-valid rotated ones; one match is enough. */
  secrets: readonly string[];
  /** How far the timestamp may be from `nowSeconds`, either way. Default 300 (5 minutes). */
  toleranceSeconds?: number;
  /** The receiver's clock in unix seconds. Default: now. */
  nowSeconds?: number;
}

export type SignatureVerdict = { valid: true; timestamp: number } | { valid: false; reason: string };

export interface ParsedSignatureHeader {
  timestamp: number;
  /** Every `v1` value, lower-case hex; several during a secret rotation. */
  signatures: string[];
}

const HEX_SHA256 = /^[0-9a-f]{64}$/;

/** Splits `t=…,v1=…[,v1=…]`; undefined when there is no single integer `t` or no well-formed `v1`. Other schemes (`v0=`) are ignored. */
export function parseSignatureHeader(header: string): ParsedSignatureHeader | undefined {
  const timestamps: string[] = [];
  const signatures: string[] = [];
  for (const part of header.split(',')) {
    const at = part.indexOf('=');
    if (at === -1) return undefined;
    const key = part.slice(0, at).trim();
    const value = part.slice(at + 1).trim();
    if (key === 't') timestamps.push(value);
    else if (key === 'v1') signatures.push(value.toLowerCase());
  }
  if (timestamps.length !== 1 || !/^\d{1,15}$/.test(timestamps[0])) return undefined;
  if (signatures.length === 0 || !signatures.every((s) => HEX_SHA256.test(s))) return undefined;
  return { timestamp: Number(timestamps[0]), signatures };
}

/** The hex `v1` signature of a body: HMAC-SHA256 of `"<t>.<raw body>"` keyed with the secret. */
export function computeSignature(secret: string, rawBody: string | Buffer, unixSeconds: number): string {
  return createHmac('sha256', secret).update(`${unixSeconds}.`).update(rawBody).digest('hex');
}

/** A whole `BillerAPI-Signature` value, one `v1` per secret (for tests and senders). */
export function signWebhook(secret: string | readonly string[], rawBody: string | Buffer, unixSeconds: number): string {
  const secrets = typeof secret === 'string' ? [secret] : secret;
  return [`t=${unixSeconds}`, ...secrets.map((s) => `v1=${computeSignature(s, rawBody, unixSeconds)}`)].join(',');
}

/** Constant-time comparison of two hex digests of equal length. */
function sameDigest(expectedHex: string, receivedHex: string): boolean {
  const expected = Buffer.from(expectedHex, 'hex');
  const received = Buffer.from(receivedHex, 'hex');
  return expected.length === received.length && timingSafeEqual(expected, received);
}

/**
 * Verifies a delivery before its body is parsed. Checks, in order: the header is present,
 * well formed, its timestamp is within the tolerance, and one `v1` matches one secret.
 */
export function verifyWebhookSignature(options: VerifyWebhookSignatureOptions): SignatureVerdict {
  const { rawBody, header, secrets, toleranceSeconds = DEFAULT_TOLERANCE_SECONDS, nowSeconds = Math.floor(Date.now() / 1000) } = options;
  if (header === undefined || header.trim() === '') {
    return { valid: false, reason: `The ${SIGNATURE_HEADER} header is missing.` };
  }
  const parsed = parseSignatureHeader(header);
  if (!parsed) {
    return { valid: false, reason: `The ${SIGNATURE_HEADER} header is malformed: expected t=<unix seconds>,v1=<64 hex digits>.` };
  }
  const skew = parsed.timestamp - nowSeconds;
  if (Math.abs(skew) > toleranceSeconds) {
    return { valid: false, reason: `The signature timestamp is ${Math.abs(skew)} s ${skew < 0 ? 'old' : 'in the future'}, outside the ${toleranceSeconds} s tolerance.` };
  }
  const matched = secrets.some((secret) => {
    const expected = computeSignature(secret, rawBody, parsed.timestamp);
    // Every v1 is compared (no early exit on the first mismatch) so timing does not tell which one failed.
    return parsed.signatures.map((received) => sameDigest(expected, received)).includes(true);
  });
  return matched
    ? { valid: true, timestamp: parsed.timestamp }
    : { valid: false, reason: `No v1 signature matches the raw body with ${secrets.length === 1 ? 'the secret' : `any of the ${secrets.length} secrets`}.` };
}
