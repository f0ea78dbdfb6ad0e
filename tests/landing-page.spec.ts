/**
 * The landing page (reports/<env>/index.html): links only to reports that exist, escaped text,
 * one coverage row per requirement with its status; a real run's page as Chromium renders it.
 * And the GitHub Actions workflow: it parses, names real scripts and files, and keeps its
 * secrets out of every command line.
 */
import { test, expect, chromium } from '@playwright/test';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { chromiumLaunchOptions, chromiumMissing } from '../lib/connect/browser';
import { credentialVariables } from '../lib/config/env';
import { coverageRows, landingPageHtml, writeLandingPage, type CoverageStatus, type LandingPageInput } from '../lib/reports/landing-page';
import { requirement, requirements, type RequirementId } from '../lib/contract/requirements';
import { judge } from '../lib/judgement/verdict';
import { repoRoot, runConformance } from './support/run';
import { fail, pass, runRecord, skip, testRecord, warn } from './support/records';

const run = runRecord([
  testRecord('test of AUTH-001', ['AUTH-001'], 'passed', [pass('AUTH-001')]),
  testRecord('another test of AUTH-001', ['AUTH-001'], 'passed', [pass('AUTH-001')]),
  testRecord('test of AUTH-002', ['AUTH-002'], 'failed', [fail('AUTH-002')]),
  testRecord('test of BEARER-008', ['BEARER-008'], 'passed', [warn('BEARER-008')]),
  testRecord('test of AUTH-005', ['AUTH-005'], 'skipped', [skip('AUTH-005')]),
], { environment: 'sandbox' });

const input = (extra: Partial<LandingPageInput> = {}): LandingPageInput => ({
  environment: 'sandbox',
  run,
  catalogue: requirements,
  present: { playwright: true, certification: false, k6: false },
  now: new Date('2026-11-29T05:00:00.000Z'),
  ...extra,
});

