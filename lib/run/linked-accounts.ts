/**
 * Linked sandbox accounts, made once per run by the global setup and handed to the workers
 * in the run context (lib/run/run-context.ts), never through a file. The exchange costs Authentication quota
 * (5 a minute per IP): the setup spends 4 (two links, and the exchanges LINK-002 and LINK-004
 * judge), the browser Connect flow 1, all before the rate-limit probe of that group starts;
 * LINK-003 is judged from that probe's own exchanges of never-issued tokens.
 */
import type { ApiClient, CallOptions, Exchange } from '../transport/client';
import { clientAuth } from '../transport/auth';
import type { Environment } from '../config/env';
import { sleep } from '../limits/pacing';
import { parseRetryAfter } from '../contract/rate-limits';

export interface LinkedAccount {
  accountLinkId: string;
  accessToken: string;
  billerId: string;
  /** The public token this link was exchanged from: already used. */
  usedPublicToken: string;
}

/** Exchanges made in the setup for the tests that judge them. */
export interface LinkEvidence {
  /** The first link's public token, exchanged a second time (LINK-002). */
  secondExchange: Exchange;
  /** A fresh public token of the primary client, exchanged by the second (LINK-004); none without a second client. */
  crossClientExchange?: Exchange;
}

export interface LinkedRun {
  accounts: LinkedAccount[];
  evidence: LinkEvidence;
}

/** Two links of one test account: enough for cross-account and determinism checks. */
export const LINKED_ACCOUNT_COUNT = 2;

function fail(step: string, status: number, body: string): never {
  throw new Error(`${step} answered ${status}: ${body.slice(0, 200)}`);
}

/** A limit left over from an earlier run is waited out once, not failed on ("pace rather than fail"). */
async function callPatiently(client: ApiClient, operationId: string, options: CallOptions, windowSeconds: number): Promise<Exchange> {
  const first = await client.call(operationId, options);
  if (first.response.status !== 429) return first;
  const retryAfter = parseRetryAfter(first.response.headers['retry-after'], windowSeconds);
  await sleep((retryAfter.valid ? retryAfter.seconds : windowSeconds) * 1000);
  return client.call(operationId, options);
}

export async function linkAccounts(e: Environment, client: ApiClient, windowSeconds: number): Promise<LinkedRun> {
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
    const exchanged = await callPatiently(client, 'exchangePublicToken', { auth, body: { public_token: publicToken } }, windowSeconds);
    const { access_token, account_link_id } = (exchanged.json ?? {}) as { access_token?: string; account_link_id?: string };
    if (!access_token || !account_link_id) fail('POST /link/token/exchange', exchanged.response.status, exchanged.response.body);
    accounts.push({ accountLinkId: account_link_id, accessToken: access_token, billerId, usedPublicToken: publicToken });
  }
  const evidence: LinkEvidence = {
    secondExchange: await callPatiently(client, 'exchangePublicToken', { auth, body: { public_token: accounts[0].usedPublicToken } }, windowSeconds),
  };
  if (e.second) {
    const created = await client.call('sandboxCreatePublicToken', { auth, body: { biller_id: billerId } });
    const publicToken = (created.json as { public_token?: string })?.public_token;
    if (!publicToken) fail('POST /sandbox/public_token/create', created.response.status, created.response.body);
    evidence.crossClientExchange = await callPatiently(client, 'exchangePublicToken', { auth: clientAuth(e.second), body: { public_token: publicToken } }, windowSeconds);
  }
  return { accounts, evidence };
}
