/**
 * One verdict (lib/judgement/verdict.ts): the rules as tables, what the fixtures record for each way a
 * test can end (a planted suite run for real), a fast-check property that every command's
 * summary of the same run says the same verdict and the same failed requirements, and the six
 * disagreements of the verdict issue as named regressions.
 */
import { test, expect } from '@playwright/test';
import fc from 'fast-check';
import { deepStrictEqual } from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildCertification } from '../lib/reports/certification';
import { ExitCode } from '../lib/config/errors';
import { landingPageHtml } from '../lib/reports/landing-page';
import { closingOutcomes, emptyTally, nonApiSignature, runProfiles, type Outcome, type RunRecord, type TestRecord, type TestStatus } from '../lib/judgement/outcomes';
import { requirement, requirements, type RequirementId } from '../lib/contract/requirements';
import { runRecordFromReport } from '../lib/judgement/results';
import { judge, nonApiProblem, type Judgement, type Verdict } from '../lib/judgement/verdict';
import { benchVerdict } from '../scripts/bench';
import { certificationLine } from '../scripts/certify';
import { conformanceLines } from '../scripts/conformance';
import { gateLine } from '../scripts/gate';
import { caughtByOf } from '../scripts/self-test';
import { fail, harness, pass, runRecord, skip, testRecord, warn } from './support/records';
import { runPlanted, runScript, startReferenceProcess } from './support/run';

const judged = (record: RunRecord) => judge(record, requirements);

test.describe('closing outcomes: what a test adds when it ends', () => {
  const base = { cites: ['AUTH-001', 'AUTH-002'] as RequirementId[], recorded: [] as Outcome[], errors: [] as string[], softFailures: 0, stoppedOnRecord: false };
  const cases: [string, { given: Partial<typeof base> & { status: TestStatus; skipReason?: string }; want: [string, string | undefined][] }][] = [
    ['a passed test passes what it cites', { given: { status: 'passed' }, want: [['pass', 'AUTH-001'], ['pass', 'AUTH-002']] }],
    ['a test failed only by its soft checks passes the rest', { given: { status: 'failed', recorded: [fail('AUTH-002')], errors: ['AUTH-002 …'], softFailures: 1 }, want: [['pass', 'AUTH-001']] }],
    ['a test stopped on a recorded precondition passes nothing', { given: { status: 'failed', recorded: [fail('AUTH-002')], errors: ['Precondition failed'], stoppedOnRecord: true }, want: [] }],
    ['a timeout judges nothing and is an error', { given: { status: 'timedOut', errors: ['Test timeout of 30000ms exceeded.'] }, want: [['error', undefined]] }],
    ['an exception after a soft failure is an error', { given: { status: 'failed', recorded: [fail('AUTH-002')], errors: ['AUTH-002 …', 'TypeError: x'], softFailures: 1 }, want: [['error', undefined]] }],
    ['a skipped test skips what it cites', { given: { status: 'skipped', skipReason: 'needs a second client' }, want: [['skip', 'AUTH-001'], ['skip', 'AUTH-002']] }],
  ];
  for (const [name, { given, want }] of cases) {
    test(name, () => {
      const closing = closingOutcomes({ ...base, ...given });
      expect(closing.map((o) => [o.result, o.requirement])).toEqual(want);
    });
  }

  test('the error names the requirements left unjudged and the cause', () => {
    const [error] = closingOutcomes({ ...base, status: 'timedOut', errors: ['Test timeout of 30000ms exceeded.'] });
    expect(error).toEqual({ result: 'error', harness: 'no-judgement', message: 'The test stopped before judging AUTH-001, AUTH-002: Test timeout of 30000ms exceeded.' });
  });
});

