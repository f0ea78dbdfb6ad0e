/**
 * Unit tests of the rate-limit machinery: the shared judgements (lib/contract/rate-limits.ts), the
 * budget (lib/limits/rate-budget.ts), the windows, the coordinator, and the probe run against the
 * real reference with real 60-second windows on an injected clock (no real waiting).
 */
import { test, expect } from '@playwright/test';
import fc from 'fast-check';
import { ApiClient } from '../lib/transport/client';
import { CoordinatorClient, startCoordinator, type ProbeReport } from '../lib/limits/coordinator';
import { clientAuth } from '../lib/transport/auth';
import { budgetKeys, BudgetExceeded, capOf, createRateBudget, UNATTRIBUTED } from '../lib/limits/rate-budget';
import { backoffSeconds, groupsFromSpec, parseRetryAfter, probeOperationOf, verdictOf, type RateLimitGroup } from '../lib/contract/rate-limits';
import { groupMember, rateLimitFieldsProblem } from '../lib/limits/rate-limit-fields';
import { probeGroup, probeTraffic, type ProbeObservation } from '../lib/limits/rate-probe';
import { rateLimitGroups, rateLimitSpec } from '../lib/contract/spec';
import { OutcomeRecorder } from '../lib/judgement/outcomes';
import { testRunContext } from './support/run-context';
import { DEFAULT_TARGET } from '../lib/run/run-targets';
import { effectiveRateLimitGroups, probeDeadlineMs } from '../lib/contract/windows';
import { Api } from '../lib/run/fixtures';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startReference, type Reference } from '../reference/app';
import type { FaultName } from '../reference/faults';
import { benchTable, ratioLine, unplanned429, type BenchRun } from '../scripts/bench';

const biller: RateLimitGroup = rateLimitGroups.biller;
const PROBE = { clientId: 'cli_probe', secret: 'bb_test_probe_secret_0001', scopes: ['billers:read', 'link:write', 'webhooks:read', 'webhooks:write'] };
const OTHER = { clientId: 'cli_other', secret: 'bb_test_other_secret_0002', scopes: PROBE.scopes };

test.describe('lib/contract/rate-limits.ts', () => {
  const retryAfters: [string | undefined, string][] = [
    ['30', 'valid 30'],
    ['1', 'valid 1'],
    ['60', 'valid 60'],
    [undefined, 'no Retry-After header'],
    ['0', 'Retry-After 0 is less than 1 second'],
    ['-5', 'Retry-After -5 is less than 1 second'],
    ['soon', 'Retry-After "soon" is not a whole number of seconds'],
    ['1.5', 'Retry-After "1.5" is not a whole number of seconds'],
    ['Wed, 21 Oct 2026 07:28:00 GMT', 'Retry-After "Wed, 21 Oct 2026 07:28:00 GMT" is not a whole number of seconds'],
    ['61', 'Retry-After 61 is longer than the 60-second window'],
  ];
  for (const [value, want] of retryAfters) {
    test(`Retry-After ${JSON.stringify(value)} → ${want}`, () => {
      const judged = parseRetryAfter(value, 60);
      expect(judged.valid ? `valid ${judged.seconds}` : judged.reason).toBe(want);
    });
  }

  test('backs off for what Retry-After said, or a whole window', () => {
    expect(backoffSeconds(parseRetryAfter('7', 60), 60)).toBe(7);
    expect(backoffSeconds(parseRetryAfter('0', 60), 60)).toBe(60);
  });

  test('counts only 429 as refused, and 5xx as neither answered nor refused', () => {
    expect([200, 400, 401, 404, 429, 500, 503].map(verdictOf)).toEqual(['accepted', 'accepted', 'accepted', 'accepted', 'limited', 'failed', 'failed']);
  });

  test('reads every group from the spec, and shortens every window alike', () => {
    expect(groupsFromSpec(rateLimitSpec).map((g) => `${g.name} ${g.limit}/${g.windowSeconds}s per ${g.scope}`))
      .toEqual(['authentication 5/60s per ip', 'link 100/60s per client', 'biller 200/60s per client']);
    expect(groupsFromSpec(rateLimitSpec, 5).map((g) => g.windowSeconds)).toEqual([5, 5, 5]);
  });

  test('probes each group with a cheap operation of that group', () => {
    expect(['authentication', 'link', 'biller'].map((g) => probeOperationOf(rateLimitSpec, g as RateLimitGroup['name']).operationId))
      .toEqual(['exchangePublicToken', 'listWebhooks', 'listBillers']);
  });
});

