/**
 * The webhook receiver certification (scripts/receiver.ts) as a partner runs it: the example
 * receiver passes every RECV requirement; each faulty receiver fails exactly the requirements
 * it breaks; the certification is sealed and signed with --signing-key; bad input and an
 * unreachable receiver end with exit 2 and one line, before any delivery.
 */
import { test as base, expect } from '@playwright/test';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { catalogueOf } from '../lib/contract/requirements';
import { exitCodeOf, type Verdict } from '../lib/judgement/verdict';
import { CERTIFICATION_FORMAT, type Certification } from '../lib/reports/certification';
import { verifySealedDocument } from '../lib/reports/seal';
import { createReceiver, listen, type ReceiverOptions } from '../examples/receiver/receiver';
import { faultyReceiverNames, faultyReceivers } from '../examples/receiver/faulty';
import { repoRoot, runScript, type ScriptRun } from './support/run';

const DNS_TRAP = join(repoRoot, 'tests/support/dns-trap.cjs');

const test = base.extend<{ receiverAt: (options: ReceiverOptions) => Promise<string> }>({
  /** Starts a receiver on 127.0.0.1:0 in this process; each is closed after the test. */
  receiverAt: async ({}, use) => {
    const servers: Server[] = [];
    await use(async (options) => {
      const server = createReceiver(options);
      servers.push(server);
      return listen(server);
    });
    await Promise.all(servers.map((server) => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    })));
  },
});

const newSecret = () => `whsec_${randomBytes(16).toString('hex')}`;

interface Certified {
  run: ScriptRun;
  certification: Certification;
  text: string;
}

/** `npm run receiver -- --url URL --secret SECRET --reports DIR [more]`, and the certification it wrote. */
async function certify(url: string, secret: string, more: string[] = []): Promise<Certified> {
  const reports = mkdtempSync(join(tmpdir(), 'billerapi-receiver-'));
  const run = await runScript('scripts/receiver.ts', ['--url', url, '--secret', secret, '--reports', reports, ...more]);
  const text = readFileSync(join(reports, 'certification', 'certification.json'), 'utf8');
  return { run, certification: JSON.parse(text) as Certification, text };
}

const withResult = (c: Certification, result: string) => c.requirements.filter((r) => r.result === result).map((r) => r.id).sort();

const receivers: [string, { options: (secret: string) => ReceiverOptions; want: { verdict: Verdict; failed: string[] } }][] = [
  ['examples/receiver/receiver.ts', { options: (secret) => ({ secrets: [secret] }), want: { verdict: 'PASS', failed: [] } }],
  ...faultyReceiverNames.map((name): (typeof receivers)[number] => [
    `faulty receiver ${name} (${faultyReceivers[name].description})`,
    { options: faultyReceivers[name].options, want: { verdict: 'FAIL', failed: [...faultyReceivers[name].breaks].sort() } },
  ]),
];

for (const [name, { options, want }] of receivers) {
  test(`${name}: ${want.verdict}${want.failed.length ? `, failing ${want.failed.join(', ')}` : ' on every RECV requirement'}`, { tag: '@runs' }, async ({ receiverAt }) => {
    const secret = newSecret();
    const { run, certification } = await certify(await receiverAt(options(secret)), secret);
    expect(run.code, run.output).toBe(exitCodeOf(want.verdict));
    expect({ verdict: certification.verdict, failed: withResult(certification, 'failed'), notJudged: withResult(certification, 'not-judged') })
      .toEqual({ verdict: want.verdict, failed: want.failed, notJudged: [] });
    expect(certification.requirements.map((r) => r.id)).toEqual(catalogueOf('receiver').map((r) => r.id));
    expect(certification.subject).toBe('receiver');
    expect(run.stdout).toContain(`receiver certification: ${want.verdict}`);
    expect(run.output).not.toContain(secret);
  });
}

test('a failed requirement carries its evidence: the delivery with its signature masked, and the answer', { tag: '@runs' }, async ({ receiverAt }) => {
  const secret = newSecret();
  const { certification, text } = await certify(await receiverAt(faultyReceivers['no-timestamp-check'].options(secret)), secret);
  const stale = certification.requirements.find((r) => r.id === 'RECV-004')!;
  expect(stale.reason).toBe('expected a refusal (a non-2xx status); received 200 OK (in "RECV-004 refuses a timestamp older than the tolerance")');
  expect(stale.evidence.join('\n')).toMatch(/^BillerAPI-Signature: t=\d+,v1=…[0-9a-f]{4}$/m);
  expect(stale.evidence.join('\n')).toContain('Reproduce with:\n    npm run receiver -- --url http://127.0.0.1:');
  expect(text).not.toMatch(/v1=[0-9a-f]{64}/);
  expect(text).not.toContain(secret);
});

