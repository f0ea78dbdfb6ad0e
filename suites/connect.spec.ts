/**
 * The Connect flow the way a user meets it, in Chromium: a host page loads the Connect SDK and
 * calls open(); the user chooses a biller in the frame and types the sandbox test credentials;
 * the host page's onSuccess receives the public token, and the application exchanges it.
 *
 * Only `x-connect` (A-022) is relied on: the SDK's path and global, the options of open(), the
 * frame's path on the API host (the frame is found by it, whatever its id or container), the
 * automation selectors inside it, onSuccess/onExit as the completion signal, and the bounds
 * every wait takes from (`load_seconds`, `step_seconds`). A frame that never appears, never
 * answers or never calls back fails the test's requirement with a sentence saying what was
 * awaited and for how long; the test timeout is derived from the waits, so they end first.
 *
 * Runs in the rate-limit project's worker, before the probes: its one exchange is
 * Authentication quota.
 */
import { randomUUID } from 'node:crypto';
import type { Frame, Page } from '@playwright/test';
import { test as base, type Api } from '../lib/run/fixtures';
import { bearerAuth, clientAuth } from '../lib/transport/auth';
import { chromiumMissing } from '../lib/connect/browser';
import { statusIs } from '../lib/judgement/checks';
import { callbacksOf, connectFrameOf, flushFrameMessages, frameSource, messagesOf, startConnectPages, type ConnectCallback, type ConnectPages } from '../lib/connect/connect-host';
import type { ClientCredentials, Environment } from '../lib/config/env';
import { linkTokenRequest } from '../lib/contract/fixtures-data';
import { coversWithWrites, type RequirementId } from '../lib/contract/requirements';
import { connectContract, spec } from '../lib/contract/spec';
import { bodyOf, type Bill, type BillsGet, type LinkTokenCreate, type PublicTokenExchange } from '../lib/contract/types';
import { deadlineIn, LATE, pollUntil, seconds, timeoutAfterWaits, within, type Deadline } from '../lib/judgement/waits';

const { sdk_path: SDK_PATH, sdk_global: SDK_GLOBAL, frame_path: FRAME_PATH, automation } = connectContract;
const { username: TEST_USERNAME, password: TEST_PASSWORD } = connectContract.test_credentials;
const OPEN = `${SDK_GLOBAL}.open`;
/** The SDK loads, and open() shows the frame's biller choice, each within this (x-connect.load_seconds). */
const LOAD_MS = connectContract.load_seconds * 1000;
/** The frame answers each user action within this (x-connect.step_seconds). */
const STEP_MS = connectContract.step_seconds * 1000;
/** Any biller button, whatever biller: the automation selector without its biller. */
const ANY_BILLER_BUTTON = automation.biller_button.replace(/="\{biller_id\}"/, '');
/** A public token anywhere in a message (the spec's pattern, unanchored). */
const PUBLIC_TOKEN = new RegExp(String(spec.components.schemas.SandboxPublicTokenCreateResponse.properties.public_token.pattern).replace(/^\^|\$$/g, ''));

/**
 * The longest test's waits, one after the other: CONNECT-004 loads the SDK, waits for the host
 * page's frame, then for the copied frame's billers on another origin, then a step for the
 * credential form, one for typing and submitting, and one of listening after it.
 */
base.describe.configure({ timeout: timeoutAfterWaits(LOAD_MS, LOAD_MS, LOAD_MS, STEP_MS, STEP_MS, STEP_MS) });

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

/** What the flow waited for and did not get: the test reports it against its own requirement. */
interface Missed {
  expected: string;
  received: string;
}

const isMissed = (value: unknown): value is Missed => typeof value === 'object' && value !== null && 'expected' in value && 'received' in value;

const firstLine = (error: unknown) => String(error instanceof Error ? error.message : error).split('\n')[0];

/** Origins and paths of a page's frames (never their queries: a link token may be in one). */
const framesSeen = (page: Page) => {
  const urls = page.frames().filter((f) => f !== page.mainFrame()).map((f) => (URL.canParse(f.url()) ? `${new URL(f.url()).origin}${new URL(f.url()).pathname}` : f.url() || 'about:blank'));
  return urls.length === 0 ? 'no frame at all' : `frames at ${urls.join(', ')}`;
};

