/**
 * lib/integrations/ — certifying a partner's integration rather than an implementation: the
 * webhook receiver certification (receiver.ts: its target, the deliveries it sends and how each
 * answer is judged, for suites/receiver/) and the client behaviour certification (sandbox.ts:
 * the observing sandbox that records and injects; observe.ts: the judgement of what it
 * recorded). Both end in the verdict module and the certification of lib/reports/, as `certify`
 * does. Imports lib/contract/, lib/judgement/, lib/transport/, lib/safety/, lib/config/ and the
 * signature scheme of lib/webhooks/webhook-signature.ts; the reference only as a request
 * handler handed in (lib/run/embedded-reference.ts makes it).
 */
/**
 * Webhook receiver certification (RECV-*, A-031): the deliveries sent to a partner's receiver,
 * one check per requirement, and how each answer is judged. A check is a list of cases; each
 * case is a delivery the receiver must acknowledge (2xx) or refuse (any other status). Before a
 * delivery it must refuse, the receiver is shown a correctly signed one, which it must
 * acknowledge: a receiver that refuses everything has refused nothing for a reason.
 */
import { randomBytes } from 'node:crypto';
import { ConfigError } from '../config/errors';
import { tlsProblem } from '../config/guard';
import { requirement, type RequirementId } from '../contract/requirements';
import { webhookDelivery } from '../contract/spec';
import type { Failure } from '../judgement/checks';
import { isLoopbackUrl } from '../safety/loopback';
import { send } from '../transport/http';
import { redact } from '../transport/redact';
import { computeSignature, EVENT_ID_HEADER, SIGNATURE_HEADER } from '../webhooks/webhook-signature';

/** Where the receiver command hands the target to the suite's workers (the secret never goes to a file). */
export const RECEIVER_URL_VARIABLE = 'BILLERAPI_RECEIVER_URL';
export const WEBHOOK_SECRET_VARIABLE = 'BILLERAPI_WEBHOOK_SECRET';
/** The receiver certification's reports, unless BILLERAPI_REPORTS_DIR says otherwise. */
export const RECEIVER_REPORTS_DIR = 'reports/receiver';

/** How long a receiver may take to answer one delivery. */
export const ANSWER_TIMEOUT_MS = 10_000;
/**
 * How far the receiver's clock may be from ours: timestamps meant to be inside the tolerance are
 * this far inside it, those meant to be outside this far outside it.
 */
export const CLOCK_SKEW_SECONDS = 60;
const TOLERANCE_SECONDS = webhookDelivery.tolerance_seconds;

export interface ReceiverTarget {
  url: string;
  /** The webhook's signing secret (whsec_…). */
  secret: string;
}

