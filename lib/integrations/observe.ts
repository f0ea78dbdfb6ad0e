/**
 * Client behaviour certification (CLIENT-*, A-032): the judgement of a partner's API client
 * from the requests the observing sandbox (lib/integrations/sandbox.ts) recorded while the
 * partner ran its own flows against it. Pure: a list of requests in, one check per requirement,
 * each giving failures, a pass, or the reason it could not be judged (the client never met the
 * condition: never a pass); `observedRunRecord` turns the checks into the run record the verdict
 * module judges, so that the verdict and the certification are made as for any run.
 */
import { emptyTally, type Outcome, type RunMeta, type RunRecord, type TestRecord } from '../judgement/outcomes';
import { requirement, type RequirementId } from '../contract/requirements';
import type { GroupName } from '../contract/spec';
import { keyPrefixes } from '../contract/spec';

/** A-032: the shortest wait before the first retry of a request answered 500. */
export const MIN_FIRST_BACKOFF_MS = 100;
/** A-032: retries in a row of a request answered 500, at most. */
export const MAX_RETRIES = 4;
/** A timer may fire this much before its time; a wait shorter than asked by less is no violation. */
const TIMER_SLACK_MS = 20;
/** Failures quoted per requirement: the rest are counted. */
const QUOTED_FAILURES = 3;
/** Requests shown as a requirement's evidence. */
const EVIDENCE_REQUESTS = 40;

export type Injected = 'too-many-requests' | 'server-error' | 'missing-scope';

/** One request as the sandbox saw it: what it carried (never a secret: masked), how it was answered. */
export interface ObservedRequest {
  /** Order of arrival, from 1. */
  n: number;
  /** Sandbox clock (ms) when it arrived, and when its answer was sent. */
  arrivedAt: number;
  answeredAt: number;
  method: string;
  /** Path and query as requested, redacted. */
  target: string;
  operationId?: string;
  group?: GroupName;
  /** How the operation authenticates: client credentials or a Bearer access token. */
  auth?: 'client' | 'bearer';
  sentClientId: boolean;
  sentClientSecret: boolean;
  /** The key prefix of the secret sent (bb_test_, bb_live_), or `none` for a secret without one. */
  secretPrefix?: string;
  /** Credentials found in the URL (path or query), masked. */
  credentialsInUrl: string[];
  /** Who the request acts as, redacted: `client <id>`, `token <masked>`, or `no credentials`. */
  credentials: string;
  /** For a Bearer call with a token this sandbox issued: the token's own link, and the link asked for. */
  tokenLink?: string;
  linkAsked?: string;
  status: number;
  retryAfterSeconds?: number;
  /** The scenario's condition that answered it, when one did (otherwise the reference answered). */
  injected?: Injected;
}

/** The same request again: same method, path and query, same credentials (A-032). */
const sameRequest = (a: ObservedRequest, b: ObservedRequest) => a.method === b.method && a.target === b.target && a.credentials === b.credentials;

/** `#7 +1.234 s GET /billers?q=acme [client cli_1] → 429, Retry-After 1 s (injected: too-many-requests)` */
export function requestLine(r: ObservedRequest, origin: number): string {
  const retryAfter = r.retryAfterSeconds === undefined ? '' : `, Retry-After ${r.retryAfterSeconds} s`;
  return `#${r.n} +${((r.arrivedAt - origin) / 1000).toFixed(3)} s ${r.method} ${r.target} [${r.credentials}] → ${r.status}${retryAfter}${r.injected ? ` (injected: ${r.injected})` : ''}`;
}

interface Violation {
  /** The request that broke the requirement. */
  request: ObservedRequest;
  expected: string;
  received: string;
}

export type ClientJudgement =
  | { judged: true; violations: Violation[]; considered: ObservedRequest[] }
  | { judged: false; reason: string; considered: ObservedRequest[] };

export interface ClientCheck {
  requirement: RequirementId;
  /** The behaviour, as a title reads after the requirement ID. */
  title: string;
  judge(requests: readonly ObservedRequest[]): ClientJudgement;
}

const judged = (considered: ObservedRequest[], violations: Violation[]): ClientJudgement => ({ judged: true, violations, considered });
const notMet = (reason: string, considered: ObservedRequest[] = []): ClientJudgement => ({ judged: false, reason, considered });

const ms = (value: number) => `${Math.round(value)} ms`;

/** Each chain of attempts of one request answered 500: its attempts in order, the first answered 500. */
function serverErrorChains(requests: readonly ObservedRequest[]): ObservedRequest[][] {
  const chains: ObservedRequest[][] = [];
  const open = new Map<ObservedRequest, ObservedRequest[]>();
  for (const r of requests) {
    const chain = [...open.entries()].find(([first]) => sameRequest(first, r))?.[1];
    if (chain) {
      chain.push(r);
      if (r.status !== 500 && r.status !== 429) open.delete(chain[0]);
    } else if (r.status === 500) {
      const started = [r];
      chains.push(started);
      open.set(r, started);
    }
  }
  return chains;
}

