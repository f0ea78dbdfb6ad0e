/**
 * The certification report: results per requirement (waivers never pass), the score, the
 * digest that a changed byte breaks, `npm run certify` and `certify:verify` as partners run
 * them, and the page as Chromium renders it.
 */
import { test, expect, chromium } from '@playwright/test';
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromiumLaunchOptions, chromiumMissing } from '../lib/connect/browser';
import { buildCertification, CERTIFICATION_FORMAT, parseWaivers, sealCertification, type Certification } from '../lib/reports/certification';
import { requirement, type Requirement, type RequirementId } from '../lib/contract/requirements';
import { verifySealedDocument } from '../lib/reports/seal';
import { judge } from '../lib/judgement/verdict';
import { runScript } from './support/run';
import { fail, pass, runRecord, skip, testRecord, warn } from './support/records';

/** Six real requirements, one per result: passed, failed, waived, warning (a SHOULD), not judged (skipped), never cited. */
const [passed, failed, waivedId, should, skipped, unchecked] = ['AUTH-001', 'AUTH-002', 'AUTH-003', 'BEARER-008', 'AUTH-005', 'AUTH-006'] as RequirementId[];
const catalogue: Requirement[] = [passed, failed, waivedId, should, skipped, unchecked].map(requirement);

const record = (profile: 'conformance' | 'certify') => runRecord([
  testRecord(`test of ${passed}`, [passed], 'passed', [pass(passed)], { evidence: ['GET /billers\n\nHTTP 401'] }),
  testRecord(`test of ${failed}`, [failed], 'failed', [fail(failed)]),
  testRecord(`test of ${waivedId}`, [waivedId], 'failed', [fail(waivedId)]),
  testRecord(`test of ${should}`, [should], 'passed', [warn(should)]),
  testRecord(`test of ${skipped}`, [skipped], 'skipped', [skip(skipped)]),
], { profile, baseUrl: 'https://partner.example' });
const meta = { suite: { name: 'billerapi-conformance', version: '0.1.0' }, spec: { path: 's.yaml', sha256: 'ab'.repeat(32) }, now: new Date() };
const waivers = new Map([[waivedId, 'legacy format until March']]);
const certificationOf = (profile: 'conformance' | 'certify', w: ReadonlyMap<RequirementId, string> = waivers) => {
  const run = record(profile);
  return buildCertification(run, judge(run, catalogue, { waivers: w }), meta);
};

test('each requirement gets one result from the verdict module; a waived failure is waived, never passed', () => {
  const c = certificationOf('certify');
  expect(c.requirements.map((r) => `${r.id} ${r.result}${r.reason ? `: ${r.reason}` : ''}`)).toEqual([
    'AUTH-001 passed',
    'AUTH-002 failed: expected status 401; received 200 OK (in "test of AUTH-002")',
    'AUTH-003 waived: legacy format until March',
    'BEARER-008 warning: expected X; received Y (in "test of BEARER-008")',
    'AUTH-005 not-judged: skipped: needs a second client',
    'AUTH-006 not-judged: no test of this run judges it (profile or --grep)',
  ]);
  expect(c.score).toEqual({ mustPassed: 1, mustInScope: 5, percent: 20 });
  expect(c.verdict).toBe('FAIL');
  expect(c.target).toEqual({ environment: 'partner', baseUrl: 'https://partner.example', embeddedReference: false, faults: [], variations: [], profile: 'certify' });
  expect(c.requirements[0].evidence).toEqual(['GET /billers\n\nHTTP 401']);
  expect([c.startedAt, c.finishedAt]).toEqual(['2026-11-29T04:00:00.000Z', '2026-11-29T04:01:01.000Z']);
});

test('without the failure, an unjudged MUST makes a certification INCOMPLETE, never PASS; a conformance run is scoped to what it ran', () => {
  const everyFailureWaived = new Map([...waivers, [failed, 'known']]);
  expect(certificationOf('certify', everyFailureWaived).verdict).toBe('INCOMPLETE');
  expect(certificationOf('conformance', everyFailureWaived).requirements.find((r) => r.id === unchecked)?.result).toBe('out-of-scope');
  expect(certificationOf('conformance', everyFailureWaived).verdict).toBe('INCOMPLETE');
});