test.describe('RateLimit header fields (A-020)', () => {
  const link: RateLimitGroup = { name: 'link', limit: 3, windowSeconds: 60, scope: 'client' };
  const answer = (r: number, policy = '"link";q=3;w=60', t = 42) => ({ policy, rateLimit: `"link";r=${r};t=${t}` });
  const cases: [string, ReturnType<typeof answer>[], string | undefined][] = [
    ['a countdown, in any arrival order', [answer(1), answer(2), answer(0)], undefined],
    ['a count that never goes down', [answer(3), answer(3), answer(3)], 'remaining counts 3, 3, 3 over 3 requests, expected 2 down to 0'],
    ['a count that skips', [answer(2), answer(0), answer(0)], 'remaining counts 2, 0, 0 over 3 requests, expected 2 down to 0'],
    ['a policy with the wrong quota', [answer(2, '"link";q=100;w=60'), answer(1), answer(0)], 'RateLimit-Policy ""link";q=100;w=60", expected one stating q=3;w=60'],
    ['a reset beyond the window', [answer(2, undefined, 61), answer(1), answer(0)], 'RateLimit ""link";r=2;t=61", expected r=<remaining>;t=<0..60>'],
    ['a missing field', [{ policy: '"link";q=3;w=60', rateLimit: undefined as unknown as string }, answer(1), answer(0)], 'RateLimit missing, expected r=<remaining>;t=<0..60>'],
  ];
  for (const [name, fields, want] of cases) {
    test(`judges ${name}`, () => expect(rateLimitFieldsProblem(fields, link)).toBe(want));
  }
});

test.describe('lib/contract/windows.ts', () => {
  test('a local run uses the shortened window; other environments always the spec\'s', () => {
    expect(effectiveRateLimitGroups({ REFERENCE_WINDOW_SECONDS: '5' }).map((g) => g.windowSeconds)).toEqual([5, 5, 5]);
    expect(effectiveRateLimitGroups({ BILLERAPI_ENV: 'sandbox', REFERENCE_WINDOW_SECONDS: '5' }).map((g) => g.windowSeconds)).toEqual([60, 60, 60]);
    expect(effectiveRateLimitGroups({}).map((g) => g.windowSeconds)).toEqual([60, 60, 60]);
  });

  test('gives the probes two of the longest windows and a minute of slack', () => {
    expect(probeDeadlineMs(groupsFromSpec(rateLimitSpec))).toBe(180_000);
  });
});

