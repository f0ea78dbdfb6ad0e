/** Checks made before the first request: a bad target or bad credentials stop the run with exit 2. */
import { ConfigError } from './errors';
import { configuredClients, type Environment } from './env';
import { keyPrefixes, operation, serverUrls } from './spec';
import { send } from './http';

const REACHABILITY_TIMEOUT_MS = 5_000;

function otherEnvironmentOf(prefix: string): string {
  return prefix === keyPrefixes.production ? 'production' : 'sandbox';
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

export function assertConfiguration(e: Environment): void {
  const problems = configurationProblems(e);
  if (problems.length > 0) throw new ConfigError(problems.join(' '));
}

/** Set once a process has checked the target, so that its children do not send the check again. */
export const REACHABLE_VARIABLE = 'BILLERAPI_TARGET_REACHABLE';
/** The check is one GET /billers: one request of the Biller Operations group. */
export const REACHABILITY_OPERATION = 'listBillers';

/** Any HTTP answer means reachable; a network error or timeout means not. */
export async function assertReachable(baseUrl: string, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  if (env[REACHABLE_VARIABLE] === baseUrl) return;
  try {
    await send({ method: 'GET', url: `${baseUrl}${operation(REACHABILITY_OPERATION).path}`, headers: [] }, REACHABILITY_TIMEOUT_MS);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ConfigError(`Target ${baseUrl} is unreachable: ${reason}.`);
  }
  env[REACHABLE_VARIABLE] = baseUrl;
}
