/**
 * Property-based fuzzing of credentials, authorization and inputs (fast-check). Each test is
 * one property over one family of generated requests; every answer is also checked for 5xx,
 * dropped connections, leaked secrets and the contract. Not part of the production profile.
 */
import type fc from 'fast-check';
import { test, type Api } from '../lib/run/fixtures';
import { accountLinkIdCases, authorizationCases, billerQueryCases, clientCredentialCases, invalidWebhookBodyCases, linkTokenBodyCases, validCredentialsWithUnrelatedHeaders, type FuzzCase } from '../lib/fuzz/arbitraries';
import { fuzz, fuzzSettings, type FuzzTarget, type Verdicts } from '../lib/fuzz/fuzz';
import type { Secrets } from '../lib/fuzz/fuzz-values';
import type { LinkedAccount } from '../lib/run/linked-accounts';
import { covers, coversWithWrites } from '../lib/contract/requirements';

test.describe.configure({ timeout: 120_000 });

/** Runs one property and records its pace, for the closing figures and for replays (the seed). */
async function run(api: Api, secrets: Secrets, title: string, target: FuzzTarget, cases: fc.Arbitrary<FuzzCase>, verdicts: Verdicts): Promise<void> {
  test.skip(fuzzSettings(api.environment.name, api.run.groups).numRuns === 0, 'no fuzzing in this environment (read-only profile)');
  const report = await fuzz(api, secrets, target, cases, verdicts, title);
  test.info().annotations.push({
    type: 'fuzz',
    description: `${report.cases} case(s) in ${(report.durationMs / 1000).toFixed(2)} s (${Math.round(report.cases / (report.durationMs / 1000))}/s), seed ${report.seed}`,
  });
}

const secretsOf = (api: Api, accounts: LinkedAccount[] = []): Secrets => ({
  environment: api.environment,
  ownToken: accounts[0]?.accessToken,
  otherToken: accounts[1]?.accessToken,
});

const credentialsTitle = 'fuzz: client credentials';
test(`${credentialsTitle}: anything but the exact pair gets 401`, covers('AUTH-010', 'AUTH-008', 'ROBUST-001', 'SEC-001'), async ({ api, environment }) => {
  await run(api, secretsOf(api), credentialsTitle, { operationId: 'listBillers' }, clientCredentialCases(environment), { wronglyAccepted: 'AUTH-010', wronglyRefused: 'AUTH-008' });
});

const unrelatedTitle = 'fuzz: unrelated headers';
test(`${unrelatedTitle}: valid credentials with any other headers are answered`, covers('AUTH-011', 'ROBUST-001', 'SEC-001'), async ({ api }) => {
  test.skip(!api.environment.second, 'needs the second client (BILLERAPI_SECOND_CLIENT_ID), spent by fuzzing instead of the primary');
  await run(api, secretsOf(api), unrelatedTitle, { operationId: 'listBillers' }, validCredentialsWithUnrelatedHeaders(), { wronglyAccepted: 'AUTH-011', wronglyRefused: 'AUTH-011' });
});

for (const withClientCredentials of [false, true]) {
  const title = `fuzz: authorization${withClientCredentials ? ' with client credentials' : ''}`;
  test(`${title}: only Bearer and the account's own token gets its bills`, covers('BEARER-009', 'ROBUST-001', 'SEC-001'), async ({ api, accounts }) => {
    const target = { operationId: 'getBills', query: { account_link_id: accounts[0].accountLinkId } };
    await run(api, secretsOf(api, accounts), title, target, authorizationCases(withClientCredentials), { wronglyAccepted: 'BEARER-009', wronglyRefused: 'BEARER-009' });
  });
}

const queryTitle = 'fuzz: biller query';
test(`${queryTitle}: parameters outside their schema get 400`, covers('INPUT-003', 'ROBUST-001', 'SEC-001'), async ({ api }) => {
  test.skip(!api.environment.second, 'needs the second client (BILLERAPI_SECOND_CLIENT_ID), spent by fuzzing instead of the primary');
  await run(api, secretsOf(api), queryTitle, { operationId: 'listBillers' }, billerQueryCases(), { wronglyAccepted: 'INPUT-003', wronglyRefused: 'INPUT-003' });
});

const bodyTitle = 'fuzz: link token body';
test(`${bodyTitle}: bodies outside their schema get 400`, coversWithWrites('INPUT-003', 'ROBUST-001', 'SEC-001'), async ({ api }) => {
  test.skip(!api.environment.second, 'needs the second client (BILLERAPI_SECOND_CLIENT_ID), spent by fuzzing instead of the primary');
  await run(api, secretsOf(api), bodyTitle, { operationId: 'createLinkToken' }, linkTokenBodyCases(), { wronglyAccepted: 'INPUT-003', wronglyRefused: 'INPUT-003' });
});

const linkIdTitle = 'fuzz: account_link_id';
test(`${linkIdTitle}: a token reads its own link only, and malformed IDs get 400`, covers('INPUT-003', 'BEARER-009', 'ROBUST-001', 'SEC-001'), async ({ api, accounts }) => {
  await run(api, secretsOf(api, accounts), linkIdTitle, { operationId: 'getBills' }, accountLinkIdCases(accounts[0].accountLinkId), { wronglyAccepted: 'BEARER-009', wronglyRefused: 'INPUT-003' });
});

const webhookTitle = 'fuzz: webhook body';
test(`${webhookTitle}: invalid registrations get 400`, coversWithWrites('INPUT-003', 'ROBUST-001', 'SEC-001'), async ({ api }) => {
  test.skip(!api.environment.second, 'needs the second client (BILLERAPI_SECOND_CLIENT_ID), spent by fuzzing instead of the primary');
  await run(api, secretsOf(api), webhookTitle, { operationId: 'createWebhook' }, invalidWebhookBodyCases(), { wronglyAccepted: 'INPUT-003', wronglyRefused: 'INPUT-003' });
});
