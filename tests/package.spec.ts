/**
 * The package partners install (README.md, "Install as a package"): where an installed suite
 * keeps the user's files (lib/config/env.ts, userRoot), and the proof from the tarball, not the
 * checkout: `npm pack`, installed into an empty folder, runs the whole suite there against the
 * embedded reference and writes its reports there, not into node_modules.
 */
import { test as base, expect } from '@playwright/test';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { isInstalledPackage, userRoot } from '../lib/config/env';
import { cleanEnv } from '../lib/run/conformance-process';
import { readRunResult } from '../lib/judgement/results';
import { subcommands } from '../scripts/cli';
import { repoRoot, runProgram } from './support/run';

const rules: [string, { root: string; cwd: string; installed: boolean; want: string }][] = [
  ['a clone keeps them at its root, from any working directory', { root: '/src/billerapi', cwd: '/tmp/elsewhere', installed: false, want: '/src/billerapi' }],
  ['a project install keeps them in the working directory', { root: '/home/p/certify/node_modules/billerapi-conformance', cwd: '/home/p/certify', installed: true, want: '/home/p/certify' }],
  ['an npx or global install too', { root: '/root/.npm/_npx/1a2b/node_modules/billerapi-conformance', cwd: '/srv/nightly', installed: true, want: '/srv/nightly' }],
  ['a folder merely named like node_modules is a clone', { root: '/src/node_modules_old/billerapi', cwd: '/tmp', installed: false, want: '/src/node_modules_old/billerapi' }],
];

for (const [name, { root, cwd, installed, want }] of rules) {
  base(`reports and .env.<env> files: ${name}`, () => {
    expect(isInstalledPackage(root)).toBe(installed);
    expect(userRoot(root, cwd)).toBe(want);
  });
}

const packageJson = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { name: string; version: string; dependencies: Record<string, string> };

base('the Docker image is Playwright\'s official one of the pinned @playwright/test version', () => {
  const images = [...readFileSync(join(repoRoot, 'Dockerfile'), 'utf8').matchAll(/^FROM (\S+)/gm)].map(([, image]) => image);
  expect(images.length).toBeGreaterThan(0);
  expect(new Set(images)).toEqual(new Set([`mcr.microsoft.com/playwright:v${packageJson.dependencies['@playwright/test']}-noble`]));
});

// The proof from the tarball.

const tarball = `${packageJson.name}-${packageJson.version}.tgz`;
/** Packing, installing and one whole run of the suite (about 40 s) on a busy machine. */
const PACKAGE_TIMEOUT_MS = 4 * 60_000;

/** A temporary folder outside the repository (npm must find no project above it), removed after the test. */
const test = base.extend<{ scratch: string }>({
  scratch: async ({}, use) => {
    const dir = mkdtempSync(join(tmpdir(), 'billerapi-package-'));
    await use(dir);
    rmSync(dir, { recursive: true, force: true });
  },
});

/** A partner's shell: none of this run's Playwright or BillerAPI settings, and none of npm's, which would point npm back at this repository. */
function partnerEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(cleanEnv()).filter(([key]) => !/^(npm_|INIT_CWD$)/i.test(key)));
}

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
  seconds: number;
}

async function run(file: string, args: string[], cwd: string, timeout: number): Promise<Ran> {
  const started = performance.now();
  const seconds = () => Math.round((performance.now() - started) / 100) / 10;
  const ran = await runProgram(file, args, { cwd, env: partnerEnv(), timeout, maxBuffer: 64 * 1024 * 1024 });
  return { ...ran, seconds: seconds() };
}

interface PackedFile {
  path: string;
}

interface Packed {
  filename: string;
  size: number;
  unpackedSize: number;
  entryCount: number;
  files: PackedFile[];
}

interface Spec {
  file: string;
  line: number;
  column: number;
}

