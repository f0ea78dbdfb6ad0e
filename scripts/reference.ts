/**
 * `billerapi-conformance reference [options]` (`npm run reference -- …`): serves the reference
 * sandbox (reference/main.ts) until stopped. Each option sets the variable it names, so that
 * the variables alone still work and an option wins over its variable.
 */
import { Option } from 'commander';
import { ExitCode } from '../lib/config/errors';
import type { FaultName } from '../reference/faults';
import { parsePort, referenceSettings, serveReference } from '../reference/main';
import type { VariationName } from '../reference/variations';
import { faultsOption, variationsOption, variablesOf, windowOption } from './shared-options';
import { pathOption, runAsScript, SERVING, valueOption, type Subcommand } from './subcommand';

interface ReferenceOptions {
  port?: number;
  host?: string;
  faults?: FaultName[];
  variations?: VariationName[];
  window?: number;
  tls?: boolean;
  tlsCertOut?: string;
  redirectTo?: string;
}

export const referenceCommand: Subcommand<ReferenceOptions> = {
  name: 'reference',
  label: 'reference',
  summary: 'serve the reference sandbox until stopped',
  description: 'Serve the reference sandbox until stopped, with the clients of .env.local. Every option also reads from the variable it names; the option wins.',
  options: () => [
    valueOption('--port <n>', 'port to listen on, 0 for any free one (PORT; default: 4010)', { parse: (port) => parsePort(port, '--port') }),
    valueOption('--host <address>', 'address to listen on (HOST; default: 127.0.0.1)'),
    faultsOption(),
    variationsOption(),
    windowOption(),
    new Option('--tls', 'serve HTTPS with a certificate made at start (REFERENCE_TLS=yes)'),
    pathOption('--tls-cert-out <file>', "where to write that certificate's CA, for the suite's --ca (REFERENCE_TLS_CERT_OUT; default: a new temporary file)"),
    valueOption('--redirect-to <origin>', 'answer every request 307 to this origin (REFERENCE_REDIRECT_TO)'),
  ],
  run: async (options) => {
    await serveReference(referenceSettings({ ...process.env, ...variablesOf(options) }));
    return SERVING;
  },
  crashExit: ExitCode.configuration,
};

if (require.main === module) runAsScript(referenceCommand);
