/** Checks made before the first request: a bad target or bad credentials stop the run with exit 2. */
import { ConfigError } from './errors';
import { configuredClients, type Environment } from './env';
import { keyPrefixes, operation, serverUrls } from '../contract/spec';
import { readCertificateAuthority, send, type HttpResponse } from '../transport/http';
import { isLoopbackUrl } from '../safety/loopback';
import { assertSendable } from '../safety/send-policy';

const REACHABILITY_TIMEOUT_MS = 5_000;

function otherEnvironmentOf(prefix: string): string {
  return prefix === keyPrefixes.production ? 'production' : 'sandbox';
}

/** Plain http to a host other than this machine: anyone on the way reads the credentials. */
function sendsSecretsInClearText(url: URL): boolean {
  return url.protocol === 'http:' && !isLoopbackUrl(url);
}

/** Every configuration problem, as one sentence each (pure: no I/O). */
export function configurationProblems(e: Environment): string[] {
  const problems: string[] = [];
  if (e.baseUrl !== undefined) {
    let url: URL | undefined;
    try {
      url = new URL(e.baseUrl);
    } catch {
      problems.push(`BILLERAPI_BASE_URL "${e.baseUrl}" is not a URL: include the scheme, e.g. ${serverUrls.sandbox}.`);
    }
    if (url && url.protocol !== 'http:' && url.protocol !== 'https:') {
      problems.push(`BILLERAPI_BASE_URL must use http or https, not ${url.protocol.replace(/:$/, '')}.`);
    }
    if (url && sendsSecretsInClearText(url) && !e.allowInsecureHttp) {
      problems.push(
        `BILLERAPI_BASE_URL ${url.origin} would carry the client secret unencrypted to another machine: use https, or pass --allow-insecure-http (BILLERAPI_ALLOW_INSECURE_HTTP=yes) to accept that risk.`,
      );
    }
  }
  if (e.keyPrefix) {
    for (const [, client] of configuredClients(e)) {
      if (client.secret.startsWith(e.keyPrefix)) continue;
      const foreign = Object.values(keyPrefixes).find((p) => client.secret.startsWith(p));
      problems.push(
        foreign
          ? `A ${otherEnvironmentOf(foreign)} secret (${foreign}…) for client ${client.id} is aimed at ${e.name}: use ${e.keyPrefix}… credentials there.`
          : `The secret for client ${client.id} does not start with ${e.keyPrefix}, the key prefix of ${e.name}.`,
      );
    }
  }
  return problems;
}

/** The CA file of `--ca`, if any, cannot be used: one sentence, or none. */
function certificateAuthorityProblems(e: Environment): string[] {
  if (e.caFile === undefined) return [];
  try {
    readCertificateAuthority(e.caFile);
    return [];
  } catch (error) {
    return [`BILLERAPI_CA_FILE (--ca) is unusable: ${(error as Error).message}; give a PEM file of the target's certificate authority.`];
  }
}

export function assertConfiguration(e: Environment): void {
  const problems = [...configurationProblems(e), ...certificateAuthorityProblems(e)];
  if (problems.length > 0) throw new ConfigError(problems.join(' '));
}

/** Set once a process has checked the target, so that its children do not send the check again. */
export const REACHABLE_VARIABLE = 'BILLERAPI_TARGET_REACHABLE';
/** The check is one GET /billers: one request of the Biller Operations group. */
export const REACHABILITY_OPERATION = 'listBillers';

/** OpenSSL's verdicts that mean "signed by an authority this machine does not trust". */
const UNTRUSTED_CERTIFICATE_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'CERT_SIGNATURE_FAILURE',
]);

/** What a TLS failure means and how to fix it, as the end of a sentence about the target; undefined when it is not one. */
export function tlsProblem(error: { code?: string; message: string }): string | undefined {
  const { code, message } = error;
  if (code !== undefined && UNTRUSTED_CERTIFICATE_CODES.has(code)) {
    return `presents a certificate this machine does not trust (${message}): pass its CA with --ca FILE (or BILLERAPI_CA_FILE)`;
  }
  if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID') return `presents a certificate that is not valid now (${message}): the target must renew it`;
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') return `presents a certificate for other names (${message}): use a host name the certificate holds in --base-url`;
  if (/wrong version number|packet length too long/.test(message)) return `does not answer TLS on that port (${message}): use http:// or the port that serves https`;
  return undefined;
}

/** A redirect answering the check: the base URL is not where the API is served. */
function redirectProblem(check: string, response: HttpResponse): string | undefined {
  if (response.status < 300 || response.status > 399) return undefined;
  const to = response.headers.location ?? 'no Location';
  return `redirects ${check} (${response.status}) to ${to}: the suite follows no redirect, so that credentials go only to the base URL; set --base-url to where the API itself answers`;
}

/** Any HTTP answer but a redirect means reachable; a network error, a TLS failure or a timeout means not. */
export async function assertReachable(baseUrl: string, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  if (env[REACHABLE_VARIABLE] === baseUrl) return;
  const check = operation(REACHABILITY_OPERATION);
  // Sent in every profile, so it must pass the read-only policy (lib/safety/send-policy.ts) too.
  assertSendable(check, true);
  let response: HttpResponse;
  try {
    response = await send({ method: check.method, url: `${baseUrl}${check.path}`, headers: [] }, REACHABILITY_TIMEOUT_MS);
  } catch (error) {
    const failure: { code?: string; message: string } = error instanceof Error ? error : { message: String(error) };
    throw new ConfigError(`Target ${baseUrl} ${tlsProblem(failure) ?? `is unreachable: ${failure.message}`}.`);
  }
  const redirected = redirectProblem(`${check.method} ${check.path}`, response);
  if (redirected) throw new ConfigError(`Target ${baseUrl} ${redirected}.`);
  env[REACHABLE_VARIABLE] = baseUrl;
}
