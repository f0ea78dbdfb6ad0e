/**
 * The options several subcommands take, each defined once: the target (--env, --base-url, --ca,
 * --allow-insecure-http), the reference's behaviour (--faults, --variations, --window), the
 * selection of tests (--grep, --shard); and the environment variable each stands for, which is
 * how a run hands them to the suites and the processes it starts (the variables alone still work).
 */
import { resolve } from 'node:path';
import { Option } from 'commander';
import { ALLOW_INSECURE_HTTP_VARIABLE, CA_FILE_VARIABLE, environmentNames, parseEnvName, SHARD_VARIABLE, type EnvName } from '../lib/config/env';
import { ConfigError } from '../lib/config/errors';
import { parseWindowSeconds, WINDOW_VARIABLE } from '../lib/contract/windows';
import { parseFaults, type FaultName } from '../reference/faults';
import { parseVariations, type VariationName } from '../reference/variations';
import { valueOption } from './subcommand';

/** The variable each option that stands for one sets (a switch to `yes`, a list comma-separated). */
const VARIABLES: Record<string, string> = {
  env: 'BILLERAPI_ENV',
  baseUrl: 'BILLERAPI_BASE_URL',
  ca: CA_FILE_VARIABLE,
  allowInsecureHttp: ALLOW_INSECURE_HTTP_VARIABLE,
  faults: 'REFERENCE_FAULTS',
  variations: 'REFERENCE_VARIATIONS',
  window: WINDOW_VARIABLE,
  shard: SHARD_VARIABLE,
  port: 'PORT',
  host: 'HOST',
  tls: 'REFERENCE_TLS',
  tlsCertOut: 'REFERENCE_TLS_CERT_OUT',
  redirectTo: 'REFERENCE_REDIRECT_TO',
};

/** An option's value as text, as on a command line or in a variable. */
function textOf(value: unknown): string {
  if (value === true) return 'yes';
  return Array.isArray(value) ? value.join(',') : String(value);
}

/** The variables that the given options stand for. */
export function variablesOf(options: object): Record<string, string> {
  const given = Object.entries(options).filter(([key, value]) => key in VARIABLES && value !== undefined);
  return Object.fromEntries(given.map(([key, value]) => [VARIABLES[key], textOf(value)]));
}

/** `--env`; `fallback` says where the environment comes from without it (or `.default()` sets one). */
export const envOption = (fallback?: string): Option =>
  valueOption('--env <name>', `target environment: ${environmentNames.join(', ')}${fallback ? ` (default: ${fallback})` : ''}`, { parse: parseEnvName });

export const baseUrlOption = (): Option => valueOption('--base-url <url>', "the API to test instead of the environment's own (BILLERAPI_BASE_URL)");

export const faultsOption = (description = 'faults of reference/faults.ts the reference injects, comma-separated (REFERENCE_FAULTS)'): Option =>
  valueOption('--faults <names>', description, { parse: parseFaults });

export const variationsOption = (description = 'legitimate variations of reference/variations.ts the reference takes, comma-separated, or all (REFERENCE_VARIATIONS)'): Option =>
  valueOption('--variations <names>', description, { parse: parseVariations });

export const windowOption = (): Option =>
  valueOption('--window <seconds>', `every rate-limit window of the reference, in seconds (${WINDOW_VARIABLE}; default: the spec's, 5 for the embedded reference)`, { parse: parseWindowSeconds });

/** `--shard I/N`, as Playwright takes it. */
function parseShard(value: string): string {
  const [index, total] = value.split('/').map(Number);
  if (!/^[1-9]\d*\/[1-9]\d*$/.test(value) || index > total) throw new ConfigError(`--shard must be I/N with 1 ≤ I ≤ N, not "${value}".`);
  return value;
}

/** The options of a conformance run: `run`, and `certify` around one. */
export interface ConformanceOptions {
  env?: EnvName;
  baseUrl?: string;
  ca?: string;
  allowInsecureHttp?: boolean;
  faults?: FaultName[];
  variations?: VariationName[];
  window?: number;
  grep?: string;
  shard?: string;
}

/** The options of a conformance run, in the order a child run's command line gives them. */
export function conformanceOptions(): Option[] {
  return [
    envOption('BILLERAPI_ENV, then local'),
    baseUrlOption(),
    // A path is taken from where the command was typed, not from the repository the suite runs in.
    valueOption('--ca <file>', 'also trust the certificate authority in this PEM file for an https target; verification stays on (BILLERAPI_CA_FILE)', { parse: (file) => resolve(file), refuseEmpty: true }),
    new Option('--allow-insecure-http', 'allow an http:// target that is not this machine: the client secret and every token then travel unencrypted (BILLERAPI_ALLOW_INSECURE_HTTP=yes)'),
    faultsOption('faults the embedded reference of --env local injects, comma-separated (REFERENCE_FAULTS)'),
    variationsOption('variations the embedded reference of --env local takes, comma-separated, or all (REFERENCE_VARIATIONS)'),
    windowOption(),
    valueOption('--grep <pattern>', "run only the tests whose title matches (Playwright's --grep), e.g. @AUTH-004"),
    valueOption('--shard <i/n>', `run only shard I of N (Playwright's --shard; ${SHARD_VARIABLE})`, { parse: parseShard }),
  ];
}

/** The command line of a child conformance run with these options (gate and certify start one), Playwright's arguments after `--`. */
export function conformanceArgv(options: ConformanceOptions, playwrightArgs: readonly string[] = []): string[] {
  const given = options as Record<string, unknown>;
  const argv = conformanceOptions().flatMap((option) => {
    const value = given[option.attributeName()];
    if (value === undefined || value === false) return [];
    return value === true ? [option.long!] : [option.long!, textOf(value)];
  });
  return playwrightArgs.length > 0 ? [...argv, '--', ...playwrightArgs] : argv;
}
