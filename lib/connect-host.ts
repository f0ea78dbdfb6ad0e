/**
 * Pages that embed the Connect flow, served on loopback during a browser run: the host page an
 * application would have (the SDK, onSuccess/onExit kept on `window.__connect`), and an
 * eavesdropper on another origin that frames the flow claiming to be the host, to prove the
 * frame's result goes to the host's origin only (CONNECT-004).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ConnectPages {
  /** The host page for a link token, on the host origin. */
  hostUrl(linkToken: string): string;
  /** The eavesdropper page, on another origin, framing the flow with the host's origin. */
  eavesdropperUrl(linkToken: string): string;
  hostOrigin: string;
  close(): Promise<void>;
}

const json = (value: unknown) => JSON.stringify(value).replace(/</g, '\\u003c');

function hostPage(apiBaseUrl: string, linkToken: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>Host</title>
<script src="${apiBaseUrl}/connect/sdk.js"></script></head><body><div id="connect"></div><script>
window.__connect = undefined;
BillerConnect.open({
  linkToken: ${json(linkToken)},
  container: document.getElementById('connect'),
  onSuccess: function (publicToken, metadata) { window.__connect = { type: 'success', publicToken: publicToken, metadata: metadata }; },
  onExit: function (error) { window.__connect = { type: 'exit', error: error }; },
});
</script></body></html>`;
}

function eavesdropperPage(apiBaseUrl: string, linkToken: string, claimedOrigin: string): string {
  const src = `${apiBaseUrl}/connect?link_token=${encodeURIComponent(linkToken)}&origin=${encodeURIComponent(claimedOrigin)}`;
  return `<!doctype html><html><head><meta charset="utf-8"><title>Eavesdropper</title></head><body>
<script>window.__received = []; window.addEventListener('message', function (e) { window.__received.push(e.data); });</script>
<iframe id="billerapi-connect" src=${json(src)} style="width:420px;height:560px"></iframe></body></html>`;
}

async function listen(handler: (url: URL) => string): Promise<{ server: Server; origin: string }> {
  const server = createServer((req, res) => {
    const body = handler(new URL(req.url ?? '/', 'http://127.0.0.1'));
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(body);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

export async function startConnectPages(apiBaseUrl: string): Promise<ConnectPages> {
  const host = await listen((url) => hostPage(apiBaseUrl, url.searchParams.get('link_token') ?? ''));
  const eavesdropper = await listen((url) => eavesdropperPage(apiBaseUrl, url.searchParams.get('link_token') ?? '', host.origin));
  const close = (server: Server) => new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
  return {
    hostUrl: (linkToken) => `${host.origin}/host?link_token=${encodeURIComponent(linkToken)}`,
    eavesdropperUrl: (linkToken) => `${eavesdropper.origin}/eavesdropper?link_token=${encodeURIComponent(linkToken)}`,
    hostOrigin: host.origin,
    close: async () => {
      await Promise.all([close(host.server), close(eavesdropper.server)]);
    },
  };
}