/** The Connect flow on one page: every step bounded by x-connect, every miss said in a sentence. */
class ConnectFlow {
  private readonly apiOrigin: string;

  constructor(readonly page: Page, apiBaseUrl: string) {
    this.apiOrigin = new URL(apiBaseUrl).origin;
  }

  /** Loads the host page (and with it the SDK) and calls open(); returns the bound of what open() must show. */
  async open(hostUrl: string, linkToken: string): Promise<Deadline | Missed> {
    const loading = deadlineIn(LOAD_MS);
    try {
      await this.page.goto(hostUrl, { waitUntil: 'load', timeout: loading.left() });
    } catch {
      return { expected: `the SDK at ${SDK_PATH} loaded within ${seconds(LOAD_MS)} (x-connect.load_seconds)`, received: `the host page, which loads only the SDK, had not loaded after ${seconds(LOAD_MS)}` };
    }
    const refused = await within(this.page.evaluate((token) => (window as unknown as { openConnect(t: string): string }).openConnect(token), linkToken), LOAD_MS);
    if (refused === LATE) return { expected: `${OPEN} returning`, received: `${OPEN} had not returned after ${seconds(LOAD_MS)}` };
    if (refused) return { expected: `${OPEN}({ ${connectContract.open_options.join(', ')} }) from the SDK at ${SDK_PATH}`, received: refused };
    return deadlineIn(LOAD_MS);
  }

  /** The Connect frame once it offers billers (`biller` among them, when given), within the bound open() returned. */
  async billerChoice(opened: Deadline, billerId?: string): Promise<Frame | Missed> {
    const button = billerId ? automation.biller_button.replace('{biller_id}', billerId) : ANY_BILLER_BUTTON;
    const frame = await pollUntil(async () => {
      const f = connectFrameOf(this.page, this.apiOrigin);
      return f && (await f.locator(button).first().isVisible()) ? f : undefined;
    }, opened);
    if (frame) return frame;
    const at = connectFrameOf(this.page, this.apiOrigin);
    return at
      ? { expected: `the Connect frame's biller choice (${button}) within ${seconds(opened.ms)} after ${OPEN} (x-connect.load_seconds)`, received: `the Connect frame at ${FRAME_PATH} showed no ${button} within ${seconds(opened.ms)} after ${OPEN}` }
      : { expected: `a Connect frame at ${FRAME_PATH} on the API host within ${seconds(opened.ms)} after ${OPEN} (x-connect.load_seconds)`, received: `no Connect frame at ${FRAME_PATH} appeared within ${seconds(opened.ms)} after ${OPEN} (${framesSeen(this.page)})` };
  }

  /** Chooses the biller and submits the credentials; returns the bound of the frame's answer to the submission. */
  async signIn(frame: Frame, billerId: string, password: string): Promise<Deadline | Missed> {
    const choose = deadlineIn(STEP_MS);
    try {
      await frame.locator(automation.biller_button.replace('{biller_id}', billerId)).click({ timeout: choose.left() });
    } catch (error) {
      return { expected: `the biller ${billerId} chosen in the Connect frame`, received: `its button could not be clicked within ${seconds(STEP_MS)}: ${firstLine(error)}` };
    }
    const form = await pollUntil(async () => {
      const f = connectFrameOf(this.page, this.apiOrigin);
      return f && (await f.locator(automation.username).isVisible()) ? f : undefined;
    }, choose);
    if (!form) {
      return { expected: `the credential form (${automation.username}) within ${seconds(STEP_MS)} after choosing a biller (x-connect.step_seconds)`, received: `the Connect frame showed no ${automation.username} within ${seconds(STEP_MS)} after the biller ${billerId} was chosen` };
    }
    const typing = deadlineIn(STEP_MS);
    try {
      await form.locator(automation.username).fill(TEST_USERNAME, { timeout: typing.left() });
      await form.locator(automation.password).fill(password, { timeout: typing.left() });
      await form.locator(automation.submit).click({ timeout: typing.left() });
    } catch (error) {
      return { expected: `the credential form (${automation.username}, ${automation.password}, ${automation.submit}) usable within ${seconds(STEP_MS)}`, received: firstLine(error) };
    }
    return deadlineIn(STEP_MS);
  }

  /** The host page's first callback, or undefined when none came before the bound. */
  callback(bound: Deadline): Promise<ConnectCallback | undefined> {
    return pollUntil(async () => (await callbacksOf(this.page))[0], bound);
  }
}

