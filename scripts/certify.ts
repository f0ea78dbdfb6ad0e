/**
 * `npm run certify -- [--expected-failures FILE] [--signing-key FILE] [conformance options]`:
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
import { parseEnvName, reportsDir, repoRoot } from '../lib/config/env';
import { ConfigError, ExitCode } from '../lib/config/errors';
import { writeLandingPage } from '../lib/reports/landing-page';
import { PROFILE_VARIABLE } from '../lib/config/profile';
import { readRunRecord } from '../lib/judgement/results';
import { requirements, type RequirementId } from '../lib/contract/requirements';
import { loadSigningKey } from '../lib/reports/seal';
import { judge, verdictLine, type Judgement } from '../lib/judgement/verdict';
import { parseArgs as parseConformanceArgs } from './conformance';

const SPEC_PATH = 'specs/billerapi.openapi.yaml';
const OWN_FLAGS = ['--expected-failures', '--signing-key'] as const;
type OwnFlag = (typeof OWN_FLAGS)[number];

/** Splits off certify's own flags (`--flag value` or `--flag=value`); the rest goes to the conformance command as it is. */
export function splitArgs(argv: readonly string[]): { own: Partial<Record<OwnFlag, string>>; conformanceArgs: string[] } {
  const own: Partial<Record<OwnFlag, string>> = {};
  const conformanceArgs: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--') {
      conformanceArgs.push(...argv.slice(i));
      break;
    }
    const [flag, inline] = argv[i].split(/=(.*)/s, 2);
    if (!(OWN_FLAGS as readonly string[]).includes(flag)) {
      conformanceArgs.push(argv[i]);
      continue;
    }
    const value = inline ?? argv[++i];
    if (!value || value.startsWith('--')) throw new ConfigError(`${flag} needs a file.`);
    own[flag as OwnFlag] = value;
  }
  return { own, conformanceArgs };
}

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

async function main(): Promise<number> {
  const { own, conformanceArgs } = splitArgs(process.argv.slice(2));
  const waivers = own['--expected-failures'] ? parseWaivers(readFileOrExplain(own['--expected-failures'], 'expected-failures file')) : new Map<RequirementId, string>();
  const signingKey = own['--signing-key'] ? readFileOrExplain(own['--signing-key'], 'signing key') : undefined;
  if (signingKey) loadSigningKey(signingKey);
  const envName = parseEnvName(parseConformanceArgs(conformanceArgs).env.BILLERAPI_ENV ?? process.env.BILLERAPI_ENV);

  const exit = await runConformanceProcess(conformanceArgs, { env: { ...process.env, [PROFILE_VARIABLE]: 'certify' } });
  if (exit === ExitCode.configuration) return exit;
  const reports = resolve(repoRoot, reportsDir(envName));
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

if (require.main === module) main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`certify: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
    process.exit(error instanceof ConfigError ? ExitCode.configuration : ExitCode.runError);
  },
);