test('an expected failure needs its requirement ID and a comment', () => {
  expect(parseWaivers('- id: AUTH-008\n  comment: gateway rewrites header names\n')).toEqual(new Map([['AUTH-008', 'gateway rewrites header names']]));
  expect(() => parseWaivers('- id: AUTH-008\n')).toThrow('Expected failure AUTH-008 has no comment: say why the deviation is accepted.');
  expect(() => parseWaivers('- comment: why\n')).toThrow('Expected failure 1 has no requirement id (e.g. id: AUTH-008).');
  expect(() => parseWaivers('id: AUTH-008\n')).toThrow('The expected-failures file must be a list of { id, comment } entries.');
});

test('a signed certification verifies with its public key; an edit, even re-checksummed, does not', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const text = JSON.stringify(sealCertification(certificationOf('certify'), pem), null, 2);
  expect(verifySealedDocument(text, { format: CERTIFICATION_FORMAT, publicKey })).toMatchObject({ intact: true, signature: 'verified' });
  const edited = JSON.parse(text) as Certification;
  edited.verdict = 'PASS';
  const resealedUnsigned = { ...sealCertification(edited), signature: edited.signature };
  expect(verifySealedDocument(JSON.stringify(resealedUnsigned), { format: CERTIFICATION_FORMAT, publicKey })).toMatchObject({ intact: false, checksum: 'ok', signature: 'invalid' });
});


test('npm run certify: a signed report of the target the run hit, INCOMPLETE when --grep leaves MUSTs unjudged; certify:verify checks who signed it', { tag: '@runs' }, async ({}, testInfo) => {
  const reports = testInfo.outputPath('reports');
  const waiverFile = testInfo.outputPath('expected-failures.yaml');
  writeFileSync(waiverFile, '- id: AUTH-004\n  comment: known deviation, fixed in the next release\n');
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const [keyFile, publicKeyFile] = [testInfo.outputPath('key.pem'), testInfo.outputPath('key.pub.pem')];
  writeFileSync(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }));
  writeFileSync(publicKeyFile, publicKey.export({ type: 'spki', format: 'pem' }));
  const args = ['--faults', 'accept-wrong-secret', '--grep', '@AUTH-00[1-5]'];

  const failing = await runScript('scripts/certify.ts', args, { BILLERAPI_REPORTS_DIR: reports });
  expect(failing.code, failing.output).toBe(1);
  expect(failing.output).toMatch(/^verdict: FAIL \(AUTH-004\)$/m);
  expect(failing.output).toMatch(/^certification: FAIL \(AUTH-004\), 4 of \d+ MUST requirements passed/m);

  const waived = await runScript('scripts/certify.ts', ['--expected-failures', waiverFile, `--signing-key=${keyFile}`, ...args], { BILLERAPI_REPORTS_DIR: reports });
  expect(waived.code, waived.output).toBe(3);
  expect(waived.output).toMatch(/^certification: INCOMPLETE \(not judged: .+\) \(waived: AUTH-004\), 4 of \d+ MUST requirements passed/m);

  const file = join(reports, 'certification', 'certification.json');
  const report = JSON.parse(readFileSync(file, 'utf8')) as Certification;
  expect(report.requirements.find((r) => r.id === 'AUTH-004')?.result).toBe('waived');
  expect(report.target).toMatchObject({ environment: 'local', embeddedReference: true, faults: ['accept-wrong-secret'], profile: 'certify' });
  expect(report.target.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  const verified = await runScript('scripts/certify-verify.ts', [file, '--public-key', publicKeyFile]);
  expect(verified.code, verified.output).toBe(0);
  expect(verified.output).toContain('signature verified');
  const unchecked = await runScript('scripts/certify-verify.ts', [file]);
  expect(unchecked.code).toBe(0);
  expect(unchecked.output).toContain('signature NOT checked');
  writeFileSync(file, readFileSync(file, 'utf8').replace('"waived"', '"passed"'));
  const tampered = await runScript('scripts/certify-verify.ts', [file, '--public-key', publicKeyFile]);
  expect(tampered.code).toBe(1);
  expect(tampered.output).toContain('NOT intact');
  expect((await runScript('scripts/certify-verify.ts', [join(reports, 'missing.json')])).code).toBe(2);

  const missing = chromiumMissing();
  test.skip(missing !== undefined && !process.env.CI, missing);
  const browser = await chromium.launch(chromiumLaunchOptions());
  try {
    const page = await browser.newPage();
    await page.goto(pathToFileURL(join(reports, 'certification', 'index.html')).href);
    await expect(page.locator('#requirements tbody tr')).toHaveCount(report.requirements.length);
    await expect(page.locator('#requirements tr', { hasText: 'AUTH-004' })).toContainText('waived');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('BillerAPI certification: INCOMPLETE');
  } finally {
    await browser.close();
  }
});
