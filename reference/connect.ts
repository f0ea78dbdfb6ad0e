/**
 * The Connect experience (A-022): the SDK a host page loads, and the frame's pages (choose a
 * biller, enter the test credentials, success or error). The frame reports to the host page by
 * postMessage, targeted at the host's origin only. Served outside the REST pipeline: no client
 * credentials, no rate limit; the link token is the frame's credential.
 *
 * Variations (reference/variations.ts) bend what `x-connect` leaves open: the SDK's own iframe
 * and container, the frame's URL parameters and later paths, its wording and headings, and
 * whether the SDK removes its frame after a callback.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { connectContract } from '../lib/contract/spec';
import { catalogue, findBiller } from './data';
import { issuePublicToken } from './handlers/link';
import { readBody, type Switches } from './http';
import type { Store } from './store';

const CONNECT_PREFIX = connectContract.frame_path;
const { username: TEST_USERNAME, password: TEST_PASSWORD } = connectContract.test_credentials;
/** Billers the frame offers: the first few, enough to choose from. */
const OFFERED_BILLERS = 6;

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
/** A value inside an inline <script>: JSON with `<` escaped, so no `</script>` can close it. */
const scriptValue = (value: unknown) => JSON.stringify(value).replace(/</g, '\\u003c');

/** The frame's words: the reference's, or others (`connect-other-wording`), which no suite may read. */
interface Wording {
  heading: 'h1' | 'h2';
  choose: string;
  signIn: (biller: string) => string;
  username: string;
  password: string;
  submit: string;
  wrongCredentials: string;
  connected: string;
  connectedText: string;
  failed: string;
  invalidLink: string;
  badOrigin: string;
}

const WORDING: Wording = {
  heading: 'h1',
  choose: 'Choose your biller',
  signIn: (biller) => `Sign in to ${biller}`,
  username: 'Username',
  password: 'Password',
  submit: 'Connect',
  wrongCredentials: 'The username or password is incorrect.',
  connected: 'Connected',
  connectedText: 'Your account is connected. You can close this window.',
  failed: 'Something went wrong',
  invalidLink: 'This link is invalid or has expired. Ask the application for a new one.',
  badOrigin: 'The host page origin is missing or malformed.',
};

const OTHER_WORDING: Wording = {
  heading: 'h2',
  choose: 'Where do you pay your bills?',
  signIn: (biller) => `Log in with your ${biller} details`,
  username: 'User ID',
  password: 'Passcode',
  submit: 'Continue',
  wrongCredentials: 'We could not verify those details. Check them and try again.',
  connected: 'All set!',
  connectedText: 'We have linked your account. Returning you to the app…',
  failed: 'We hit a snag',
  invalidLink: 'This session cannot continue. Please start again from the app.',
  badOrigin: 'This page must be opened from an app.',
};

const wordingOf = (switches: Switches): Wording => (switches.has('connect-other-wording') ? OTHER_WORDING : WORDING);