test.describe('landing page', () => {
  const statuses: [string, { id: RequirementId; want: { status: CoverageStatus; tests: number; outcomes: string } }][] = [
    ['cited and passed', { id: 'AUTH-001', want: { status: 'passed', tests: 2, outcomes: '2/0/0' } }],
    ['a MUST broken', { id: 'AUTH-002', want: { status: 'failed', tests: 1, outcomes: '0/1/0' } }],
    ['a SHOULD warned', { id: 'BEARER-008', want: { status: 'warning', tests: 1, outcomes: '1/0/0' } }],
    ['every citing test skipped', { id: 'AUTH-005', want: { status: 'not judged', tests: 1, outcomes: '0/0/1' } }],
    ['cited by no test of the run', { id: 'AUTH-006', want: { status: 'not run', tests: 0, outcomes: '0/0/0' } }],
  ];
  for (const [name, { id, want }] of statuses) {
    test(`status of a requirement (${name})`, () => {
      const row = coverageRows(judge(run, requirements)).find((r) => r.id === id)!;
      expect({ status: row.status, tests: row.tests, outcomes: `${row.outcomes.passed}/${row.outcomes.failed}/${row.outcomes.skipped}` }).toEqual(want);
    });
  }

  test('one coverage row per catalogue requirement, in catalogue order', () => {
    const html = landingPageHtml(input());
    const ids = [...html.matchAll(/<tr data-id="([^"]+)">/g)].map((m) => m[1]);
    expect(ids).toEqual(requirements.map((r) => r.id));
  });

  test('every requirement is "not run" when there is no results.json', () => {
    const html = landingPageHtml(input({ run: undefined }));
    expect(html).toContain('No run recorded: results.json is missing. Run <code>npm run conformance -- --env sandbox</code>.');
    expect([...html.matchAll(/<td class="status ([a-z-]+)">/g)].every((m) => m[1] === 'not-run')).toBe(true);
  });

  const links: [string, { present: LandingPageInput['present']; linked: string[]; instructions: string[] }][] = [
    ['only the Playwright report', { present: { playwright: true, certification: false, k6: false }, linked: ['html/index.html'], instructions: ['npm run certify -- --env sandbox', 'k6 run load/rate-limits.ts'] }],
    ['every report', { present: { playwright: true, certification: true, k6: true }, linked: ['html/index.html', 'certification/index.html', 'k6-summary.html'], instructions: [] }],
    ['none', { present: { playwright: false, certification: false, k6: false }, linked: [], instructions: ['npm run conformance -- --env sandbox', 'npm run certify -- --env sandbox', 'k6 run load/rate-limits.ts'] }],
  ];
  for (const [name, { present, linked, instructions }] of links) {
    test(`links only the reports that exist (${name})`, () => {
      const html = landingPageHtml(input({ present }));
      expect([...html.matchAll(/<a href="([^"]+)"/g)].map((m) => m[1])).toEqual(linked);
      const reports = /<ul id="reports">([\s\S]*?)<\/ul>/.exec(html)![1];
      for (const command of instructions) expect(reports).toContain(command);
      expect(reports.match(/not produced for this run/g) ?? []).toHaveLength(3 - linked.length);
    });
  }

  test('escapes every interpolated text (a <script> in a statement, a failure and the environment)', () => {
    const hostile = '<script>alert("x")</script>';
    const html = landingPageHtml(input({
      environment: `sandbox${hostile}`,
      catalogue: [{ ...requirement('AUTH-002'), statement: `statement ${hostile} & more` }],
      run: runRecord([testRecord('test of AUTH-002', ['AUTH-002'], 'failed', [fail('AUTH-002', 'status 401', `AUTH-002 ${hostile}`)])]),
    }));
    expect(html).not.toContain('<script');
    expect(html).toContain('statement &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; more');
    expect(html).toContain('received AUTH-002 &lt;script&gt;');
  });

  test('is self-contained: no script, no remote URL', () => {
    const html = landingPageHtml(input({ present: { playwright: true, certification: true, k6: true } }));
    expect(html).not.toMatch(/<script|<link|@import|url\(|(?:src|href)=["']?https?:/i);
    expect(html).toContain('<dt>Totals</dt><dd>3 passed, 1 failed, 1 skipped</dd>');
    expect(html).toContain('<dt>Started</dt><dd>2026-11-29T04:00:00.000Z</dd>');
  });

  test('a real run: the page renders in Chromium with a row per requirement and a working Playwright link', { tag: '@runs' }, async ({}, testInfo) => {
    const run = await runConformance(['--grep', '@AUTH-00[1-3]']);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const page = writeLandingPage('local', run.reportsDir);
    expect(page).toBe(join(run.reportsDir, 'index.html'));
    const html = readFileSync(page, 'utf8');
    expect(html).toContain('<a href="html/index.html">');
    expect(html).toContain('npm run certify -- --env local');

    const missing = chromiumMissing();
    test.skip(missing !== undefined && !process.env.CI, missing);
    const browser = await chromium.launch(chromiumLaunchOptions());
    try {
      const tab = await browser.newPage();
      await tab.goto(pathToFileURL(page).href);
      await expect(tab.locator('#coverage tbody tr')).toHaveCount(requirements.length);
      await expect(tab.locator('#coverage tr[data-id="AUTH-001"] td.status')).toHaveText('passed');
      await expect(tab.locator('#coverage tr[data-id="AUTH-004"] td.status')).toHaveText('not run');
      const href = await tab.locator('#link-playwright a').getAttribute('href');
      const target = fileURLToPath(new URL(href!, tab.url()));
      expect(existsSync(target), target).toBe(true);
      testInfo.annotations.push({ type: 'landing page', description: page });
    } finally {
      await browser.close();
    }
  });
});

test.describe('GitHub Actions workflow', () => {
  type Step = { name?: string; uses?: string; run?: string; if?: string; with?: Record<string, unknown>; env?: Record<string, string> };
  type Job = { name: string; if?: string; needs?: string | string[]; environment?: string; env?: Record<string, string>; strategy?: { matrix: Record<string, unknown[]> }; steps: Step[] };
  const workflow = parseYaml(readFileSync(join(repoRoot, '.github/workflows/conformance.yml'), 'utf8')) as { on: Record<string, any>; jobs: Record<string, Job> };
  const scripts = Object.keys(JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')).scripts);
  const allSteps = Object.values(workflow.jobs).flatMap((j) => j.steps);
  const runs = allSteps.map((s) => s.run).filter((r): r is string => r !== undefined);
  const credentialNames = Object.values(credentialVariables).flat() as string[];

  test('parses, with the nightly shards, their merge and the release gate, on schedule, by hand and on v* tags', () => {
    expect(Object.keys(workflow.jobs)).toEqual(['nightly', 'nightly-report', 'gate']);
    expect(workflow.on.schedule[0].cron).toMatch(/^\S+ \S+ \* \* \*$/);
    expect(workflow.on.workflow_dispatch.inputs.run.options).toEqual(['gate', 'nightly']);
    expect(workflow.on.push.tags).toEqual(['v*']);
    expect(workflow.jobs.nightly.strategy!.matrix.shard).toEqual(['1/2', '2/2']);
    expect(workflow.jobs['nightly-report'].needs).toBe('nightly');
  });

  test('every npm script, tsx script and k6 script it runs exists', () => {
    const npmScripts = runs.flatMap((r) => [...r.matchAll(/\bnpm run (\S+)/g)].map((m) => m[1]));
    expect(new Set(npmScripts)).toEqual(new Set(['conformance', 'gate']));
    expect(npmScripts.filter((s) => !scripts.includes(s))).toEqual([]);
    const files = runs.flatMap((r) => [...r.matchAll(/\b(?:tsx|k6 run) (\S+\.ts)\b/g)].map((m) => m[1]));
    expect(files.length).toBeGreaterThan(0);
    expect(files.filter((f) => !existsSync(join(repoRoot, f)))).toEqual([]);
  });

  test('the nightly shards, merges, runs k6 against sandbox and writes the landing page', () => {
    const shard = workflow.jobs.nightly.steps.map((s) => s.run).find((r) => r?.startsWith('npm run conformance'));
    expect(shard).toBe('npm run conformance -- --env sandbox --shard ${{ matrix.shard }}');
    const report = workflow.jobs['nightly-report'];
    expect(report.env!.BILLERAPI_ENV).toBe('sandbox');
    const order = report.steps.map((s) => s.run ?? s.uses);
    const at = (text: string) => order.findIndex((o) => o?.includes(text));
    expect(at('npx playwright merge-reports --config playwright.config.ts ./all-blob-reports')).toBeGreaterThan(at('actions/download-artifact@v4'));
    expect(at('mkdir -p reports/sandbox')).toBeLessThan(at('k6 run load/rate-limits.ts'));
    expect(at('grafana/setup-k6-action@v1')).toBeLessThan(at('k6 run load/rate-limits.ts'));
    expect(at('scripts/landing-page.ts --env sandbox')).toBeGreaterThan(at('k6 run load/rate-limits.ts'));
    expect(order[order.length - 1]).toBe('actions/upload-artifact@v4');
  });

  test('the gate runs npm run gate against production with the production environment\'s secrets', () => {
    const gate = workflow.jobs.gate;
    expect(gate.environment).toBe('production');
    expect(gate.env!.BILLERAPI_ENV).toBe('production');
    expect(gate.steps.map((s) => s.run)).toContain('npm run gate -- --env production');
  });

  test('secrets reach commands only through env, each under its own variable name, and no command prints one', () => {
    const envMaps = [...Object.values(workflow.jobs).map((j) => j.env ?? {}), ...allSteps.map((s) => s.env ?? {})];
    const mapped = envMaps.flatMap((env) => Object.entries(env).filter(([, v]) => String(v).includes('secrets.')));
    expect(mapped.length).toBeGreaterThan(0);
    for (const [name, value] of mapped) {
      expect(credentialNames, `${name} is not a credential variable of .env.example`).toContain(name);
      expect(value).toBe(`\${{ secrets.${name} }}`);
    }
    const example = readFileSync(join(repoRoot, '.env.example'), 'utf8');
    expect(credentialNames.filter((n) => !example.includes(`${n}=`))).toEqual([]);
    const withs = allSteps.flatMap((s) => Object.values(s.with ?? {}).map(String));
    expect([...runs, ...withs].filter((r) => r.includes('secrets.'))).toEqual([]);
    expect(runs.filter((r) => /\$\{?BILLERAPI_\w*(SECRET|CLIENT_ID)|\bprintenv\b|^\s*env\s*$|set -x/m.test(r))).toEqual([]);
  });

  test('every action is an official one, pinned to a major version', () => {
    const uses = [...new Set(allSteps.map((s) => s.uses).filter((u): u is string => u !== undefined))].sort();
    expect(uses).toEqual(['actions/checkout@v4', 'actions/download-artifact@v4', 'actions/setup-node@v4', 'actions/upload-artifact@v4', 'grafana/setup-k6-action@v1']);
  });
});
