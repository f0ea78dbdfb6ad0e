/**
 * `billerapi-conformance certify [--expected-failures FILE] [--signing-key FILE] [run options] [-- <playwright args>]`
 * (`npm run certify -- …`):
 * a conformance run in the certify profile (any environment or base URL), then its
 * certification report in reports/<env>/certification/: certification.json (with a checksum,
 * and an Ed25519 signature with --signing-key) and index.html. The verdict is the verdict
 * module's, from the run's recorded outcomes and its own metadata (run.json).
 * Exit 0 PASS, 1 FAIL, 2 configuration, 3 INCOMPLETE, 4 run error.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { runConformanceProcess } from '../lib/run/conformance-process';
import { buildCertification, certificationHtml, parseWaivers, sealCertification } from '../lib/reports/certification';
import { parseEnvName, reportsDir, reportsPath, repoRoot } from '../lib/config/env';
import { ConfigError, ExitCode } from '../lib/config/errors';
import { writeLandingPage } from '../lib/reports/landing-page';
import { PROFILE_VARIABLE } from '../lib/config/profile';
import { readRunRecord } from '../lib/judgement/results';
import { requirements, type RequirementId } from '../lib/contract/requirements';
import { loadSigningKey } from '../lib/reports/seal';
import { judge, verdictLine, type Judgement } from '../lib/judgement/verdict';
import { conformanceArgv, conformanceOptions, type ConformanceOptions } from './shared-options';
import { pathOption, runAsScript, type Subcommand } from './subcommand';

const SPEC_PATH = 'specs/billerapi.openapi.yaml';

interface CertifyOptions extends ConformanceOptions {
  expectedFailures?: string;
  signingKey?: string;
}

export const certifyCommand: Subcommand<CertifyOptions> = {
  name: 'certify',
  label: 'certify',
  summary: 'a run in the certify profile, then its sealed certification report',
  description: 'A conformance run in the certify profile, then its certification report, sealed, in reports/<env>/certification/. Exit codes as run.',
  options: () => [
    pathOption('--expected-failures <file>', 'YAML list of { id, comment }: requirements whose failure is accepted, reported as waived'),
    pathOption('--signing-key <file>', 'Ed25519 private key (PEM) that signs the report; without it the report is sealed unsigned'),
    ...conformanceOptions(),
  ],
  passesOn: '<playwright args>',
  run: (options, _args, playwrightArgs) => runCertify(options, playwrightArgs),
  crashExit: ExitCode.runError,
};

function readFileOrExplain(path: string, what: string): string {
  try {
    return readFileSync(resolve(path), 'utf8');
  } catch {
    throw new ConfigError(`Cannot read the ${what} ${path}.`);
  }
}

/** The command's verdict line: the verdict module's, with the score. */
export function certificationLine(judgement: Judgement): string {
  const { score } = judgement;
  return `${verdictLine(judgement, 'certification')}, ${score.mustPassed} of ${score.mustInScope} MUST requirements passed (${score.percent}%)`;
}

async function runCertify(options: CertifyOptions, playwrightArgs: readonly string[]): Promise<number> {
  const waivers = options.expectedFailures ? parseWaivers(readFileOrExplain(options.expectedFailures, 'expected-failures file')) : new Map<RequirementId, string>();
  const signingKey = options.signingKey ? readFileOrExplain(options.signingKey, 'signing key') : undefined;
  if (signingKey) loadSigningKey(signingKey);
  const envName = options.env ?? parseEnvName(process.env.BILLERAPI_ENV);

  const exit = await runConformanceProcess(conformanceArgv(options, playwrightArgs), { env: { ...process.env, [PROFILE_VARIABLE]: 'certify' } });
  if (exit === ExitCode.configuration) return exit;
  const reports = reportsPath(envName);
  const record = readRunRecord(reports);
  if (!record) throw new ConfigError('The conformance run wrote no results.json: no certification.');

  const judgement = judge(record, requirements, { waivers });
  const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { name: string; version: string };
  const certification = sealCertification(buildCertification(record, judgement, {
    suite: { name: pkg.name, version: pkg.version },
    spec: { path: SPEC_PATH, sha256: createHash('sha256').update(readFileSync(join(repoRoot, SPEC_PATH))).digest('hex') },
    now: new Date(),
  }), signingKey);
  const dir = join(reports, 'certification');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'certification.json'), `${JSON.stringify(certification, null, 2)}\n`);
  writeFileSync(join(dir, 'index.html'), certificationHtml(certification));
  writeLandingPage(envName);
  console.log(certificationLine(judgement));
  const signed = 'unsigned' in certification.signature ? 'unsigned' : `signed by key ${certification.signature.keyId}`;
  console.log(`certification: ${join(reportsDir(envName), 'certification')}/certification.json (checksum ${certification.checksum.value.slice(0, 16)}…, ${signed}) and index.html; target ${certification.target.baseUrl}`);
  return judgement.exitCode;
}

if (require.main === module) runAsScript(certifyCommand);
