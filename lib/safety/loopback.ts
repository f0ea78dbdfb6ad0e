/** This machine's names: the only hosts the sandbox delivers to and the harness loads or fuzzes. */
const LOOPBACK_NAMES = new Set(['localhost', '[::1]']);
/** 127.0.0.0/8; `URL` has already normalised other spellings (`127.1`, `0x7f.0.0.1`) to dotted decimal. */
const LOOPBACK_IPV4 = /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;

/** Whether a URL names this machine; `URL.hostname` keeps the brackets of IPv6 literals. */
export function isLoopbackUrl(url: URL): boolean {
  return LOOPBACK_NAMES.has(url.hostname) || LOOPBACK_IPV4.test(url.hostname);
}