test.describe('lib/limits/rate-budget.ts', () => {
  const options = { share: 0.8, marginMs: 1_000, maxWaitMs: 150_000 };

  test('lets the suites spend the whole limit by default, or a share of it', () => {
    expect(createRateBudget(groupsFromSpec(rateLimitSpec)).caps()).toEqual({ authentication: 5, link: 100, biller: 200 });
    expect(createRateBudget(groupsFromSpec(rateLimitSpec), options).caps()).toEqual({ authentication: 4, link: 80, biller: 160 });
    expect(capOf({ ...biller, limit: 1 }, 0.8)).toBe(1);
  });

  test('paces the request past the cap to one window and the margin after the first', () => {
    const budget = createRateBudget([biller], options);
    const waits = Array.from({ length: 161 }, () => budget.reserve('biller', 'cli_a', 1_000).waitMs);
    expect(waits.slice(0, 160).every((w) => w === 0)).toBe(true);
    expect(waits[160]).toBe(61_000);
    expect(budget.reserve('biller', 'cli_b', 1_000).waitMs).toBe(0);
    expect(budget.granted().biller).toBe(162);
  });

  test('never schedules more than the cap inside any window, whatever the arrival times', () => {
    const group: RateLimitGroup = { name: 'link', limit: 5, windowSeconds: 10, scope: 'client' };
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 2_000 }), { minLength: 1, maxLength: 60 }), (gaps) => {
        const budget = createRateBudget([group], { ...options, maxWaitMs: Infinity });
        let now = 0;
        const sendTimes = gaps.map((gap) => {
          now += gap;
          return now + budget.reserve('link', 'k', now).waitMs;
        });
        return sendTimes.every((t) => sendTimes.filter((u) => u > t - 10_000 && u <= t).length <= capOf(group, 0.8));
      }),
    );
  });

  test('refuses a wait longer than the bound, naming the group and the key', () => {
    const budget = createRateBudget([rateLimitGroups.authentication], { ...options, maxWaitMs: 30_000 });
    for (let i = 0; i < 4; i++) budget.reserve('authentication', 'ip', 0);
    expect(() => budget.reserve('authentication', 'ip', 0)).toThrow(BudgetExceeded);
    expect(() => budget.reserve('authentication', 'ip', 0)).toThrow(/authentication budget for ip \(4 a 60-second window\) would make this request wait 61 s/);
  });

  test('schedules nothing for a blocked key before the block ends', () => {
    const budget = createRateBudget([biller], options);
    budget.block('biller', 'cli_a', 5_000);
    expect(budget.reserve('biller', 'cli_a', 1_000).waitMs).toBe(4_000);
    expect(budget.reserve('biller', 'cli_b', 1_000).waitMs).toBe(0);
  });

  test('counts per IP for per-IP groups; per client what authenticates, by address what does not (A-010)', () => {
    const known = { clients: [{ id: 'cli_a', secret: 'bb_test_a' }, { id: 'cli_b', secret: 'bb_test_b' }], tokens: ['tok_own'], bearerOwner: 'cli_a' };
    const cases: [string, { given: Parameters<typeof budgetKeys>; want: string[] }][] = [
      ['a per-IP group', { given: ['ip', 'client', clientAuth({ id: 'cli_a', secret: 'bb_test_a' }), known], want: ['ip'] }],
      ['a configured pair', { given: ['client', 'client', clientAuth({ id: 'cli_a', secret: 'bb_test_a' }), known], want: ['cli_a'] }],
      ['a configured pair, any header-name case', { given: ['client', 'client', { kind: 'headers', headers: [['x-client-id', 'cli_b'], ['X-CLIENT-SECRET', 'bb_test_b']] }, known], want: ['cli_b'] }],
      ['a wrong secret with a configured ID', { given: ['client', 'client', clientAuth({ id: 'cli_a', secret: 'bb_test_x' }), known], want: [UNATTRIBUTED] }],
      ['another client\'s secret', { given: ['client', 'client', clientAuth({ id: 'cli_a', secret: 'bb_test_b' }), known], want: [UNATTRIBUTED] }],
      ['an ID alone', { given: ['client', 'client', { kind: 'headers', headers: [['x-client-id', 'cli_b']] }, known], want: [UNATTRIBUTED] }],
      ['a duplicated ID header', { given: ['client', 'client', { kind: 'headers', headers: [['X-Client-ID', 'cli_a'], ['X-Client-ID', 'cli_a'], ['X-Client-Secret', 'bb_test_a']] }, known], want: ['cli_a', UNATTRIBUTED] }],
      ['no credentials', { given: ['client', 'client', { kind: 'none' }, known], want: [UNATTRIBUTED] }],
      ['a bearer token on a client operation', { given: ['client', 'client', { kind: 'bearer', token: 'tok_own' }, known], want: [UNATTRIBUTED] }],
      ['a token the run holds', { given: ['client', 'bearer', { kind: 'bearer', token: 'tok_own' }, known], want: ['cli_a'] }],
      ['a token the run does not hold', { given: ['client', 'bearer', { kind: 'bearer', token: 'tok_other' }, known], want: ['cli_a', UNATTRIBUTED] }],
      ['another spelling of the scheme', { given: ['client', 'bearer', { kind: 'bearer', token: 'tok_own', scheme: 'bearer' }, known], want: ['cli_a', UNATTRIBUTED] }],
      ['client credentials on a bearer operation', { given: ['client', 'bearer', clientAuth({ id: 'cli_a', secret: 'bb_test_a' }), known], want: [UNATTRIBUTED] }],
    ];
    for (const [name, { given, want }] of cases) expect(budgetKeys(...given), name).toEqual(want);
  });

  test('schedules a request counted against two keys once, for both', () => {
    const budget = createRateBudget(groupsFromSpec(rateLimitSpec, 60), { share: 1, marginMs: 0, maxWaitMs: 600_000 });
    for (let i = 0; i < 5; i++) budget.reserve('authentication', 'a', 0);
    expect(budget.reserve('authentication', ['a', 'b'], 1_000).waitMs).toBe(59_000);
    // b's log holds the request at the time it was sent (60 s), not when it was asked for.
    for (let i = 0; i < 4; i++) budget.reserve('authentication', 'b', 60_000);
    expect(budget.reserve('authentication', 'b', 60_000).waitMs).toBe(60_000);
  });
});

