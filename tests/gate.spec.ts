/**
 * The release gate: its plan printed before it sends, its caps (counted by the reference the
 * gate points at, not by the suite), a plan over its caps stopping with exit 2 before anything
 * reaches the target, its one verdict line, and the comparison with a previous run.
 */
import { test, expect } from '@playwright/test';
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'dotenv';
import { send } from '../lib/transport/http';
import { gateCaps, overCaps } from '../lib/config/profile';
import { groupsFromSpec } from '../lib/contract/rate-limits';
import { rateLimitSpec } from '../lib/contract/spec';
import { parseGateArgs } from '../scripts/gate';
import { cleanEnv, repoRoot, runTsx, startReferenceProcess } from './support/run';

const credentials = parse(readFileSync(join(repoRoot, '.env.local')));

async function gate(args: string[], env: Record<string, string>): Promise<{ code: number; out: string }> {
  const child = runTsx('scripts/gate.ts', args, cleanEnv({ ...credentials, ...env }));
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const code = await new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? -1)));
  return { code, out };
}

async function referenceStats(url: string): Promise<{ requests: Record<string, number> }> {
  return JSON.parse((await send({ method: 'GET', url: `${url}/_reference/stats`, headers: [] })).body);
}

test('caps are a quarter of each limit, at least one; a plan over one is named', () => {
  const caps = gateCaps(groupsFromSpec(rateLimitSpec));
  expect(caps).toEqual({ authentication: 1, link: 25, biller: 50 });
  expect(overCaps({ authentication: 0, link: 26, biller: 50 }, caps)).toEqual(['link 26 > 25']);
});

test('gate options: production by default, the rest passed to the conformance run', () => {
  expect(parseGateArgs([])).toEqual({ env: 'production', conformanceArgs: ['--env', 'production'], comparePath: undefined });
  expect(parseGateArgs(['--env=partner', '--base-url', 'http://127.0.0.1:1', '--compare', 'r.json']))
    .toEqual({ env: 'partner', conformanceArgs: ['--env', 'partner', '--base-url', 'http://127.0.0.1:1'], comparePath: 'r.json' });
  expect(() => parseGateArgs(['--grep', 'x'])).toThrow(/Unknown option --grep/);
});

test('the gate passes against the reference within its caps as the reference counts them, and names a regression', { tag: '@runs' }, async ({}, testInfo) => {
  const reference = await startReferenceProcess({ REFERENCE_WINDOW_SECONDS: '5' });
  const reports = testInfo.outputPath('clean');
  try {
    const run = await gate(['--env', 'partner', '--base-url', reference.url], { BILLERAPI_REPORTS_DIR: reports });
    expect(run.code, run.out).toBe(0);
    const plan = /^gate: will send authentication (\d+) \(cap 1\), link (\d+) \(cap 25\), biller (\d+) \(cap 50\) requests$/m.exec(run.out);
    expect(plan, run.out).not.toBeNull();
    expect(run.out).toMatch(/^gate: PASS$/m);
    const counted = (await referenceStats(reference.url)).requests;
    expect(counted.authentication).toBeLessThanOrEqual(1);
    expect(counted.link).toBeLessThanOrEqual(25);
    expect(counted.biller).toBeLessThanOrEqual(50);
    // The plan is what the target then received (reads of deterministic data).
    expect([counted.authentication, counted.link, counted.biller].map(String)).toEqual(plan!.slice(1, 4));
  } finally {
    await reference.stop();
  }
  copyFileSync(join(reports, 'results.json'), testInfo.outputPath('previous.json'));

  const faulty = await startReferenceProcess({ REFERENCE_WINDOW_SECONDS: '5', REFERENCE_FAULTS: 'accept-wrong-secret' });
  try {
    const run = await gate(['--env', 'partner', '--base-url', faulty.url, '--compare', testInfo.outputPath('previous.json')], { BILLERAPI_REPORTS_DIR: testInfo.outputPath('faulty') });
    expect(run.code, run.out).toBe(1);
    // A wrong secret accepted also lets the other environment's prefix through (AUTH-006).
    expect(run.out).toMatch(/^gate: FAIL \(AUTH-004, AUTH-006\)$/m);
    expect(run.out).toMatch(/^gate: regressed since .*previous\.json: AUTH-004, AUTH-006$/m);
  } finally {
    await faulty.stop();
  }
});

test('a plan over the caps stops with exit 2 before a single request reaches the target', { tag: '@runs' }, async ({}, testInfo) => {
  const reference = await startReferenceProcess({ REFERENCE_WINDOW_SECONDS: '5' });
  try {
    const run = await gate(['--env', 'partner', '--base-url', reference.url], { BILLERAPI_REPORTS_DIR: testInfo.outputPath('r'), BILLERAPI_GATE_SHARE: '0.05' });
    expect(run.code, run.out).toBe(2);
    expect(run.out).toMatch(/^gate: The gate would exceed its caps \(link \d+ > 5, biller \d+ > 10\): nothing was sent to the target\.$/m);
    expect(Object.values((await referenceStats(reference.url)).requests).reduce((a, b) => a + b, 0)).toBe(0);
  } finally {
    await reference.stop();
  }
});
