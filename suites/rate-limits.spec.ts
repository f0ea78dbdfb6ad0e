/**
 * The documented rate limits, per group, with the limit and window of x-rate-limit-groups.
 * The probes run once, in the main process, for every group at once (lib/limits/rate-probe.ts);
 * these tests judge what they recorded. The file runs in one worker, in order, so only one
 * worker waits for the probes while the others run the functional suites.
 */
import { test, type Api } from '../lib/run/fixtures';
import { clientAuth } from '../lib/transport/auth';
import { ApiClient, type Exchange } from '../lib/transport/client';
import { statusIs, statusLine } from '../lib/judgement/checks';
import type { ProbeOutcome } from '../lib/limits/coordinator';
import { coversWithWrites, type RequirementId } from '../lib/contract/requirements';
import { rateLimitFieldsProblem } from '../lib/limits/rate-limit-fields';
import { parseRetryAfter, probeOperationOf, verdictOf, type RateLimitGroup } from '../lib/contract/rate-limits';
import { rateLimitGroups, rateLimitSpec } from '../lib/contract/spec';
import type { ProbeObservation } from '../lib/limits/rate-probe';
import { probeDeadlineMs } from '../lib/contract/windows';

/** The spec's groups name the tests; the windows in force (shortened locally) come from the run and the probes' observations. */
const groups = Object.values(rateLimitGroups);
test.describe.configure({ mode: 'default' });
test.beforeEach(({ run }) => test.setTimeout(probeDeadlineMs(run.groups)));


/** The group's observation, or the test stops: skipped where the environment cannot probe, failed where the probe broke. */
function observed(outcome: ProbeOutcome | undefined, group: RateLimitGroup): ProbeObservation {
  if (!outcome) throw new Error(`Harness: no probe outcome for ${group.name}.`);
  if ('skipped' in outcome) test.skip(true, outcome.skipped);
  if ('error' in outcome) throw new Error(`Harness: the ${group.name} probe failed: ${outcome.error}`);
  return outcome as ProbeObservation;
}

/** A fresh window exists only after a 429 was seen and waited out. */
function fresh(o: ProbeObservation, id: RequirementId): Required<Pick<ProbeObservation, 'window' | 'overflow'>> {
  if (!o.window || !o.overflow) {
    throw new Error(`Precondition failed: ${id} needs a window opened after a 429, but ${o.saturation.sent} ${o.group.name} requests in a row got no 429 (see RATE-002).`);
  }
  if (o.window.elapsedMs >= o.group.windowSeconds * 1000) {
    throw new Error(`Harness: the ${o.group.limit} requests of the window took ${o.window.elapsedMs} ms, longer than the ${o.group.windowSeconds}-second window: inconclusive.`);
  }
  return { window: o.window, overflow: o.overflow };
}

/** The key must still be limited when a cross-check is sent, or the cross-check proves nothing. */
function stillLimited(o: ProbeObservation, id: RequirementId): ProbeObservation['crossChecks'] {
  const { overflow } = fresh(o, id);
  if (overflow.response.status !== 429) throw new Error(`Precondition failed: ${id} needs the ${o.group.name} key limited, but its request ${o.group.limit + 1} got ${statusLine(overflow)} (see RATE-002).`);
  if ((o.limitedPhaseMs ?? Infinity) >= o.group.windowSeconds * 1000) throw new Error(`Harness: the cross-checks ended after the window had: inconclusive.`);
  return o.crossChecks;
}

function retryAfterHolds(api: Api, group: RateLimitGroup, x: Exchange): void {
  const retryAfter = parseRetryAfter(x.response.headers['retry-after'], group.windowSeconds);
  if (!retryAfter.valid) {
    api.report({ requirement: 'RATE-003', expected: `Retry-After: whole seconds from 1 to ${group.windowSeconds}`, received: retryAfter.reason }, x);
  }
}

