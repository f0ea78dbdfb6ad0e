/**
 * The Connect flow the way a user meets it, in Chromium: a host page loads the Connect SDK,
 * which frames the flow; the user chooses a biller and types the sandbox test credentials; the
 * host page receives the public token, and the application exchanges it. The frame is driven
 * through the automation contract of the spec's `x-connect`. Runs in the rate-limit project's worker, before the probes: its one
 * exchange is Authentication quota.
 */
import { randomUUID } from 'node:crypto';
import type { FrameLocator, Page } from '@playwright/test';
import { test as base, type Api } from '../lib/fixtures';
import { bearerAuth, clientAuth } from '../lib/auth';
import { chromiumMissing } from '../lib/browser';
import { statusIs } from '../lib/checks';
import { startConnectPages, type ConnectPages } from '../lib/connect-host';
import type { ClientCredentials, Environment } from '../lib/env';
import { linkTokenRequest } from '../lib/fixtures-data';
import { coversWithWrites } from '../lib/requirements';
import { connectContract } from '../lib/spec';
import { bodyOf, type Bill, type BillsGet, type LinkTokenCreate, type PublicTokenExchange } from '../lib/types';

const { test_credentials: { username: TEST_USERNAME, password: TEST_PASSWORD }, automation } = connectContract;
/** How long the host page waits for the frame's message; a message that has not come by then will not. */
const MESSAGE_WAIT_MS = 5_000;

interface ConnectResult {
  type: 'success' | 'exit';
  publicToken?: string;
  metadata?: { biller_id?: string };
  error?: { error_code?: string; error_message?: string };
}

const test = base.extend<{ pages: ConnectPages }>({
  pages: async ({ run }, use) => {
    const pages = await startConnectPages(run.meta.baseUrl);
    await use(pages);
    await pages.close();
  },
});

test.beforeEach(({}, testInfo) => {
  const missing = chromiumMissing();
  testInfo.skip(missing !== undefined, missing);
});

/** The client whose link this suite makes: the second, so that cross-client checks have a foreign token. */
const linkingClient = (e: Environment): ClientCredentials => e.second ?? e.primary;

async function newLinkToken(api: Api, client: ClientCredentials): Promise<string> {
  const x = await api.call('createLinkToken', { auth: clientAuth(client), body: linkTokenRequest() });
  api.require(x, statusIs('SCHEMA-002', 200));
  return bodyOf<LinkTokenCreate>(x)!.link_token;
}

const connectFrame = (page: Page): FrameLocator => page.frameLocator('#billerapi-connect');

/** Opens `url` and starts the flow there; the link token goes in by script, never in a URL (lib/connect-host.ts). */
async function openConnect(page: Page, url: string, linkToken: string): Promise<void> {
  await page.goto(url);
  await page.evaluate((token) => (window as unknown as { openConnect(t: string): void }).openConnect(token), linkToken);
}

async function signIn(frame: FrameLocator, billerId: string, password: string): Promise<void> {
  await frame.locator(automation.biller_button.replace('{biller_id}', billerId)).click();
  await frame.locator(automation.username).fill(TEST_USERNAME);
  await frame.locator(automation.password).fill(password);
  await frame.locator(automation.submit).click();
}

async function connectResult(page: Page, timeout = MESSAGE_WAIT_MS): Promise<ConnectResult | undefined> {
  try {
    const handle = await page.waitForFunction(() => (window as unknown as { __connect?: unknown }).__connect, undefined, { timeout });
    return (await handle.jsonValue()) as ConnectResult;
  } catch {
    return undefined;
  }
}

/** The money and dates of bills, without the IDs a new link changes. */
const billFacts = (bills: Bill[]) => bills.map((b) => JSON.stringify([b.statement_date, b.due_date, b.amount_due, b.minimum_payment, b.status]));

