/**
 * `billerapi-conformance receiver --url URL --secret whsec_… [--reports DIR] [--signing-key FILE]`
 * (`npm run receiver -- …`): certifies a partner's webhook receiver. Sends it signed, forged,
 * altered, stale and malformed deliveries (suites/receiver/, lib/integrations/receiver.ts), then
 * writes the receiver certification (RECV-*) in DIR (default reports/receiver/):
 * certification/certification.json (sealed; signed with --signing-key) and its page, Playwright's
 * report in html/, and the landing page index.html. The verdict is the verdict module's.
 * Exit 0 PASS, 1 FAIL, 2 bad input or an unreachable receiver, 3 INCOMPLETE, 4 run error.
 */
import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { userRoot } from '../lib/config/env';
import { ExitCode } from '../lib/config/errors';
import { catalogueOf } from '../lib/contract/requirements';
import {
  assertReceiverReachable, parseReceiverUrl, parseWebhookSecret, RECEIVER_REPORTS_DIR, RECEIVER_URL_VARIABLE, WEBHOOK_SECRET_VARIABLE,
} from '../lib/integrations/receiver';
import { readRunRecord, RESULTS_FILE, RUN_META_FILE, writeRunMeta } from '../lib/judgement/results';
import { judge, verdictLine, type Judgement } from '../lib/judgement/verdict';
import { buildCertification, certificationMeta, readSigningKeyFile, sealCertification, writeCertification } from '../lib/reports/certification';
import { writeLandingPageOf } from '../lib/reports/landing-page';
import { cleanEnv, runPlaywrightTest } from '../lib/run/conformance-process';
import { redactor } from '../lib/transport/redact';
import { pathOption, runAsScript, valueOption, type Subcommand } from './subcommand';

const CONFIG = 'suites/receiver/playwright.config.ts';
const TITLE = 'BillerAPI webhook receiver certification';

interface ReceiverOptions {
  url: string;
  secret: string;
  reports?: string;
  signingKey?: string;
}

export const receiverCommand: Subcommand<ReceiverOptions> = {
  name: 'receiver',
  label: 'receiver',
  summary: 'certify a partner\'s webhook receiver (RECV-*): its sealed certification in reports/receiver/',
  description: 'Sends the receiver at --url deliveries signed with --secret and forged, altered, stale and malformed ones, judges each answer (a 2xx acknowledges, anything else refuses) and writes its RECV-* certification: certification/certification.json (sealed; signed with --signing-key) and index.html, Playwright\'s report, and a landing page. Exit 0 PASS, 1 FAIL, 2 bad input or an unreachable receiver, 3 INCOMPLETE, 4 run error.',
  options: () => [
    valueOption('--url <url>', 'the receiver\'s URL (https, or http on this machine)', { parse: parseReceiverUrl }).makeOptionMandatory(),
    valueOption('--secret <whsec>', 'the webhook\'s signing secret (whsec_…), as BillerAPI returned it at registration', { parse: parseWebhookSecret }).makeOptionMandatory(),
    pathOption('--reports <dir>', `where the reports go (default: ${RECEIVER_REPORTS_DIR})`),
    pathOption('--signing-key <file>', 'Ed25519 private key (PEM) that signs the certification; without it the report is sealed unsigned'),
  ],
  run: (options) => runReceiverCertification(options),
  crashExit: ExitCode.runError,
};


/** The command's verdict line: the verdict module's, with the score. */
function receiverLine(judgement: Judgement): string {
  const { score } = judgement;
  return `${verdictLine(judgement, 'receiver certification')}, ${score.mustPassed} of ${score.mustInScope} MUST requirements passed (${score.percent}%)`;
}

async function runReceiverCertification(options: ReceiverOptions): Promise<number> {
  redactor.register(options.secret);
  const signingKey = options.signingKey === undefined ? undefined : readSigningKeyFile(options.signingKey);
  const reports = options.reports === undefined ? resolve(userRoot(), RECEIVER_REPORTS_DIR) : resolve(options.reports);
  await assertReceiverReachable(options.url);

  // A crashed run writes no results: the verdict must not come from the previous run's.
  for (const stale of [RESULTS_FILE, RUN_META_FILE, 'certification', 'html']) rmSync(join(reports, stale), { recursive: true, force: true });
  writeRunMeta(reports, {
    environment: 'receiver',
    baseUrl: options.url,
    embeddedReference: false,
    // A certification judges the whole of its catalogue: every RECV requirement is in scope.
    profile: 'certify',
    readOnly: false,
    faults: [],
    variations: [],
    startedAt: new Date().toISOString(),
  });
  const playwrightExit = await runPlaywrightTest(CONFIG, [], cleanEnv({
    BILLERAPI_REPORTS_DIR: reports,
    [RECEIVER_URL_VARIABLE]: options.url,
    [WEBHOOK_SECRET_VARIABLE]: options.secret,
  }));
  const record = readRunRecord(reports);
  if (!record) {
    console.error(`receiver: the certification run wrote no ${RESULTS_FILE} (Playwright exited ${playwrightExit}); see the output above.`);
    return ExitCode.runError;
  }

  const catalogue = catalogueOf('receiver');
  const judgement = judge(record, catalogue);
  const certification = sealCertification(buildCertification(record, judgement, certificationMeta('receiver')), signingKey);
  const file = writeCertification(join(reports, 'certification'), certification);
  const page = writeLandingPageOf(reports, { environment: 'receiver', run: record, catalogue, reports: ['playwright', 'certification'], title: TITLE });
  console.log(receiverLine(judgement));
  const signed = 'unsigned' in certification.signature ? 'unsigned' : `signed by key ${certification.signature.keyId}`;
  console.log(`receiver certification: ${file} (checksum ${certification.checksum.value.slice(0, 16)}…, ${signed}); landing page ${page}`);
  return judgement.exitCode;
}

if (require.main === module) runAsScript(receiverCommand);
