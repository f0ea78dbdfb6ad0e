/**
 * The certification report: results per requirement (waivers never pass), the score, the
 * digest that a changed byte breaks, `npm run certify` and `certify:verify` as partners run
 * them, and the page as Chromium renders it.
 */
import { test, expect, chromium } from '@playwright/test';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromiumLaunchOptions, chromiumMissing } from '../lib/browser';
import { buildCertification, canonicalJson, parseWaivers, seal, verifyCertification, type Certification } from '../lib/certification';
import { requirement, type Requirement, type RequirementId } from '../lib/requirements';
import type { RunSummary, TestOutcome } from '../lib/results';
import { runTsx, cleanEnv } from './support/run';

/** Six real requirements, one per result: passed, failed, waived, warning (a SHOULD), skipped, not applicable. */
const [passed, failed, waivedId, should, skipped, unchecked] = ['AUTH-001', 'AUTH-002', 'AUTH-003', 'BEARER-008', 'AUTH-005', 'AUTH-006'] as RequirementId[];
const catalogue: Requirement[] = [passed, failed, waivedId, should, skipped, unchecked].map(requirement);

const outcome = (tag: string, o: TestOutcome['outcome'], extra: Partial<TestOutcome> = {}): TestOutcome =>
  ({ title: `test of ${tag}`, file: 'x.spec.ts', tags: [tag], outcome: o, failures: [], warnings: [], evidence: [], ...extra });

const summary: RunSummary = {
  tests: [
    outcome(passed, 'passed', { evidence: ['GET /billers\n\nHTTP 401'] }),
    outcome(failed, 'failed', { failures: [`${failed} statement [MUST]\n  Expected: 401`] }),
    outcome(waivedId, 'failed', { failures: [`${waivedId} statement [MUST]\n  Expected: 401`] }),
    outcome(should, 'passed', { warnings: [`${should} statement [SHOULD]`] }),
    outcome(skipped, 'skipped', { skipReason: 'needs a second client' }),
  ],
  passed: 2, failed: 2, skipped: 1, broken: [], warned: [], runErrors: [],
  startedAt: '2026-11-29T04:00:00.000Z', durationMs: 61_000,
};
const meta = { suite: { name: 'billerapi-conformance', version: '0.1.0' }, spec: { path: 's.yaml', sha256: 'ab'.repeat(32) }, target: { environment: 'partner', baseUrl: 'https://partner.example' }, now: new Date() };
const waivers = new Map([[waivedId, 'legacy format until March']]);

test('each requirement gets one result; a waived failure is waived, never passed', () => {
  const c = buildCertification(summary, catalogue, waivers, meta);
  expect(c.requirements.map((r) => `${r.id} ${r.result}${r.reason ? `: ${r.reason}` : ''}`)).toEqual([
    'AUTH-001 passed',
    'AUTH-002 failed: AUTH-002 statement [MUST]',
    'AUTH-003 waived: legacy format until March',
    'BEARER-008 warning: a SHOULD-level check warned',
    'AUTH-005 skipped: needs a second client',
    'AUTH-006 not-applicable: no test of this run checks it (profile or --grep)',
  ]);
  expect(c.score).toEqual({ mustPassed: 1, mustApplicable: 4, percent: 25 });
  expect(c.verdict).toBe('FAIL');
  expect(c.requirements[0].evidence).toEqual(['GET /billers\n\nHTTP 401']);
  expect([c.startedAt, c.finishedAt]).toEqual(['2026-11-29T04:00:00.000Z', '2026-11-29T04:01:01.000Z']);
});

test('an expected failure needs its requirement ID and a comment', () => {
  expect(parseWaivers('- id: AUTH-008\n  comment: gateway rewrites header names\n')).toEqual(new Map([['AUTH-008', 'gateway rewrites header names']]));
  expect(() => parseWaivers('- id: AUTH-008\n')).toThrow('Expected failure AUTH-008 has no comment: say why the deviation is accepted.');
  expect(() => parseWaivers('- comment: why\n')).toThrow('Expected failure 1 has no requirement id (e.g. id: AUTH-008).');
  expect(() => parseWaivers('id: AUTH-008\n')).toThrow('The expected-failures file must be a list of { id, comment } entries.');
});