test.describe('judge: the rules', () => {
  const cases: [string, { given: RunRecord; want: { verdict: Verdict; failed?: string[]; notJudged?: string[]; exitCode: number } }][] = [
    ['every cited MUST passed', { given: runRecord([testRecord('t', ['AUTH-001'], 'passed', [pass('AUTH-001')])]), want: { verdict: 'PASS', exitCode: ExitCode.conformant } }],
    ['a failure anywhere fails its requirement, cited or not', { given: runRecord([testRecord('t', ['BEARER-005'], 'failed', [fail('ERR-001'), pass('BEARER-005')])]), want: { verdict: 'FAIL', failed: ['ERR-001'], exitCode: ExitCode.nonConformant } }],
    ['a SHOULD broken warns and passes', { given: runRecord([testRecord('t', ['BEARER-008'], 'passed', [warn('BEARER-008')])]), want: { verdict: 'PASS', exitCode: ExitCode.conformant } }],
    ['a skipped MUST is not judged', { given: runRecord([testRecord('t', ['SCOPE-001'], 'skipped', [skip('SCOPE-001')])]), want: { verdict: 'INCOMPLETE', notJudged: ['SCOPE-001'], exitCode: ExitCode.incomplete } }],
    ['a harness error is an ERROR, never a PASS', { given: runRecord([testRecord('t', ['AUTH-001'], 'failed', [harness('unplanned-429')])]), want: { verdict: 'ERROR', notJudged: ['AUTH-001'], exitCode: ExitCode.runError } }],
    ['FAIL outranks a harness error', { given: runRecord([testRecord('t', ['AUTH-001'], 'failed', [harness('refused-write')]), testRecord('u', ['AUTH-002'], 'failed', [fail('AUTH-002')])]), want: { verdict: 'FAIL', failed: ['AUTH-002'], exitCode: ExitCode.nonConformant } }],
    ['a certification run scopes the whole catalogue', { given: runRecord([testRecord('t', ['AUTH-001'], 'passed', [pass('AUTH-001')])], { profile: 'certify' }), want: { verdict: 'INCOMPLETE', exitCode: ExitCode.incomplete } }],
    ['a global setup error with every test skipped is a configuration problem', { given: runRecord([testRecord('t', ['AUTH-001'], 'skipped', [skip('AUTH-001')])], {}, ['ConfigError: Missing credentials']), want: { verdict: 'CONFIGURATION', exitCode: ExitCode.configuration } }],
    ['a global teardown error after tests ran is a run error', { given: runRecord([testRecord('t', ['AUTH-001'], 'passed', [pass('AUTH-001')])], {}, ['Error: teardown']), want: { verdict: 'ERROR', exitCode: ExitCode.runError } }],
  ];
  for (const [name, { given, want }] of cases) {
    test(name, () => {
      const j = judged(given);
      expect({ verdict: j.verdict, exitCode: j.exitCode }).toEqual({ verdict: want.verdict, exitCode: want.exitCode });
      if (want.failed) expect(j.failed).toEqual(want.failed);
      if (want.notJudged) expect(j.notJudged).toEqual(want.notJudged);
    });
  }

  test('waivers turn a failure into waived, and nothing else', () => {
    const record = runRecord([testRecord('t', ['AUTH-001', 'AUTH-002'], 'failed', [fail('AUTH-002'), pass('AUTH-001')])]);
    const j = judge(record, requirements, { waivers: new Map([['AUTH-002', 'known'], ['AUTH-001', 'unneeded']]) });
    expect([j.verdict, j.waived, j.failed]).toEqual(['PASS', ['AUTH-002'], []]);
    expect(j.requirements.find((r) => r.id === 'AUTH-001')?.status).toBe('passed');
  });
});