/** The waits before each retry of a chain that followed a 500 (a retry after a 429 is CLIENT-004's), with the retry. */
function backoffWaits(chain: readonly ObservedRequest[]): { retry: ObservedRequest; wait: number }[] {
  return chain.slice(1).flatMap((retry, i) => (chain[i].status === 500 ? [{ retry, wait: retry.arrivedAt - chain[i].answeredAt }] : []));
}

/** The checks of the client certification, one per CLIENT requirement. */
export const clientChecks: readonly ClientCheck[] = [
  {
    requirement: 'CLIENT-001',
    title: 'sends both client credential headers on every client-credential call',
    judge(requests) {
      const calls = requests.filter((r) => r.auth === 'client');
      if (calls.length === 0) return notMet('the client made no client-credential call (biller search, link token creation, webhook registration)');
      return judged(calls, calls.filter((r) => !r.sentClientId || !r.sentClientSecret).map((request) => ({
        request,
        expected: 'both X-Client-ID and X-Client-Secret',
        received: request.sentClientId ? 'no X-Client-Secret' : request.sentClientSecret ? 'no X-Client-ID' : 'neither header',
      })));
    },
  },
  {
    requirement: 'CLIENT-002',
    title: 'never puts a credential in a URL',
    judge(requests) {
      if (requests.length === 0) return notMet('the client sent no request');
      return judged([...requests], requests.filter((r) => r.credentialsInUrl.length > 0).map((request) => ({
        request,
        expected: 'no client secret or access token in the path or query string',
        received: `${request.credentialsInUrl.join(', ')} in the URL`,
      })));
    },
  },
  {
    requirement: 'CLIENT-003',
    title: 'sends only a sandbox secret to the sandbox',
    judge(requests) {
      const withSecret = requests.filter((r) => r.secretPrefix !== undefined);
      if (withSecret.length === 0) return notMet('the client sent no X-Client-Secret');
      return judged(withSecret, withSecret.filter((r) => r.secretPrefix !== keyPrefixes.sandbox).map((request) => ({
        request,
        expected: `a sandbox secret (${keyPrefixes.sandbox}…)`,
        received: request.secretPrefix === 'none' ? 'a secret with no environment prefix' : `a ${request.secretPrefix}… secret`,
      })));
    },
  },
  {
    requirement: 'CLIENT-004',
    title: 'waits the Retry-After period after a 429',
    judge(requests) {
      const limited = requests.filter((r) => r.status === 429 && r.group !== undefined && r.retryAfterSeconds !== undefined);
      if (limited.length === 0) return notMet('the client met no 429 in this run (the rate-limit scenario answers 429 to the Nth request of a group)');
      const violations = limited.flatMap((answer) => {
        const until = answer.answeredAt + answer.retryAfterSeconds! * 1000;
        return requests
          .filter((r) => r.n > answer.n && r.group === answer.group && r.credentials === answer.credentials && r.arrivedAt >= answer.answeredAt && r.arrivedAt < until - TIMER_SLACK_MS)
          .map((request) => ({
            request,
            expected: `no ${answer.group} request with these credentials until ${answer.retryAfterSeconds} s after the 429 to #${answer.n}`,
            received: `#${request.n} ${ms(request.arrivedAt - answer.answeredAt)} after it`,
          }));
      });
      // A request sent early earns a 429 of its own: name it once, for the first 429 it broke.
      const first = new Map(violations.map((v) => [v.request.n, v] as const));
      return judged(limited, [...first.values()]);
    },
  },
  {
    requirement: 'CLIENT-005',
    title: 'retries a 500 with exponential backoff',
    judge(requests) {
      const chains = serverErrorChains(requests);
      if (chains.length === 0) return notMet('the client met no 500 in this run (the server-errors scenario answers 500 to a request and every retry of it)');
      const waits = chains.map(backoffWaits);
      if (waits.every((w) => w.length === 0)) return notMet('the client met a 500 but never retried it: its backoff could not be observed', chains.flat());
      const violations = waits.flatMap((chain) => {
        const first = chain[0]?.wait ?? 0;
        return chain.flatMap(({ retry, wait }, i) => {
          const least = i === 0 ? MIN_FIRST_BACKOFF_MS : (first * 2 ** i) / 2;
          return wait < least - TIMER_SLACK_MS
            ? [{ request: retry, expected: `retry ${i + 1} at least ${ms(least)} after the 500 before it${i === 0 ? '' : ` (half of 2^${i} times the first wait, ${ms(first)})`}`, received: `${ms(wait)}` }]
            : [];
        });
      });
      return judged(chains.flat(), violations);
    },
  },
  {
    requirement: 'CLIENT-006',
    title: `gives up a persisting 500 after at most ${MAX_RETRIES} retries`,
    judge(requests) {
      const chains = serverErrorChains(requests);
      if (chains.length === 0) return notMet('the client met no 500 in this run (the server-errors scenario answers 500 to a request and every retry of it)');
      const violations = chains.flatMap((chain) => {
        const afterErrors = backoffWaits(chain);
        return afterErrors.length > MAX_RETRIES
          ? [{ request: afterErrors[MAX_RETRIES].retry, expected: `at most ${MAX_RETRIES} retries after the 500 to #${chain[0].n}`, received: `${afterErrors.length} retries (and counting when the run ended)` }]
          : [];
      });
      return judged(chains.flat(), violations);
    },
  },
  {
    requirement: 'CLIENT-007',
    title: 'sends an access token only for its own account link',
    judge(requests) {
      const calls = requests.filter((r) => r.tokenLink !== undefined);
      if (calls.length === 0) return notMet('the client made no Bearer call with an access token this sandbox issued (link an account, then fetch its bills)');
      return judged(calls, calls.filter((r) => r.linkAsked !== r.tokenLink).map((request) => ({
        request,
        expected: `account_link_id=${request.tokenLink} (the token's own link)`,
        received: request.linkAsked === undefined ? 'no account_link_id' : `account_link_id=${request.linkAsked}`,
      })));
    },
  },
  {
    requirement: 'CLIENT-008',
    title: 'does not send a request refused with 403 again',
    judge(requests) {
      const forbidden = requests.filter((r) => r.status === 403);
      if (forbidden.length === 0) return notMet('the client met no 403 in this run (the missing-scope scenario refuses one scope)');
      const violations = requests.flatMap((request) => {
        const refused = forbidden.find((f) => f.n < request.n && sameRequest(f, request));
        return refused ? [{ request, expected: `no repeat of #${refused.n}, refused with 403 (a missing scope does not come back by retrying)`, received: `#${request.n}, the same request, ${ms(request.arrivedAt - refused.answeredAt)} later` }] : [];
      });
      return judged(forbidden, violations);
    },
  },
];

