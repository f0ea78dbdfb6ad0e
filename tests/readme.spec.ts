/**
 * The README and docs/ stay true to the tree: the two fresh-machine commands come first (CI runs
 * the test command written there), every link and anchor resolves, every repository path they
 * name exists, the exit code table is the verdict module's, and every variable of the table is one
 * the code reads.
 */
import { test, expect } from '@playwright/test';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { ExitCode } from '../lib/config/errors';
import { exitCodeOf, type Verdict } from '../lib/judgement/verdict';
import { repoRoot } from './support/run';

const FRESH_MACHINE = [
  '# BillerAPI conformance suite',
  '',
  '```sh',
  'npm ci && npm run conformance    # the whole conformance suite against the embedded reference server; reports in reports/local/',
  'npm ci && npm test               # the project\'s own tests',
  '```',
];

/** The pages a reader follows: the README and every page of docs/. */
const PAGES = ['README.md', ...readdirSync(join(repoRoot, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];

function read(path: string): string {
  return readFileSync(join(repoRoot, path), 'utf8');
}

/** The page without its fenced code blocks: a `#` or a `[x](y)` inside them is not markdown. */
function prose(text: string): string {
  return text.replace(/^```[^\n]*\n[\s\S]*?^```$/gm, '');
}

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens; repeats get -1, -2. */
function anchorsOf(text: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  for (const [, heading] of prose(text).matchAll(/^#{1,6} (.+)$/gm)) {
    const slug = heading.trim().toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, '').replace(/ /g, '-');
    const n = seen.get(slug) ?? 0;
    seen.set(slug, n + 1);
    anchors.add(n === 0 ? slug : `${slug}-${n}`);
  }
  return anchors;
}

/** Repository paths named in backticks: a file or folder under a top folder of ours, no placeholder. */
const REPOSITORY_PATH = /^(?:lib|scripts|reference|suites|tests|specs|schemas|load|docs|\.github|\.ci)\/[\w./-]*$|^\.dependency-cruiser\.cjs$|^knip\.jsonc?$|^\.env\.(?:example|local)$/;

test('the README starts with the two fresh-machine commands', () => {
  expect(read('README.md').split('\n').slice(0, FRESH_MACHINE.length)).toEqual(FRESH_MACHINE);
});

test('every relative link of the README and docs/ reaches a file, and every anchor a heading', () => {
  const broken: string[] = [];
  for (const page of PAGES) {
    for (const [, target] of prose(read(page)).matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z]+:/.test(target)) continue;
      const [file, anchor] = target.split('#');
      const path = file === '' ? page : normalize(join(dirname(page), file));
      if (!existsSync(join(repoRoot, path))) broken.push(`${page}: ${target} (no ${path})`);
      else if (anchor !== undefined && path.endsWith('.md') && !anchorsOf(read(path)).has(anchor)) broken.push(`${page}: ${target} (no heading #${anchor} in ${path})`);
    }
  }
  expect(broken).toEqual([]);
});

test('every repository path the README and docs/ name exists', () => {
  const missing = PAGES.flatMap((page) =>
    [...read(page).matchAll(/`([^`\n]+)`/g)]
      .map(([, token]) => token)
      .filter((token) => REPOSITORY_PATH.test(token) && !existsSync(join(repoRoot, token)))
      .map((token) => `${page}: ${token}`));
  expect(missing).toEqual([]);
});

test('the README\'s exit code table is the verdict module\'s', () => {
  const rows = [...read('README.md').matchAll(/^\| \*\*(\d)\*\* \| (?:`([A-Z]+)[^`]*`|\(one line on stderr\)) \|/gm)]
    .map(([, code, verdict]) => [Number(code), (verdict ?? 'CONFIGURATION') as Verdict] as const);
  expect(rows.map(([code]) => code)).toEqual(Object.values(ExitCode).sort());
  for (const [code, verdict] of rows) expect(exitCodeOf(verdict), `the README says exit ${code} is ${verdict}`).toBe(code);
});

test('every variable of the README\'s table is read by the code, and every one of .env.example is in it', () => {
  const readme = read('README.md');
  const table = readme.slice(readme.indexOf('| variable | meaning |'));
  const rows = table.slice(0, table.indexOf('\n\n'));
  const documented = [...rows.matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map(([, name]) => name);
  const sources = ['lib', 'scripts', 'reference', 'load'].flatMap((dir) => sourceFiles(dir)).map(read).join('\n');
  expect(documented.filter((name) => !sources.includes(name)), 'in the README, read nowhere').toEqual([]);
  const example = [...read('.env.example').matchAll(/^#? ?([A-Z][A-Z0-9_]+)=/gm)].map(([, name]) => name);
  expect(example.filter((name) => !documented.includes(name)), 'in .env.example, not in the README').toEqual([]);
});

function sourceFiles(dir: string): string[] {
  return readdirSync(join(repoRoot, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.(ts|cjs)$/.test(entry.name) ? [path] : [];
  });
}
