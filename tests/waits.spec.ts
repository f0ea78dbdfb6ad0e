/**
 * No bare timeouts: a target that never shows the Connect frame, never calls back or never
 * delivers a webhook fails the requirement with a sentence naming what was awaited and for how
 * long (the spec's bound), recorded as a `fail` outcome; never an `error` (the test stopped
 * before judging) and never Playwright's "Test timeout of … exceeded". Also the pieces that
 * make it so: named waits end by their bound, test timeouts are derived from them, and the
 * Connect frame is found by its path, whatever its id.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test, expect } from '@playwright/test';
import { isConnectFrameUrl } from '../lib/connect/connect-host';
import type { Outcome } from '../lib/judgement/outcomes';
import { connectContract, webhookDelivery } from '../lib/contract/spec';
import { deadlineIn, LATE, pollUntil, seconds, timeoutAfterWaits, UNNAMED_ALLOWANCE_MS, within } from '../lib/judgement/waits';
import { retryDelaysMs } from '../reference/webhook-delivery';
import { repoRoot, runConformance, type CliRun } from './support/run';

const outcomesOf = (run: CliRun): Outcome[] => run.result?.record.tests.flatMap((t) => t.outcomes) ?? [];

/** The faulted run fails `requirement` with a message containing `sentence`, and nothing in it is an error or a generic timeout. */
function expectSentence(run: CliRun, requirement: string, sentence: string): void {
  const outcomes = outcomesOf(run);
  expect(run.code, run.stdout + run.stderr).toBe(1);
  expect(run.result?.judgement.failed).toContain(requirement);
  expect(outcomes.filter((o) => o.result === 'error'), 'error outcomes').toEqual([]);
  const failures = outcomes.filter((o) => o.result === 'fail' && o.requirement === requirement);
  expect(failures.map((o) => o.received).join('\n')).toContain(sentence);
  expect(failures.map((o) => o.message).join('\n')).toContain(sentence);
  expect(run.stdout).not.toMatch(/Test timeout of \d+ms exceeded/);
  expect(run.stdout).toContain(`verdict: FAIL (${requirement})`);
}

test.describe('a target that never shows what the suite waits for fails the requirement with a sentence', () => {
  test.describe.configure({ mode: 'parallel' });

  test('connect-frame-never-loads: CONNECT-001 names the frame it waited for and for how long', { tag: '@runs' }, async () => {
    const run = await runConformance(['--faults', 'connect-frame-never-loads', '--grep', '@CONNECT-001']);
    expectSentence(run, 'CONNECT-001', `no Connect frame at ${connectContract.frame_path} appeared within ${connectContract.load_seconds} s after ${connectContract.sdk_global}.open`);
  });

  test('webhook-never-delivered: WEBHOOK-006 names the event it waited for, and the tests needing a delivery stop unjudged', { tag: '@runs' }, async () => {
    const run = await runConformance(['--faults', 'webhook-never-delivered', '--grep', '@WEBHOOK-003|@WEBHOOK-006']);
    expectSentence(run, 'WEBHOOK-006', `within ${webhookDelivery.delivery_seconds} s (the receiver got 0 request(s), none of this event)`);
    // WEBHOOK-003 had nothing to judge: neither passed nor failed, so the run does not claim it.
    const results = run.result?.judgement.requirements.find((r) => r.id === 'WEBHOOK-003');
    expect(outcomesOf(run).filter((o) => o.requirement === 'WEBHOOK-003')).toEqual([]);
    expect(results?.status).not.toBe('passed');
  });

  test('webhook-never-retried: WEBHOOK-006 names the retry it waited for', { tag: '@runs' }, async () => {
    const run = await runConformance(['--faults', 'webhook-never-retried', '--grep', '@WEBHOOK-006']);
    expectSentence(run, 'WEBHOOK-006', `no retry within ${webhookDelivery.retry_seconds} s after the first attempt was answered 500`);
  });
});