function failureMessage(id: RequirementId, v: Violation, origin: number): string {
  const req = requirement(id);
  return [
    `${req.id} ${req.statement} [${req.level}]`,
    `  ${requestLine(v.request, origin)}`,
    `  Expected: ${v.expected}`,
    `  Received: ${v.received}`,
  ].join('\n');
}

/** One check's judgement as the test record the verdict module reads: failed, passed, or skipped with the reason. */
function testRecordOf(check: ClientCheck, requests: readonly ObservedRequest[], origin: number): TestRecord {
  const j = check.judge(requests);
  const id = check.requirement;
  const shown = j.considered.slice(0, EVIDENCE_REQUESTS).map((r) => requestLine(r, origin));
  const more = j.considered.length > EVIDENCE_REQUESTS ? [`… and ${j.considered.length - EVIDENCE_REQUESTS} more`] : [];
  let outcomes: Outcome[];
  if (!j.judged) outcomes = [{ result: 'skip', requirement: id, message: j.reason }];
  else if (j.violations.length === 0) outcomes = [{ result: 'pass', requirement: id, message: `${j.considered.length} request(s) judged, none broke it` }];
  else {
    const quoted = j.violations.slice(0, QUOTED_FAILURES);
    outcomes = quoted.map((v) => ({ result: 'fail', requirement: id, message: failureMessage(id, v, origin), expected: v.expected, received: v.received, exchange: requestLine(v.request, origin) }));
    if (j.violations.length > quoted.length) outcomes[0].message += `\n  (${j.violations.length - quoted.length} more request(s) broke it)`;
  }
  return {
    title: `${id} ${check.title}`,
    file: 'observe',
    cites: [id],
    status: !j.judged ? 'skipped' : j.violations.length > 0 ? 'failed' : 'passed',
    outcomes,
    answers: emptyTally(),
    evidence: shown.length > 0 ? [[...shown, ...more].join('\n')] : [],
  };
}

/** The observed run as a run record: one test per CLIENT requirement, judged from every request recorded. */
export function observedRunRecord(requests: readonly ObservedRequest[], meta: RunMeta, endedAt: number): RunRecord {
  const started = Date.parse(meta.startedAt);
  const origin = requests[0]?.arrivedAt ?? started;
  return {
    meta,
    tests: clientChecks.map((check) => testRecordOf(check, requests, origin)),
    runErrors: [],
    startedAt: meta.startedAt,
    durationMs: endedAt - started,
  };
}
