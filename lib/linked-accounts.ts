/**
 * Linked sandbox accounts, made once per run by the global setup (the exchange costs
 * Authentication quota, 5 a minute per IP) and handed to the workers through the environment,
 * never through a file.
 */
import { ApiClient } from './client';
import { clientAuth } from './auth';
import type { Environment } from './env';
import { redact, redactor } from './redact';

export interface LinkedAccount {
  accountLinkId: string;
  accessToken: string;
  billerId: string;
  /** The public token this link was exchanged from: already used. */
  usedPublicToken: string;
}

const LINKS_VARIABLE = 'BILLERAPI_RUN_LINKED_ACCOUNTS';
const LINKS_ERROR_VARIABLE = 'BILLERAPI_RUN_LINKED_ACCOUNTS_ERROR';
/** Two links of one test account: enough for cross-account and determinism checks. */
export const LINKED_ACCOUNT_COUNT = 2;

function fail(step: string, status: number, body: string): never {
  throw new Error(`${step} answered ${status}: ${body.slice(0, 200)}`);
}

export async function linkAccounts(e: Environment, baseUrl: string): Promise<LinkedAccount[]> {
  const client = new ApiClient(baseUrl);
  const auth = clientAuth(e.primary);
  let billerId = process.env.BILLERAPI_TEST_BILLER_ID;
  if (!billerId) {
    const list = await client.call('listBillers', { auth, query: { limit: 1 } });
    billerId = (list.json as { billers?: { biller_id?: string }[] })?.billers?.[0]?.biller_id;
    if (!billerId) fail('GET /billers', list.response.status, list.response.body);
  }
  const accounts: LinkedAccount[] = [];
  for (let i = 0; i < LINKED_ACCOUNT_COUNT; i++) {
    const created = await client.call('sandboxCreatePublicToken', { auth, body: { biller_id: billerId } });
    const publicToken = (created.json as { public_token?: string })?.public_token;
    if (!publicToken) fail('POST /sandbox/public_token/create', created.response.status, created.response.body);
    const exchanged = await client.call('exchangePublicToken', { auth, body: { public_token: publicToken } });
    const { access_token, account_link_id } = (exchanged.json ?? {}) as { access_token?: string; account_link_id?: string };
    if (!access_token || !account_link_id) fail('POST /link/token/exchange', exchanged.response.status, exchanged.response.body);
    accounts.push({ accountLinkId: account_link_id, accessToken: access_token, billerId, usedPublicToken: publicToken });
  }
  return accounts;
}

export function publishLinkedAccounts(result: LinkedAccount[] | Error, env: NodeJS.ProcessEnv = process.env): void {
  if (result instanceof Error) env[LINKS_ERROR_VARIABLE] = result.message;
  else env[LINKS_VARIABLE] = JSON.stringify(result);
}

/** The linked accounts, or a thrown precondition failure saying why there are none. */
export function readLinkedAccounts(env: NodeJS.ProcessEnv = process.env): LinkedAccount[] {
  const raw = env[LINKS_VARIABLE];
  if (!raw) {
    throw new Error(redact(`Precondition failed: no linked sandbox account (${env[LINKS_ERROR_VARIABLE] ?? 'the global setup linked none in this environment'}).`));
  }
  const accounts = JSON.parse(raw) as LinkedAccount[];
  for (const a of accounts) redactor.register(a.accessToken, a.usedPublicToken);
  return accounts;
}