for (const group of groups) {
  const { name, limit } = group;

  test(`RATE-001 ${name}: the first ${limit} requests of a fresh window are answered`, coversWithWrites('RATE-001'), async ({ api, rateProbes }) => {
    const o = observed(rateProbes[name], group);
    if (!o.window) {
      // Never limited: the first `limit` requests were answered, which is all RATE-001 asks.
      const answered = o.saturation.accepted >= limit;
      if (!answered) api.report({ requirement: 'RATE-001', expected: `${limit} requests answered`, received: `${o.saturation.accepted} answered of ${o.saturation.sent}` }, api.adopt(o.saturation.last));
      return;
    }
    const { window } = fresh(o, 'RATE-001');
    const refusedAt = window.exchanges.findIndex((x) => verdictOf(x.response.status) !== 'accepted');
    if (refusedAt !== -1) {
      const x = api.adopt(window.exchanges[refusedAt]);
      api.report({ requirement: 'RATE-001', expected: `all ${limit} requests of the window answered without 429`, received: `request ${refusedAt + 1} of ${limit} got ${statusLine(x)}` }, x);
    }
  });

  test(`RATE-002 ${name}: request ${limit + 1} of a window gets 429`, coversWithWrites('RATE-002'), async ({ api, rateProbes }) => {
    const o = observed(rateProbes[name], group);
    if (!o.overflow) {
      const x = api.adopt(o.saturation.last);
      api.report({ requirement: 'RATE-002', expected: `429 by request ${limit + 1}`, received: `${o.saturation.sent} requests in a row without a 429; the last got ${statusLine(x)}` }, x);
      return;
    }
    const { overflow } = fresh(o, 'RATE-002');
    if (overflow.response.status !== 429) {
      api.report({ requirement: 'RATE-002', expected: `429 for request ${limit + 1} of the window`, received: statusLine(overflow) }, api.adopt(overflow));
    } else {
      api.adopt(overflow);
    }
  });

  test(`RATE-003 ${name}: a 429 says Retry-After in whole seconds within the window`, coversWithWrites('RATE-003'), async ({ api, rateProbes }) => {
    const o = observed(rateProbes[name], group);
    const refusals = [o.saturation.refusal, o.overflow, ...o.crossChecks.map((c) => c.exchange)].filter((x): x is Exchange => x?.response.status === 429);
    if (refusals.length === 0) throw new Error(`Precondition failed: RATE-003 needs a 429, and the ${name} probe got none (see RATE-002).`);
    for (const x of refusals) retryAfterHolds(api, o.group, api.adopt(x));
  });

  test(`RATE-004 ${name}: after waiting Retry-After the next request is answered`, coversWithWrites('RATE-004'), async ({ api, rateProbes }) => {
    const o = observed(rateProbes[name], group);
    const recovery = api.adopt(fresh(o, 'RATE-004').window.exchanges[0]);
    if (verdictOf(recovery.response.status) !== 'accepted') {
      api.report({ requirement: 'RATE-004', expected: `an answer without 429 after waiting ${Math.round((o.waitedMs ?? 0) / 1000)} s`, received: statusLine(recovery) }, recovery);
    }
  });

  // The Authentication probe's exchanges are refused by design (a never-issued token): no success to read.
  if (probeOperationOf(rateLimitSpec, name).method === 'GET') {
    test(`RATE-007 ${name}: RateLimit headers count the window down from ${limit - 1} to 0`, coversWithWrites('RATE-007'), async ({ api, rateProbes }) => {
      const o = observed(rateProbes[name], group);
      const { window } = fresh(o, 'RATE-007');
      const problem = rateLimitFieldsProblem(
        window.exchanges.map((x) => ({ policy: x.response.headers['ratelimit-policy'], rateLimit: x.response.headers.ratelimit })),
        o.group,
      );
      if (problem) api.report({ requirement: 'RATE-007', expected: `RateLimit-Policy q=${limit};w=${o.group.windowSeconds} and RateLimit r counting down`, received: problem }, api.adopt(window.exchanges[0]));
    });
  }

  if (group.name === 'authentication') {
    test('LINK-003 refuses a public token that was never issued (the Authentication probe\'s exchanges)', coversWithWrites('LINK-003'), async ({ api, rateProbes }) => {
      const { window } = fresh(observed(rateProbes[name], group), 'LINK-003');
      api.verify(api.adopt(window.exchanges[0]), statusIs('LINK-003', 400));
    });
  }

  if (group.scope === 'client') {
    test(`RATE-005 ${name}: another client is answered while one client is limited`, coversWithWrites('RATE-005'), async ({ api, rateProbes }) => {
      const [other] = stillLimited(observed(rateProbes[name], group), 'RATE-005');
      const x = api.adopt(other.exchange);
      if (verdictOf(x.response.status) !== 'accepted') {
        api.report({ requirement: 'RATE-005', expected: 'another client answered without 429', received: statusLine(x) }, x);
      }
    });
  } else {
    for (const label of ['another X-Client-ID', 'X-Forwarded-For'] as const) {
      test(`RATE-006 ${name}: ${label} does not escape the per-IP limit`, coversWithWrites('RATE-006'), async ({ api, rateProbes }) => {
        const check = stillLimited(observed(rateProbes[name], group), 'RATE-006').find((c) => c.label === label);
        if (!check) throw new Error(`Harness: the ${name} probe made no "${label}" request.`);
        const x = api.adopt(check.exchange);
        if (x.response.status !== 429) {
          api.report({ requirement: 'RATE-006', expected: `429: a request with ${label} comes from the same limited address`, received: statusLine(x) }, x);
        }
      });
    }
  }
}

