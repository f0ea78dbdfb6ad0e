/**
 * `billerapi-conformance browser` (`tsx scripts/browser.ts`)
 *
 * Makes sure a Chromium is there for the browser suites (Connect, the report checks), and
 * installs one if not (lib/connect/provision.ts). Exit 0: there is one (it says how); 2: none
 * could be had (one line naming what was tried).
 */
import { ConfigError, ExitCode } from '../lib/config/errors';
import { machineSteps, provisionChromium } from '../lib/connect/provision';
import { runAsScript, type Subcommand } from './subcommand';

export const browserCommand: Subcommand = {
  name: 'browser',
  label: 'browser',
  summary: 'make sure a Chromium is there for the browser suites, installing one if needed',
  description: "Make sure a Chromium is there for the browser suites (Connect, the report checks): nothing if one is; else Playwright's download, else Debian's package. Exit 0 when there is one, 2 when none could be had.",
  options: () => [],
  run: async () => {
    const result = await provisionChromium(machineSteps());
    if (!result.ok) throw new ConfigError(result.line);
    console.log(`browser: Chromium ready (${result.how})`);
    return ExitCode.conformant;
  },
  crashExit: ExitCode.configuration,
};

if (require.main === module) runAsScript(browserCommand);
