/**
 * The fuzzing machinery: symbolic values reproduce exactly in bash, the judge, the generators'
 * labels, the settings, and, end to end, that a counterexample's curl command and FC_SEED /
 * FC_PATH replay reproduce the defect against a reference with the fault switched on.
 */
import { test, expect } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'dotenv';
import fc from 'fast-check';
import { clientCredentialCases, type FuzzCase } from '../lib/fuzz/arbitraries';
import { operation, rateLimitSpec, serverUrls, keyPrefixes } from '../lib/contract/spec';
import { groupsFromSpec } from '../lib/contract/rate-limits';
import type { Exchange } from '../lib/transport/client';
import type { Environment } from '../lib/config/env';
import { fuzzSettings, judge } from '../lib/fuzz/fuzz';
import { derived, literal, concat, render, shellValue, type Secrets, type Source, type Transform, type Value } from '../lib/fuzz/fuzz-values';
import { repoRoot, runConformance, startReferenceProcess } from './support/run';

const SECRET = 'bb_test_IJQ4ukDxDIKq1Aw5LLw29R4I7pNC';
const environment: Environment = { name: 'local', baseUrl: undefined, primary: { id: 'cli_primary', secret: SECRET }, second: { id: 'cli_second', secret: 'bb_test_second_secret_000' }, keyPrefix: keyPrefixes.sandbox };
const secrets: Secrets = { environment, ownToken: 'access-sandbox-0b9c5a6e-3d1f-4e2a-9c8b-7a6d5e4f3a2b', otherToken: 'access-sandbox-11111111-2222-4333-8444-555555555555' };
const shellEnv = { BILLERAPI_CLIENT_ID: 'cli_primary', BILLERAPI_CLIENT_SECRET: SECRET, BILLERAPI_ACCESS_TOKEN: secrets.ownToken! };

/** What bash makes of a shell expression, with the variables set. */
function bash(expression: string): string {
  return execFileSync('bash', ['-c', `printf %s ${expression}`], { env: { ...process.env, ...shellEnv }, encoding: 'latin1' });
}

test.describe('lib/fuzz/fuzz-values.ts: every value reproduces exactly in bash', () => {
  const secret: Source = { role: 'primary', part: 'secret' };
  const transforms: Transform[] = [
    { kind: 'same' },
    { kind: 'truncate', keep: 11 },
    { kind: 'extend', suffix: `x'"$\`\\` },
    { kind: 'replace', at: 12, with: 'q' },
    { kind: 'replace', at: 0, with: 'b' },
    { kind: 'swapcase' },
    { kind: 'other-prefix' },
  ];
  for (const t of transforms) {
    test(`the secret, ${JSON.stringify(t)}`, () => {
      const value = derived(secret, t);
      expect(bash(shellValue(value, secrets))).toBe(render(value, secrets));
      expect(shellValue(value, secrets)).not.toContain(SECRET);
    });
  }

  const values: [string, Value][] = [
    ['a literal with quotes and non-ASCII', literal(`it's "é" \t $HOME \\`)],
    ['an oversized run of one character', literal('b'.repeat(20_480))],
    ['"Bearer " and the token', concat(literal('Bearer '), derived({ token: 'own' }))],
    ['the empty string', literal('')],
  ];
  for (const [name, value] of values) {
    test(name, () => expect(bash(shellValue(value, secrets))).toBe(render(value, secrets)));
  }

  test('a replacement never leaves the character as it was', () => {
    expect(render(derived(secret, { kind: 'replace', at: 0, with: 'b' }), secrets)).toBe(`x${SECRET.slice(1)}`);
  });
});

test.describe('lib/fuzz/fuzz.ts: judge', () => {
  const verdicts = { wronglyAccepted: 'AUTH-010', wronglyRefused: 'AUTH-008' } as const;
  const refused401: FuzzCase = { label: 'case', headers: [['X-Client-Secret', derived({ role: 'primary', part: 'secret' }, { kind: 'extend', suffix: 'zz' })]], query: [], expect: { kind: 'refused', status: 401 } };
  const answer = (status: number, body: unknown, headers: Record<string, string> = { 'content-type': 'application/json' }): { exchange: Exchange } => ({
    exchange: {
      operation: operation('listBillers'),
      request: { method: 'GET', url: `${serverUrls.sandbox}/billers`, headers: [] },
      response: { status, statusText: '', headers, body: JSON.stringify(body), durationMs: 1 },
      json: body,
    },
  });
  const error401 = { statusCode: 401, message: 'Invalid client credentials', error: 'Unauthorized' };

  const cases: [string, ReturnType<typeof answer> | { error: string }, string | undefined][] = [
    ['the documented refusal', answer(401, error401), undefined],
    ['a dropped connection', { error: 'socket hang up' }, 'ROBUST-001: no answer: socket hang up'],
    ['a 500', answer(500, { statusCode: 500, message: 'x', error: 'Internal Server Error' }), 'ROBUST-001: 500'],
    ['the near miss it was sent, echoed', answer(401, { ...error401, message: `secret ${SECRET}zz is wrong` }), 'SEC-001: the answer contains bb_test_…NCzz'],
    ['a configured secret in a header', answer(401, error401, { 'content-type': 'application/json', 'x-debug': SECRET }), 'SEC-001: the answer contains bb_test_…7pNC'],
    ['an acceptance', answer(200, { billers: [] }), 'AUTH-010: 200'],
    ['a 403 instead of 401', answer(403, { ...error401, statusCode: 403, error: 'Forbidden' }), 'AUTH-008: 403'],
    ['a 401 without the error body', answer(401, {}), 'ERR-001: missing statusCode, message, error'],
  ];
  for (const [name, outcome, want] of cases) {
    test(name, () => {
      const failure = judge(refused401, outcome, secrets, verdicts);
      expect(failure ? `${failure.requirement}: ${failure.received}` : undefined).toBe(want);
    });
  }

  test('a 431 from the HTTP layer passes an oversized case without contract checks', () => {
    const oversized: FuzzCase = { ...refused401, expect: { kind: 'either', statuses: [400, 401, 431], why: 'A-021' } };
    expect(judge(oversized, answer(431, ''), secrets, verdicts)).toBeUndefined();
  });
});

