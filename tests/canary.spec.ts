/**
 * Secrets never reach output: a run with a planted canary secret, made to fail so that
 * failure messages, reproduction commands and request attachments are all written, leaves
 * the canary in no report file (nor inside the HTML report's packed data) and nowhere on the
 * console, while its redacted form does appear; nor any whole token or webhook secret the
 * run was issued (the browser suite's pages included). The same for the receiver
 * certification and a planted webhook secret, echoed back by a receiver that leaks it: no
 * whole secret and no whole signature in anything it writes; and for the client certification,
 * watching a client that puts its planted secret in every URL: no whole secret, token or
 * webhook secret in its report.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, expect } from '@playwright/test';
import { maskSecret } from '../lib/transport/redact';
import { listen } from '../examples/receiver/receiver';
import { verifyWebhookSignature } from '../lib/webhooks/webhook-signature';
import { misbehavingClients } from '../examples/client/misbehaving';
import { embeddedReportFiles } from './support/html-report';
import { finish, runClient, startObservation } from './support/observe';
import { runConformance, runScript } from './support/run';

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/** The attachments Playwright's JSON report holds base64-encoded (exchange logs, recorded outcomes), decoded. */
function jsonReportAttachments(text: string): [string, string][] {
  const out: [string, string][] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (!node || typeof node !== 'object') return;
    const { name, body } = node as { name?: unknown; body?: unknown };
    if (typeof name === 'string' && typeof body === 'string') out.push([name, Buffer.from(body, 'base64').toString('utf8')]);
    Object.values(node).forEach(walk);
  };
  walk(JSON.parse(text));
  return out;
}

/** Every text a run left: each file, each file packed inside an HTML report, each attachment inside the JSON report. */
function everyText(dir: string): Map<string, string> {
  const texts = new Map<string, string>();
  for (const path of filesUnder(dir)) {
    const text = readFileSync(path, 'utf8');
    texts.set(path, text);
    if (path.endsWith('.html')) {
      for (const [name, inner] of embeddedReportFiles(text)) texts.set(`${path}!${name}`, inner);
    }
    if (path.endsWith('results.json')) {
      jsonReportAttachments(text).forEach(([name, inner], i) => texts.set(`${path}#${i}:${name}`, inner));
    }
  }
  return texts;
}

test('a planted canary secret appears in no report and no console line, only redacted', { tag: '@runs' }, async () => {
  const canary = `bb_test_CANARY${randomBytes(12).toString('hex')}`;
  // The reference accepts the canary as the primary secret; these faults make tests fail with
  // the secret in the query string (AUTH-009) and in headers (AUTH-004) of the failing request.
  const run = await runConformance(['--faults', 'accept-query-credentials,accept-wrong-secret'], { BILLERAPI_CLIENT_SECRET: canary });
  expect(run.code).toBe(1);
  expect(run.result?.judgement.failed).toEqual(expect.arrayContaining(['AUTH-004', 'AUTH-009']));

  const texts = everyText(run.reportsDir);
  expect([...texts.keys()].some((k) => k.includes('!'))).toBe(true);
  // The recorded outcomes are among the texts searched, with the failures' exchanges in them.
  expect([...texts.keys()].some((k) => k.endsWith(':billerapi-outcomes.json'))).toBe(true);
  expect([...texts.keys()].some((k) => k.endsWith('run.json'))).toBe(true);
  const leaks = [...texts].filter(([, text]) => text.includes(canary)).map(([path]) => path);
  expect(leaks, 'files holding the full canary').toEqual([]);
  expect(run.stdout + run.stderr).not.toContain(canary);

  // Tokens the run was issued (link, public, access) and webhook secrets: never whole either.
  const tokenShapes = /(?:access|public|link)-sandbox-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|whsec_[0-9a-f]{32}/;
  const tokenLeaks = [...texts].filter(([, text]) => tokenShapes.test(text)).map(([path, text]) => `${path}: ${tokenShapes.exec(text)![0].slice(0, 20)}…`);
  expect(tokenLeaks, 'files holding a whole token or webhook secret').toEqual([]);
  expect(run.stdout + run.stderr).not.toMatch(tokenShapes);

  const masked = maskSecret(canary);
  expect(masked).toBe(`bb_test_…${canary.slice(-4)}`);
  expect(run.stdout).toContain(masked);
  expect([...texts.values()].some((text) => text.includes(masked))).toBe(true);
});

