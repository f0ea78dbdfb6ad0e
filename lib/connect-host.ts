/**
 * Pages that embed the Connect flow, served on loopback during a browser run: the host page an
 * application would have (the SDK, onSuccess/onExit kept on `window.__connect`), and an
 * eavesdropper on another origin that frames the flow claiming to be the host, to prove the
 * frame's result goes to the host's origin only (CONNECT-004).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connectContract } from './spec';

/**
 * The link token is handed to a page by `window.openConnect(linkToken)`, never in its URL:
 * Playwright writes navigation URLs into its HTML report, which our redaction does not pass.
 */
export interface ConnectPages {
  /** The host page, on the host origin. */
  hostUrl: string;
  /** The eavesdropper page, on another origin; it frames the flow claiming the host's origin. */
  eavesdropperUrl: string;
  hostOrigin: string;
  close(): Promise<void>;
}

const json = (value: unknown) => JSON.stringify(value).replace(/</g, '\\u003c');

function hostPage(apiBaseUrl: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>Host</title>
<script src="${apiBaseUrl}${connectContract.sdk_path}"></script></head><body><div id="connect"></div><script>
window.__connect = undefined;
window.openConnect = function (linkToken) {
  window[${json(connectContract.sdk_global)}].open({
    linkToken: linkToken,
    container: document.getElementById('connect'),
    onSuccess: function (publicToken, metadata) { window.__connect = { type: 'success', publicToken: publicToken, metadata: metadata }; },
    onExit: function (error) { window.__connect = { type: 'exit', error: error }; },
  });
};
</script></body></html>`;
}

function eavesdropperPage(apiBaseUrl: string, claimedOrigin: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>Eavesdropper</title></head><body>
<script>
window.__received = [];
window.addEventListener('message', function (e) { window.__received.push(e.data); });
window.openConnect = function (linkToken) {
  var frame = document.createElement('iframe');
  frame.id = 'billerapi-connect';
  frame.style.cssText = 'width:420px;height:560px';
  frame.src = ${json(`${apiBaseUrl}${connectContract.frame_path}?origin=${encodeURIComponent(claimedOrigin)}&link_token=`)} + encodeURIComponent(linkToken);
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
  const eavesdropper = await listen(eavesdropperPage(apiBaseUrl, host.origin));
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