test.describe('lib/limits/coordinator.ts', () => {
  test('serves the run context and the budget to workers, and runs the probes once however often asked', async () => {
    const context = testRunContext({ baseUrl: 'http://127.0.0.1:4010' }, 5);
    let probeRuns = 0;
    const report: ProbeReport = { biller: { skipped: 'test' } };
    const ledger = {
      budget: createRateBudget([rateLimitGroups.authentication]),
      unplanned: { authentication: 0, link: 0, biller: 0 },
      probes: async () => (probeRuns++, report),
    };
    // A second target (as the project's matrix has) gets its own context and its own budget.
    const other = { ...context, key: 'fault:x', meta: { ...context.meta, faults: ['x'] } };
    const coordinator = await startCoordinator(new Map([
      [DEFAULT_TARGET, { ledger, context }],
      ['fault:x', { ledger: { ...ledger, budget: createRateBudget([rateLimitGroups.authentication]) }, context: other }],
    ]));
    try {
      const client = new CoordinatorClient(coordinator.url);
      expect(await client.context()).toEqual(context);
      const otherClient = new CoordinatorClient(coordinator.url, 'fault:x');
      expect(await otherClient.context()).toEqual(other);
      expect(await otherClient.reserve('authentication', 'ip')).toBe(0);
      await expect(new CoordinatorClient(coordinator.url, 'no-such-target').context()).rejects.toThrow(/no route GET \/context\/no-such-target/);
      const waits = [];
      for (let i = 0; i < 6; i++) waits.push(await client.reserve('authentication', 'ip'));
      expect(waits.slice(0, 5)).toEqual([0, 0, 0, 0, 0]);
      expect(waits[5]).toBeGreaterThan(60_000);
      expect(await client.probes(5_000)).toEqual(report);
      expect(probeRuns).toBe(1);
    } finally {
      await coordinator.close();
    }
  });
});

test('a functional call that meets a 429 is reported as a harness bug and counted by the coordinator', async () => {
  const limited = createServer((_, res) => res.writeHead(429, { 'Retry-After': '5', 'Content-Type': 'application/json' }).end('{}'));
  await new Promise<void>((resolve) => limited.listen(0, '127.0.0.1', resolve));
  const unplanned = { authentication: 0, link: 0, biller: 0 };
  const context = testRunContext({ baseUrl: `http://127.0.0.1:${(limited.address() as AddressInfo).port}` });
  const coordinator = await startCoordinator(new Map([[DEFAULT_TARGET, { ledger: { budget: createRateBudget(groupsFromSpec(rateLimitSpec)), unplanned, probes: async () => ({}) }, context }]]));
  try {
    const environment = { name: 'local' as const, baseUrl: undefined, primary: { id: 'cli_a', secret: 'bb_test_secret_value' }, keyPrefix: 'bb_test_' };
    const recorder = new OutcomeRecorder();
    const api = new Api(environment, context, recorder, new CoordinatorClient(coordinator.url));
    await expect(api.call('listBillers', { auth: clientAuth(environment.primary) })).rejects.toThrow(/^Harness: unplanned 429 on GET .*\/billers\. The suite exceeded a rate limit it should have budgeted for; this is a bug of the suite, not a verdict/);
    expect(unplanned).toEqual({ authentication: 0, link: 0, biller: 1 });
    // Recorded as data, as a harness error: never a pass, never a verdict on the target.
    expect(recorder.outcomes.map((o) => [o.result, o.harness])).toEqual([['error', 'unplanned-429']]);
    expect(recorder.stoppedOnRecord).toBe(true);
  } finally {
    await coordinator.close();
    limited.close();
  }
});