test('a planted webhook secret appears in no file the receiver certification writes and on no console line; no whole signature either', { tag: '@runs' }, async () => {
  const canary = `whsec_CANARY${randomBytes(12).toString('hex')}`;
  // A receiver that checks no timestamp (two failures, with their messages) and echoes the secret and the signature in every answer.
  const leaky = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const signature = req.headers['billerapi-signature'];
      const header = typeof signature === 'string' ? signature : undefined;
      const verdict = verifyWebhookSignature({ rawBody: Buffer.concat(chunks), header, secrets: [canary], toleranceSeconds: Number.POSITIVE_INFINITY });
      res.writeHead(verdict.valid ? 200 : 400).end(`${verdict.valid ? 'accepted' : 'refused'} with ${canary}; signature ${String(header)}`);
    });
  });
  const url = await listen(leaky);
  try {
    const reports = mkdtempSync(join(tmpdir(), 'billerapi-receiver-canary-'));
    const run = await runScript('scripts/receiver.ts', ['--url', url, '--secret', canary, '--reports', reports]);
    expect(run.code, run.output).toBe(1);
    expect(JSON.parse(readFileSync(join(reports, 'certification', 'certification.json'), 'utf8')).requirements.filter((r: { result: string }) => r.result === 'failed').map((r: { id: string }) => r.id)).toEqual(['RECV-004', 'RECV-005']);

    const texts = everyText(reports);
    expect([...texts.keys()].some((k) => k.includes('!'))).toBe(true);
    expect([...texts.keys()].some((k) => k.endsWith(':billerapi-outcomes.json'))).toBe(true);
    expect([...texts.keys()].some((k) => k.endsWith('certification.json'))).toBe(true);
    expect([...texts].filter(([, text]) => text.includes(canary)).map(([path]) => path), 'files holding the whole webhook secret').toEqual([]);
    const signature = /v1=[0-9a-fA-F]{64}/;
    expect([...texts].filter(([, text]) => signature.test(text)).map(([path]) => path), 'files holding a whole signature').toEqual([]);
    expect(run.output).not.toContain(canary);
    expect(run.output).not.toMatch(signature);
    // The leak was there to be redacted: its masked form is in the evidence.
    expect([...texts.values()].some((text) => text.includes(`accepted with ${maskSecret(canary)}`))).toBe(true);
  } finally {
    leaky.closeAllConnections();
    await new Promise<void>((resolve) => leaky.close(() => resolve()));
  }
});

test('a planted client secret the client puts in its URLs appears in no file the client certification writes, only masked; no whole token or webhook secret either', { tag: '@runs' }, async () => {
  // The rate-limit scenario lets the webhook registration through: its whsec_ secret is handed out too.
  const o = await startObservation('rate-limit');
  try {
    await runClient(o, misbehavingClients['secret-in-query'].behaviour);
    const { code, output } = await finish(o);
    expect(code, output).toBe(1);
    const texts = everyText(o.reports);
    expect([...texts.keys()].some((k) => k.endsWith('certification.json'))).toBe(true);
    expect([...texts].filter(([, text]) => text.includes(o.clientSecret)).map(([path]) => path), 'files holding the whole client secret').toEqual([]);
    const tokenShapes = /(?:access|public)-sandbox-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|whsec_[0-9a-zA-Z]{16,}/;
    expect([...texts].filter(([, text]) => tokenShapes.test(text)).map(([path]) => path), 'files holding a whole token or webhook secret').toEqual([]);
    expect(output).not.toContain(o.clientSecret);
    expect(output).not.toMatch(tokenShapes);
    // The secret was in the URLs to be redacted: its masked form is in the evidence.
    expect([...texts.values()].some((text) => text.includes(`client_secret=${maskSecret(o.clientSecret)}`))).toBe(true);
  } finally {
    if (o.child.exitCode === null) o.child.kill('SIGKILL');
  }
});