test.describe('lib/fuzz/arbitraries.ts', () => {
  test('a credential case is answered exactly when it carries the one exact pair, once each', () => {
    fc.assert(fc.property(clientCredentialCases(environment), (c) => {
      const rendered = c.headers.map(([name, value]) => [name.toLowerCase(), render(value, secrets)]);
      const ids = rendered.filter(([n]) => n === 'x-client-id');
      const keys = rendered.filter(([n]) => n === 'x-client-secret');
      const exactPair = ids.length === 1 && ids[0][1] === 'cli_primary' && keys.length === 1 && keys[0][1] === SECRET;
      return (c.expect.kind === 'answered') === exactPair;
    }), { numRuns: 500 });
  });
});

test.describe('lib/fuzz/fuzz.ts: settings', () => {
  test('runs many cases locally, a few against sandbox, none in production', () => {
    const [short, real] = [groupsFromSpec(rateLimitSpec, 5), groupsFromSpec(rateLimitSpec)];
    expect([fuzzSettings('local', short, {}).numRuns, fuzzSettings('sandbox', real, {}).numRuns, fuzzSettings('production', real, {}).numRuns]).toEqual([100, 20, 0]);
    expect(fuzzSettings('local', real, {}).numRuns).toBe(20);
  });

  test('takes FC_NUM_RUNS, FC_SEED and FC_PATH, and refuses malformed ones', () => {
    const groups = groupsFromSpec(rateLimitSpec, 5);
    expect(fuzzSettings('local', groups, { FC_NUM_RUNS: '7', FC_SEED: '-42', FC_PATH: '3:0:1' })).toEqual({ numRuns: 7, seed: -42, path: '3:0:1' });
    expect(() => fuzzSettings('local', groups, { FC_SEED: 'abc' })).toThrow('FC_SEED must be a whole number, not "abc".');
    expect(() => fuzzSettings('local', groups, { FC_PATH: '3;rm' })).toThrow('FC_PATH must look like 12:0:3, not "3;rm".');
  });
});

test('a fuzz counterexample reproduces: its curl command against the faulty reference, and its FC_SEED/FC_PATH replay', { tag: '@runs' }, async () => {
  const credentials = parse(readFileSync(join(repoRoot, '.env.local')));
  const reference = await startReferenceProcess({ REFERENCE_FAULTS: 'secret-case-insensitive', REFERENCE_WINDOW_SECONDS: '5' });
  try {
    const args = ['--base-url', reference.url, '--grep', 'fuzz: client credentials'];
    const first = await runConformance(args, { REFERENCE_WINDOW_SECONDS: '5' });
    expect(first.code).toBe(1);
    const curl = /^\s+(curl .*)$/m.exec(first.stdout)?.[1];
    const replay = /^\s+(FC_SEED=(-?\d+) FC_PATH=([\d:]+) npm run conformance .*)$/m.exec(first.stdout);
    const counterexample = /counterexample: (.*)$/m.exec(first.stdout)?.[1];
    expect(curl, first.stdout).toBeDefined();
    expect(replay, first.stdout).not.toBeNull();
    expect(first.stdout).not.toContain(credentials.BILLERAPI_CLIENT_SECRET);

    const status = execFileSync('bash', ['-c', `${curl} -s -o /dev/null -w '%{http_code}'`], { env: { ...process.env, ...credentials }, encoding: 'utf8' });
    expect(status).toBe('200');

    const again = await runConformance(args, { REFERENCE_WINDOW_SECONDS: '5', FC_SEED: replay![2], FC_PATH: replay![3] });
    expect(again.code).toBe(1);
    expect(/counterexample: (.*)$/m.exec(again.stdout)?.[1]).toBe(counterexample);
  } finally {
    await reference.stop();
  }
});