test.describe('lib/limits/rate-probe.ts against the reference, 60-second windows on a fake clock', () => {
  /** Runs one group's probe; sleeping advances the reference's clock instead of waiting. */
  async function probe(group: RateLimitGroup, faults: FaultName[] = []): Promise<ProbeObservation> {
    let now = Date.parse('2026-11-29T00:00:00Z');
    const reference: Reference = await startReference({ clients: [PROBE, OTHER], faults, now: () => now });
    try {
      return await probeGroup(group, probeOperationOf(rateLimitSpec, group.name).operationId, {
        probe: { id: PROBE.clientId, secret: PROBE.secret },
        other: { id: OTHER.clientId, secret: OTHER.secret },
      }, {
        client: new ApiClient(reference.url),
        sleep: async (ms) => void (now += ms),
        now: () => now,
        beforeOtherClientRequest: async () => {},
      });
    } finally {
      await reference.close();
    }
  }

  test('saturates, waits Retry-After, fills a fresh window and overflows it', async () => {
    const o = await probe(biller);
    expect(o.saturation).toMatchObject({ sent: 210, accepted: 200, limited: 10, failed: 0 });
    expect(o.saturation.refusal?.response.headers['retry-after']).toBe('60');
    expect(o.waitedMs).toBe(60_250);
    expect(o.window?.exchanges.map((x) => x.response.status)).toEqual(Array(200).fill(200));
    expect(o.overflow?.response.status).toBe(429);
    expect(o.crossChecks.map((c) => `${c.label}: ${c.exchange.response.status}`)).toEqual(['another client: 200']);
    expect(probeTraffic(o)).toEqual({ sent: 412, limited: 11 });
  });

  test('sends the per-IP cross-checks from another client and with X-Forwarded-For', async () => {
    const o = await probe(rateLimitGroups.authentication);
    expect(o.saturation).toMatchObject({ sent: 6, accepted: 5, limited: 1 });
    expect(o.window?.exchanges.map((x) => x.response.status)).toEqual([400, 400, 400, 400, 400]);
    expect(o.crossChecks.map((c) => `${c.label}: ${c.exchange.response.status}`)).toEqual(['another X-Client-ID: 429', 'X-Forwarded-For: 429']);
  });

  test('stops after twice the limit when nothing is ever refused, without waiting', async () => {
    const o = await probe(biller, ['no-rate-limit']);
    expect(o.saturation).toMatchObject({ sent: 400, accepted: 400, limited: 0 });
    expect(o.waitedMs).toBeUndefined();
    expect(o.window).toBeUndefined();
  });

  test('waits a whole window when Retry-After is unusable', async () => {
    const o = await probe(biller, ['retry-after-not-a-number']);
    expect(o.waitedMs).toBe(60_250);
    expect(o.overflow?.response.headers['retry-after']).toBe('soon');
  });
});

test.describe('scripts/bench.ts', () => {
  const stats = { requests: { authentication: 14, link: 251, biller: 475 }, limited: { authentication: 4, link: 11, biller: 12 }, writes: 0 };
  const run: BenchRun = { label: 'real', windowSeconds: 60, wallMs: 62_900, stats, planned429: { authentication: 4, link: 11, biller: 11 }, verdict: 'verdict: PASS', passed: true };

  test('counts as unplanned every 429 the reference sent beyond the probes\' own', () => {
    expect(unplanned429(run)).toBe(1);
    expect(unplanned429({ ...run, planned429: { ...run.planned429, biller: 12 } })).toBe(0);
  });

  test('prints one row per run and the ratio to the longest window', () => {
    expect(benchTable([run]).split('\n')).toEqual([
      'run   window  wall    authentication (429s)  link (429s)  biller (429s)  unplanned 429  verdict',
      'real  60 s    62.9 s  14 (4)                 251 (11)     475 (12)       1              verdict: PASS',
    ]);
    expect(ratioLine(run)).toBe('ratio of the real-window run to the longest window (60 s): 1.05 (goal: under 1.3)');
  });
});