/** The packages a file imports or requires by name (not relative, not node:). */
function packagesImportedBy(source: string): string[] {
  return [...source.matchAll(/(?:\bfrom|\bimport\(|\brequire\()\s*(['"])([^'".][^'"]*)\1/g)].map(([, , name]) => name).filter((name) => !name.startsWith('node:'));
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

/** Every test's location in a Playwright JSON report. */
function specsOf(report: { suites?: unknown[] }): Spec[] {
  const out: Spec[] = [];
  const walk = (suite: { specs?: Spec[]; suites?: unknown[] }) => {
    out.push(...(suite.specs ?? []));
    for (const child of suite.suites ?? []) walk(child as typeof suite);
  };
  for (const suite of report.suites ?? []) walk(suite as { specs?: Spec[]; suites?: unknown[] });
  return out;
}

test('the packed tarball, installed into an empty folder, runs the whole suite there and writes its reports there', { tag: '@runs' }, async ({ scratch }) => {
  test.setTimeout(PACKAGE_TIMEOUT_MS);
  const note = (type: string, description: string) => test.info().annotations.push({ type, description });

  const pack = await run('npm', ['pack', '--json', '--pack-destination', scratch], repoRoot, 60_000);
  expect(pack.code, pack.stderr).toBe(0);
  const [packed] = JSON.parse(pack.stdout) as Packed[];
  expect(packed.filename).toBe(tarball);
  const paths = packed.files.map((f) => f.path);
  note('package', `${packed.entryCount} files, ${Math.round(packed.size / 1000)} kB packed, ${Math.round(packed.unpackedSize / 1000)} kB unpacked`);
  expect(paths).toEqual(expect.arrayContaining(['bin/billerapi-conformance.cjs', 'scripts/cli.ts', 'playwright.config.ts', 'tsconfig.json', '.env.local', 'specs/billerapi.openapi.yaml', 'schemas/validators.cjs', 'reference/main.ts', 'suites/receiver/playwright.config.ts', 'lib/run/playwright-source-maps.ts']));
  expect(paths.filter((p) => /^(tests|examples|reports|load|node_modules)\//.test(p))).toEqual([]);

  // --prefer-offline, not --offline: npm 11 reads full registry metadata to install a tarball's
  // dependencies, which an `npm ci` from the lockfile never caches; cached, nothing is fetched.
  const app = join(scratch, 'app');
  const install = await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--prefix', app, join(scratch, tarball)], scratch, 120_000);
  expect(install.code, install.stderr).toBe(0);
  note('install', `${install.seconds} s`);
  const installed = join(app, 'node_modules', packageJson.name);
  // Every command's imports, not only the run's: a package still in devDependencies is missing here.
  const unresolved = filesUnder(installed).filter((f) => /\.(ts|cjs)$/.test(f)).flatMap((file) =>
    packagesImportedBy(readFileSync(file, 'utf8')).filter((name) => {
      try {
        require.resolve(name, { paths: [dirname(file)] });
        return false;
      } catch {
        return true;
      }
    }).map((name) => `${file.slice(installed.length + 1)}: ${name}`));
  expect(unresolved).toEqual([]);

  const help = await run('npx', ['billerapi-conformance', '--help'], app, 30_000);
  expect(help.code, help.stderr).toBe(0);
  for (const { name } of subcommands) expect(help.stdout).toMatch(new RegExp(`^  ${name}\\b`, 'm'));

  const conformance = await run('npx', ['billerapi-conformance', 'run'], app, PACKAGE_TIMEOUT_MS - 60_000);
  note('run', `${conformance.seconds} s`);
  expect(conformance.code, `${conformance.stdout.slice(-3_000)}\n${conformance.stderr}`).toBe(0);
  expect(conformance.stdout).toMatch(/^verdict: PASS\b/m);
  const reports = join(app, 'reports', 'local');
  expect(readRunResult(reports)?.judgement.verdict).toBe('PASS');
  expect(['reports', 'test-results'].filter((d) => existsSync(join(installed, d)))).toEqual([]);

  // tsx compiles the installed suites onto a few long lines: the locations must still point into the sources.
  const misplaced = specsOf(JSON.parse(readFileSync(join(reports, 'results.json'), 'utf8'))).filter(({ file, line, column }) => {
    const source = readFileSync(join(installed, 'suites', file), 'utf8').split('\n');
    return line > source.length || column > source[line - 1].length;
  });
  expect(misplaced).toEqual([]);
});