test('CONNECT-001 the test credentials deliver a public token that exchanges for the chosen biller\'s bills', coversWithWrites('CONNECT-001', 'BEARER-005'), async ({ api, environment, accounts, page, pages }) => {
  const client = linkingClient(environment);
  await openConnect(page, pages.hostUrl, await newLinkToken(api, client));
  await signIn(connectFrame(page), accounts[0].billerId, TEST_PASSWORD);
  const result = await connectResult(page);
  if (result?.type !== 'success' || !result.publicToken) {
    return api.report({ requirement: 'CONNECT-001', expected: 'onSuccess with a public token', received: result ? `onExit ${JSON.stringify(result.error)}` : `nothing within ${MESSAGE_WAIT_MS} ms` });
  }
  const exchanged = await api.call('exchangePublicToken', { auth: clientAuth(client), body: { public_token: result.publicToken } });
  api.verify(exchanged, statusIs('CONNECT-001', 200));
  const link = bodyOf<PublicTokenExchange>(exchanged);
  if (!link?.access_token) return;

  const own = await api.call('getBills', { auth: bearerAuth(link.access_token), query: { account_link_id: link.account_link_id } });
  api.verify(own, statusIs('CONNECT-001', 200));
  const reference = await api.call('getBills', { auth: bearerAuth(accounts[0].accessToken), query: { account_link_id: accounts[0].accountLinkId } });
  const [got, want] = [bodyOf<BillsGet>(own)?.bills ?? [], bodyOf<BillsGet>(reference)?.bills ?? []];
  if (JSON.stringify(billFacts(got)) !== JSON.stringify(billFacts(want))) {
    api.report({ requirement: 'CONNECT-001', expected: `the sandbox test account's bills (${want.length}, as the API-linked account of the same biller has)`, received: `${got.length} bills that differ in amounts, dates or status` }, own);
  }

  // Object-level authorization across clients: neither token reads the other client's link.
  const foreign = await api.call('getBills', { auth: bearerAuth(link.access_token), query: { account_link_id: accounts[0].accountLinkId } });
  api.verify(foreign, statusIs('BEARER-005', 403));
  const reverse = await api.call('getBills', { auth: bearerAuth(accounts[0].accessToken), query: { account_link_id: link.account_link_id } });
  api.verify(reverse, statusIs('BEARER-005', 403));
});

test('CONNECT-002 wrong test credentials show an error in the frame and deliver no public token', coversWithWrites('CONNECT-002'), async ({ api, environment, accounts, page, pages }) => {
  await openConnect(page, pages.hostUrl, await newLinkToken(api, linkingClient(environment)));
  const frame = connectFrame(page);
  await signIn(frame, accounts[0].billerId, `${TEST_PASSWORD}-wrong`);
  const alert = await frame.locator(automation.error).waitFor({ timeout: MESSAGE_WAIT_MS }).then(() => true, () => false);
  if (!alert) api.report({ requirement: 'CONNECT-002', expected: 'an error shown inside the frame ([role=alert])', received: 'no error shown' });
  // Once the frame has answered, a message it sent has arrived within a moment.
  const result = await connectResult(page, alert ? 500 : MESSAGE_WAIT_MS);
  if (result?.type === 'success') {
    api.report({ requirement: 'CONNECT-002', expected: 'no public token for a wrong password', received: 'onSuccess with a public token' });
  }
});

test('CONNECT-003 an unknown link token ends the flow with onExit and an error in the frame', coversWithWrites('CONNECT-003'), async ({ api, page, pages }) => {
  await openConnect(page, pages.hostUrl, `link-sandbox-${randomUUID()}`);
  const result = await connectResult(page);
  if (result?.type !== 'exit' || !result.error) {
    api.report({ requirement: 'CONNECT-003', expected: 'onExit with an error for a link token that was never issued', received: result ? 'onSuccess' : `nothing within ${MESSAGE_WAIT_MS} ms` });
  }
  if (await connectFrame(page).locator(automation.biller_button.replace('="{biller_id}"', '')).count() > 0) {
    api.report({ requirement: 'CONNECT-003', expected: 'the frame refuses to start', received: 'the frame offers billers to link' });
  }
});

test('CONNECT-004 the frame posts its result to the host origin only, not to a page that frames it', coversWithWrites('CONNECT-004'), async ({ api, environment, accounts, page, pages }) => {
  await openConnect(page, pages.eavesdropperUrl, await newLinkToken(api, linkingClient(environment)));
  const frame = connectFrame(page);
  await signIn(frame, accounts[0].billerId, TEST_PASSWORD);
  await frame.getByRole('heading', { name: 'Connected' }).waitFor({ timeout: MESSAGE_WAIT_MS }).catch(() => undefined);
  // postMessage is delivered asynchronously: give it the time the host page gets.
  await page.waitForTimeout(500);
  const received = await page.evaluate(() => (window as unknown as { __received: unknown[] }).__received);
  if (received.length > 0) {
    api.report({ requirement: 'CONNECT-004', expected: `no message to ${new URL(page.url()).origin}, which is not the host origin ${pages.hostOrigin}`, received: `${received.length} message(s): ${JSON.stringify(received).slice(0, 120)}` });
  }
});
