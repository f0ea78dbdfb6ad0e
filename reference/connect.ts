/**
 * The Connect experience: the SDK a host page loads, and the frame's pages (choose a
 * biller, enter the test credentials, success or error). The frame reports to the host page by
 * postMessage, targeted at the host's origin only. Served outside the REST pipeline: no client
 * credentials, no rate limit; the link token is the frame's credential.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { connectContract } from '../lib/spec';
import { billers, findBiller } from './data';
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

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'Content-Type': `${type}; charset=utf-8`, 'Cache-Control': 'no-store', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

function page(title: string, body: string, message?: { data: unknown; origin: string }, faults?: Switches): string {
  const post = message
    ? `<script>window.parent.postMessage(${scriptValue(message.data)}, ${scriptValue(faults?.has('postmessage-any-origin') ? '*' : message.origin)});</script>`
    : '';
  return `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body><main><h1>${escapeHtml(title)}</h1>${body}</main>${post}</body></html>`;
}

/** The SDK: BillerConnect.open({ linkToken, onSuccess, onExit }) frames the flow and relays its one message. */
const SDK = `(function () {
  var script = document.currentScript;
  var connectOrigin = new URL(script.src).origin;
  window['${connectContract.sdk_global}'] = {
    open: function (options) {
      var frame = document.createElement('iframe');
      frame.id = 'billerapi-connect';
      frame.title = 'BillerAPI Connect';
      frame.style.cssText = 'width:420px;height:560px;border:1px solid #ccc';
      frame.src = connectOrigin + '${CONNECT_PREFIX}?link_token=' + encodeURIComponent(options.linkToken) + '&origin=' + encodeURIComponent(window.location.origin);
      function onMessage(event) {
        if (event.origin !== connectOrigin || event.source !== frame.contentWindow) return;
        var data = event.data || {};
        if (data.type === 'success' && options.onSuccess) options.onSuccess(data.public_token, data.metadata);
        if (data.type === 'exit' && options.onExit) options.onExit(data.error);
      }
      window.addEventListener('message', onMessage);
      (options.container || document.body).appendChild(frame);
      return { close: function () { window.removeEventListener('message', onMessage); frame.remove(); } };
    },
  };
})();
`;

interface FrameContext {
  linkToken: string;
  origin: string;
  clientId: string;
}

/** The link token and host origin of a frame request, or why the frame cannot open. */
function frameContext(params: URLSearchParams, store: Store, now: number, switches: Switches): FrameContext | { error: string; origin?: string } {
  const linkToken = params.get('link_token') ?? '';
  const originParam = params.get('origin') ?? '';
  const origin = URL.canParse(originParam) && new URL(originParam).origin === originParam ? originParam : undefined;
  if (!origin) return { error: 'The host page origin is missing or malformed.' };
  const issued = store.linkTokens.get(linkToken);
  if (switches.has('connect-accept-unknown-link-token') && !issued) return { linkToken, origin, clientId: 'unknown' };
  if (!issued || now >= issued.expiresAt) return { error: 'This link is invalid or has expired. Ask the application for a new one.', origin };
  return { linkToken, origin, clientId: issued.clientId };
}

function hidden(ctx: FrameContext, extra: Record<string, string> = {}): string {
  return Object.entries({ link_token: ctx.linkToken, origin: ctx.origin, ...extra })
    .map(([name, value]) => `<input type="hidden" name="${name}" value="${escapeHtml(value)}">`).join('');
}

function chooseBillerPage(ctx: FrameContext): string {
  const choices = billers.slice(0, OFFERED_BILLERS).map((b) =>
    `<li><form method="get" action="${CONNECT_PREFIX}/login">${hidden(ctx, { biller_id: b.biller_id })}<button type="submit" data-biller-id="${escapeHtml(b.biller_id)}">${escapeHtml(b.name)}</button></form></li>`).join('');
  return page('Choose your biller', `<ul>${choices}</ul>`);
}

function loginPage(ctx: FrameContext, billerId: string, error?: string): string {
  const biller = findBiller(billerId);
  const alert = error ? `<p role="alert">${escapeHtml(error)}</p>` : '';
  return page(`Sign in to ${biller?.name ?? 'your biller'}`, `${alert}<form method="post" action="${CONNECT_PREFIX}/login">${hidden(ctx, { biller_id: billerId })}
<label>Username <input name="username" autocomplete="off"></label>
<label>Password <input name="password" type="password" autocomplete="off"></label>
<button type="submit">Connect</button></form>`);
}

function exitPage(message: string, origin: string | undefined, switches: Switches): string {
  const error = { error_code: 'INVALID_LINK_TOKEN', error_message: message };
  return page('Something went wrong', `<p role="alert">${escapeHtml(message)}</p>`, origin ? { data: { type: 'exit', error }, origin } : undefined, switches);
}

async function login(req: IncomingMessage, store: Store, now: number, switches: Switches): Promise<{ status: number; html: string }> {
  const form = new URLSearchParams(await readBody(req));
  const ctx = frameContext(form, store, now, switches);
  if ('error' in ctx) return { status: 400, html: exitPage(ctx.error, ctx.origin, switches) };
  const billerId = form.get('biller_id') ?? '';
  if (!findBiller(billerId)) return { status: 400, html: chooseBillerPage(ctx) };
  const passwordOk = form.get('password') === TEST_PASSWORD || switches.has('connect-accept-any-password');
  if (form.get('username') !== TEST_USERNAME || !passwordOk) {
    return { status: 200, html: loginPage(ctx, billerId, 'The username or password is incorrect.') };
  }
  const publicToken = switches.has('connect-unusable-public-token')
    ? `public-sandbox-${randomUUID()}`
    : issuePublicToken(store, { clientId: ctx.clientId, billerId, testUsername: TEST_USERNAME }, now);
  const data = { type: 'success', public_token: publicToken, metadata: { biller_id: billerId } };
  return { status: 200, html: page('Connected', '<p>Your account is connected. You can close this window.</p>', { data, origin: ctx.origin }, switches) };
}

/** Serves a /connect request; false when the path is not the Connect experience's. */
export async function serveConnect(req: IncomingMessage, res: ServerResponse, pathname: string, query: URLSearchParams, store: Store, now: number, switches: Switches): Promise<boolean> {
  if (pathname !== CONNECT_PREFIX && !pathname.startsWith(`${CONNECT_PREFIX}/`) && pathname !== connectContract.sdk_path) return false;
  if (req.method === 'GET' && pathname === connectContract.sdk_path) {
    send(res, 200, 'text/javascript', SDK);
  } else if (req.method === 'GET' && pathname === CONNECT_PREFIX) {
    const ctx = frameContext(query, store, now, switches);
    if ('error' in ctx) send(res, 400, 'text/html', exitPage(ctx.error, ctx.origin, switches));
    else send(res, 200, 'text/html', chooseBillerPage(ctx));
  } else if (req.method === 'GET' && pathname === `${CONNECT_PREFIX}/login`) {
    const ctx = frameContext(query, store, now, switches);
    if ('error' in ctx) send(res, 400, 'text/html', exitPage(ctx.error, ctx.origin, switches));
    else send(res, 200, 'text/html', loginPage(ctx, query.get('biller_id') ?? ''));
  } else if (req.method === 'POST' && pathname === `${CONNECT_PREFIX}/login`) {
    const { status, html } = await login(req, store, now, switches);
    send(res, status, 'text/html', html);
  } else {
    send(res, 404, 'text/html', page('Not found', ''));
  }
  return true;
}