/** Batches of this many requests in flight while filling a client's window. */
const FILL_CONCURRENCY = 10;

/** Secrets that do not authenticate `secret`'s client: one character changed, one added, none. */
const wrongSecretsFor = (secret: string): string[] => [secret.slice(0, -1) + (secret.at(-1) === 'x' ? 'y' : 'x'), `${secret}x`, ''];

// a request that does not authenticate is counted against its address, never against the
// client it names. The client-scoped group with the smallest limit costs the fewest requests.
const cheapest = groups.filter((g) => g.scope === 'client').sort((a, b) => a.limit - b.limit)[0];
if (cheapest) {
  const operationId = probeOperationOf(rateLimitSpec, cheapest.name).operationId;
  test(`RATE-008 ${cheapest.name}: wrong secrets sent with a client's ID do not spend that client's quota`, coversWithWrites('RATE-008'), async ({ api, environment, run, rateProbes }) => {
    const rateLimitClient = environment.rateLimit;
    test.skip(!rateLimitClient, 'needs the dedicated rate-limit client (BILLERAPI_RATE_LIMIT_CLIENT_ID / _SECRET): its window is filled on purpose');
    const client = rateLimitClient!;
    // The probes spend the same client: they are over (the fixture waited for them), and its key stays blocked in the budget until their window ends.
    void rateProbes;
    const group = run.groups.find((g) => g.name === cheapest.name)!;
    const wrong = wrongSecretsFor(client.secret);
    const valid = { auth: clientAuth(client) };
    // Its own requests in the window: a server that also counted the wrong secrets against it sees limit + 1.
    const own = group.limit - wrong.length + 1;

    // The first request waits out the probes' window (the budget knows it); it opens a fresh one.
    const first = await api.send(operationId, valid);
    if (verdictOf(first.response.status) !== 'accepted') throw new Error(`Precondition failed: RATE-008 needs a fresh window of ${client.id}, but its first request got ${statusLine(first)}.`);
    const opened = Date.now() - first.response.durationMs;

    // Requests that name the client but do not authenticate: counted against this address (the budget's too).
    for (const secret of wrong) {
      const x = api.adopt(await api.send(operationId, { auth: { kind: 'client', id: client.id, secret } }));
      api.require(x, statusIs('AUTH-004', 401));
    }

    // The client's own requests fill its window short of the limit; a server that counted the
    // wrong secrets against the client refuses the last one. The dedicated client is spent
    // outside the budget, as the probes spend it: no functional test uses it.
    const unpaced = new ApiClient(api.baseUrl);
    let remaining = own - 2;
    while (remaining > 0) {
      const batch = await Promise.all(Array.from({ length: Math.min(FILL_CONCURRENCY, remaining) }, () => unpaced.call(operationId, valid)));
      remaining -= batch.length;
      const refused = batch.find((x) => verdictOf(x.response.status) !== 'accepted');
      if (refused) throw new Error(`Precondition failed: RATE-008 sends ${own} requests of ${client.id} into a window whose limit is ${group.limit}, but one got ${statusLine(refused)}.`);
    }
    const final = api.adopt(await unpaced.call(operationId, valid));
    const elapsedMs = Date.now() - opened;
    if (elapsedMs >= group.windowSeconds * 1000) {
      throw new Error(`Harness: RATE-008's ${own + wrong.length} requests took ${elapsedMs} ms, longer than the ${group.windowSeconds}-second window: inconclusive.`);
    }
    if (verdictOf(final.response.status) !== 'accepted') {
      api.report({
        requirement: 'RATE-008',
        expected: `${client.id}'s request ${own} of a ${group.limit}-request window answered: the ${wrong.length} requests with its ID and wrong secrets count against the address, not the client`,
        received: statusLine(final),
      }, final);
    }
  });
}
