/**
 * How credentials travel (issue 10): never in clear text to another machine, over TLS only to
 * a certificate this machine trusts (a private CA only through `--ca`, verification never off),
 * and never after a redirect. Unit tests of lib/transport/http.ts and lib/config/guard.ts against in-process
 * loopback servers, then the conformance command end to end against reference processes.
 */
import { test as base, expect } from '@playwright/test';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import tls from 'node:tls';
import { parse } from 'dotenv';
import { clientAuth } from '../lib/transport/auth';
import { ApiClient } from '../lib/transport/client';
import { CA_FILE_VARIABLE, type ClientCredentials } from '../lib/config/env';
import { ConfigError } from '../lib/config/errors';
import { assertReachable, tlsProblem } from '../lib/config/guard';
import { httpsAgentOptions, readCertificateAuthority, send } from '../lib/transport/http';
import { isLoopbackUrl } from '../lib/safety/loopback';
import { startReference, type Reference } from '../reference/app';
import { generateLoopbackCertificate } from '../reference/certificate';
import { referenceClientsFromEnv } from '../reference/clients';
import { parseArgs } from '../scripts/conformance';
import { repoRoot, runConformance, startReferenceProcess } from './support/run';

const localCredentials = parse(readFileSync(join(repoRoot, '.env.local')));
const primary: ClientCredentials = { id: localCredentials.BILLERAPI_CLIENT_ID, secret: localCredentials.BILLERAPI_CLIENT_SECRET };
/** What every end-to-end run below needs besides its arguments: the reference's clients. */
const partnerEnv = { ...localCredentials };
/** Preloaded into a command so that a name lookup is recorded and fails without a query leaving the machine. */
const DNS_TRAP = join(repoRoot, 'tests/support/dns-trap.cjs');

interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
}

interface Recorder {
  url: string;
  received: Received[];
}

interface TlsReference {
  url: string;
  /** Holds the CA that signed the reference's certificate. */
  caFile: string;
}

