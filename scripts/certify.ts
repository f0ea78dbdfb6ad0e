/**
 * `npm run certify -- [--expected-failures FILE] [conformance options]`: a conformance run
 * (any environment or base URL), then its certification report in
 * reports/<env>/certification/: certification.json (sealed with a SHA-256 digest) and
 * index.html. Exit 0: no unwaived MUST failure. 1: some. 2: bad configuration or target.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { runConformanceProcess } from '../lib/conformance-process';
import { buildCertification, certificationHtml, parseWaivers, seal } from '../lib/certification';
import { loadEnvironment, parseEnvName, reportsDir, repoRoot } from '../lib/env';
import { ConfigError, ExitCode } from '../lib/errors';
import { writeLandingPage } from '../lib/landing-page';
import { readSummary } from '../lib/results';
import { requirements, type RequirementId } from '../lib/requirements';

const SPEC_PATH = 'specs/billerapi.openapi.yaml';

/** Splits off --expected-failures; the rest goes to the conformance command as it is. */
export function splitArgs(argv: string[]): { waiversPath?: string; conformanceArgs: string[] } {
  const at = argv.findIndex((a) => a === '--expected-failures' || a.startsWith('--expected-failures='));
  if (at === -1) return { conformanceArgs: argv };
  const inline = argv[at].split('=')[1];
  const waiversPath = inline ?? argv[at + 1];
  if (!waiversPath) throw new ConfigError('--expected-failures needs a file.');
  return { waiversPath, conformanceArgs: [...argv.slice(0, at), ...argv.slice(at + (inline === undefined ? 2 : 1))] };
}

function envNameOf(args: string[]): string | undefined {
  const at = args.findIndex((a) => a === '--env' || a.startsWith('--env='));
  return at === -1 ? undefined : args[at].split('=')[1] ?? args[at + 1];
}

async function main(): Promise<number> {
  const { waiversPath, conformanceArgs } = splitArgs(process.argv.slice(2));
  const waivers = waiversPath ? parseWaivers(readFileSync(resolve(waiversPath), 'utf8')) : new Map<RequirementId, string>();
  const envName = parseEnvName(envNameOf(conformanceArgs) ?? process.env.BILLERAPI_ENV);
  const exit = await runConformanceProcess(conformanceArgs);
  if (exit === ExitCode.configuration) return exit;
  const summary = readSummary(resolve(repoRoot, reportsDir(envName), 'results.json'));
  if (!summary) throw new ConfigError('The conformance run wrote no results.json: no certification.');

  process.env.BILLERAPI_ENV = envName;
  const baseUrlArg = conformanceArgs.find((a, i) => conformanceArgs[i - 1] === '--base-url') ?? process.env.BILLERAPI_BASE_URL;
  const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { name: string; version: string };
  const certification = seal(buildCertification(summary, requirements, waivers, {
    suite: { name: pkg.name, version: pkg.version },
    spec: { path: SPEC_PATH, sha256: createHash('sha256').update(readFileSync(join(repoRoot, SPEC_PATH))).digest('hex') },
    target: { environment: envName, baseUrl: baseUrlArg ?? loadEnvironment().baseUrl ?? 'the embedded reference' },
    now: new Date(),
  }));
  const dir = resolve(repoRoot, reportsDir(envName), 'certification');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'certification.json'), `${JSON.stringify(certification, null, 2)}\n`);
  writeFileSync(join(dir, 'index.html'), certificationHtml(certification));
  writeLandingPage(envName);
  const waived = certification.requirements.filter((r) => r.result === 'waived').map((r) => r.id);
  console.log(`certification: ${certification.verdict}, ${certification.score.mustPassed} of ${certification.score.mustApplicable} applicable MUST requirements passed (${certification.score.percent}%)${waived.length ? `, waived: ${waived.join(', ')}` : ''}`);
  console.log(`certification: ${join(reportsDir(envName), 'certification')}/certification.json (digest ${certification.digest}) and index.html`);
  return certification.verdict === 'PASS' ? ExitCode.conformant : ExitCode.nonConformant;
}

if (require.main === module) main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`certify: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
    process.exit(error instanceof ConfigError ? ExitCode.configuration : ExitCode.nonConformant);
  },
);