test.describe('named waits', () => {
  test('a test timeout derived from its waits leaves the unnamed allowance after them', () => {
    expect(timeoutAfterWaits()).toBe(UNNAMED_ALLOWANCE_MS);
    expect(timeoutAfterWaits(10_000, 5_000)).toBe(15_000 + UNNAMED_ALLOWANCE_MS);
  });

  test('bounds read as seconds', () => {
    expect(seconds(10_000)).toBe('10 s');
    expect(seconds(500)).toBe('0.5 s');
  });

  test('a poll ends by its bound even when the probe never answers', async () => {
    const started = Date.now();
    const value = await pollUntil(() => new Promise<string>(() => undefined), deadlineIn(200));
    expect(value).toBeUndefined();
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  test('a poll returns the first value, and a throwing probe counts as not yet', async () => {
    let calls = 0;
    const value = await pollUntil(() => {
      calls += 1;
      if (calls < 3) throw new Error('not yet');
      return 'ready';
    }, deadlineIn(2_000));
    expect(value).toBe('ready');
  });

  test('work that does not finish in time is LATE, and its late failure surfaces nowhere', async () => {
    const late = new Promise((_, reject) => setTimeout(() => reject(new Error('too late')), 50));
    expect(await within(late, 10)).toBe(LATE);
    expect(await within(Promise.resolve(7), 1_000)).toBe(7);
    await new Promise((resolve) => setTimeout(resolve, 100));
  });

  test('a deadline never offers Playwright a timeout of 0 (which means none)', async () => {
    const deadline = deadlineIn(1);
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(deadline.passed()).toBe(true);
    expect(deadline.left()).toBe(1);
  });

  test('no suite waits without a bound: no waitForTimeout, and every Playwright wait or action names its timeout', () => {
    const suites = join(repoRoot, 'suites');
    const offenders = readdirSync(suites).filter((f) => f.endsWith('.ts')).flatMap((file) =>
      readFileSync(join(suites, file), 'utf8').split('\n').flatMap((line, i) => {
        const unbounded = /\.waitForTimeout\(/.test(line)
          || (/\.(waitFor|waitForFunction|waitForEvent|waitForSelector|waitForURL|waitForLoadState|click|fill|goto|check|press|type)\(/.test(line) && !/timeout/.test(line));
        return unbounded ? [`${file}:${i + 1}: ${line.trim()}`] : [];
      }));
    expect(offenders).toEqual([]);
  });
});

test.describe('finding the Connect frame by its path (x-connect.frame_path), whatever its id or query', () => {
  const api = 'http://127.0.0.1:4010';
  const cases: [string, { given: string; want: boolean }][] = [
    ['the first page, with the reference\'s query', { given: `${api}/connect?link_token=x&origin=y`, want: true }],
    ['the first page, with other parameters', { given: `${api}/connect?session=x&embedder=y`, want: true }],
    ['a later page under the path', { given: `${api}/connect/s/credentials`, want: true }],
    ['the path with a trailing slash', { given: `${api}/connect/`, want: true }],
    ['another origin at the same path (a copy of the frame elsewhere)', { given: 'http://127.0.0.1:9999/connect', want: false }],
    ['a path that only starts with the same letters', { given: `${api}/connected`, want: false }],
    ['about:blank', { given: 'about:blank', want: false }],
  ];
  for (const [name, { given, want }] of cases) {
    test(name, () => {
      expect(isConnectFrameUrl(given, api)).toBe(want);
    });
  }
});

test.describe('every retry schedule of the reference keeps x-delivery', () => {
  const schedules = {
    reference: new Set<never>(),
    'webhook-exponential-backoff': new Set(['webhook-exponential-backoff' as const]),
    'webhook-quick-first-retry': new Set(['webhook-quick-first-retry' as const]),
    'both (backing off wins)': new Set(['webhook-exponential-backoff' as const, 'webhook-quick-first-retry' as const]),
  };
  for (const [name, switches] of Object.entries(schedules)) {
    test(name, () => {
      const delays = retryDelaysMs(switches);
      expect(delays.length + 1).toBeGreaterThanOrEqual(webhookDelivery.min_attempts);
      for (const delay of delays.slice(0, webhookDelivery.min_attempts - 1)) expect(delay).toBeLessThanOrEqual(webhookDelivery.retry_seconds * 1000);
    });
  }
});
