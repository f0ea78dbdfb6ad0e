/**
 * Sharding: `--shard I/N` runs a part of the suite and leaves a blob; merged, the shards'
 * blobs hold exactly the tests of the unsharded run. Each shard spends its share of the
 * per-client limits; per-IP limits stay whole (each machine has its own address).
 */
import { test, expect } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createRateBudget } from '../lib/limits/rate-budget';
import { groupsFromSpec } from '../lib/contract/rate-limits';
import { readRunRecord } from '../lib/judgement/results';
import { budgetOptionsFor } from '../lib/limits/run-ledger';
import { rateLimitSpec } from '../lib/contract/spec';
import { cleanEnv, repoRoot, runConformance } from './support/run';

test('a shard of two spends half of each per-client limit and all of a per-IP one', () => {
  const caps = (shard: { current: number; total: number } | null) => createRateBudget(groupsFromSpec(rateLimitSpec), budgetOptionsFor({}, shard)).caps();
  expect(caps(null)).toEqual({ authentication: 5, link: 100, biller: 200 });
  expect(caps({ current: 2, total: 2 })).toEqual({ authentication: 5, link: 50, biller: 100 });
  expect(caps({ current: 1, total: 4 })).toEqual({ authentication: 5, link: 25, biller: 50 });
});

test('two shards merge into the tests of the unsharded run', { tag: '@runs' }, async ({}, testInfo) => {
  const grep = ['--grep', '@AUTH-00[1-4]|@LINK-00[12]|@RATE-001'];
  const [whole, first, second] = await Promise.all([
    runConformance(grep),
    runConformance([...grep, '--shard', '1/2']),
    runConformance([...grep, '--shard', '2/2']),
  ]);
  for (const run of [whole, first, second]) expect(run.code, run.stdout).toBe(0);
  expect(first.result!.record.tests.length).toBeGreaterThan(0);
  expect(second.result!.record.tests.length).toBeGreaterThan(0);

  const blobs = testInfo.outputPath('blobs');
  mkdirSync(blobs, { recursive: true });
  for (const run of [first, second]) {
    for (const file of readdirSync(join(run.reportsDir, 'blob'))) copyFileSync(join(run.reportsDir, 'blob', file), join(blobs, file));
  }
  const merged = testInfo.outputPath('merged');
  execFileSync(process.execPath, [join(repoRoot, 'node_modules/@playwright/test/cli.js'), 'merge-reports', '--config', 'playwright.config.ts', blobs], {
    cwd: repoRoot,
    env: cleanEnv({ BILLERAPI_REPORTS_DIR: merged }),
    stdio: 'ignore',
  });
  const titles = (tests: { title: string }[]) => tests.map((t) => t.title).sort();
  expect(titles(readRunRecord(merged)!.tests)).toEqual(titles(whole.result!.record.tests));
});
