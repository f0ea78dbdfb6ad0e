/**
 * `billerapi-conformance landing-page [--env local|sandbox|production|partner]`
 * (`tsx scripts/landing-page.ts …`)
 *
 * Writes reports/<env>/index.html (or BILLERAPI_REPORTS_DIR/index.html): the run's totals,
 * links to the reports that exist, and one coverage row per requirement. The environment
 * defaults to BILLERAPI_ENV, then local. Exit 0: written. 2: bad arguments.
 */
import { isAbsolute, relative } from 'node:path';
import { parseEnvName, userRoot, type EnvName } from '../lib/config/env';
import { ExitCode } from '../lib/config/errors';
import { writeLandingPage } from '../lib/reports/landing-page';
import { envOption } from './shared-options';
import { runAsScript, type Subcommand } from './subcommand';

export const landingPageCommand: Subcommand<{ env?: EnvName }> = {
  name: 'landing-page',
  label: 'landing-page',
  summary: "write the landing page of an environment's reports",
  description: "Write the landing page (index.html) of an environment's reports: the totals, links to the reports there are, the coverage of each requirement.",
  options: () => [envOption('BILLERAPI_ENV, then local')],
  run: async (options) => writeLandingPageOf(options.env ?? parseEnvName(process.env.BILLERAPI_ENV)),
  crashExit: ExitCode.nonConformant,
};

function writeLandingPageOf(envName: EnvName): number {
  const page = writeLandingPage(envName);
  const inRepo = relative(userRoot(), page);
  console.log(`landing page: ${inRepo.startsWith('..') || isAbsolute(inRepo) ? page : inRepo}`);
  return ExitCode.conformant;
}

if (require.main === module) runAsScript(landingPageCommand);
