/** This machine's names: the only hosts the sandbox delivers to and the harness loads or fuzzes. */
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** Whether a URL names this machine; `URL.hostname` keeps the brackets of IPv6 literals. */
export function isLoopbackUrl(url: URL): boolean {
  return LOOPBACK_HOSTS.has(url.hostname);
}
