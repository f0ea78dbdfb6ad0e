/**
 * Preloaded with `NODE_OPTIONS=--require …/dns-trap.cjs` into a command under test: every name
 * lookup is written to DNS_TRAP_FILE and fails at once, so no query ever leaves the machine and
 * a test can tell whether the command tried to resolve a host at all.
 */
const dns = require('node:dns');
const { appendFileSync } = require('node:fs');

function record(hostname) {
  appendFileSync(process.env.DNS_TRAP_FILE, `${hostname}\n`);
  return Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname} (dns-trap: no lookups in this test)`), { code: 'ENOTFOUND', hostname });
}

dns.lookup = function trappedLookup(hostname, options, callback) {
  process.nextTick(typeof options === 'function' ? options : callback, record(hostname));
};
dns.promises.lookup = async function trappedLookup(hostname) {
  throw record(hostname);
};
