/**
 * The import rules of the project, checked in `npm test` (tests/rules.spec.ts). A broken rule
 * fails with its name, its comment and the import that breaks it.
 */
/** What k6 loads as it is: no Node API, no package, only these files (imported with their .ts extension). */
const K6_LOADED = '^(load/|lib/load/|lib/contract/rate-limits[.]ts$)';
/** k6's own modules, as their types resolve (node_modules/@types/k6, wherever node_modules is). */
const K6_TYPES = 'node_modules/@types/k6/';

module.exports = {
  forbidden: [
    {
      name: 'reference-imports-contract-only',
      comment: 'The reference server implements the contract: from lib/ it may import only lib/contract/ and lib/safety/ (where requests may go), never the harness that judges it.',
      severity: 'error',
      from: { path: '^reference/' },
      to: { path: '^lib/', pathNot: '^lib/(contract|safety)/' },
    },
    {
      name: 'scripts-not-tests',
      comment: 'The commands (scripts/) are the product; tests/ is the project\'s own proof of them. A command never imports a test helper.',
      severity: 'error',
      from: { path: '^scripts/' },
      to: { path: '^tests/' },
    },
    {
      name: 'harness-not-tests-scripts-suites',
      comment: 'lib/ is the harness the suites, commands and tests build on: it imports none of them.',
      severity: 'error',
      from: { path: '^lib/' },
      to: { path: '^(tests|scripts|suites)/' },
    },
    {
      name: 'suites-not-reference',
      comment: 'A suite judges whatever target it is pointed at: it imports the harness, never the reference server.',
      severity: 'error',
      from: { path: '^suites/' },
      to: { path: '^reference/' },
    },
    {
      name: 'reference-only-through-embedded-reference',
      comment: 'In the harness only lib/run/embedded-reference.ts starts the reference: anything else importing reference/ drags the server into every command that imports it.',
      severity: 'error',
      from: { path: '^lib/', pathNot: '^lib/run/embedded-reference[.]ts$' },
      to: { path: '^reference/' },
    },
    {
      name: 'main-process-not-worker-fixtures',
      comment: 'lib/run/global-setup.ts runs in Playwright\'s main process, before any worker: it may not import the worker fixtures (lib/run/fixtures.ts), which need a test runner around them.',
      severity: 'error',
      from: { path: '^lib/run/global-setup[.]ts$' },
      to: { path: '^lib/run/fixtures[.]ts$', reachable: true },
    },
    {
      name: 'commands-not-global-setup',
      comment: 'A command (scripts/) never imports the global setup, which starts the embedded reference and the coordinator: take what it needs from the module that owns it.',
      severity: 'error',
      from: { path: '^scripts/' },
      to: { path: '^lib/run/global-setup[.]ts$' },
    },
    {
      name: 'k6-loads-no-node',
      comment: 'k6 loads these files as they are: they import no node: module and no package.',
      severity: 'error',
      from: { path: K6_LOADED },
      to: { dependencyTypes: ['core', 'npm', 'npm-dev', 'npm-optional', 'npm-peer', 'npm-no-pkg'], pathNot: K6_TYPES },
    },
    {
      name: 'k6-loads-only-k6-safe-files',
      comment: 'k6 loads these files as they are: they import only each other (and k6\'s own modules).',
      severity: 'error',
      from: { path: K6_LOADED },
      to: { pathNot: [K6_LOADED, '^k6/', K6_TYPES], dependencyTypesNot: ['unknown', 'undetermined'] },
    },
    {
      name: 'examples-stand-alone',
      comment: 'examples/ is what a partner copies: from the project it imports only the signature verifier (lib/webhooks/webhook-signature.ts, standalone itself) and the requirement IDs its faulty variants name.',
      severity: 'error',
      from: { path: '^examples/' },
      to: { path: '^(lib|reference|scripts|suites|tests|load|schemas)/', pathNot: '^(lib/webhooks/webhook-signature[.]ts|schemas/requirements[.]ts)$' },
    },
    {
      name: 'examples-only-in-tests',
      comment: 'The example integrations are what the certifications are proven on: only tests/ starts them; the harness, the commands and the suites never depend on them.',
      severity: 'error',
      from: { path: '^(lib|scripts|suites|reference|load)/' },
      to: { path: '^examples/' },
    },
    {
      name: 'no-circular',
      comment: 'A cycle makes load order matter and hides which module owns what.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|reports|schemas/.*[.]json$)' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'], extensions: ['.ts', '.js', '.cjs', '.json', '.d.ts'] },
  },
};
