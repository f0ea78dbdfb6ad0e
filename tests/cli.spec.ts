/**
 * The conformance command as users meet it: bad configuration and unreachable targets stop
 * with one line and exit 2 before any test runs; a reference started on its own port, with
 * its credentials passed as variables, gives the same result as the embedded default run.
 * And the one executable, `billerapi-conformance` (bin/): generated help for the program and
 * every subcommand; the same spelling rules for every flag; a command-line problem is one
 * line on stderr and exit 2.
 */
import { test, expect } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'dotenv';
import { assertTaggedRuns, cleanEnv, runConformance, runProgram, runScript, startReferenceProcess, repoRoot } from './support/run';

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
  test(`refuses ${name}: one line, exit 2, no test run`, { tag: '@runs' }, async () => {
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

const FEW_CASES = { FC_NUM_RUNS: '10', FC_STATEFUL_SEED: '1' };

test('a separately started reference, credentials as variables, gives the default run result', { tag: '@runs' }, async () => {
  // Shortened windows keep the probes quick; the partner run, knowing only the spec's windows, paces more carefully than it needs to.
  const reference = await startReferenceProcess({ REFERENCE_WINDOW_SECONDS: '5' });
  try {
    const [separate, embedded] = await Promise.all([
      // Few fuzz cases and sequences: the partner run paces by 60-second windows, and this compares outcomes, not fuzzing.
      // The sequences from one seed: ten random ones may by chance never try another client's webhook, leaving WEBHOOK-010 unjudged (INCOMPLETE).
      runConformance(['--env', 'partner', '--base-url', reference.url], { ...localCredentials, ...FEW_CASES }),
      runConformance([], FEW_CASES),
    ]);
    expect(separate.code).toBe(0);
    expect(embedded.code).toBe(0);
    const outcomes = (run: typeof separate) => run.result!.record.tests.map((t) => `${t.title}: ${t.status}`).sort();
    expect(outcomes(separate)).toEqual(outcomes(embedded));
  } finally {
    await reference.stop();
  }
});

// The executable.

const BIN = join(repoRoot, 'bin', 'billerapi-conformance.cjs');

/** `billerapi-conformance <args>` as a user runs it: the bin with plain node, in a clean environment. */
async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  assertTaggedRuns('billerapi-conformance');
  return runProgram(process.execPath, [BIN, ...args], { cwd: repoRoot, env: cleanEnv(), timeout: 30_000 });
}

const unknownEnvironment = 'Unknown environment "staging". Use one of: local, sandbox, production, partner.';

/**
 * Every subcommand: the prefix of its lines, the options its help lists, arguments it needs
 * before the options, and bad values of its value options with the one line each gives (found
 * before anything runs).
 */
const subcommands: [string, { label: string; options: string[]; before?: string[]; bad: [flag: string, value: string, line: string][] }][] = [
  ['run', {
    label: 'conformance',
    options: ['--env', '--base-url', '--ca', '--allow-insecure-http', '--faults', '--variations', '--window', '--grep', '--shard'],
    bad: [['--env', 'staging', unknownEnvironment], ['--shard', '3/2', '--shard must be I/N with 1 ≤ I ≤ N, not "3/2".']],
  }],
  ['gate', {
    label: 'gate',
    options: ['--env', '--base-url', '--compare'],
    bad: [['--env', 'staging', unknownEnvironment], ['--compare', '/nonexistent/results.json', '--compare: no Playwright results at /nonexistent/results.json.']],
  }],
  ['certify', {
    label: 'certify',
    options: ['--expected-failures', '--signing-key', '--env', '--base-url', '--ca', '--allow-insecure-http', '--faults', '--variations', '--window', '--grep', '--shard'],
    bad: [['--env', 'staging', unknownEnvironment], ['--signing-key', '/nonexistent/key.pem', 'Cannot read the signing key /nonexistent/key.pem.']],
  }],
  ['verify', {
    label: 'certify:verify',
    options: ['--public-key'],
    before: ['certification.json'],
    bad: [['--public-key', '', '--public-key needs a value. See billerapi-conformance verify --help.']],
  }],
  ['keygen', {
    label: 'certify:keygen',
    options: ['--out'],
    bad: [['--out', '', '--out needs a value. See billerapi-conformance keygen --help.']],
  }],
  ['self-test', {
    label: 'self-test',
    options: ['--faults', '--variations', '--jobs', '--timeout'],
    bad: [['--jobs', '0', '--jobs must be a whole number above 0, not "0".'], ['--faults', 'no-such-fault', 'Unknown fault(s): no-such-fault.']],
  }],
  ['bench', {
    label: 'bench',
    options: ['--only'],
    bad: [['--only', 'both', '--only must be shortened or real, not "both".']],
  }],
  ['reference', {
    label: 'reference',
    options: ['--port', '--host', '--faults', '--variations', '--window', '--tls', '--tls-cert-out', '--redirect-to'],
    bad: [['--port', 'x', '--port must be a port number (0-65535), got "x".'], ['--window', '0', 'REFERENCE_WINDOW_SECONDS must be a whole number of seconds ≥ 1, not "0".']],
  }],
  ['landing-page', {
    label: 'landing-page',
    options: ['--env'],
    bad: [['--env', 'staging', unknownEnvironment]],
  }],
  ['browser', { label: 'browser', options: [], bad: [] }],
  ['receiver', {
    label: 'receiver',
    options: ['--url', '--secret', '--reports', '--signing-key'],
    bad: [['--url', 'ftp://x', 'The receiver URL must use http or https, not ftp.']],
  }],
  ['observe', {
    label: 'observe',
    options: ['--scenario', '--port', '--reports', '--signing-key'],
    bad: [['--scenario', 'chaos', 'Unknown scenario "chaos". Use one of: all, rate-limit, server-errors, missing-scope.']],
  }],
];

test('billerapi-conformance --help lists every subcommand, exit 0', { tag: '@runs' }, async () => {
  const run = await cli(['--help']);
  expect(run).toMatchObject({ code: 0, stderr: '' });
  expect(run.stdout).toMatch(/^Usage: billerapi-conformance \[options\] \[command\]$/m);
  const listed = [...run.stdout.matchAll(/^ {2}([a-z-]+) (?:\[options\])?/gm)].map((m) => m[1]);
  expect(listed).toEqual([...subcommands.map(([name]) => name), 'help']);
});

for (const [name, { label, options, before = [], bad }] of subcommands) {
  test(`${name} --help: exit 0, every option with its description`, { tag: '@runs' }, async () => {
    const run = await cli([name, '--help']);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toMatch(new RegExp(`^Usage: billerapi-conformance ${name} `, 'm'));
    const described = [...run.stdout.matchAll(/^ {2}(?:-[a-z], )?(--[a-z-]+)(?: <[^>]+>)? {2,}\S/gm)].map((m) => m[1]);
    expect(described.sort()).toEqual([...options, '--help'].sort());
  });

  test(`${name} with an unknown option: one line, exit 2`, { tag: '@runs' }, async () => {
    const run = await cli([name, ...before, '--no-such-option']);
    expect(run).toEqual({ code: 2, stdout: '', stderr: `${label}: Unknown option --no-such-option. See billerapi-conformance ${name} --help.\n` });
  });

  for (const [flag, value, line] of bad) {
    test(`${name} ${flag} ${JSON.stringify(value)} and ${flag}=${value} give the same one line, exit 2`, { tag: '@runs' }, async () => {
      const runs = await Promise.all([cli([name, ...before, flag, value]), cli([name, ...before, `${flag}=${value}`])]);
      for (const run of runs) {
        expect(run.code, run.stderr).toBe(2);
        expect(run.stderr.split('\n')).toEqual([expect.stringContaining(`${label}: ${line}`), '']);
      }
      expect(runs[0]).toEqual(runs[1]);
    });
  }
}

const programRefusals: [string, { args: string[]; line: string }][] = [
  ['an unknown subcommand', { args: ['rnu'], line: 'billerapi-conformance: Unknown command rnu (did you mean run?). See billerapi-conformance --help.' }],
  ['no subcommand', { args: [], line: `billerapi-conformance: Missing command: one of ${subcommands.map(([name]) => name).join(', ')}. See billerapi-conformance --help.` }],
  ['a value option without its value', { args: ['run', '--grep'], line: 'conformance: --grep needs a value. See billerapi-conformance run --help.' }],
  ['a value option followed by another option instead of its value', { args: ['gate', '--base-url', '--env', 'local'], line: 'gate: --base-url needs a value. See billerapi-conformance gate --help.' }],
  ['a switch given a value', { args: ['reference', '--tls=yes'], line: 'reference: --tls takes no value. See billerapi-conformance reference --help.' }],
  ['a stray argument', { args: ['run', 'local'], line: 'conformance: Unexpected argument local. See billerapi-conformance run --help.' }],
  ['arguments after -- where nothing is passed on', { args: ['bench', '--', '--workers=1'], line: 'bench: Unexpected argument --workers=1 after --: bench passes nothing on. See billerapi-conformance bench --help.' }],
];

for (const [name, { args, line }] of programRefusals) {
  test(`refuses ${name}: one line, exit 2`, { tag: '@runs' }, async () => {
    expect(await cli(args)).toEqual({ code: 2, stdout: '', stderr: `${line}\n` });
  });
}

test('a subcommand\'s script file run directly is the subcommand', { tag: '@runs' }, async () => {
  const [script, subcommand] = await Promise.all([runScript('scripts/conformance.ts', ['--help']), cli(['run', '--help'])]);
  expect(script.code).toBe(0);
  expect(script.stdout).toBe(subcommand.stdout);
});
