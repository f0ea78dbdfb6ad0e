/**
 * lib/connect/ — the Connect flow in a browser: the host page the suites load the SDK into
 * (connect-host.ts) and which Chromium runs it (browser.ts). Imports lib/contract/ only.
 */
/**
 * Pages that embed the Connect flow, served on loopback during a browser run, and how a suite
 * finds the frame in them. Only what `x-connect` (A-022) promises is used: the SDK's path and
 * global, `open()` with the options the spec lists, the frame's path on the API host, and the
 * host page's onSuccess/onExit. The frame's id, its place in the page, its URL's query and its
 * wording are the implementation's own.
 *
 * - The host page an application would have: it loads the SDK and calls
 *   `BillerConnect.open({ linkToken, onSuccess, onExit })` (nothing else: no container, no id);
 *   the callbacks are kept on `window.__callbacks` in the order they came.
 * - An eavesdropper on another origin that frames a Connect URL the SDK made for the host
 *   page (as anyone who copies it can) and keeps every message it receives, to prove that the
 *   frame's result goes to the host's origin only (CONNECT-004).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Frame, Page } from '@playwright/test';
import { connectContract } from '../contract/spec';

/**
 * The link token is handed to a page by script (`window.openConnect(linkToken)`,
 * `window.frameConnect(url)`), never in its URL: Playwright writes navigation URLs into its
 * HTML report, which our redaction does not pass.
 */
export interface ConnectPages {
  /** The host page, on the host origin. */
  hostUrl: string;
  /** The eavesdropper page, on another origin. */
  eavesdropperUrl: string;
  hostOrigin: string;
  close(): Promise<void>;
}

/** What the host page's callbacks received, in order. */
export interface ConnectCallback {
  type: 'success' | 'exit';
  publicToken?: unknown;
  metadata?: unknown;
  error?: unknown;
}

/** A message the eavesdropper received: its sender's origin and data. */
export interface ReceivedMessage {
  origin: string;
  data: unknown;
}

const json = (value: unknown) => JSON.stringify(value).replace(/</g, '\\u003c');

const [LINK_TOKEN_OPTION, SUCCESS_OPTION, EXIT_OPTION] = connectContract.open_options;

/** Why `open()` could not be called, or '' when it was; set by the host page's `openConnect`. */
function hostPage(apiBaseUrl: string): string {
  const global = connectContract.sdk_global;
  return `<!doctype html><html><head><meta charset="utf-8"><title>Host</title>
<script>
window.__sdk = 'loading'; window.__callbacks = []; window.__flushed = [];
window.addEventListener('message', function (e) { if (e.data && e.data.__billerapiFlush) window.__flushed.push(e.data.__billerapiFlush); });
</script>
<script src="${apiBaseUrl}${connectContract.sdk_path}" onload="window.__sdk = 'loaded'" onerror="window.__sdk = 'failed'"></script>
</head><body><main><h1>An application</h1></main><script>
window.openConnect = function (linkToken) {
  var sdk = window[${json(global)}];
  if (!sdk || typeof sdk.open !== 'function') return ${json(`the SDK defines no ${global}.open`)} + (window.__sdk === 'failed' ? ' (the script failed to load)' : '');
  var options = {};
  options[${json(LINK_TOKEN_OPTION)}] = linkToken;
  options[${json(SUCCESS_OPTION)}] = function (publicToken, metadata) { window.__callbacks.push({ type: 'success', publicToken: publicToken, metadata: metadata }); };
  options[${json(EXIT_OPTION)}] = function (error) { window.__callbacks.push({ type: 'exit', error: error }); };
  try {
    sdk.open(options);
  } catch (e) {
    return ${json(`${global}.open threw: `)} + String(e && e.message || e);
  }
  return '';
};
</script></body></html>`;
}

function eavesdropperPage(): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>Eavesdropper</title></head><body>
<script>
window.__received = [];
window.addEventListener('message', function (e) { window.__received.push({ origin: e.origin, data: e.data }); });
window.frameConnect = function (url) {
  var frame = document.createElement('iframe');
  frame.style.cssText = 'width:420px;height:560px';
  frame.src = url;
  document.body.appendChild(frame);
};
</script></body></html>`;
}

async function listen(page: string): Promise<{ server: Server; origin: string }> {
  const server = createServer((_, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(page);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

export async function startConnectPages(apiBaseUrl: string): Promise<ConnectPages> {
  const host = await listen(hostPage(apiBaseUrl));
  const eavesdropper = await listen(eavesdropperPage());
  const close = (server: Server) => new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
  return {
    hostUrl: `${host.origin}/host`,
    eavesdropperUrl: `${eavesdropper.origin}/eavesdropper`,
    hostOrigin: host.origin,
    close: async () => {
      await Promise.all([close(host.server), close(eavesdropper.server)]);
    },
  };
}

/** Whether a frame's document is the Connect frame's: on the API host, at `frame_path` or under it (x-connect). */
export function isConnectFrameUrl(url: string, apiOrigin: string): boolean {
  if (!URL.canParse(url)) return false;
  const { origin, pathname } = new URL(url);
  const path = connectContract.frame_path.replace(/\/+$/, '');
  return origin === apiOrigin && (pathname === path || pathname.startsWith(`${path}/`));
}

/** The Connect frame of a page as it is now, whatever its id and container: the first frame at the frame path. */
export function connectFrameOf(page: Page, apiOrigin: string): Frame | undefined {
  return page.frames().find((f) => f !== page.mainFrame() && !f.isDetached() && isConnectFrameUrl(f.url(), apiOrigin));
}

/** The URL the page's iframe element was given (what a copier of the frame takes), or its document's URL. */
export async function frameSource(frame: Frame): Promise<string> {
  const element = await frame.frameElement().catch(() => undefined);
  const src = element ? await element.evaluate((e) => (e as HTMLIFrameElement).src).catch(() => '') : '';
  return src && !src.startsWith('about:') ? src : frame.url();
}

/** The callbacks the host page has received so far. */
export function callbacksOf(page: Page): Promise<ConnectCallback[]> {
  return page.evaluate(() => (window as unknown as { __callbacks: ConnectCallback[] }).__callbacks);
}

/**
 * Waits until every message the frame posted to the host page so far has been dispatched
 * there (and so has reached onSuccess/onExit through the SDK): messages from one window to
 * another arrive in the order they were posted, so a marker the suite posts from inside the
 * frame arrives after all of them. False when the marker did not arrive within `timeoutMs`.
 */
export async function flushFrameMessages(page: Page, frame: Frame, timeoutMs: number): Promise<boolean> {
  const marker = `flush-${Date.now()}-${Math.random()}`;
  try {
    await frame.evaluate((m) => window.parent.postMessage({ __billerapiFlush: m }, '*'), marker);
    await page.waitForFunction((m) => (window as unknown as { __flushed: string[] }).__flushed.includes(m), marker, { timeout: timeoutMs });
    return true;
  } catch {
    return false;
  }
}

/** The messages the eavesdropper has received so far. */
export function messagesOf(page: Page): Promise<ReceivedMessage[]> {
  return page.evaluate(() => (window as unknown as { __received: ReceivedMessage[] }).__received);
}