test('--signing-key signs the certification: it verifies with the public key', { tag: '@runs' }, async ({ receiverAt }) => {
  const secret = newSecret();
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const keyFile = join(mkdtempSync(join(tmpdir(), 'billerapi-key-')), 'key.pem');
  writeFileSync(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }));
  const { run, text } = await certify(await receiverAt({ secrets: [secret] }), secret, ['--signing-key', keyFile]);
  expect(run.code, run.output).toBe(0);
  expect(verifySealedDocument(text, { format: CERTIFICATION_FORMAT, publicKey })).toMatchObject({ intact: true, signature: 'verified' });
});

test('a URL where no receiver answers (the same 404 to every delivery): CONFIGURATION, exit 2, not a verdict on a receiver', { tag: '@runs' }, async () => {
  const notFound = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(404, { 'Content-Type': 'text/plain' }).end(`Cannot POST ${req.url}`));
  });
  const url = await listen(notFound);
  try {
    const secret = newSecret();
    const { run, certification } = await certify(`${url}wrong-path`, secret);
    expect(run.code, run.output).toBe(2);
    expect(certification.verdict).toBe('CONFIGURATION');
    expect(certification.configurationProblem).toMatch(/answered \d+ of \d+ requests with the same non-API answer \(404 text\/plain\)/);
  } finally {
    notFound.closeAllConnections();
    await new Promise<void>((resolve) => notFound.close(() => resolve()));
  }
});

/** Exit 2 and one line on stderr, saying what is wrong; no delivery, no lookup. */
async function refused(args: string[]): Promise<{ run: ScriptRun; lookups: string }> {
  const trap = join(mkdtempSync(join(tmpdir(), 'billerapi-dns-trap-')), 'lookups.txt');
  writeFileSync(trap, '');
  const run = await runScript('scripts/receiver.ts', args, { NODE_OPTIONS: `--require ${DNS_TRAP}`, DNS_TRAP_FILE: trap });
  expect(run.code, run.output).toBe(2);
  expect(run.stderr.trim().split('\n'), run.stderr).toHaveLength(1);
  expect(run.stderr).toMatch(/^receiver: /);
  return { run, lookups: readFileSync(trap, 'utf8') };
}

const refusals: [string, { args: (secret: string) => string[]; want: RegExp; looksUp?: string }][] = [
  ['no --url', { args: (secret) => ['--secret', secret], want: /--url( <url>)? is required/ }],
  ['a secret that is not a whsec_ secret (never quoted)', { args: () => ['--url', 'http://127.0.0.1:9/', '--secret', 'bb_test_notawebhooksecret'], want: /must be the whsec_… value/ }],
  ['plain http on another machine, refused before any lookup', { args: (secret) => ['--url', 'http://receiver.invalid/hooks', '--secret', secret], want: /plain http on another machine: .*use https/ }],
  ['an https receiver whose name does not resolve', { args: (secret) => ['--url', 'https://receiver.invalid/hooks', '--secret', secret], want: /The receiver https:\/\/receiver\.invalid\/hooks is unreachable \(getaddrinfo ENOTFOUND receiver\.invalid/, looksUp: 'receiver.invalid\n' }],
];

for (const [name, { args, want, looksUp = '' }] of refusals) {
  test(`exit 2, one line: ${name}`, { tag: '@runs' }, async () => {
    const { run, lookups } = await refused(args(newSecret()));
    expect(run.stderr).toMatch(want);
    expect(run.stderr).not.toContain('bb_test_notawebhooksecret');
    expect(lookups).toBe(looksUp);
  });
}

test('exit 2, one line: nothing listens at a loopback URL', { tag: '@runs' }, async () => {
  // A port that was free a moment ago: a server listened on it and closed.
  const server = createServer();
  const url = await listen(server);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  const { run } = await refused(['--url', url, '--secret', newSecret()]);
  expect(run.stderr).toMatch(/is unreachable \(connect ECONNREFUSED 127\.0\.0\.1:\d+\): start it, or check --url\.$/m);
});