test.describe('a target that is not the API is a configuration problem, not a verdict', () => {
  const answered = (nonApi: Record<string, number>, total: number): TestRecord => testRecord('t', ['AUTH-001'], 'failed', [fail('AUTH-001')], { answers: { total, nonApi } });
  const cases: [string, { given: TestRecord[]; want: RegExp | undefined }][] = [
    ['404 with an empty body everywhere', { given: [answered({ '404 no content type': 30 }, 30)], want: /answered 30 of 30 requests with the same non-API answer \(404 no content type\): likely a wrong base URL or path prefix/ }],
    ['an HTML login page everywhere', { given: [answered({ '200 text/html': 19 }, 20)], want: /likely a login page or a proxy/ }],
    ['redirects everywhere', { given: [answered({ '302 text/plain': 12 }, 12)], want: /redirects elsewhere/ }],
    ['a fault that breaks some answers (plain-text errors are API answers)', { given: [answered({}, 40)], want: undefined }],
    ['a share below 90%', { given: [answered({ '404 text/plain': 17 }, 20)], want: undefined }],
    ['too few answers to tell', { given: [answered({ '404 text/plain': 5 }, 5)], want: undefined }],
  ];
  for (const [name, { given, want }] of cases) {
    test(name, () => {
      const problem = nonApiProblem(given, 'http://127.0.0.1:1');
      if (want) expect(problem).toMatch(want);
      else expect(problem).toBeUndefined();
    });
  }

  const signatures: [string, { given: [number, string | undefined, boolean]; want: string | undefined }][] = [
    ['404 text/plain', { given: [404, 'text/plain; charset=utf-8', false], want: '404 text/plain' }],
    ['any status as HTML', { given: [200, 'text/html', false], want: '200 text/html' }],
    ['a JSON 404 is an API answer', { given: [404, 'application/json', true], want: undefined }],
    ['a plain-text 401 is an API answer (ERR-001 judges it)', { given: [401, 'text/plain', false], want: undefined }],
  ];
  for (const [name, { given, want }] of signatures) test(`signature: ${name}`, () => expect(nonApiSignature(...given)).toBe(want));
});

test('reading a Playwright report: the outcome attachment, a test skipped before its fixtures, a crashed one', () => {
  const attachment = (outcomes: Outcome[]) => ({ name: 'billerapi-outcomes.json', contentType: 'application/json', body: Buffer.from(JSON.stringify({ outcomes, answers: emptyTally() })).toString('base64') });
  const spec = (title: string, tags: string[], status: string, results: object[], annotations: object[] = []) => ({ title, file: 'x.spec.ts', tags, tests: [{ status: status === 'skipped' ? 'skipped' : 'unexpected', annotations, results }] });
  const report = {
    suites: [{
      specs: [spec('AUTH-001 t', ['AUTH-001', 'production-safe'], 'passed', [{ status: 'passed', attachments: [attachment([pass('AUTH-001')])] }])],
      suites: [{ specs: [
        spec('AUTH-002 t', ['AUTH-002'], 'skipped', [], [{ type: 'skip', description: 'no Chromium' }]),
        spec('AUTH-003 t', ['AUTH-003'], 'failed', [{ status: 'failed', errors: [{ message: '\u001b[31mWorker crashed\u001b[39m\n  at x' }] }]),
      ] }],
    }],
    errors: [],
  };
  const record = runRecordFromReport(report, undefined);
  expect(record.tests.map((t) => [t.title, t.cites, t.status, t.outcomes.map((o) => `${o.result} ${o.requirement ?? o.harness}: ${o.message}`)])).toEqual([
    ['AUTH-001 t', ['AUTH-001'], 'passed', ['pass AUTH-001: no check of the test found a violation']],
    ['AUTH-002 t', ['AUTH-002'], 'skipped', ['skip AUTH-002: no Chromium']],
    ['AUTH-003 t', ['AUTH-003'], 'failed', ['error no-judgement: The test recorded no outcome: Worker crashed']],
  ]);
});

test('the fixtures record each way a test ends, as data, in a real run (planted suite)', { tag: '@runs' }, async () => {
  const run = await runPlanted('recording');
  expect(run.result, run.output).toBeDefined();
  const tests = Object.fromEntries(run.result!.record.tests.map((t) => [t.title.split(' ')[0], t.outcomes.map((o) => `${o.result} ${o.requirement ?? o.harness}`)]));
  expect(tests).toEqual({
    'AUTH-001': ['fail ERR-002', 'pass AUTH-001'],
    'AUTH-002': ['fail AUTH-002'],
    'AUTH-004': ['error no-judgement'],
    'AUTH-005': ['skip AUTH-005'],
    'AUTH-006': ['error no-judgement'],
    'AUTH-007': ['pass AUTH-007'],
  });
  const j = run.result!.judgement;
  expect([j.verdict, j.failed, j.notJudged]).toEqual(['FAIL', ['AUTH-002', 'ERR-002'], ['AUTH-003', 'AUTH-004', 'AUTH-005', 'AUTH-006']]);
  expect(j.requirements.find((r) => r.id === 'AUTH-004')?.reason).toMatch(/^The test stopped before judging AUTH-004: Test timeout of 1000ms exceeded\./);
  expect(j.requirements.find((r) => r.id === 'AUTH-003')?.reason).toMatch(/^a precondition failed: AUTH-002 /);
});

