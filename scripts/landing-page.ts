/**
 * `tsx scripts/landing-page.ts [--env local|sandbox|production|partner]`
 *
 * Writes reports/<env>/index.html (or BILLERAPI_REPORTS_DIR/index.html): the run's totals,
 * links to the reports that exist, and one coverage row per requirement. The environment
 * defaults to BILLERAPI_ENV, then local. Exit 0: written. 2: bad arguments.
 */
import { isAbsolute, relative } from 'node:path';
import { parseEnvName, repoRoot } from '../lib/config/env';
import { ConfigError, ExitCode } from '../lib/config/errors';
import { writeLandingPage } from '../lib/reports/landing-page';

const USAGE = 'usage: tsx scripts/landing-page.ts [--env local|sandbox|production|partner]';

export function envArg(argv: string[]): string | undefined {
  let env: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s, 2);
    if (flag !== '--env') throw new ConfigError(`Unknown option ${argv[i]}. ${USAGE}`);
    env = inline ?? argv[++i];
    if (env === undefined) throw new ConfigError(`--env needs a value. ${USAGE}`);
  }
  return env;
}

if (require.main === module) {
  try {
    const envName = parseEnvName(envArg(process.argv.slice(2)) ?? process.env.BILLERAPI_ENV);
    const page = writeLandingPage(envName);
    const inRepo = relative(repoRoot, page);
    console.log(`landing page: ${inRepo.startsWith('..') || isAbsolute(inRepo) ? page : inRepo}`);
  } catch (error) {
    console.error(`landing-page: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
    process.exit(error instanceof ConfigError ? ExitCode.configuration : ExitCode.nonConformant);
  }
}