test('canonical JSON does not depend on key order', () => {
  expect(canonicalJson({ b: 1, a: [{ d: 2, c: 3 }] })).toBe(canonicalJson({ a: [{ c: 3, d: 2 }], b: 1 }));
});

test('the digest verifies the report as written and catches any one changed character of its content', () => {
  const text = JSON.stringify(seal(buildCertification(summary, catalogue, waivers, meta)), null, 2);
  expect(verifyCertification(text)).toEqual({ valid: true });
  // Every character inside a string or number value, changed to another, breaks the digest.
  const valueChars = [...text.matchAll(/"[^"\n]*": ("([^"\\]*)"|\d+)/g)].flatMap((m) => {
    const start = m.index! + m[0].length - m[1].length + (m[1].startsWith('"') ? 1 : 0);
    const length = m[1].startsWith('"') ? m[1].length - 2 : m[1].length;
    return Array.from({ length }, (_, i) => start + i);
  });
  expect(valueChars.length).toBeGreaterThan(200);
  const undetected = valueChars.filter((at) => {
    const changed = text.slice(0, at) + (text[at] === '1' ? '2' : '1') + text.slice(at + 1);
    return verifyCertification(changed).valid;
  });
  expect(undetected).toEqual([]);
  expect(verifyCertification('{"format":"something else"}')).toEqual({ valid: false, reason: 'not a billerapi-certification/1 document' });
});

async function runScript(script: string, args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string }> {
  const child = runTsx(script, args, cleanEnv(env));
  let stdout = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stdout += d));
  const code = await new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? -1)));
  return { code, stdout };
}

test('npm run certify writes a sealed report that certify:verify accepts, and refuses once a byte changes', async ({}, testInfo) => {
  const reports = testInfo.outputPath('reports');
  const waiverFile = testInfo.outputPath('expected-failures.yaml');
  writeFileSync(waiverFile, '- id: AUTH-004\n  comment: known deviation, fixed in the next release\n');
  const args = ['--faults', 'accept-wrong-secret', '--grep', '@AUTH-00[1-5]'];

  const failing = await runScript('scripts/certify.ts', args, { BILLERAPI_REPORTS_DIR: reports });
  expect(failing.code, failing.stdout).toBe(1);
  expect(failing.stdout).toMatch(/certification: FAIL, 4 of 5 applicable MUST requirements passed \(80%\)/);

  const waived = await runScript('scripts/certify.ts', ['--expected-failures', waiverFile, ...args], { BILLERAPI_REPORTS_DIR: reports });
  expect(waived.code, waived.stdout).toBe(0);
  expect(waived.stdout).toContain('certification: PASS, 4 of 5 applicable MUST requirements passed (80%), waived: AUTH-004');

  const file = join(reports, 'certification', 'certification.json');
  const report = JSON.parse(readFileSync(file, 'utf8')) as Certification;
  expect(report.requirements.find((r) => r.id === 'AUTH-004')?.result).toBe('waived');
  expect((await runScript('scripts/certify-verify.ts', [file])).code).toBe(0);
  writeFileSync(file, readFileSync(file, 'utf8').replace('"waived"', '"passed"'));
  const tampered = await runScript('scripts/certify-verify.ts', [file]);
  expect(tampered.code).toBe(1);
  expect(tampered.stdout).toContain('is NOT intact: the digest does not match the content');
  expect((await runScript('scripts/certify-verify.ts', [join(reports, 'missing.json')])).code).toBe(2);

  const missing = chromiumMissing();
  test.skip(missing !== undefined && !process.env.CI, missing);
  const browser = await chromium.launch(chromiumLaunchOptions());
  try {
    const page = await browser.newPage();
    await page.goto(pathToFileURL(join(reports, 'certification', 'index.html')).href);
    await expect(page.locator('#requirements tbody tr')).toHaveCount(report.requirements.length);
    await expect(page.locator('#requirements tr', { hasText: 'AUTH-004' })).toContainText('waived');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('BillerAPI certification: PASS');
  } finally {
    await browser.close();
  }
});