/** The receiver URL, or a sentence saying how to fix it: http only on this machine (A-008), https anywhere. */
export function parseReceiverUrl(text: string | undefined): string {
  if (!text?.trim()) throw new ConfigError('Give the receiver\'s URL with --url, e.g. --url http://127.0.0.1:3000/webhooks.');
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    throw new ConfigError(`The receiver URL "${text}" is not a URL: include the scheme, e.g. http://127.0.0.1:3000/webhooks.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ConfigError(`The receiver URL must use http or https, not ${url.protocol.replace(/:$/, '')}.`);
  if (url.protocol === 'http:' && !isLoopbackUrl(url)) {
    throw new ConfigError(`The receiver URL ${url.origin} is plain http on another machine: BillerAPI delivers over https only (A-008); use https, or run the receiver on this machine.`);
  }
  if (url.username || url.password) throw new ConfigError('The receiver URL carries a user name or password: remove them; BillerAPI authenticates deliveries by their signature.');
  return url.href;
}

/** The webhook secret, or a sentence saying what it must look like. Never quotes the value. */
export function parseWebhookSecret(text: string | undefined): string {
  if (!text) throw new ConfigError('Give the webhook\'s signing secret with --secret whsec_… (returned once, when the webhook was registered).');
  if (!/^whsec_[A-Za-z0-9]{8,}$/.test(text)) throw new ConfigError('The webhook secret must be the whsec_… value BillerAPI returned when the webhook was registered (whsec_ and at least 8 letters or digits).');
  return text;
}

const REACHABILITY_TIMEOUT_MS = 5_000;

/** Any HTTP answer to a GET means the receiver is there; a network error, a TLS failure or a timeout means not: a configuration error. */
export async function assertReceiverReachable(url: string): Promise<void> {
  try {
    await send({ method: 'GET', url, headers: [] }, REACHABILITY_TIMEOUT_MS);
  } catch (error) {
    const failure: { code?: string; message: string } = error instanceof Error ? error : { message: String(error) };
    throw new ConfigError(`The receiver ${url} ${tlsProblem(failure) ?? `is unreachable (${failure.message})`}: start it, or check --url.`);
  }
}

/** The target the receiver command handed to the workers. */
export function receiverTargetFromEnv(env: NodeJS.ProcessEnv = process.env): ReceiverTarget {
  return { url: parseReceiverUrl(env[RECEIVER_URL_VARIABLE]), secret: parseWebhookSecret(env[WEBHOOK_SECRET_VARIABLE]) };
}

/** One delivery as sent: the body bytes and the header fields, in order. */
export interface Delivery {
  body: string;
  headers: [string, string][];
}

export interface WebhookEvent {
  event_id: string;
  event_type: 'BILLS_UPDATED';
  created_at: string;
  data: Record<string, unknown>;
}

/** What a case may sign with and when. */
export interface Signing {
  secret: string;
  /** A secret of the same shape that is not the webhook's. */
  otherSecret: string;
  /** Our clock, in unix seconds. */
  now: number;
  /** A fresh event, never delivered before. */
  event(): WebhookEvent;
}

export function newSigning(secret: string, nowMs = Date.now()): Signing {
  return {
    secret,
    otherSecret: `whsec_${randomBytes(16).toString('hex')}`,
    now: Math.floor(nowMs / 1000),
    event: () => ({
      event_id: `evt_certify${randomBytes(10).toString('hex')}`,
      event_type: 'BILLS_UPDATED',
      created_at: new Date(nowMs).toISOString(),
      data: { account_link_id: 'link_certify', bills: 3 },
    }),
  };
}

const compact = (event: WebhookEvent) => JSON.stringify(event);
/** The same JSON with other bytes: indented, one member a line. */
const laidOut = (event: WebhookEvent) => JSON.stringify(event, null, 2);

/** `t=…,v1=…`: A-023's header, with the parts given. */
const header = (...parts: string[]) => parts.join(',');
const v1 = (secret: string, body: string, t: number) => `v1=${computeSignature(secret, body, t)}`;

/** A delivery of `body` with `signature` as its BillerAPI-Signature (none when undefined). */
function delivery(event: WebhookEvent, body: string, signature: string | undefined): Delivery {
  return {
    body,
    headers: [
      ['Content-Type', 'application/json'],
      [EVENT_ID_HEADER, event.event_id],
      ...(signature === undefined ? [] : [[SIGNATURE_HEADER, signature] as [string, string]]),
    ],
  };
}

/** `event` compact, signed with the webhook's secret at `t`. */
function signedAt(s: Signing, t: number, event = s.event()): Delivery {
  const body = compact(event);
  return delivery(event, body, header(`t=${t}`, v1(s.secret, body, t)));
}

/** The body with one character changed, at the end of the event ID: the same shape, another byte. */
function oneByteChanged(body: string, eventId: string): string {
  const last = eventId.at(-1)!;
  return body.replace(eventId, `${eventId.slice(0, -1)}${last === '0' ? '1' : '0'}`);
}

export type Expectation = 'acknowledged' | 'refused';

export interface ReceiverCase {
  /** What is sent, as the evidence names it. */
  name: string;
  expect: Expectation;
  /**
   * The deliveries, in order: the last is the one judged; those before it set the scene (a first
   * delivery of the event a redelivery repeats) and must be acknowledged.
   */
  deliveries(s: Signing): Delivery[];
}

export interface ReceiverCheck {
  requirement: RequirementId;
  /** The behaviour, as the test title reads after the requirement ID. */
  title: string;
  cases: ReceiverCase[];
}

const acknowledged = (name: string, deliveries: ReceiverCase['deliveries']): ReceiverCase => ({ name, expect: 'acknowledged', deliveries });
const refused = (name: string, deliveries: ReceiverCase['deliveries']): ReceiverCase => ({ name, expect: 'refused', deliveries });
const one = (make: (s: Signing) => Delivery) => (s: Signing) => [make(s)];

const INSIDE = TOLERANCE_SECONDS - CLOCK_SKEW_SECONDS;
const OUTSIDE = TOLERANCE_SECONDS + CLOCK_SKEW_SECONDS;

/** The checks of the receiver certification, one per RECV requirement (suites/receiver/receiver.spec.ts runs them). */
export const receiverChecks: readonly ReceiverCheck[] = [
  {
    requirement: 'RECV-001',
    title: 'acknowledges a correctly signed delivery',
    cases: [
      acknowledged('compact JSON, signed now', one((s) => signedAt(s, s.now))),
      acknowledged('JSON laid out with spaces and newlines, signed over those bytes', one((s) => {
        const event = s.event();
        const body = laidOut(event);
        return delivery(event, body, header(`t=${s.now}`, v1(s.secret, body, s.now)));
      })),
      acknowledged(`signed ${INSIDE} s ago, inside the ${TOLERANCE_SECONDS} s tolerance`, one((s) => signedAt(s, s.now - INSIDE))),
      acknowledged(`signed ${INSIDE} s ahead (a sender's clock ahead), inside the tolerance`, one((s) => signedAt(s, s.now + INSIDE))),
    ],
  },
  {
    requirement: 'RECV-002',
    title: 'refuses a delivery signed with another secret',
    cases: [refused('signed with a whsec_ secret that is not the webhook\'s', one((s) => {
      const event = s.event();
      const body = compact(event);
      return delivery(event, body, header(`t=${s.now}`, v1(s.otherSecret, body, s.now)));
    }))],
  },
  {
    requirement: 'RECV-003',
    title: 'refuses a body changed after signing (it verifies the raw bytes)',
    cases: [
      refused('one byte of the body changed after signing', one((s) => {
        const event = s.event();
        const signed = signedAt(s, s.now, event);
        return { ...signed, body: oneByteChanged(signed.body, event.event_id) };
      })),
      refused('the signed JSON re-serialized after signing (the same meaning, other bytes)', one((s) => {
        const event = s.event();
        return { ...signedAt(s, s.now, event), body: laidOut(event) };
      })),
    ],
  },
  {
    requirement: 'RECV-004',
    title: 'refuses a timestamp older than the tolerance',
    cases: [refused(`signed ${OUTSIDE} s ago, outside the ${TOLERANCE_SECONDS} s tolerance`, one((s) => signedAt(s, s.now - OUTSIDE)))],
  },
  {
    requirement: 'RECV-005',
    title: 'refuses a timestamp further ahead than the tolerance',
    cases: [refused(`signed ${OUTSIDE} s ahead, outside the ${TOLERANCE_SECONDS} s tolerance`, one((s) => signedAt(s, s.now + OUTSIDE)))],
  },
  {
    requirement: 'RECV-006',
    title: 'refuses a delivery without a signature header',
    cases: [refused(`no ${SIGNATURE_HEADER} header`, one((s) => {
      const event = s.event();
      return delivery(event, compact(event), undefined);
    }))],
  },
  {
    requirement: 'RECV-007',
    title: 'refuses a malformed signature header',
    cases: [
      ...([
        ['no t (a valid v1 alone)', (valid) => valid.v1],
        ['no v1 (a t alone)', (valid) => valid.t],
        ['a v1 that is not hex (the valid digest followed by "zz")', (valid) => header(valid.t, `${valid.v1}zz`)],
        ['a duplicated t (two timestamps)', (valid, s) => header(valid.t, `t=${s.now - 1}`, valid.v1)],
      ] as [string, (valid: { t: string; v1: string }, s: Signing) => string][]).map(([name, make]) => refused(name, one((s) => {
        const event = s.event();
        const body = compact(event);
        return delivery(event, body, make({ t: `t=${s.now}`, v1: v1(s.secret, body, s.now) }, s));
      }))),
    ],
  },
  {
    requirement: 'RECV-008',
    title: 'compares whole signatures only',
    cases: ([
      ['a v1 of the valid signature\'s first 32 hex digits', (digest: string) => digest.slice(0, 32)],
      ['an empty v1', () => ''],
    ] as const).map(([name, part]) => refused(name, one((s) => {
      const event = s.event();
      const body = compact(event);
      return delivery(event, body, header(`t=${s.now}`, `v1=${part(computeSignature(s.secret, body, s.now))}`));
    }))),
  },
  {
    requirement: 'RECV-009',
    title: 'acknowledges a delivery when any of several v1 is valid (rotation)',
    cases: ([['the valid v1 second, after one made with another secret', true], ['the valid v1 first, before one made with another secret', false]] as const)
      .map(([name, validSecond]) => acknowledged(name, one((s) => {
        const event = s.event();
        const body = compact(event);
        const [valid, other] = [v1(s.secret, body, s.now), v1(s.otherSecret, body, s.now)];
        return delivery(event, body, validSecond ? header(`t=${s.now}`, other, valid) : header(`t=${s.now}`, valid, other));
      }))),
  },
  {
    requirement: 'RECV-010',
    title: 'acknowledges a redelivery of an event it acknowledged',
    cases: [acknowledged('the same event and body delivered again, signed anew a second later', (s) => {
      const event = s.event();
      return [signedAt(s, s.now - 1, event), signedAt(s, s.now, event)];
    })],
  },
];