/** The frame's query parameter names and its login page: the reference's, or others (`connect-other-frame-parameters`). */
function frameUrlsOf(switches: Switches): { linkToken: string; origin: string; login: string } {
  return switches.has('connect-other-frame-parameters')
    ? { linkToken: 'session', origin: 'embedder', login: `${CONNECT_PREFIX}/s/credentials` }
    : { linkToken: 'link_token', origin: 'origin', login: `${CONNECT_PREFIX}/login` };
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'Content-Type': `${type}; charset=utf-8`, 'Cache-Control': 'no-store', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

function page(title: string, body: string, switches: Switches, message?: { data: unknown; origin: string }): string {
  const post = message
    ? `<script>window.parent.postMessage(${scriptValue(message.data)}, ${scriptValue(switches.has('postmessage-any-origin') ? '*' : message.origin)});</script>`
    : '';
  const { heading } = wordingOf(switches);
  return `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body><main><${heading}>${escapeHtml(title)}</${heading}>${body}</main>${post}</body></html>`;
}

/**
 * The SDK: BillerConnect.open({ linkToken, onSuccess, onExit }) frames the flow and relays its
 * one message. The reference's frame has the id `billerapi-connect` and goes into
 * `options.container` when given; `connect-sdk-own-frame` makes its own overlay and frame with a
 * new id each time and ignores every option but the contract's; `connect-removes-frame` removes
 * the frame once it has called back. `connect-frame-never-loads` (a fault) never inserts one.
 */
function sdk(switches: Switches): string {
  const ownFrame = switches.has('connect-sdk-own-frame');
  const params = frameUrlsOf(switches);
  return `(function () {
  var script = document.currentScript;
  var connectOrigin = new URL(script.src).origin;
  window[${scriptValue(connectContract.sdk_global)}] = {
    open: function (options) {
      ${switches.has('connect-frame-never-loads') ? 'return { close: function () {} };' : ''}
      var frame = document.createElement('iframe');
      frame.id = ${ownFrame ? "'bc-' + Math.random().toString(36).slice(2)" : "'billerapi-connect'"};
      frame.title = 'BillerAPI Connect';
      frame.style.cssText = 'width:420px;height:560px;border:1px solid #ccc';
      frame.src = connectOrigin + ${scriptValue(`${CONNECT_PREFIX}?${params.linkToken}=`)} + encodeURIComponent(options.linkToken) + ${scriptValue(`&${params.origin}=`)} + encodeURIComponent(window.location.origin);
      var holder = ${ownFrame ? "document.createElement('div')" : 'null'};
      function close() { window.removeEventListener('message', onMessage); (holder || frame).remove(); }
      function onMessage(event) {
        if (event.origin !== connectOrigin || event.source !== frame.contentWindow) return;
        var data = event.data || {};
        if (data.type === 'success' && options.onSuccess) options.onSuccess(data.public_token, data.metadata);
        if (data.type === 'exit' && options.onExit) options.onExit(data.error);
        ${switches.has('connect-removes-frame') ? "if (data.type === 'success' || data.type === 'exit') close();" : ''}
      }
      window.addEventListener('message', onMessage);
      if (holder) {
        holder.style.cssText = 'position:fixed;inset:0;display:flex;align-items:center;justify-content:center;background:rgba(0,0,0,.4)';
        holder.appendChild(frame);
        document.body.appendChild(holder);
      } else {
        (options.container || document.body).appendChild(frame);
      }
      return { close: close };
    },
  };
})();
`;
}

interface FrameContext {
  linkToken: string;
  origin: string;
  clientId: string;
}

/** The link token and host origin of a frame request, or why the frame cannot open. */
function frameContext(params: URLSearchParams, store: Store, now: number, switches: Switches): FrameContext | { error: string; origin?: string } {
  const names = frameUrlsOf(switches);
  const linkToken = params.get(names.linkToken) ?? '';
  const originParam = params.get(names.origin) ?? '';
  const origin = URL.canParse(originParam) && new URL(originParam).origin === originParam ? originParam : undefined;
  if (!origin) return { error: wordingOf(switches).badOrigin };
  const issued = store.linkTokens.get(linkToken);
  if (switches.has('connect-accept-unknown-link-token') && !issued) return { linkToken, origin, clientId: 'unknown' };
  if (!issued || now >= issued.expiresAt) return { error: wordingOf(switches).invalidLink, origin };
  return { linkToken, origin, clientId: issued.clientId };
}

function hidden(ctx: FrameContext, switches: Switches, extra: Record<string, string> = {}): string {
  const names = frameUrlsOf(switches);
  return Object.entries({ [names.linkToken]: ctx.linkToken, [names.origin]: ctx.origin, ...extra })
    .map(([name, value]) => `<input type="hidden" name="${name}" value="${escapeHtml(value)}">`).join('');
}

function chooseBillerPage(ctx: FrameContext, switches: Switches): string {
  const login = frameUrlsOf(switches).login;
  const choices = catalogue(switches).slice(0, OFFERED_BILLERS).map((b) =>
    `<li><form method="get" action="${login}">${hidden(ctx, switches, { biller_id: b.biller_id })}<button type="submit" data-biller-id="${escapeHtml(b.biller_id)}">${escapeHtml(b.name)}</button></form></li>`).join('');
  return page(wordingOf(switches).choose, `<ul>${choices}</ul>`, switches);
}

function loginPage(ctx: FrameContext, billerId: string, switches: Switches, error?: string, message?: { data: unknown; origin: string }): string {
  const words = wordingOf(switches);
  const biller = findBiller(billerId, switches);
  const alert = error ? `<p role="alert">${escapeHtml(error)}</p>` : '';
  return page(words.signIn(biller?.name ?? 'your biller'), `${alert}<form method="post" action="${frameUrlsOf(switches).login}">${hidden(ctx, switches, { biller_id: billerId })}
<label>${escapeHtml(words.username)} <input name="username" autocomplete="off"></label>
<label>${escapeHtml(words.password)} <input name="password" type="password" autocomplete="off"></label>
<button type="submit">${escapeHtml(words.submit)}</button></form>`, switches, message);
}

function successMessage(ctx: FrameContext, billerId: string, store: Store, now: number, switches: Switches): { data: unknown; origin: string } {
  const publicToken = switches.has('connect-unusable-public-token')
    ? `public-sandbox-${randomUUID()}`
    : issuePublicToken(store, { clientId: ctx.clientId, billerId, testUsername: TEST_USERNAME }, now);
  return { data: { type: 'success', public_token: publicToken, metadata: { biller_id: billerId } }, origin: ctx.origin };
}

function exitPage(message: string, origin: string | undefined, switches: Switches): string {
  const error = { error_code: 'INVALID_LINK_TOKEN', error_message: message };
  return page(wordingOf(switches).failed, `<p role="alert">${escapeHtml(message)}</p>`, switches, origin ? { data: { type: 'exit', error }, origin } : undefined);
}

async function login(req: IncomingMessage, store: Store, now: number, switches: Switches): Promise<{ status: number; html: string }> {
  const form = new URLSearchParams(await readBody(req));
  const ctx = frameContext(form, store, now, switches);
  if ('error' in ctx) return { status: 400, html: exitPage(ctx.error, ctx.origin, switches) };
  const billerId = form.get('biller_id') ?? '';
  if (!findBiller(billerId, switches)) return { status: 400, html: chooseBillerPage(ctx, switches) };
  const passwordOk = form.get('password') === TEST_PASSWORD || switches.has('connect-accept-any-password');
  if (form.get('username') !== TEST_USERNAME || !passwordOk) {
    const linksAnyway = switches.has('connect-error-with-token') ? successMessage(ctx, billerId, store, now, switches) : undefined;
    return { status: 200, html: loginPage(ctx, billerId, switches, wordingOf(switches).wrongCredentials, linksAnyway) };
  }
  const words = wordingOf(switches);
  return { status: 200, html: page(words.connected, `<p>${escapeHtml(words.connectedText)}</p>`, switches, successMessage(ctx, billerId, store, now, switches)) };
}

/** Serves a /connect request; false when the path is not the Connect experience's. */
export async function serveConnect(req: IncomingMessage, res: ServerResponse, pathname: string, query: URLSearchParams, store: Store, now: number, switches: Switches): Promise<boolean> {
  if (pathname !== CONNECT_PREFIX && !pathname.startsWith(`${CONNECT_PREFIX}/`) && pathname !== connectContract.sdk_path) return false;
  const loginPath = frameUrlsOf(switches).login;
  if (req.method === 'GET' && pathname === connectContract.sdk_path) {
    send(res, 200, 'text/javascript', sdk(switches));
  } else if (req.method === 'GET' && pathname === CONNECT_PREFIX) {
    const ctx = frameContext(query, store, now, switches);
    if ('error' in ctx) send(res, 400, 'text/html', exitPage(ctx.error, ctx.origin, switches));
    else send(res, 200, 'text/html', chooseBillerPage(ctx, switches));
  } else if (req.method === 'GET' && pathname === loginPath) {
    const ctx = frameContext(query, store, now, switches);
    if ('error' in ctx) send(res, 400, 'text/html', exitPage(ctx.error, ctx.origin, switches));
    else send(res, 200, 'text/html', loginPage(ctx, query.get('biller_id') ?? '', switches));
  } else if (req.method === 'POST' && pathname === loginPath) {
    const { status, html } = await login(req, store, now, switches);
    send(res, status, 'text/html', html);
  } else {
    send(res, 404, 'text/html', page('Not found', '', switches));
  }
  return true;
}