// The agreement property: every command's summary of one run, read as a person reads it.

const POOL: RequirementId[] = ['AUTH-001', 'AUTH-002', 'AUTH-004', 'BEARER-005', 'ERR-001', 'SCHEMA-004', 'BEARER-008', 'CONNECT-001'];

/** As the recorder makes them: a violation of a MUST fails, of a SHOULD warns. */
const outcomeArb: fc.Arbitrary<Outcome> = fc.oneof(
  fc.record({ result: fc.constantFrom('pass', 'violation', 'skip'), requirement: fc.constantFrom(...POOL) }).map(({ result, requirement: id }) =>
    result === 'violation' ? (requirement(id).level === 'MUST' ? fail(id) : warn(id)) : ({ pass, skip })[result](id)),
  fc.constantFrom('unplanned-429', 'refused-write', 'no-judgement').map((kind) => harness(kind as 'unplanned-429')),
);
const testArb: fc.Arbitrary<TestRecord> = fc.record({
  cites: fc.uniqueArray(fc.constantFrom(...POOL), { minLength: 1, maxLength: 3 }),
  status: fc.constantFrom<TestStatus>('passed', 'failed', 'timedOut', 'skipped', 'interrupted'),
  outcomes: fc.array(outcomeArb, { maxLength: 4 }),
}).map(({ cites, status, outcomes }, ) => testRecord(`${cites[0]} generated`, cites, status, outcomes));
const recordArb: fc.Arbitrary<RunRecord> = fc.record({
  tests: fc.array(testArb, { maxLength: 12 }),
  profile: fc.constantFrom(...runProfiles),
  readOnly: fc.boolean(),
  runErrors: fc.array(fc.constant('Error: in the global setup'), { maxLength: 1 }),
}).map(({ tests, profile, readOnly, runErrors }) => runRecord(tests, { profile, readOnly }, runErrors));

/** `verdict: FAIL (AUTH-004, ERR-001) (warnings: …)` → the verdict word and, for a FAIL, the IDs it names. */
function readVerdictLine(line: string): { verdict: string; failed: string[] } {
  const match = /^[a-z]+: ([A-Z]+)(?: \(([^)]*)\))?/.exec(line)!;
  return { verdict: match[1], failed: match[1] === 'FAIL' ? match[2].split(', ') : [] };
}

