/** The reference's clients, from the same variables the suite reads (.env.local seeds them). */
import { operation, operations } from '../lib/contract/spec';
import type { ClientSeed } from './auth';

/** Every scope some operation requires. */
export const allScopes: readonly string[] = [...new Set(operations.flatMap((op) => op.scopes))].sort();
/** The restricted client may only search billers. */
export const RESTRICTED_SCOPES: readonly string[] = operation('listBillers').scopes;

const seeds: readonly [idVar: string, secretVar: string, scopes: readonly string[]][] = [
  ['BILLERAPI_CLIENT_ID', 'BILLERAPI_CLIENT_SECRET', allScopes],
  ['BILLERAPI_SECOND_CLIENT_ID', 'BILLERAPI_SECOND_CLIENT_SECRET', allScopes],
  ['BILLERAPI_RESTRICTED_CLIENT_ID', 'BILLERAPI_RESTRICTED_CLIENT_SECRET', RESTRICTED_SCOPES],
  ['BILLERAPI_RATE_LIMIT_CLIENT_ID', 'BILLERAPI_RATE_LIMIT_CLIENT_SECRET', allScopes],
  ['BILLERAPI_STATEFUL_CLIENT_ID', 'BILLERAPI_STATEFUL_CLIENT_SECRET', allScopes],
  ['BILLERAPI_STATEFUL_SECOND_CLIENT_ID', 'BILLERAPI_STATEFUL_SECOND_CLIENT_SECRET', allScopes],
];

/** The primary client first (accept-anonymous acts as it); pairs missing either half are skipped. */
export function referenceClientsFromEnv(env: NodeJS.ProcessEnv): ClientSeed[] {
  return seeds.flatMap(([idVar, secretVar, scopes]) => {
    const clientId = env[idVar];
    const secret = env[secretVar];
    return clientId && secret ? [{ clientId, secret, scopes }] : [];
  });
}
