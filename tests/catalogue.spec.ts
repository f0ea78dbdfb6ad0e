/**
 * The requirement catalogue stays honest: every quote is in the documentation, every
 * assumption is written down, every requirement is checked by a test and broken by a fault.
 * Each subject has its own tests and faults: an implementation's requirements (no `subject`)
 * are cited by the conformance suites and broken by reference/faults.ts; a webhook receiver's
 * (`subject: receiver`) are cited by suites/receiver/ and broken by examples/receiver/faulty.ts;
 * an API client's (`subject: client`) are judged by the checks of lib/integrations/observe.ts
 * (the observing sandbox is no Playwright suite) and broken by examples/client/misbehaving.ts.
 */
import { test, expect } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { faults } from '../reference/faults';
import { faultyReceivers } from '../examples/receiver/faulty';
import { misbehavingClients } from '../examples/client/misbehaving';
import { clientChecks } from '../lib/integrations/observe';
import { variationNames, variationOf } from '../reference/variations';

const repoRoot = join(__dirname, '..');
const SOURCE = 'specs/source/billerapi-authentication.txt';
const SHARED_SOURCE = join(repoRoot, '..', 'shared', 'docs', 'billerapi-authentication.txt');
const ID_SHAPE = /^[A-Z]+-\d{3}$/;

interface Entry {
  id: string;
  statement: string;
  level: unknown;
  source?: { quote?: string; assumption?: string };
  production_safe: unknown;
  subject?: unknown;
}

const SUBJECTS = ['api', 'receiver', 'client'] as const;
type Subject = (typeof SUBJECTS)[number];
const subjectOf = (e: Entry): Subject => (e.subject === undefined ? 'api' : e.subject as Subject);

function read(path: string): string {
  return readFileSync(join(repoRoot, path), 'utf8');
}

/** Line breaks and indentation of the documentation are not part of what it says. */
function collapseWhitespace(text: string): string {
  return text.replace(/\s+/g, ' ');
}

/** `[...wanted]` minus `known`, each once, sorted: the offenders a failure message names. */
function missingFrom(known: Iterable<string>, wanted: Iterable<string>): string[] {
  const have = new Set(known);
  return [...new Set(wanted)].filter((x) => !have.has(x)).sort();
}

/** Every value under `key`, at any depth of a parsed YAML document. */
function valuesOf(key: string, node: unknown): unknown[] {
  if (Array.isArray(node)) return node.flatMap((item) => valuesOf(key, item));
  if (!node || typeof node !== 'object') return [];
  return Object.entries(node).flatMap(([k, v]) => (k === key ? [v] : valuesOf(key, v)));
}

interface ListedSpec { title: string; tags?: string[]; tests?: { results?: unknown[] }[] }
interface ListedSuite { specs?: ListedSpec[]; suites?: ListedSuite[] }

function specsOf(suite: ListedSuite): ListedSpec[] {
  return [...(suite.specs ?? []), ...(suite.suites ?? []).flatMap(specsOf)];
}

