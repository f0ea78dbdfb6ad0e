/**
 * `billerapi-conformance observe [--scenario NAME] [--port P] [--reports DIR] [--signing-key FILE]`
 * (`npm run observe -- …`): certifies a partner's API client by watching it. Starts the
 * reference as a judging sandbox on 127.0.0.1 (lib/integrations/sandbox.ts) with the clients of
 * .env.local (the process environment wins), injecting the scenario's conditions; the partner
 * points its integration at it and runs its own flows. `POST /_observe/finish`, Ctrl-C or
 * SIGTERM ends the observation: the CLIENT-* certification (lib/integrations/observe.ts) goes to
 * DIR (default reports/client/): certification/certification.json (sealed; signed with
 * --signing-key) and its page, and the landing page. A condition the client never met leaves its
 * requirement not judged: INCOMPLETE, never PASS.
 * Exit 0 PASS, 1 FAIL, 2 bad input or a port in use, 3 INCOMPLETE, 4 run error.
 */
import { join, resolve } from 'node:path';
import { loadDotenv, userRoot } from '../lib/config/env';
import { ConfigError, ExitCode } from '../lib/config/errors';
import { catalogueOf } from '../lib/contract/requirements';
import { observedRunRecord } from '../lib/integrations/observe';
import { FINISH_PATH, parseScenario, scenarios, startObserveSandbox, type ObserveSandbox, type ScenarioName } from '../lib/integrations/sandbox';
import { writeRunMeta } from '../lib/judgement/results';
import { judge, verdictLine, type Judgement } from '../lib/judgement/verdict';
import { buildCertification, certificationMeta, readSigningKeyFile, sealCertification, writeCertification } from '../lib/reports/certification';
import { writeLandingPageOf } from '../lib/reports/landing-page';
import { embeddedReferenceHandler } from '../lib/run/embedded-reference';
import { pathOption, runAsScript, valueOption, type Subcommand } from './subcommand';

/** The client certification's reports, unless --reports says otherwise. */
const CLIENT_REPORTS_DIR = 'reports/client';
const DEFAULT_PORT = 4010;
const TITLE = 'BillerAPI client certification';

interface ObserveOptions {
  scenario: ScenarioName;
  port: number;
  reports?: string;
  signingKey?: string;
}

function parsePort(text: string): number {
  if (!/^\d{1,5}$/.test(text) || Number(text) > 65_535) throw new ConfigError(`--port must be a port number (0-65535; 0 picks a free one), not "${text}".`);
  return Number(text);
}

export const observeCommand: Subcommand<ObserveOptions> = {
  name: 'observe',
  label: 'observe',
  summary: 'certify a partner\'s API client (CLIENT-*): a judging sandbox that records its requests and injects 429, 500 and 403',
  description: `Starts the reference as a sandbox on 127.0.0.1 that records every request and injects the scenario's conditions (${Object.entries(scenarios).map(([name, s]) => `${name}: ${s.description}`).join('; ')}). Point your integration at it with the sandbox's client credentials (BILLERAPI_CLIENT_ID and BILLERAPI_CLIENT_SECRET, from .env.local unless set) and run your flows; end with Ctrl-C, SIGTERM or POST ${FINISH_PATH}. Writes the CLIENT-* certification (a condition your client never met is not judged: INCOMPLETE, never PASS). Exit 0 PASS, 1 FAIL, 2 bad input or a port in use, 3 INCOMPLETE, 4 run error.`,
  options: () => [
    valueOption('--scenario <name>', `the conditions injected: ${Object.keys(scenarios).join(', ')}`, { parse: parseScenario }).default('all'),
    valueOption('--port <port>', `the sandbox's port on 127.0.0.1 (0 picks a free one)`, { parse: parsePort }).default(DEFAULT_PORT),
    pathOption('--reports <dir>', `where the reports go (default: ${CLIENT_REPORTS_DIR})`),
    pathOption('--signing-key <file>', 'Ed25519 private key (PEM) that signs the certification; without it the report is sealed unsigned'),
  ],
  run: (options) => runObserve(options),
  crashExit: ExitCode.runError,
};