/** A correctly signed delivery of a fresh event: what a receiver must acknowledge before its refusals mean anything. */
export function controlDelivery(s: Signing): Delivery {
  return signedAt(s, s.now);
}

/** The receiver's answer to one delivery: a status, or why none came. */
export type Answer = { status: number; statusText: string; contentType?: string; body: string; durationMs: number } | { error: string };

export async function deliver(url: string, d: Delivery, timeoutMs = ANSWER_TIMEOUT_MS): Promise<Answer> {
  try {
    const response = await send({ method: 'POST', url, headers: d.headers, body: d.body }, timeoutMs);
    return { status: response.status, statusText: response.statusText, contentType: response.headers['content-type'], body: response.body, durationMs: response.durationMs };
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}

const isAcknowledgement = (a: Answer) => 'status' in a && a.status >= 200 && a.status < 300;
const answered = (a: Answer) => ('status' in a ? `${a.status} ${a.statusText}`.trim() : `no answer: ${a.error}`);

/**
 * Whether an answer is what the case expects: an acknowledgement is any 2xx; a refusal is any
 * other status. No answer at all is neither: BillerAPI would retry it, and a receiver that
 * drops a forged delivery without answering cannot be told from one that crashed on it.
 */
export function judgeAnswer(requirement: RequirementId, expect: Expectation, answer: Answer): Failure | undefined {
  if (expect === 'acknowledged') return isAcknowledgement(answer) ? undefined : { requirement, expected: 'an acknowledgement (a 2xx status)', received: answered(answer) };
  if ('status' in answer && !isAcknowledgement(answer)) return undefined;
  return { requirement, expected: 'a refusal (a non-2xx status)', received: answered(answer) };
}

const BODY_PREVIEW_CHARS = 300;

/** One delivery and its answer, as evidence: the signature and any secret redacted. */
export function formatDelivery(url: string, name: string, d: Delivery, answer: Answer): string {
  const reply = 'status' in answer
    ? `HTTP ${answer.status} ${answer.statusText} (${answer.durationMs.toFixed(0)} ms)\n${answer.body.length > BODY_PREVIEW_CHARS ? `${answer.body.slice(0, BODY_PREVIEW_CHARS)}… (${answer.body.length} chars)` : answer.body}`
    : `no answer: ${answer.error}`;
  return redact([`POST ${url} (${name})`, ...d.headers.map(([n, v]) => `${n}: ${v}`), '', d.body, '', reply].join('\n'));
}

/** The command that runs the certification again, the secret left to the shell. */
export function rerunCommand(url: string): string {
  return `npm run receiver -- --url ${url} --secret "$${WEBHOOK_SECRET_VARIABLE}"`;
}

/** The failure message, in the house format: the requirement, the delivery, expected, received, how to rerun. */
export function formatReceiverFailure(failure: Failure, url: string, caseName: string): string {
  const req = requirement(failure.requirement);
  return redact([
    `${req.id} ${req.statement} [${req.level}]`,
    `  POST ${url} (${caseName})`,
    `  Expected: ${failure.expected}`,
    `  Received: ${failure.received}`,
    '  Reproduce with:',
    `    ${rerunCommand(url)}`,
  ].join('\n'));
}
