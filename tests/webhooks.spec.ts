/** Unit tests of the webhook signature verifier (lib/webhooks/webhook-signature.ts) and the harness receiver (lib/webhooks/webhook-receiver.ts). */
import { test, expect } from '@playwright/test';
import { computeSignature, parseSignatureHeader, signWebhook, verifyWebhookSignature, type VerifyWebhookSignatureOptions } from '../lib/webhooks/webhook-signature';
import { receiverOptionsFromEnv, startWebhookReceiver } from '../lib/webhooks/webhook-receiver';

const SECRET = 'whsec_test0123456789abcdef0123456789ab';
const ROTATED = 'whsec_rotated0123456789abcdef01234567';
const T = 1700000000;
const BODY = '{"event_id":"evt_0123456789abcdef01234567","event_type":"BILLS_UPDATED","created_at":"2023-11-14T22:13:20.000Z","data":{}}';

/**
 * Known vectors, computed once outside this code with OpenSSL:
 *   printf '%s' "1700000000.$BODY" | openssl dgst -sha256 -hmac "$SECRET"
 * (and with -hmac "$ROTATED" for the second).
 */
const V1_SECRET = 'b48a33d3589947707cf2532ad1bf5f440eb20552df24b7958670d8a2e758c039';
const V1_ROTATED = '6de53ccbc866907da475007f663347c2772e8467e6f9c78db56a02dd59319363';

const valid = (overrides: Partial<VerifyWebhookSignatureOptions> = {}) =>
  verifyWebhookSignature({ rawBody: BODY, header: `t=${T},v1=${V1_SECRET}`, secrets: [SECRET], nowSeconds: T, ...overrides });

test('computes the OpenSSL vectors', () => {
  expect(computeSignature(SECRET, BODY, T)).toBe(V1_SECRET);
  expect(computeSignature(ROTATED, BODY, T)).toBe(V1_ROTATED);
  expect(signWebhook(SECRET, BODY, T)).toBe(`t=${T},v1=${V1_SECRET}`);
  expect(signWebhook([SECRET, ROTATED], BODY, T)).toBe(`t=${T},v1=${V1_SECRET},v1=${V1_ROTATED}`);
});

test('accepts the known vector and returns its timestamp', () => {
  expect(valid()).toEqual({ valid: true, timestamp: T });
});

const ACCEPTED: [string, { given: Partial<VerifyWebhookSignatureOptions> }][] = [
  ['raw body as a Buffer', { given: { rawBody: Buffer.from(BODY, 'utf8') } }],
  ['rotation: the second v1 matches', { given: { header: `t=${T},v1=${'0'.repeat(64)},v1=${V1_SECRET}` } }],
  ['rotation: the old secret of several', { given: { header: `t=${T},v1=${V1_ROTATED}`, secrets: [SECRET, ROTATED] } }],
  ['timestamp exactly 300 s old', { given: { nowSeconds: T + 300 } }],
  ['timestamp exactly 300 s ahead', { given: { nowSeconds: T - 300 } }],
  ['upper-case hex and spaces after commas', { given: { header: `t=${T}, v1=${V1_SECRET.toUpperCase()}` } }],
  ['an unknown scheme beside v1 (v0)', { given: { header: `t=${T},v0=abc,v1=${V1_SECRET}` } }],
];

for (const [name, { given }] of ACCEPTED) {
  test(`accepts: ${name}`, () => {
    expect(valid(given)).toEqual({ valid: true, timestamp: T });
  });
}

const tamperedBody = BODY.replace('BILLS_UPDATED', 'BILLS_UPDATEE');
const REJECTED: [string, { given: Partial<VerifyWebhookSignatureOptions>; want: RegExp }][] = [
  ['body with one byte changed', { given: { rawBody: tamperedBody }, want: /^No v1 signature matches/ }],
  ['body re-serialized (pretty-printed)', { given: { rawBody: JSON.stringify(JSON.parse(BODY), null, 2) }, want: /^No v1 signature matches/ }],
  ['stale timestamp (301 s old)', { given: { nowSeconds: T + 301 }, want: /301 s old, outside the 300 s tolerance/ }],
  ['far-future timestamp (1 hour ahead)', { given: { nowSeconds: T - 3600 }, want: /3600 s in the future/ }],
  ['custom tolerance (60 s)', { given: { nowSeconds: T + 61, toleranceSeconds: 60 }, want: /outside the 60 s tolerance/ }],
  ['wrong secret', { given: { secrets: ['whsec_wrong0123456789abcdef0123456789'] }, want: /^No v1 signature matches the raw body with the secret/ }],
  ['no secret configured', { given: { secrets: [] }, want: /^No v1 signature matches/ }],
  ['missing header', { given: { header: undefined }, want: /^The BillerAPI-Signature header is missing\.$/ }],
  ['empty header', { given: { header: '' }, want: /is missing/ }],
  ['header without t', { given: { header: `v1=${V1_SECRET}` }, want: /is malformed/ }],
  ['header without v1', { given: { header: `t=${T}` }, want: /is malformed/ }],
  ['two timestamps', { given: { header: `t=${T},t=${T + 1},v1=${V1_SECRET}` }, want: /is malformed/ }],
  ['non-numeric timestamp', { given: { header: `t=soon,v1=${V1_SECRET}` }, want: /is malformed/ }],
  ['short v1 (truncated digest)', { given: { header: `t=${T},v1=${V1_SECRET.slice(0, 63)}` }, want: /is malformed/ }],
  ['Stripe-style part without =', { given: { header: `t=${T},${V1_SECRET}` }, want: /is malformed/ }],
  ['signature of another timestamp', { given: { header: `t=${T + 1},v1=${V1_SECRET}` }, want: /^No v1 signature matches/ }],
];