interface Concluded {
  judgement: Judgement;
  file: string;
}

/** Judges what the sandbox recorded and writes the certification and the landing page. */
function conclude(sandbox: ObserveSandbox, options: ObserveOptions, reports: string, startedAt: string, signingKey: string | undefined): Concluded {
  const meta = { environment: 'client', baseUrl: sandbox.url, embeddedReference: true, profile: 'certify' as const, readOnly: false, faults: [], variations: [], scenario: options.scenario, startedAt };
  const record = observedRunRecord([...sandbox.requests], meta, Date.now());
  const catalogue = catalogueOf('client');
  const judgement = judge(record, catalogue);
  const certification = sealCertification(buildCertification(record, judgement, certificationMeta('client')), signingKey);
  writeRunMeta(reports, meta);
  const file = writeCertification(join(reports, 'certification'), certification);
  writeLandingPageOf(reports, { environment: 'client', run: record, catalogue, reports: ['certification'], title: TITLE });
  const { score } = judgement;
  console.log(`${verdictLine(judgement, 'client certification')}, ${score.mustPassed} of ${score.mustInScope} MUST requirements passed (${score.percent}%), from ${sandbox.requests.length} request(s)`);
  console.log(`client certification: ${file} (checksum ${certification.checksum.value.slice(0, 16)}…, ${'unsigned' in certification.signature ? 'unsigned' : `signed by key ${certification.signature.keyId}`})`);
  return { judgement, file };
}

async function runObserve(options: ObserveOptions): Promise<number> {
  loadDotenv('local');
  const signingKey = options.signingKey === undefined ? undefined : readSigningKeyFile(options.signingKey);
  const reports = options.reports === undefined ? resolve(userRoot(), CLIENT_REPORTS_DIR) : resolve(options.reports);
  const reference = embeddedReferenceHandler(process.env);
  const startedAt = new Date().toISOString();

  let done!: (code: number) => void;
  let failed!: (error: unknown) => void;
  const exited = new Promise<number>((resolveExit, rejectExit) => ((done = resolveExit), (failed = rejectExit)));
  let concluded: Concluded | undefined;
  /** Judges and writes once, whatever ends the observation first; a failure ends the command (exit 4). */
  const once = (): Concluded | undefined => {
    try {
      return (concluded ??= conclude(sandbox, options, reports, startedAt, signingKey));
    } catch (error) {
      failed(error);
      return undefined;
    }
  };
  const end = () => void sandbox.close().then(() => {
    const result = once();
    if (result) done(result.judgement.exitCode);
  });

  const sandbox: ObserveSandbox = await startObserveSandbox({
    scenario: scenarios[options.scenario],
    handle: reference.handle,
    secrets: reference.clientSecrets,
    port: options.port,
    onFinish: async () => {
      const result = once();
      setImmediate(end);
      if (!result) return { error: 'the certification could not be written: see the sandbox\'s output' };
      const { judgement, file } = result;
      return { verdict: judgement.verdict, failed: judgement.failed, notJudged: judgement.notJudged, certification: file };
    },
  });
  process.once('SIGINT', () => (once(), end()));
  process.once('SIGTERM', () => (once(), end()));
  console.log(`observe: sandbox listening on ${sandbox.url} (scenario ${options.scenario}: ${scenarios[options.scenario].description})`);
  console.log(`observe: point your integration at ${sandbox.url} with the sandbox's BILLERAPI_CLIENT_ID and BILLERAPI_CLIENT_SECRET, run your flows, then stop with Ctrl-C or POST ${sandbox.url}${FINISH_PATH}`);
  return exited;
}

if (require.main === module) runAsScript(observeCommand);
