/**
 * The conformance command as users meet it: bad configuration and unreachable targets stop
 * with one line and exit 2 before any test runs; a reference started on its own port, with
 * its credentials passed as variables, gives the same result as the embedded default run.
 */
import { test, expect } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'dotenv';
import { runConformance, startReferenceProcess, repoRoot } from './support/run';

const localCredentials = parse(readFileSync(join(repoRoot, '.env.local')));
const sandboxSecret = localCredentials.BILLERAPI_CLIENT_SECRET;
const liveSecret = sandboxSecret.replace(/^bb_test_/, 'bb_live_');

const refusals: [string, { args: string[]; env: Record<string, string>; says: RegExp }][] = [
  ['a sandbox secret aimed at production', { args: ['--env', 'production'], env: { BILLERAPI_CLIENT_ID: 'cli_x', BILLERAPI_CLIENT_SECRET: sandboxSecret }, says: /sandbox secret \(bb_test_…\).*aimed at production/ }],
  ['a production secret aimed at sandbox', { args: ['--env', 'sandbox'], env: { BILLERAPI_CLIENT_ID: 'cli_x', BILLERAPI_CLIENT_SECRET: liveSecret }, says: /production secret \(bb_live_…\).*aimed at sandbox/ }],
  ['a production secret aimed at the local reference', { args: [], env: { BILLERAPI_CLIENT_SECRET: liveSecret }, says: /aimed at local/ }],
  ['missing credentials', { args: ['--env', 'sandbox'], env: {}, says: /Missing credentials: set BILLERAPI_CLIENT_ID and BILLERAPI_CLIENT_SECRET/ }],
  ['an unreachable target', { args: ['--env', 'partner', '--base-url', 'http://127.0.0.1:9'], env: { BILLERAPI_CLIENT_ID: 'cli_x', BILLERAPI_CLIENT_SECRET: sandboxSecret }, says: /Target http:\/\/127\.0\.0\.1:9 is unreachable/ }],
  ['a partner without a base URL', { args: ['--env', 'partner'], env: { BILLERAPI_CLIENT_ID: 'cli_x', BILLERAPI_CLIENT_SECRET: sandboxSecret }, says: /BILLERAPI_BASE_URL is required/ }],
  ['an unknown environment', { args: ['--env', 'staging'], env: {}, says: /Unknown environment "staging"/ }],
  ['an unknown fault', { args: ['--faults', 'no-such-fault'], env: {}, says: /Unknown fault\(s\): no-such-fault\. Valid faults:/ }],
  ['a bad window', { args: ['--window', '0'], env: {}, says: /REFERENCE_WINDOW_SECONDS must be a whole number/ }],
  ['an unknown option', { args: ['--verbose'], env: {}, says: /Unknown option --verbose/ }],
];

for (const [name, { args, env, says }] of refusals) {
  test(`refuses ${name}: one line, exit 2, no test run`, async () => {
    const run = await runConformance(args, env);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(says);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/^conformance: /);
    expect(run.result).toBeUndefined();
    expect(run.stderr).not.toContain(sandboxSecret);
    expect(run.stderr).not.toContain(liveSecret);
  });
}

test('a separately started reference, credentials as variables, gives the default run result', async () => {
  // Shortened windows keep the probes quick; the partner run, knowing only the spec's windows, paces more carefully than it needs to.
  const reference = await startReferenceProcess({ REFERENCE_WINDOW_SECONDS: '5' });
  try {
    const [separate, embedded] = await Promise.all([
      // Few fuzz cases: the partner run paces by 60-second windows, and this compares outcomes, not fuzzing.
      runConformance(['--env', 'partner', '--base-url', reference.url], { ...localCredentials, FC_NUM_RUNS: '10' }),
      runConformance([], { FC_NUM_RUNS: '10' }),
    ]);
    expect(separate.code).toBe(0);
    expect(embedded.code).toBe(0);
    const outcomes = (run: typeof separate) => run.result!.record.tests.map((t) => `${t.title}: ${t.status}`).sort();
    expect(outcomes(separate)).toEqual(outcomes(embedded));
  } finally {
    await reference.stop();
  }
});