/** What each command says of a run: the verdict and the failed requirements. */
function everyCommand(record: RunRecord): Record<string, { verdict: string; failed: string[]; exitCode?: number }> {
  const j: Judgement = judged(record);
  const certification = buildCertification(record, j, { suite: { name: 's', version: '0' }, spec: { path: 's', sha256: '0' }, now: new Date(0) });
  const landing = landingPageHtml({ environment: 'local', run: record, catalogue: requirements, present: { playwright: true, certification: true, k6: false }, now: new Date(0) });
  const landingVerdict = /<dt>Verdict<\/dt><dd>([^<]*)<\/dd>/.exec(landing)?.[1] ?? '';
  const bench = benchVerdict(j);
  return {
    conformance: { ...readVerdictLine(conformanceLines(j).at(-1)!), exitCode: j.exitCode },
    gate: { ...readVerdictLine(gateLine(j)), exitCode: j.exitCode },
    certify: { ...readVerdictLine(certificationLine(j)), exitCode: j.exitCode },
    certificate: { verdict: certification.verdict, failed: certification.requirements.filter((r) => r.result === 'failed').map((r) => r.id).sort() },
    landing: { verdict: readVerdictLine(`v: ${landingVerdict}`).verdict, failed: [...landing.matchAll(/<tr data-id="([^"]+)">(?:(?!<\/tr>).)*class="status failed"/g)].map((m) => m[1]).sort() },
    bench: { verdict: bench.passed ? 'PASS' : readVerdictLine(bench.verdict).verdict, failed: readVerdictLine(bench.verdict).failed },
    'self-test': { verdict: j.verdict, failed: caughtByOf(j).filter((id) => requirement(id).level === 'MUST') },
  };
}

test('every command reports the same verdict and the same failed requirements for any run (1,000 generated runs)', () => {
  fc.assert(fc.property(recordArb, (record) => {
    const j = judged(record);
    const said = everyCommand(record);
    // node:assert, not expect: Playwright's expect costs milliseconds a call, and this makes thousands.
    for (const [command, summary] of Object.entries(said)) {
      deepStrictEqual({ command, verdict: summary.verdict, failed: summary.failed }, { command, verdict: j.verdict, failed: j.failed });
      if (summary.exitCode !== undefined) deepStrictEqual({ command, exitCode: summary.exitCode }, { command, exitCode: j.exitCode });
    }
  }), { numRuns: 1_000 });
});

test('the verdict obeys its rules on any run (an independent reading of them, 1,000 generated runs)', () => {
  fc.assert(fc.property(recordArb, (record) => {
    const j = judged(record);
    const all = record.tests.flatMap((t) => t.outcomes);
    const mustFailed = [...new Set(all.filter((o) => o.result === 'fail' && requirement(o.requirement!).level === 'MUST').map((o) => o.requirement!))].sort();
    const errors = all.some((o) => o.result === 'error') || record.runErrors.length > 0;
    const configuration = record.runErrors.length > 0 && record.tests.every((t) => t.status === 'skipped');
    const scope = record.meta!.profile === 'certify' ? requirements.map((r) => r.id) : [...new Set(record.tests.flatMap((t) => [...t.cites, ...t.outcomes.flatMap((o) => o.requirement ?? [])]))];
    const unjudged = scope.filter((id) => requirement(id).level === 'MUST' && !all.some((o) => o.requirement === id && (o.result === 'pass' || o.result === 'fail')));
    const expected: Verdict = configuration ? 'CONFIGURATION' : mustFailed.length ? 'FAIL' : errors ? 'ERROR' : unjudged.length ? 'INCOMPLETE' : 'PASS';
    deepStrictEqual(j.verdict, expected);
    deepStrictEqual(j.failed, configuration ? [] : mustFailed);
    // A requirement passes only on a pass outcome, and never with a failure anywhere.
    for (const r of j.requirements.filter((r) => r.status === 'passed')) {
      deepStrictEqual({ id: r.id, passedSomewhere: all.some((o) => o.requirement === r.id && o.result === 'pass') }, { id: r.id, passedSomewhere: true });
      deepStrictEqual({ id: r.id, violated: all.some((o) => o.requirement === r.id && (o.result === 'fail' || o.result === 'warn')) }, { id: r.id, violated: false });
    }
  }), { numRuns: 1_000 });
});

// The six disagreements of the verdict issue, each kept as a named regression.


test('regression: certify --faults plain-text-errors --grep @BEARER-005 says FAIL (ERR-001), as the run did', { tag: '@runs' }, async ({}, testInfo) => {
  const { code, output: out } = await runScript('scripts/certify.ts', ['--faults', 'plain-text-errors', '--grep', '@BEARER-005'], { BILLERAPI_REPORTS_DIR: testInfo.outputPath('reports') });
  expect(code, out).toBe(ExitCode.nonConformant);
  expect(out).toMatch(/^verdict: FAIL \(ERR-001\)$/m);
  expect(out).toMatch(/^certification: FAIL \(ERR-001\), /m);
});

test('regression: a MUST skipped for want of a client makes a certification INCOMPLETE, never PASS 0 of 1', () => {
  const record = runRecord([testRecord('RATE-005 link: another client is answered', ['RATE-005'], 'skipped', [skip('RATE-005', 'no dedicated rate-limit client is configured')])], { profile: 'certify' });
  const j = judged(record);
  expect(j.verdict).toBe('INCOMPLETE');
  expect(j.requirements.find((r) => r.id === 'RATE-005')).toMatchObject({ status: 'not-judged', reason: 'skipped: no dedicated rate-limit client is configured' });
  expect(j.notJudged).toContain('RATE-005');
  expect(certificationLine(j)).toMatch(/^certification: INCOMPLETE \(not judged: .*\), 0 of \d+ MUST requirements passed \(0%\)$/);
});

test('regression: a failed precondition charges the requirement it checks (LINK-001 answered 500), never leaves it passed', () => {
  const linkTokenCreate500 = [fail('SCHEMA-002', 'a documented status of createLinkToken: 200, 400, 401, 403, 429', '500 Internal Server Error'), fail('LINK-001', 'a link token (2xx with link_token)', '500 Internal Server Error')];
  const j = judged(runRecord([testRecord('LINK-001 creates a link token', ['LINK-001'], 'failed', linkTokenCreate500)]));
  expect(j.failed).toEqual(['LINK-001', 'SCHEMA-002']);
  expect(j.requirements.find((r) => r.id === 'LINK-001')?.status).toBe('failed');
});

test('regression: a Connect test that timed out before its BEARER-005 check does not charge BEARER-005', () => {
  const j = judged(runRecord([
    testRecord('CONNECT-001 links an account in the browser', ['CONNECT-001', 'BEARER-005'], 'timedOut', [harness('no-judgement', 'The test stopped before judging CONNECT-001, BEARER-005: Test timeout of 30000ms exceeded.')]),
    testRecord("BEARER-005 refuses a token for another linked account's bills", ['BEARER-005'], 'passed', [pass('BEARER-005')]),
  ], { profile: 'certify' }));
  expect(j.requirements.find((r) => r.id === 'BEARER-005')?.status).toBe('passed');
  expect(j.requirements.find((r) => r.id === 'CONNECT-001')?.status).toBe('not-judged');
  expect([j.verdict, j.failed]).toEqual(['ERROR', []]);
});

test.describe('regression: certify records the target the run actually hit', () => {
  let reference: { url: string; stop(): Promise<void> };
  test.beforeAll(async () => {
    reference = await startReferenceProcess();
  });
  test.afterAll(async () => reference.stop());

  for (const [name, args] of [
    ['certify --env sandbox --base-url URL records URL, not the default sandbox host', (url: string) => ['--env', 'sandbox', '--base-url', url]],
    ['certify --env partner --base-url=URL (with =) certifies instead of exiting 2', (url: string) => ['--env', 'partner', `--base-url=${url}`]],
  ] as const) {
    test(name, { tag: '@runs' }, async ({}, testInfo) => {
      const reports = testInfo.outputPath('reports');
      const credentials = { BILLERAPI_CLIENT_ID: 'cli_reference_primary', BILLERAPI_CLIENT_SECRET: 'bb_test_IJQ4ukDxDIKq1Aw5LLw29R4I7pNC' };
      const { code, output: out } = await runScript('scripts/certify.ts', [...args(reference.url), '--grep', '@AUTH-001'], { BILLERAPI_REPORTS_DIR: reports, ...credentials });
      expect(code, out).toBe(ExitCode.incomplete);
      expect(out).toContain(`target ${reference.url}`);
    });
  }
});

// Not a regression of the six, but of the same family: a target that is not the API.

async function serve(handler: Parameters<typeof createServer>[1]): Promise<{ url: string; server: Server }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

for (const [name, handler, cause] of [
  ['404 with an empty body everywhere', (_: unknown, res: { writeHead(s: number): { end(): void } }) => res.writeHead(404).end(), /wrong base URL or path prefix/],
  ['an HTML login page everywhere', (_: unknown, res: { writeHead(s: number, h: object): { end(b: string): void } }) => res.writeHead(200, { 'Content-Type': 'text/html' }).end('<html><form>Sign in</form></html>'), /login page or a proxy/],
] as const) {
  test(`a target answering ${name} exits 2 naming the likely cause, not a list of failures`, { tag: '@runs' }, async () => {
    const { url, server } = await serve(handler as never);
    try {
      const { code, output: out } = await runScript('scripts/conformance.ts', ['--env', 'partner', '--base-url', url, '--grep', '@AUTH-00[1-4]|@ERR-00'], {
        BILLERAPI_CLIENT_ID: 'cli_x', BILLERAPI_CLIENT_SECRET: 'bb_test_not_a_real_secret_value',
      });
      expect(code, out).toBe(ExitCode.configuration);
      expect(out).toMatch(cause);
      expect(out).not.toMatch(/^verdict: /m);
    } finally {
      server.close();
    }
  });
}