for (const [name, { given, want }] of REJECTED) {
  test(`rejects: ${name}`, () => {
    const verdict = valid(given);
    expect(verdict.valid).toBe(false);
    if (!verdict.valid) expect(verdict.reason).toMatch(want);
  });
}

test('parses every v1 of a rotation header', () => {
  expect(parseSignatureHeader(`t=${T},v1=${V1_SECRET},v1=${V1_ROTATED}`)).toEqual({ timestamp: T, signatures: [V1_SECRET, V1_ROTATED] });
  expect(parseSignatureHeader('garbage')).toBeUndefined();
});

test('the receiver records raw deliveries, answers 500 on demand, and waitFor is bounded', async () => {
  const receiver = await startWebhookReceiver();
  try {
    expect(receiver.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/billerapi-webhooks$/);
    expect(receiver.local).toBe(true);
    receiver.failNext(1);
    const pretty = '{\n  "a": 1\n}';
    const first = await fetch(receiver.url, { method: 'POST', body: pretty, headers: { 'BillerAPI-Signature': 't=1,v1=00' } });
    const second = await fetch(`${receiver.url}?x=1`, { method: 'POST', body: '{}' });
    expect([first.status, second.status]).toEqual([500, 200]);
    const seen = await receiver.waitFor((d) => d.length === 2, 1_000);
    expect(seen?.map((d) => [d.method, d.path, d.rawBody, d.answered])).toEqual([
      ['POST', '/billerapi-webhooks', pretty, 500],
      ['POST', '/billerapi-webhooks?x=1', '{}', 200],
    ]);
    expect(seen?.[0].headers['billerapi-signature']).toBe('t=1,v1=00');
    expect(Math.abs(seen![0].receivedAtMs - Date.now())).toBeLessThan(5_000);

    const started = Date.now();
    expect(await receiver.waitFor((d) => d.length > 2, 200)).toBeUndefined();
    expect(Date.now() - started).toBeLessThan(1_000);
  } finally {
    await receiver.close();
  }
});

test('failWithin answers 500 to every request within the window from the first one, 200 after it', async () => {
  const receiver = await startWebhookReceiver();
  try {
    receiver.failWithin(300);
    const post = async () => (await fetch(receiver.url, { method: 'POST', body: '{}' })).status;
    const early = [await post(), await post()];
    await new Promise((resolve) => setTimeout(resolve, 350));
    expect([...early, await post()]).toEqual([500, 500, 200]);
  } finally {
    await receiver.close();
  }
});

test('the receiver refuses a non-loopback host and reads its options from the environment', async () => {
  await expect(startWebhookReceiver({ host: '0.0.0.0' })).rejects.toThrow(/listens on 127\.0\.0\.1 only/);
  expect(receiverOptionsFromEnv({})).toEqual({ port: 0, publicUrl: undefined });
  expect(receiverOptionsFromEnv({ BILLERAPI_WEBHOOK_RECEIVER_PORT: '8787', BILLERAPI_WEBHOOK_RECEIVER_URL: 'https://abc.example.dev/billerapi-webhooks' }))
    .toEqual({ port: 8787, publicUrl: 'https://abc.example.dev/billerapi-webhooks' });
  expect(() => receiverOptionsFromEnv({ BILLERAPI_WEBHOOK_RECEIVER_PORT: '80x' })).toThrow(/must be a port number/);
  expect(() => receiverOptionsFromEnv({ BILLERAPI_WEBHOOK_RECEIVER_URL: 'not a url' })).toThrow(/must be an absolute URL/);
  const publicReceiver = await startWebhookReceiver({ publicUrl: 'https://abc.example.dev/billerapi-webhooks' });
  try {
    expect(publicReceiver.url).toBe('https://abc.example.dev/billerapi-webhooks');
    expect(publicReceiver.local).toBe(false);
  } finally {
    await publicReceiver.close();
  }
});