test.describe('RateLimit header fields as RFC 9651 structured fields (lib/limits/rate-limit-fields.ts, A-020)', () => {
  const link: RateLimitGroup = { name: 'link', limit: 3, windowSeconds: 60, scope: 'client' };
  /** One fresh window of three answers: the policy on each, the state counting 2, 1, 0. */
  const window = (policy: string, state: (r: number) => string) => [2, 1, 0].map((r) => ({ policy, rateLimit: state(r) }));
  const documented = (r: number) => `"link";r=${r};t=42`;
  const wrongPolicy = (policy: string) => `RateLimit-Policy "${policy}", expected one stating q=3;w=60`;
  const cases: [string, { given: ReturnType<typeof window>; want: string | RegExp | undefined }][] = [
    // Parameter orders and extra parameters: all the same fields.
    ['parameters in the documented order', { given: window('"link";q=3;w=60', documented), want: undefined }],
    ['parameters in the other order', { given: window('"link";w=60;q=3', (r) => `"link";t=42;r=${r}`), want: undefined }],
    ['extra parameters before, between and after (qu, pk, an extension boolean)', { given: window('"link";qu="requests";q=3;pk=:cmVm:;w=60', (r) => `"link";ext;r=${r};pk=:cmVm:;t=42`), want: undefined }],
    ['a space after each semicolon', { given: window('"link"; q=3; w=60', (r) => `"link"; r=${r}; t=42`), want: undefined }],
    ['the policy name as a token', { given: window('link;q=3;w=60', (r) => `link;r=${r};t=42`), want: undefined }],
    ['another policy listed before the group\'s', { given: window('"daily";q=5000;w=86400, "link";q=3;w=60', (r) => `"daily";r=4000;t=900, "link";r=${r};t=42`), want: undefined }],
    ['a single policy of another name', { given: window('"default";q=3;w=60', (r) => `"default";r=${r};t=42`), want: undefined }],
    // Wrong values, whatever the order.
    ['a wrong quota in the other order', { given: window('"link";w=60;q=100', documented), want: wrongPolicy('"link";w=60;q=100') }],
    ['a quota as a string', { given: window('"link";q="3";w=60', documented), want: wrongPolicy('"link";q="3";w=60') }],
    ['a decimal quota', { given: window('"link";q=3.5;w=60', documented), want: wrongPolicy('"link";q=3.5;w=60') }],
    ['no window', { given: window('"link";q=3', documented), want: wrongPolicy('"link";q=3') }],
    ['the right numbers on another policy only', { given: window('"daily";q=3;w=60, "link";q=100;w=60', documented), want: wrongPolicy('"daily";q=3;w=60, "link";q=100;w=60') }],
    ['several policies, none the group\'s', { given: window('"a";q=3;w=60, "b";q=3;w=60', documented), want: 'RateLimit-Policy ""a";q=3;w=60, "b";q=3;w=60" has no member "link", expected one stating q=3;w=60' }],
    ['the group\'s policy twice', { given: window('"link";q=3;w=60, "link";q=3;w=60', documented), want: 'RateLimit-Policy ""link";q=3;w=60, "link";q=3;w=60" has several members "link", expected one stating q=3;w=60' }],
    ['an inner list instead of an item', { given: window('("link");q=3;w=60', documented), want: 'RateLimit-Policy "("link");q=3;w=60" has no member "link", expected one stating q=3;w=60' }],
    ['a negative remaining count', { given: window('"link";q=3;w=60', (r) => `"link";r=${r - 1};t=42`), want: 'RateLimit ""link";r=-1;t=42", expected r=<remaining>;t=<0..60>' }],
    ['no reset', { given: window('"link";q=3;w=60', (r) => `"link";r=${r}`), want: 'RateLimit ""link";r=2", expected r=<remaining>;t=<0..60>' }],
    // Malformed fields: not RFC 9651 Lists at all.
    ['an unterminated string', { given: window('"link;q=3;w=60', documented), want: /^RateLimit-Policy ""link;q=3;w=60" is not an RFC 9651 List \(.+\), expected one stating q=3;w=60$/ }],
    ['an upper-case parameter key', { given: window('"link";Q=3;w=60', documented), want: /^RateLimit-Policy ""link";Q=3;w=60" is not an RFC 9651 List/ }],
    ['a trailing comma', { given: window('"link";q=3;w=60,', documented), want: /^RateLimit-Policy ""link";q=3;w=60," is not an RFC 9651 List/ }],
    ['a space before a semicolon', { given: window('"link";q=3;w=60', (r) => `"link" ;r=${r};t=42`), want: /^RateLimit ""link" ;r=2;t=42" is not an RFC 9651 List/ }],
    ['an empty field', { given: window('', documented), want: 'RateLimit-Policy "" has no member "link", expected one stating q=3;w=60' }],
  ];
  for (const [name, { given, want }] of cases) {
    test(`judges ${name}`, () => {
      const problem = rateLimitFieldsProblem(given, link);
      if (want instanceof RegExp) expect(problem).toMatch(want);
      else expect(problem).toBe(want);
    });
  }

  test('hands back the group\'s parameters as a Map, in the order sent', () => {
    const member = groupMember('"daily";q=5000, "link";w=60;qu="requests";q=3', 'link');
    expect(member.found && [...member.params.entries()]).toEqual([['w', 60], ['qu', 'requests'], ['q', 3]]);
  });
});