const test = base.extend<{ recorder: Recorder; redirecting: Reference; tlsReference: TlsReference; trustedCaFile: (file: string | undefined) => void }>({
  /** A loopback server that answers 200 and remembers every request it got. */
  recorder: async ({}, use) => {
    const received: Received[] = [];
    const server = createServer((req, res) => {
      received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
      req.resume();
      res.end('recorded');
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    await use({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received });
    server.closeAllConnections();
    await new Promise((done) => server.close(done));
  },
  /** The reference in redirect mode, sending every request to the recorder. */
  redirecting: async ({ recorder }, use) => {
    const reference = await startReference({ clients: referenceClientsFromEnv(localCredentials), redirectTo: recorder.url });
    await use(reference);
    await reference.close();
  },
  /** The reference over TLS with a certificate made for this test, its CA in a file of the test's output. */
  tlsReference: async ({}, use, testInfo) => {
    const certificate = await generateLoopbackCertificate();
    const caFile = testInfo.outputPath('reference-ca.pem');
    writeFileSync(caFile, certificate.authority);
    const reference = await startReference({ clients: referenceClientsFromEnv(localCredentials), tls: { key: certificate.key, cert: certificate.chain } });
    await use({ url: reference.url, caFile });
    await reference.close();
  },
  /** Sets BILLERAPI_CA_FILE in this worker for the test, as `--ca` does for a run; restored afterwards. */
  trustedCaFile: async ({}, use) => {
    const before = process.env[CA_FILE_VARIABLE];
    await use((file) => {
      if (file === undefined) delete process.env[CA_FILE_VARIABLE];
      else process.env[CA_FILE_VARIABLE] = file;
    });
    if (before === undefined) delete process.env[CA_FILE_VARIABLE];
    else process.env[CA_FILE_VARIABLE] = before;
  },
});

/** The error a promise rejects with (fails the test if it resolves). */
async function rejection(promise: Promise<unknown>): Promise<Error & { code?: string }> {
  return promise.then(
    () => { throw new Error('expected a rejection'); },
    (error: Error & { code?: string }) => error,
  );
}

test.describe('lib/transport/http.ts: redirects', () => {
  test('a 307 comes back as it is: neither the client credentials nor a POST body reach where it points', async ({ redirecting, recorder }) => {
    const api = new ApiClient(redirecting.url);
    const read = await api.call('listBillers', { auth: clientAuth(primary) });
    const write = await api.call('createLinkToken', { auth: clientAuth(primary), body: { client_user_id: 'user-transport' } });
    expect(read.response.status).toBe(307);
    expect(read.response.headers.location).toBe(`${recorder.url}/billers`);
    expect(write.response.status).toBe(307);
    expect(write.response.headers.location).toBe(`${recorder.url}/link/token/create`);
    expect(recorder.received).toEqual([]);
  });

  test('the reference in redirect mode keeps the path and query, and still serves its stats', async ({ redirecting, recorder }) => {
    const answer = await send({ method: 'GET', url: `${redirecting.url}/billers?count=2`, headers: [] });
    expect(answer.status).toBe(307);
    expect(answer.headers.location).toBe(`${recorder.url}/billers?count=2`);
    expect((await send({ method: 'GET', url: `${redirecting.url}/_reference/stats`, headers: [] })).status).toBe(200);
  });
});

test.describe('lib/transport/http.ts: certificates', () => {
  test('a certificate from a private CA is refused without BILLERAPI_CA_FILE', async ({ tlsReference, trustedCaFile }) => {
    trustedCaFile(undefined);
    const error = await rejection(send({ method: 'GET', url: `${tlsReference.url}/billers`, headers: [] }));
    expect(error.code).toBe('SELF_SIGNED_CERT_IN_CHAIN');
  });

  test('with BILLERAPI_CA_FILE naming that CA, the same request is answered', async ({ tlsReference, trustedCaFile }) => {
    trustedCaFile(tlsReference.caFile);
    const answer = await send({ method: 'GET', url: `${tlsReference.url}/billers`, headers: [] });
    expect(answer.status).toBe(401);
  });

  test('another CA than the one that signed is still refused (the file adds trust, it does not switch checks off)', async ({ tlsReference, trustedCaFile }, testInfo) => {
    const unrelated = testInfo.outputPath('unrelated-ca.pem');
    writeFileSync(unrelated, (await generateLoopbackCertificate()).authority);
    trustedCaFile(unrelated);
    const error = await rejection(send({ method: 'GET', url: `${tlsReference.url}/billers`, headers: [] }));
    expect(error.code).toBe('SELF_SIGNED_CERT_IN_CHAIN');
  });

  const agentOptions: [string, { given: [string[], string | undefined]; want: { ca?: string[] } }][] = [
    ['no CA file: Node\'s default trust (which holds NODE_EXTRA_CA_CERTS)', { given: [[], undefined], want: {} }],
    ['no CA file, NODE_EXTRA_CA_CERTS set: still Node\'s default trust', { given: [[], 'EXTRA'], want: {} }],
    ['a CA file: Node\'s roots and the file', { given: [['FILE'], undefined], want: { ca: [...tls.rootCertificates, 'FILE'] } }],
    ['a CA file and NODE_EXTRA_CA_CERTS: the roots, the extra file, the CA file', { given: [['FILE'], 'EXTRA'], want: { ca: [...tls.rootCertificates, 'EXTRA', 'FILE'] } }],
  ];
  for (const [name, { given, want }] of agentOptions) {
    test(`httpsAgentOptions: ${name}`, () => {
      const options = httpsAgentOptions(...given);
      expect(options.ca).toEqual(want.ca);
      expect(options.rejectUnauthorized).toBeUndefined();
    });
  }

  test('readCertificateAuthority: a missing file and a file without a certificate are named', ({}, testInfo) => {
    const notPem = testInfo.outputPath('not-a-certificate.txt');
    writeFileSync(notPem, 'hello');
    expect(() => readCertificateAuthority('/nonexistent/ca.pem')).toThrow('cannot read the CA file /nonexistent/ca.pem (ENOENT)');
    expect(() => readCertificateAuthority(notPem)).toThrow(`the CA file ${notPem} holds no PEM certificate`);
  });
});

test.describe('lib/config/guard.ts: the reachability check names transport problems', () => {
  test('an untrusted certificate: one sentence naming the TLS cause and --ca', async ({ tlsReference, trustedCaFile }) => {
    trustedCaFile(undefined);
    const error = await rejection(assertReachable(tlsReference.url, {}));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toBe(
      `Target ${tlsReference.url} presents a certificate this machine does not trust (self-signed certificate in certificate chain): pass its CA with --ca FILE (or BILLERAPI_CA_FILE).`,
    );
  });

  test('the same target with its CA trusted is reachable', async ({ tlsReference, trustedCaFile }) => {
    trustedCaFile(tlsReference.caFile);
    await assertReachable(tlsReference.url, {});
  });

  test('a redirecting target: refused, naming where it points, and nothing reaches there', async ({ redirecting, recorder }) => {
    const error = await rejection(assertReachable(redirecting.url, {}));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toBe(
      `Target ${redirecting.url} redirects GET /billers (307) to ${recorder.url}/billers: the suite follows no redirect, so that credentials go only to the base URL; set --base-url to where the API itself answers.`,
    );
    expect(recorder.received).toEqual([]);
  });

  const problems: [string, { given: { code?: string; message: string }; want: RegExp | undefined }][] = [
    ['a self-signed server certificate', { given: { code: 'DEPTH_ZERO_SELF_SIGNED_CERT', message: 'self-signed certificate' }, want: /^presents a certificate this machine does not trust \(self-signed certificate\): pass its CA with --ca FILE/ }],
    ['a private CA in the chain', { given: { code: 'SELF_SIGNED_CERT_IN_CHAIN', message: 'self-signed certificate in certificate chain' }, want: /--ca FILE/ }],
    ['an unknown issuer, chain not sent', { given: { code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', message: 'unable to verify the first certificate' }, want: /--ca FILE/ }],
    ['an unknown issuer', { given: { code: 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', message: 'unable to get local issuer certificate' }, want: /--ca FILE/ }],
    ['an expired certificate', { given: { code: 'CERT_HAS_EXPIRED', message: 'certificate has expired' }, want: /^presents a certificate that is not valid now \(certificate has expired\): the target must renew it$/ }],
    ['a certificate for another name', { given: { code: 'ERR_TLS_CERT_ALTNAME_INVALID', message: "Hostname/IP does not match certificate's altnames" }, want: /: use a host name the certificate holds in --base-url$/ }],
    ['https to a plain http port', { given: { code: 'EPROTO', message: 'C0D7:error:0A00010B:SSL routines:ssl3_get_record:wrong version number' }, want: /^does not answer TLS on that port .*: use http:\/\/ or the port that serves https$/ }],
    ['a refused connection is no TLS problem', { given: { code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:9' }, want: undefined }],
  ];
  for (const [name, { given, want }] of problems) {
    test(`tlsProblem: ${name}`, () => {
      const problem = tlsProblem(given);
      if (want === undefined) expect(problem).toBeUndefined();
      else expect(problem).toMatch(want);
    });
  }
});

test.describe('verification is never switched off', () => {
  const DISABLES_VERIFICATION = /rejectUnauthorized\s*:\s*(false|0)\b|NODE_TLS_REJECT_UNAUTHORIZED|checkServerIdentity\s*[:=]/;
  const SOURCE_DIRS = ['lib', 'scripts', 'reference', 'suites', 'load', 'playwright.config.ts'];

  /** Every TypeScript or JavaScript file under `path`. */
  function sources(path: string): string[] {
    if (statSync(path).isFile()) return /\.(ts|js|cjs|mjs)$/.test(path) ? [path] : [];
    return readdirSync(path).flatMap((name) => sources(join(path, name)));
  }

  const spellings: [string, { given: string; want: boolean }][] = [
    ['rejectUnauthorized: false', { given: 'new https.Agent({ rejectUnauthorized: false })', want: true }],
    ['rejectUnauthorized:false, no space', { given: '{rejectUnauthorized:false}', want: true }],
    ['rejectUnauthorized: 0', { given: '{ rejectUnauthorized: 0 }', want: true }],
    ['the process-wide variable', { given: "process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0'", want: true }],
    ['a host name check replaced', { given: '{ checkServerIdentity: () => undefined }', want: true }],
    ['rejectUnauthorized: true', { given: '{ rejectUnauthorized: true }', want: false }],
  ];
  for (const [name, { given, want }] of spellings) {
    test(`the check recognises ${name}`, () => expect(DISABLES_VERIFICATION.test(given)).toBe(want));
  }

  test('no source of the suite or the reference disables certificate checks', () => {
    const offending = SOURCE_DIRS.flatMap((dir) => sources(join(repoRoot, dir)))
      .filter((file) => DISABLES_VERIFICATION.test(readFileSync(file, 'utf8')))
      .map((file) => relative(repoRoot, file));
    expect(offending).toEqual([]);
  });
});

test.describe('scripts/conformance.ts: the transport options', () => {
  const parsed: [string, { given: string[]; want: Record<string, string> }][] = [
    ['--allow-insecure-http sets its variable to yes', { given: ['--allow-insecure-http'], want: { BILLERAPI_ALLOW_INSECURE_HTTP: 'yes' } }],
    ['--ca FILE is taken from the working directory', { given: ['--ca', 'certs/ca.pem'], want: { BILLERAPI_CA_FILE: resolve('certs/ca.pem') } }],
    ['--ca=FILE', { given: ['--ca=/etc/partner/ca.pem'], want: { BILLERAPI_CA_FILE: '/etc/partner/ca.pem' } }],
  ];
  for (const [name, { given, want }] of parsed) test(`parseArgs: ${name}`, () => expect(parseArgs(given).env).toEqual(want));

  const refused: [string, { given: string[]; says: RegExp }][] = [
    ['--allow-insecure-http takes no value', { given: ['--allow-insecure-http=no'], says: /^--allow-insecure-http takes no value\./ }],
    ['--ca needs a file', { given: ['--ca'], says: /^--ca needs a value\./ }],
  ];
  for (const [name, { given, says }] of refused) {
    test(`parseArgs: ${name}`, () => {
      expect(() => parseArgs(given)).toThrow(ConfigError);
      expect(() => parseArgs(given)).toThrow(says);
    });
  }
});

/** A run's environment that preloads the DNS trap, and the file the trap writes each lookup to. */
function trappedEnv(): { env: Record<string, string>; lookups: () => string[] } {
  const file = join(mkdtempSync(join(tmpdir(), 'billerapi-dns-trap-')), 'lookups.txt');
  writeFileSync(file, '');
  return {
    env: { NODE_OPTIONS: `--require ${DNS_TRAP}`, DNS_TRAP_FILE: file },
    lookups: () => readFileSync(file, 'utf8').split('\n').filter(Boolean),
  };
}

/** One line on stderr, as every configuration error is. */
function expectOneLine(stderr: string, says: RegExp): void {
  expect(stderr.trim().split('\n')).toHaveLength(1);
  expect(stderr).toMatch(/^conformance: /);
  expect(stderr).toMatch(says);
}

test.describe('the conformance command', () => {
  test('an http:// target on another machine: exit 2, one line naming --allow-insecure-http, before any lookup', { tag: '@runs' }, async () => {
    const trap = trappedEnv();
    const started = performance.now();
    const run = await runConformance(['--env', 'partner', '--base-url', 'http://billerapi.invalid'], { ...partnerEnv, ...trap.env });
    const elapsedMs = performance.now() - started;
    expect(run.code).toBe(2);
    expectOneLine(run.stderr, /BILLERAPI_BASE_URL http:\/\/billerapi\.invalid would carry the client secret unencrypted .*--allow-insecure-http/);
    expect(trap.lookups()).toEqual([]);
    // The reachability check would wait up to 5 s; the refusal comes before it.
    expect(elapsedMs).toBeLessThan(5_000);
    expect(run.stderr).not.toContain(primary.secret);
  });

  test('the DNS trap sees the lookups the command makes (so its silence above means none was made)', { tag: '@runs' }, async () => {
    const trap = trappedEnv();
    const run = await runConformance(['--env', 'partner', '--base-url', 'http://localhost:9'], { ...partnerEnv, ...trap.env });
    expect(run.code).toBe(2);
    expectOneLine(run.stderr, /Target http:\/\/localhost:9 is unreachable: getaddrinfo ENOTFOUND localhost \(dns-trap/);
    expect(trap.lookups()).toContain('localhost');
  });

  test('an https reference with a private CA: green with --ca, exit 2 naming the certificate and --ca without it', { tag: '@runs' }, async () => {
    const [trusted, untrusted] = await Promise.all([
      startReferenceProcess({ REFERENCE_TLS: 'yes', REFERENCE_WINDOW_SECONDS: '5' }),
      startReferenceProcess({ REFERENCE_TLS: 'yes', REFERENCE_WINDOW_SECONDS: '5' }),
    ]);
    try {
      expect(trusted.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      const [green, refused] = await Promise.all([
        runConformance(['--env', 'partner', '--base-url', trusted.url, '--ca', trusted.caFile!, '--grep', '@AUTH-00'], partnerEnv),
        runConformance(['--env', 'partner', '--base-url', untrusted.url, '--grep', '@AUTH-00'], partnerEnv),
      ]);
      expect(green.code, green.stdout + green.stderr).toBe(0);
      expect(green.stdout).toMatch(/\b[1-9]\d* passed\b/);
      expect(refused.code).toBe(2);
      expectOneLine(refused.stderr, /presents a certificate this machine does not trust \(self-signed certificate in certificate chain\): pass its CA with --ca FILE/);
    } finally {
      await Promise.all([trusted.stop(), untrusted.stop()]);
    }
  });

  test('NODE_EXTRA_CA_CERTS keeps working beside --ca (which adds another CA, not replaces Node\'s)', { tag: '@runs' }, async ({}, testInfo) => {
    const unrelated = testInfo.outputPath('unrelated-ca.pem');
    writeFileSync(unrelated, (await generateLoopbackCertificate()).authority);
    const reference = await startReferenceProcess({ REFERENCE_TLS: 'yes', REFERENCE_WINDOW_SECONDS: '5' });
    try {
      const run = await runConformance(['--env', 'partner', '--base-url', reference.url, '--ca', unrelated, '--grep', '@AUTH-001'], {
        ...partnerEnv,
        NODE_EXTRA_CA_CERTS: reference.caFile,
      });
      expect(run.code, run.stdout + run.stderr).toBe(0);
    } finally {
      await reference.stop();
    }
  });

  test('a reference that redirects every request: the run stops with exit 2 and the redirect target receives nothing', { tag: '@runs' }, async ({ recorder }) => {
    const reference = await startReferenceProcess({ REFERENCE_REDIRECT_TO: recorder.url, REFERENCE_WINDOW_SECONDS: '5' });
    try {
      const run = await runConformance(['--env', 'partner', '--base-url', reference.url, '--grep', '@AUTH-00'], partnerEnv);
      expect(run.code).not.toBe(0);
      expect(run.code).toBe(2);
      expectOneLine(run.stderr, /redirects GET \/billers \(307\) to http:\/\/127\.0\.0\.1:\d+\/billers: the suite follows no redirect/);
      expect(recorder.received).toEqual([]);
    } finally {
      await reference.stop();
    }
  });
});

test.describe('lib/safety/loopback.ts', () => {
  const hosts: [string, { given: string; want: boolean }][] = [
    ['127.0.0.1', { given: 'http://127.0.0.1:4010', want: true }],
    ['the rest of 127.0.0.0/8', { given: 'http://127.255.0.9', want: true }],
    ['127.1, normalised by URL', { given: 'http://127.1', want: true }],
    ['localhost', { given: 'http://localhost:4010', want: true }],
    ['[::1]', { given: 'http://[::1]:4010', want: true }],
    ['0.0.0.0', { given: 'http://0.0.0.0', want: false }],
    ['a private network address', { given: 'http://10.0.0.1', want: false }],
    ['a name starting with 127.0.0.1', { given: 'http://127.0.0.1.billerapi.invalid', want: false }],
    ['a subdomain named localhost', { given: 'http://localhost.billerapi.invalid', want: false }],
  ];
  for (const [name, { given, want }] of hosts) test(`isLoopbackUrl: ${name}`, () => expect(isLoopbackUrl(new URL(given))).toBe(want));
});
