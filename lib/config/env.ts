/**
 * lib/config/ — what the user configured and what the suite refuses: the environment and its
 * clients (env.ts), the checks before a run (guard.ts), the profile (profile.ts), and the exit
 * codes with the errors that are not verdicts (errors.ts, a leaf every subsystem may import).
 * Imports lib/contract/, lib/transport/, lib/safety/ and the rate-limit probes' reachability
 * helpers.
 */
/**
 * Which implementation the suite points at, and with which credentials. Chosen by
 * BILLERAPI_ENV (local, sandbox, production, partner); values come from the process
 * environment first, then from `.env.<env>` (`userRoot`; `.env.local` always from `repoRoot`).
 */
import { existsSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import dotenv from 'dotenv';
import { ConfigError } from './errors';
import { keyPrefixes, serverUrls } from '../contract/spec';

export const environmentNames = ['local', 'sandbox', 'production', 'partner'] as const;
export type EnvName = (typeof environmentNames)[number];

export interface ClientCredentials {
  id: string;
  secret: string;
}

export interface Environment {
  name: EnvName;
  /** Undefined only for `local` without BILLERAPI_BASE_URL: the harness starts the embedded reference. */
  baseUrl: string | undefined;
  primary: ClientCredentials;
  second?: ClientCredentials;
  restricted?: ClientCredentials;
  /** Spent only by the rate-limit probes, so that their 429s never meet the functional suites. */
  rateLimit?: ClientCredentials;
  /**
   * Spent only by the stateful sequences (the pair stands in for the primary and second
   * clients there), so that their many requests pace against budgets of their own.
   */
  stateful?: ClientCredentials;
  statefulSecond?: ClientCredentials;
  /** The key prefix secrets must carry here, or undefined where either is acceptable (partner). */
  keyPrefix: string | undefined;
  /** `--allow-insecure-http`: the user accepts sending the client secret unencrypted to a remote http target (absent: false). */
  allowInsecureHttp?: boolean;
  /** `--ca FILE`: certificate authorities (PEM) trusted besides Node's own, for a target with a private CA. */
  caFile?: string;
}

/** Set to `yes` by `--allow-insecure-http`. */
export const ALLOW_INSECURE_HTTP_VARIABLE = 'BILLERAPI_ALLOW_INSECURE_HTTP';
/** Set by `--ca FILE`; a relative path is taken from `userRoot()`. */
export const CA_FILE_VARIABLE = 'BILLERAPI_CA_FILE';

/** The suite's own files (suites, reference, spec, `.env.local`): the repository clone, or the installed package. */
export const repoRoot = join(__dirname, '..', '..');

/** Whether the suite at `root` is an installed package (npm put it under node_modules) rather than a clone. */
export function isInstalledPackage(root: string = repoRoot): boolean {
  return root.split(sep).includes('node_modules');
}

/**
 * Where the user's side of a run lives: reports/<env>/, `.env.sandbox`, `.env.production`,
 * `.env.partner`, and a relative BILLERAPI_REPORTS_DIR or BILLERAPI_CA_FILE. A clone keeps them
 * at its root, whatever the working directory; an installed package keeps them in the working
 * directory, never inside node_modules (README.md, "Install as a package").
 */
export function userRoot(root: string = repoRoot, cwd: string = process.cwd()): string {
  return isInstalledPackage(root) ? cwd : root;
}

/** Environment variable holding each credential, also used in reproduction commands. */
export const credentialVariables = {
  primary: ['BILLERAPI_CLIENT_ID', 'BILLERAPI_CLIENT_SECRET'],
  second: ['BILLERAPI_SECOND_CLIENT_ID', 'BILLERAPI_SECOND_CLIENT_SECRET'],
  restricted: ['BILLERAPI_RESTRICTED_CLIENT_ID', 'BILLERAPI_RESTRICTED_CLIENT_SECRET'],
  rateLimit: ['BILLERAPI_RATE_LIMIT_CLIENT_ID', 'BILLERAPI_RATE_LIMIT_CLIENT_SECRET'],
  stateful: ['BILLERAPI_STATEFUL_CLIENT_ID', 'BILLERAPI_STATEFUL_CLIENT_SECRET'],
  statefulSecond: ['BILLERAPI_STATEFUL_SECOND_CLIENT_ID', 'BILLERAPI_STATEFUL_SECOND_CLIENT_SECRET'],
} as const;

export type CredentialRole = keyof typeof credentialVariables;
export const credentialRoles = Object.keys(credentialVariables) as CredentialRole[];

/** Every configured client of the environment, by role. */
export function configuredClients(e: Environment): [CredentialRole, ClientCredentials][] {
  return credentialRoles.flatMap((role) => {
    const c = e[role];
    return c ? [[role, c] as [CredentialRole, ClientCredentials]] : [];
  });
}

export function parseEnvName(value: string | undefined): EnvName {
  const name = value?.trim() || 'local';
  if (!(environmentNames as readonly string[]).includes(name)) {
    throw new ConfigError(`Unknown environment "${name}". Use one of: ${environmentNames.join(', ')}.`);
  }
  return name as EnvName;
}

/** Adds `.env.<name>` values that the process environment does not already set. */
export function loadDotenv(name: EnvName, env: NodeJS.ProcessEnv = process.env): void {
  // The reference's own clients come with the suite; a target's credentials are the user's.
  const path = join(name === 'local' ? repoRoot : userRoot(), `.env.${name}`);
  if (existsSync(path)) dotenv.config({ path, processEnv: env as Record<string, string>, quiet: true, override: false });
}

function credentials(env: NodeJS.ProcessEnv, [idVar, secretVar]: readonly [string, string]): ClientCredentials | undefined {
  const id = env[idVar];
  const secret = env[secretVar];
  return id && secret ? { id, secret } : undefined;
}

function baseUrlFor(name: EnvName, env: NodeJS.ProcessEnv): string | undefined {
  const configured = env.BILLERAPI_BASE_URL?.trim();
  if (configured) return configured.replace(/\/+$/, '');
  if (name === 'sandbox' || name === 'production') return serverUrls[name];
  if (name === 'partner') throw new ConfigError('BILLERAPI_BASE_URL is required for the partner environment.');
  return undefined;
}

/** A switch that is either `yes` or unset; anything else is a configuration error rather than silently off. */
function yesOrUnset(env: NodeJS.ProcessEnv, name: string): boolean {
  const value = env[name]?.trim();
  if (!value) return false;
  if (value !== 'yes') throw new ConfigError(`${name} must be "yes" or unset, not "${value}".`);
  return true;
}

/** The CA file BILLERAPI_CA_FILE names, as an absolute path. */
export function caFileOf(env: NodeJS.ProcessEnv): string | undefined {
  const value = env[CA_FILE_VARIABLE]?.trim();
  return value ? resolve(userRoot(), value) : undefined;
}

/** Reads the environment; throws ConfigError (exit 2) when it cannot be used at all. */
export function loadEnvironment(env: NodeJS.ProcessEnv = process.env): Environment {
  const name = parseEnvName(env.BILLERAPI_ENV);
  loadDotenv(name, env);
  const primary = credentials(env, credentialVariables.primary);
  if (!primary) {
    throw new ConfigError(
      `Missing credentials: set BILLERAPI_CLIENT_ID and BILLERAPI_CLIENT_SECRET (or put them in .env.${name}; see .env.example).`,
    );
  }
  return {
    name,
    baseUrl: baseUrlFor(name, env),
    primary,
    second: credentials(env, credentialVariables.second),
    restricted: credentials(env, credentialVariables.restricted),
    rateLimit: credentials(env, credentialVariables.rateLimit),
    stateful: credentials(env, credentialVariables.stateful),
    statefulSecond: credentials(env, credentialVariables.statefulSecond),
    keyPrefix: name === 'production' ? keyPrefixes.production : name === 'partner' ? undefined : keyPrefixes.sandbox,
    allowInsecureHttp: yesOrUnset(env, ALLOW_INSECURE_HTTP_VARIABLE),
    caFile: caFileOf(env),
  };
}

/** Every secret the environment holds, for the redactor. */
export function environmentSecrets(e: Environment): string[] {
  return configuredClients(e).map(([, c]) => c.secret);
}

/** Set by `--shard I/N`: the run also writes a blob report for `playwright merge-reports`. */
export const SHARD_VARIABLE = 'BILLERAPI_SHARD';

/** Where a run's reports go, as the user names it: reports/<env>/, or BILLERAPI_REPORTS_DIR (relative to `userRoot()`). */
export function reportsDir(name: EnvName, env: NodeJS.ProcessEnv = process.env): string {
  return env.BILLERAPI_REPORTS_DIR || join('reports', name);
}

/** The absolute folder of `reportsDir`. */
export function reportsPath(name: EnvName, env: NodeJS.ProcessEnv = process.env): string {
  return resolve(userRoot(), reportsDir(name, env));
}