/** The suites of a Playwright configuration as `playwright test --list` sees them: listing runs no global setup and no test. */
function listSuites(config: string): { specs: ListedSpec[]; errors: unknown[] } {
  const stdout = execFileSync(process.execPath, ['node_modules/@playwright/test/cli.js', 'test', '-c', config, '--list', '--reporter=json'], {
    cwd: repoRoot,
    // A minimal environment: the worker's PLAYWRIGHT_* variables would redirect the nested reporter.
    env: { PATH: process.env.PATH, HOME: process.env.HOME, BILLERAPI_ENV: 'local' },
    encoding: 'utf8',
    timeout: 60_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  const report = JSON.parse(stdout) as { suites?: ListedSuite[]; errors?: unknown[] };
  return { specs: (report.suites ?? []).flatMap(specsOf), errors: report.errors ?? [] };
}

const catalogue = (parse(read('specs/requirements.yaml')) as { requirements: Entry[] }).requirements;
const catalogueIds = catalogue.map((e) => e.id);
const idsOf = (subject: Subject) => catalogue.filter((e) => subjectOf(e) === subject).map((e) => e.id);
const assumptionIds = [...read('specs/ASSUMPTIONS.md').matchAll(/^\| (A-\d{3}) \|/gm)].map((m) => m[1]);

test.describe('specs/requirements.yaml', () => {
  test('every source.quote is verbatim text of the documentation (whitespace collapsed)', () => {
    const documentation = collapseWhitespace(read(SOURCE));
    const misquoted = catalogue
      .filter((e) => e.source?.quote !== undefined && !documentation.includes(collapseWhitespace(e.source.quote)))
      .map((e) => `${e.id}: "${e.source?.quote}"`);
    expect(misquoted, `quotes not found in ${SOURCE}`).toEqual([]);
  });

  test('every source.assumption is a row of specs/ASSUMPTIONS.md', () => {
    const cited = catalogue.flatMap((e) => (e.source?.assumption === undefined ? [] : [e.source.assumption]));
    expect(missingFrom(assumptionIds, cited), 'assumptions cited but not in ASSUMPTIONS.md').toEqual([]);
  });

  test('every entry cites a quote or an assumption', () => {
    const unsourced = catalogue.filter((e) => !e.source?.quote && !e.source?.assumption).map((e) => e.id);
    expect(unsourced, 'requirements without a source').toEqual([]);
  });

  test('IDs are unique and shaped AREA-NNN', () => {
    const duplicated = catalogueIds.filter((id, i) => catalogueIds.indexOf(id) !== i);
    const misshapen = catalogueIds.filter((id) => !ID_SHAPE.test(id));
    expect({ duplicated, misshapen }).toEqual({ duplicated: [], misshapen: [] });
  });

  test('subject, when given, is receiver or client', () => {
    const invalid = catalogue.filter((e) => e.subject !== undefined && !SUBJECTS.slice(1).includes(e.subject as Subject)).map((e) => `${e.id}: subject ${JSON.stringify(e.subject)}`);
    expect(invalid).toEqual([]);
  });

  test('level is MUST or SHOULD and production_safe is a boolean', () => {
    const invalid = catalogue
      .filter((e) => (e.level !== 'MUST' && e.level !== 'SHOULD') || typeof e.production_safe !== 'boolean')
      .map((e) => `${e.id}: level ${JSON.stringify(e.level)}, production_safe ${JSON.stringify(e.production_safe)}`);
    expect(invalid).toEqual([]);
  });
});

test.describe('specs/billerapi.openapi.yaml', () => {
  test('every x-assumption is a row of specs/ASSUMPTIONS.md', () => {
    const cited = valuesOf('x-assumption', parse(read('specs/billerapi.openapi.yaml'))).map(String);
    expect(cited.length, 'the spec names no x-assumption: has the key been renamed?').toBeGreaterThan(0);
    expect(missingFrom(assumptionIds, cited), 'x-assumption values not in ASSUMPTIONS.md').toEqual([]);
  });
});

test.describe('specs/source', () => {
  test('the documentation copy is identical to the shared original', () => {
    test.skip(!existsSync(SHARED_SOURCE), `${SHARED_SOURCE} is not present in this checkout`);
    expect(read(SOURCE), `${SOURCE} differs from ${SHARED_SOURCE}: copy the original over it`).toBe(readFileSync(SHARED_SOURCE, 'utf8'));
  });
});

/** The Playwright configuration whose suites cite each subject's requirements (the client certification has none). */
const SUITES_OF = {
  api: 'playwright.config.ts',
  receiver: 'suites/receiver/playwright.config.ts',
} as const;
type SuiteSubject = keyof typeof SUITES_OF;

test.describe('coverage of the catalogue', () => {
  // One listing per subject for the tests below: run them in order in one worker, failures not skipping the rest.
  test.describe.configure({ mode: 'default' });
  const listings = new Map<Subject, ReturnType<typeof listSuites>>();
  test.beforeAll(() => {
    for (const subject of Object.keys(SUITES_OF) as SuiteSubject[]) listings.set(subject, listSuites(SUITES_OF[subject]));
  });

  /** Requirement-shaped tags of a subject's suites; the JSON report drops the leading `@`. */
  const requirementTags = (subject: Subject) =>
    listings.get(subject)!.specs.flatMap((s) => s.tags ?? []).map((tag) => tag.replace(/^@/, '')).filter((tag) => ID_SHAPE.test(tag));

  test('every client requirement is judged by a check of lib/integrations/observe.ts, which judge no other', () => {
    const judged = clientChecks.map((c) => c.requirement);
    expect(missingFrom(judged, idsOf('client')), 'requirements no check judges').toEqual([]);
    expect(missingFrom(idsOf('client'), judged), 'checks judging no client requirement').toEqual([]);
  });

  for (const subject of Object.keys(SUITES_OF) as SuiteSubject[]) {
    test(`listing the ${subject} suites (${SUITES_OF[subject]}) needs no server and runs nothing`, () => {
      const listing = listings.get(subject)!;
      expect(listing.errors).toEqual([]);
      expect(listing.specs.length).toBeGreaterThan(0);
      expect(listing.specs.filter((s) => (s.tests ?? []).some((t) => (t.results ?? []).length > 0)).map((s) => s.title)).toEqual([]);
    });

    test(`every ${subject} requirement is tagged @ID by at least one test of its suites, which cite no other`, () => {
      expect(missingFrom(requirementTags(subject), idsOf(subject)), 'requirements no test cites').toEqual([]);
      expect(missingFrom(idsOf(subject), requirementTags(subject)), 'tags naming no requirement of this subject').toEqual([]);
    });
  }
});

/** What breaks each subject's requirements: the reference's faults, the faulty example receivers, the misbehaving example clients. */
const BREAKERS: Record<Subject, [name: string, breaks: readonly string[]][]> = {
  api: Object.entries(faults).map(([name, f]) => [`reference fault ${name}`, f.breaks]),
  receiver: Object.entries(faultyReceivers).map(([name, r]) => [`faulty receiver ${name}`, r.breaks]),
  client: Object.entries(misbehavingClients).map(([name, c]) => [`misbehaving client ${name}`, c.breaks]),
};

test.describe('reference/faults.ts, examples/receiver/faulty.ts, examples/client/misbehaving.ts', () => {
  for (const subject of SUBJECTS) {
    test(`every ${subject} requirement is broken by at least one of its faults, which break no other`, () => {
      const broken = BREAKERS[subject].flatMap(([, breaks]) => breaks);
      expect(missingFrom(broken, idsOf(subject)), 'requirements no fault breaks').toEqual([]);
      const strays = BREAKERS[subject].flatMap(([name, breaks]) => missingFrom(idsOf(subject), breaks).map((id) => `${name}: ${id}`));
      expect(strays, 'faults breaking another subject\'s requirement').toEqual([]);
    });
  }
});

test.describe('reference/variations.ts', () => {
  const assumptions = new Set(read('specs/ASSUMPTIONS.md').match(/^\| (A-\d{3}) \|/gm)?.map((row) => row.slice(2, 7)) ?? []);

  test('every variation is allowed by a written assumption or a spec clause', () => {
    const unfounded = variationNames.filter((name) => {
      const { allowedBy } = variationOf(name);
      const cited = allowedBy.match(/A-\d{3}/g) ?? [];
      return cited.length === 0 ? !/^specs\/billerapi\.openapi\.yaml#\//.test(allowedBy) : cited.some((id) => !assumptions.has(id));
    });
    expect(unfounded, 'variations citing no written assumption or spec clause').toEqual([]);
  });

  test('every variation touches at least one requirement and says what it does', () => {
    expect(variationNames.filter((name) => variationOf(name).touches.length === 0 || variationOf(name).description.trim() === '')).toEqual([]);
  });
});