/** Runs a flow step; a Missed fails `requirement` and stops the test, so nothing it cites is passed unjudged. */
function unlessMissed<T>(api: Api, requirement: RequirementId, value: T | Missed): T {
  if (!isMissed(value)) return value;
  return api.stop({ requirement, ...value });
}

const describeCallback = (c: ConnectCallback) => (c.type === 'success' ? 'onSuccess with a public token' : `onExit ${JSON.stringify(c.error ?? null).slice(0, 200)}`);

/** The money and dates of bills, without the IDs a new link changes. */
const billFacts = (bills: Bill[]) => bills.map((b) => JSON.stringify([b.statement_date, b.due_date, b.amount_due, b.minimum_payment, b.status]));

test('CONNECT-001 the test credentials deliver a public token that exchanges for the chosen biller\'s bills', coversWithWrites('CONNECT-001', 'BEARER-005'), async ({ api, environment, accounts, page, pages, run }) => {
  const client = linkingClient(environment);
  const billerId = accounts[0].billerId;
  const flow = new ConnectFlow(page, run.meta.baseUrl);
  const opened = unlessMissed(api, 'CONNECT-001', await flow.open(pages.hostUrl, await newLinkToken(api, client)));
  const frame = unlessMissed(api, 'CONNECT-001', await flow.billerChoice(opened, billerId));
  const submitted = unlessMissed(api, 'CONNECT-001', await flow.signIn(frame, billerId, TEST_PASSWORD));
  const result = await flow.callback(submitted);
  if (result?.type !== 'success' || typeof result.publicToken !== 'string') {
    return api.stop({
      requirement: 'CONNECT-001',
      expected: `onSuccess with a public token within ${seconds(STEP_MS)} after the test credentials were submitted (x-connect.step_seconds)`,
      received: result ? describeCallback(result) : `no onSuccess or onExit within ${seconds(STEP_MS)} after the credentials were submitted in the Connect frame`,
    });
  }
  const exchanged = await api.call('exchangePublicToken', { auth: clientAuth(client), body: { public_token: result.publicToken } });
  api.require(exchanged, statusIs('CONNECT-001', 200));
  const link = bodyOf<PublicTokenExchange>(exchanged)!;

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

test('CONNECT-002 wrong test credentials show an error in the frame and deliver no public token', coversWithWrites('CONNECT-002'), async ({ api, environment, accounts, page, pages, run }) => {
  const billerId = accounts[0].billerId;
  const flow = new ConnectFlow(page, run.meta.baseUrl);
  const opened = unlessMissed(api, 'CONNECT-002', await flow.open(pages.hostUrl, await newLinkToken(api, linkingClient(environment))));
  const frame = unlessMissed(api, 'CONNECT-002', await flow.billerChoice(opened, billerId));
  const submitted = unlessMissed(api, 'CONNECT-002', await flow.signIn(frame, billerId, `${TEST_PASSWORD}-wrong`));
  // The frame's answer to the submission (x-connect: each user action is answered within step_seconds): an error shown inside it.
  const origin = new URL(run.meta.baseUrl).origin;
  const alerting = await pollUntil(async () => {
    const current = connectFrameOf(page, origin);
    return current && (await current.locator(automation.error).first().isVisible()) ? current : undefined;
  }, submitted);
  if (!alerting) {
    const [callback] = await callbacksOf(page);
    api.report({ requirement: 'CONNECT-002', expected: `an error shown inside the frame (${automation.error}) within ${seconds(STEP_MS)} after wrong credentials were submitted (x-connect.step_seconds)`, received: `no error shown within ${seconds(STEP_MS)}${callback ? `; the host page got ${describeCallback(callback)}` : ''}` });
  }
  // An error is the answer, not a public token: whatever the frame posted up to its error has reached the callbacks once flushed.
  if (alerting) await within(flushFrameMessages(page, alerting, submitted.left()), submitted.left());
  const success = (await callbacksOf(page)).find((c) => c.type === 'success');
  if (success) {
    api.report({ requirement: 'CONNECT-002', expected: 'no public token for a wrong password', received: `onSuccess with a public token${alerting ? ', besides the error shown' : ''}` });
  }
});

test('CONNECT-003 an unknown link token ends the flow with onExit and the frame offers nothing to link', coversWithWrites('CONNECT-003'), async ({ api, page, pages, run }) => {
  const flow = new ConnectFlow(page, run.meta.baseUrl);
  const opened = unlessMissed(api, 'CONNECT-003', await flow.open(pages.hostUrl, `link-sandbox-${randomUUID()}`));
  // The frame loads (load_seconds), then answers the token it was opened with (step_seconds).
  const bound = deadlineIn(LOAD_MS + STEP_MS);
  const result = await flow.callback(bound);
  if (result?.type !== 'exit' || !result.error) {
    api.report({ requirement: 'CONNECT-003', expected: `onExit with an error within ${seconds(bound.ms)} after ${OPEN} with a link token that was never issued (x-connect.load_seconds + step_seconds)`, received: result ? describeCallback(result) : `no onSuccess or onExit within ${seconds(bound.ms)} after ${OPEN}` });
  }
  // The frame, if it is still there (an SDK may remove it after the callback), must not offer billers.
  const frame = connectFrameOf(page, new URL(run.meta.baseUrl).origin);
  if (frame && (await frame.locator(ANY_BILLER_BUTTON).count().catch(() => 0)) > 0) {
    api.report({ requirement: 'CONNECT-003', expected: 'the frame refuses to start', received: 'the frame offers billers to link' });
  }
});

test('CONNECT-004 the frame posts its result to the host origin only, not to another page that frames it', coversWithWrites('CONNECT-004'), async ({ api, environment, accounts, page, pages, run }) => {
  const billerId = accounts[0].billerId;
  const flow = new ConnectFlow(page, run.meta.baseUrl);
  // The Connect URL the SDK makes for the host page, which anyone who sees it can copy into a page of theirs.
  const opened = unlessMissed(api, 'CONNECT-004', await flow.open(pages.hostUrl, await newLinkToken(api, linkingClient(environment))));
  const hostFrame = await pollUntil(() => connectFrameOf(page, new URL(run.meta.baseUrl).origin), opened);
  if (!hostFrame) {
    return api.stop({ requirement: 'CONNECT-004', expected: `a Connect frame at ${FRAME_PATH} on the API host within ${seconds(LOAD_MS)} after ${OPEN} (x-connect.load_seconds)`, received: `no Connect frame at ${FRAME_PATH} appeared within ${seconds(LOAD_MS)} after ${OPEN} (${framesSeen(page)})` });
  }
  const copied = await within(frameSource(hostFrame), LOAD_MS);
  if (copied === LATE) throw new Error(`Harness: the URL of the Connect frame could not be read within ${seconds(LOAD_MS)}`);

  // Our own loopback page: bounded like the host page, a failure here is the suite's.
  await page.goto(pages.eavesdropperUrl, { waitUntil: 'load', timeout: LOAD_MS });
  await page.evaluate((url) => (window as unknown as { frameConnect(u: string): void }).frameConnect(url), copied);
  const frame = await flow.billerChoice(deadlineIn(LOAD_MS), billerId);
  if (isMissed(frame)) {
    // A frame that will not run for another origin (frame-ancestors, a handshake) has nothing to leak.
    test.info().annotations.push({ type: 'note', description: `CONNECT-004: framed by ${new URL(pages.eavesdropperUrl).origin}, the Connect frame did not offer billers (${frame.received}); nothing could be posted there` });
    return;
  }
  const submitted = await flow.signIn(frame, billerId, TEST_PASSWORD);
  if (isMissed(submitted)) {
    test.info().annotations.push({ type: 'note', description: `CONNECT-004: framed by another origin, the flow stopped before completing (${submitted.received})` });
  }
  // Absence is judged by listening as long as the frame has to report to its host (x-connect.step_seconds).
  await new Promise((resolve) => setTimeout(resolve, isMissed(submitted) ? 0 : submitted.left()));
  const received = await messagesOf(page);
  const leaked = received.filter((m) => PUBLIC_TOKEN.test(JSON.stringify(m.data) ?? ''));
  if (leaked.length > 0) {
    api.report({ requirement: 'CONNECT-004', expected: `no public token posted to ${new URL(pages.eavesdropperUrl).origin}, which is not the host origin ${pages.hostOrigin}`, received: `${leaked.length} message(s) carrying a public token, from ${[...new Set(leaked.map((m) => m.origin))].join(', ')}` });
  }
});
