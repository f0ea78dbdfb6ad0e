/**
 * The rules that check themselves: dependency-cruiser (.dependency-cruiser.cjs) and knip
 * (knip.jsonc) run on the tree in `npm test` (`lint:deps`, `lint:unused`); here each is shown to
 * fail on a planted violation, naming the rule and the import (or the unused export), in a
 * scratch tree laid out like ours.
 */
import { test, expect } from '@playwright/test';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { withoutColours } from '../lib/judgement/outcomes';
import { repoRoot, runProgram } from './support/run';


/** A scratch tree with these files (paths relative to its root), our rule files and a minimal tsconfig. */
function scratchTree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'billerapi-rules-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  for (const file of ['.dependency-cruiser.cjs', 'knip.jsonc']) copyFileSync(join(repoRoot, file), join(root, file));
  writeFileSync(join(root, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'commonjs', target: 'es2022', strict: true, allowImportingTsExtensions: true, noEmit: true } }));
  writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'scratch', version: '0.0.0', private: true }));
  // The scratch tree resolves its tools (and typescript) from ours.
  mkdirSync(join(root, 'node_modules'));
  return root;
}

/** Runs a tool of ours in `cwd`; resolves with its exit code and its output without colours, whatever the code. */
async function tool(cwd: string, script: string, args: string[]): Promise<{ code: number; output: string }> {
  const { code, stdout, stderr } = await runProgram(process.execPath, [join(repoRoot, 'node_modules', script), ...args], { cwd, env: { ...process.env, NODE_PATH: join(repoRoot, 'node_modules') }, timeout: 60_000 });
  return { code, output: withoutColours(stdout + stderr) };
}

/** dependency-cruiser over the scratch tree's top folders, as `npm run lint:deps` runs it over ours. */
const depcruise = (cwd: string) => {
  const folders = ['lib', 'scripts', 'suites', 'reference', 'load', 'examples'].filter((f) => existsSync(join(cwd, f)));
  return tool(cwd, 'dependency-cruiser/bin/dependency-cruise.mjs', [...folders, '--config', '.dependency-cruiser.cjs', '--output-type', 'err-long']);
};

test.describe('dependency-cruiser fails on a planted broken rule, naming the rule and the import', () => {
  const planted: [rule: string, files: Record<string, string>, importLine: string][] = [
    ['reference-imports-contract-only', { 'reference/app.ts': "import { judge } from '../lib/judgement/verdict';\nexport const app = judge;\n", 'lib/judgement/verdict.ts': 'export const judge = 1;\n' }, 'reference/app.ts → lib/judgement/verdict.ts'],
    ['scripts-not-tests', { 'scripts/gate.ts': "import { helper } from '../tests/support/run';\nexport const gate = helper;\n", 'tests/support/run.ts': 'export const helper = 1;\n' }, 'scripts/gate.ts → tests/support/run.ts'],
    ['k6-loads-no-node', { 'lib/load/load-plan.ts': "import { readFileSync } from 'node:fs';\nexport const plan = readFileSync;\n" }, 'lib/load/load-plan.ts → fs'],
    ['k6-loads-only-k6-safe-files', { 'lib/load/load-plan.ts': "import { spec } from '../contract/spec';\nexport const plan = spec;\n", 'lib/contract/spec.ts': 'export const spec = 1;\n' }, 'lib/load/load-plan.ts → lib/contract/spec.ts'],
    ['suites-not-reference', { 'suites/bills.spec.ts': "import { app } from '../reference/app';\nexport const s = app;\n", 'reference/app.ts': 'export const app = 1;\n' }, 'suites/bills.spec.ts → reference/app.ts'],
    ['harness-not-tests-scripts-suites', { 'lib/judgement/checks.ts': "import { helper } from '../../tests/support/run';\nexport const c = helper;\n", 'tests/support/run.ts': 'export const helper = 1;\n' }, 'lib/judgement/checks.ts → tests/support/run.ts'],
    ['reference-only-through-embedded-reference', { 'lib/run/fixtures.ts': "import { app } from '../../reference/app';\nexport const f = app;\n", 'reference/app.ts': 'export const app = 1;\n' }, 'lib/run/fixtures.ts → reference/app.ts'],
    ['main-process-not-worker-fixtures', { 'lib/run/global-setup.ts': "import { l } from './linked-accounts';\nexport const g = l;\n", 'lib/run/linked-accounts.ts': "import { f } from './fixtures';\nexport const l = f;\n", 'lib/run/fixtures.ts': 'export const f = 1;\n' }, 'lib/run/global-setup.ts → lib/run/fixtures.ts'],
    ['no-circular', { 'lib/contract/a.ts': "import { b } from './b';\nexport const a = b;\n", 'lib/contract/b.ts': "import { a } from './a';\nexport const b = () => a;\n" }, 'lib/contract/a.ts → lib/contract/b.ts → lib/contract/a.ts'],
    ['examples-stand-alone', { 'examples/receiver/receiver.ts': "import { redact } from '../../lib/transport/redact';\nexport const r = redact;\n", 'lib/transport/redact.ts': 'export const redact = 1;\n' }, 'examples/receiver/receiver.ts → lib/transport/redact.ts'],
    ['examples-only-in-tests', { 'scripts/receiver.ts': "import { r } from '../examples/receiver/receiver';\nexport const s = r;\n", 'examples/receiver/receiver.ts': 'export const r = 1;\n' }, 'scripts/receiver.ts → examples/receiver/receiver.ts'],
    ['commands-not-global-setup', { 'scripts/bench.ts': "import { setup } from '../lib/run/global-setup';\nexport const b = setup;\n", 'lib/run/global-setup.ts': 'export const setup = 1;\n' }, 'scripts/bench.ts → lib/run/global-setup.ts'],
  ];
  for (const [rule, files, importLine] of planted) {
    test(rule, async () => {
      const root = scratchTree(files);
      try {
        const { code, output } = await depcruise(root);
        expect(code, output).not.toBe(0);
        // err-long breaks a long line (a cycle's path) where it likes: compared with whitespace collapsed.
        expect(output.replace(/\s+/g, ' ')).toContain(`error ${rule}: ${importLine}`);
      } finally {
        rmSync(root, { recursive: true, force: true });
      }
    });
  }

  test('a tree that keeps the rules passes', async () => {
    const root = scratchTree({ 'reference/app.ts': "import { spec } from '../lib/contract/spec';\nexport const app = spec;\n", 'lib/contract/spec.ts': 'export const spec = 1;\n' });
    try {
      const { code, output } = await depcruise(root);
      expect({ code, output }).toMatchObject({ code: 0 });
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

test('knip fails on a planted unused export, naming it and its file', async () => {
  const root = scratchTree({
    'scripts/gate.ts': "import { used } from '../lib/judgement/checks';\nconsole.log(used);\n",
    'lib/judgement/checks.ts': 'export const used = 1;\nexport function statusIsOneOf(): number {\n  return 2;\n}\n',
  });
  try {
    const { code, output } = await tool(root, 'knip/bin/knip.js', ['--no-progress', '--include', 'exports']);
    expect(code, output).not.toBe(0);
    expect(output).toMatch(/statusIsOneOf\s+function\s+lib\/judgement\/checks\.ts/);
    expect(output).not.toMatch(/\bused\b.*checks\.ts/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
