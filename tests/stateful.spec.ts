/**
 * The stateful machinery (lib/stateful/): the model's judgements as tables, the settings, the
 * bash script a failing sequence prints (run in bash against a recording server), and, end to
 * end, that a shrunk failure's curl script and its FC_SEED/FC_PATH replay reproduce it against
 * the faulted reference. That every lifecycle fault is caught by its own requirement in at most
 * 4 steps, every variation on, the matrix proves (tests/matrix.spec.ts).
 */
import { test, expect } from '@playwright/test';
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { parse } from 'dotenv';
import { groupsFromSpec } from '../lib/contract/rate-limits';
import { rateLimitSpec } from '../lib/contract/spec';
import { deliveryViolation, initialModel, judgeListing, listingExpectation, type Model, type ModelWebhook } from '../lib/stateful/model';
import { replayCommand, statefulSettings } from '../lib/stateful/run';
import { bashScript, literal, PLAIN_ROLE_CLIENTS, stepLine, type Step } from '../lib/stateful/steps';
import { counterexamplesOf } from './support/counterexamples';
import { repoRoot, runConformance, startReferenceProcess } from './support/run';

const C = 2_000;
const AFTER_DELETE = 10_000;

function webhook(k: number, extra: Partial<ModelWebhook> = {}): ModelWebhook {
  return { k, owner: 'primary', ref: { variable: `WH_${k}`, value: `wh_${k}` }, step: k, path: `/ns/w${k}`, events: ['BILLS_UPDATED'], registeredAt: 1_000, ...extra };
}

function model(webhooks: ModelWebhook[], events: Model['events'] = []): Model {
  return { ...initialModel(['primary', 'second'], 0, []), webhooks, events };
}

test.describe('lib/stateful/model.ts: judgeListing', () => {
  const cases: [string, { m: Model; listed: string[]; sentAt: number }, string][] = [
    ['a live webhook listed', { m: model([webhook(1)]), listed: ['wh_1'], sentAt: 1_010 }, 'ok, judged 1'],
    ['a live webhook not yet listed, within the bound', { m: model([webhook(1)]), listed: [], sentAt: 1_500 }, 'pending until 3000'],
    ['a live webhook missing after the bound', { m: model([webhook(1)]), listed: [], sentAt: 3_000 }, 'WEBHOOK-007: $WH_1 (registered in step 1) is not listed, 2 s after its registration was answered'],
    ['a deleted webhook still listed, within the bound', { m: model([webhook(1, { deleted: { step: 2, at: 2_000 } })]), listed: ['wh_1'], sentAt: 2_100 }, 'pending until 4000'],
    ['a deleted webhook listed after the bound', { m: model([webhook(1, { deleted: { step: 2, at: 2_000 } })]), listed: ['wh_1'], sentAt: 4_500 }, 'WEBHOOK-007: it lists $WH_1 (registered in step 1, deleted in step 2), 2.5 s after the deletion was answered'],
    ['a deleted webhook gone', { m: model([webhook(1, { deleted: { step: 2, at: 2_000 } })]), listed: [], sentAt: 2_001 }, 'ok, judged 1'],
    ['another client\'s webhook listed', { m: model([webhook(1, { owner: 'second' })]), listed: ['wh_1'], sentAt: 9_000 }, 'WEBHOOK-010: it lists $WH_1 (registered in step 1), registered by the second client'],
    ['a missing webhook another client was let delete', { m: model([webhook(1, { tampered: true })]), listed: [], sentAt: 9_000 }, 'WEBHOOK-010: $WH_1 (registered in step 1, which another client was let delete or fire at) is not listed, 8 s after its registration was answered'],
    ['webhooks the model does not know are ignored', { m: model([]), listed: ['wh_other'], sentAt: 9_000 }, 'ok, judged 0'],
  ];
  for (const [name, { m, listed, sentAt }, want] of cases) {
    test(name, () => {
      const v = judgeListing(m, 'primary', listed.map((webhook_id) => ({ webhook_id })), sentAt, C);
      const got = v.failure ? `${v.failure.requirement}: ${v.failure.received}` : v.pendingUntil !== undefined ? `pending until ${v.pendingUntil}` : `ok, judged ${v.judged}`;
      expect(got).toBe(want);
    });
  }

  test('a listing with a secret breaks WEBHOOK-001', () => {
    expect(judgeListing(model([webhook(1)]), 'primary', [{ webhook_id: 'wh_1', secret: 'whsec_x' }], 1_010, C).failure?.requirement).toBe('WEBHOOK-001');
  });

  test('what a listing must show, as the steps say it', () => {
    expect(listingExpectation(model([webhook(1), webhook(2, { deleted: { step: 3, at: 2_000 } }), webhook(4, { owner: 'second' })]), 'primary')).toBe('200 listing $WH_1, not $WH_2, $WH_4');
  });
});

test.describe('lib/stateful/model.ts: deliveryViolation', () => {
  const w1 = webhook(1, { deleted: { step: 3, at: 5_000 } });
  const w2 = webhook(2);
  const events: Model['events'] = [
    { eventId: 'evt_a', webhook: 1, step: 2, firedAt: 4_990, accepted: true },
    { eventId: 'evt_b', webhook: 2, step: 4, firedAt: 6_000, accepted: true },
    { eventId: 'evt_c', webhook: 1, step: 5, firedAt: 7_000, accepted: false },
  ];
  const m = model([w1, w2], events);
  const cases: [string, { path: string; eventId?: string; receivedAt: number }, string | undefined][] = [
    ['an event at the webhook it was fired at', { path: '/hooks/ns/w2', eventId: 'evt_b', receivedAt: 6_010 }, undefined],
    ['an event fired before the deletion, in flight after it', { path: '/hooks/ns/w1', eventId: 'evt_a', receivedAt: 5_300 }, undefined],
    ['the same event after the after-delete bound', { path: '/hooks/ns/w1', eventId: 'evt_a', receivedAt: 15_001 }, 'evt_a (fired in step 2) reached $WH_1 (registered in step 1, deleted in step 3) 10.001 s after its deletion'],
    ['another webhook\'s event at a deleted one', { path: '/hooks/ns/w1', eventId: 'evt_b', receivedAt: 6_010 }, 'evt_b (fired at $WH_2 in step 4) reached $WH_1 (registered in step 1, deleted in step 3) 1.01 s after its deletion'],
    ['an event whose fire should have been refused', { path: '/hooks/ns/w1', eventId: 'evt_c', receivedAt: 7_010 }, 'evt_c (fired in step 5, a fire that should have been refused) reached $WH_1 (registered in step 1, deleted in step 3) 2.01 s after its deletion'],
    ['an event nobody fired, at a live webhook', { path: '/hooks/ns/w2?x=1', eventId: 'evt_z', receivedAt: 6_010 }, 'evt_z (an event this sequence never had answered) reached $WH_2 (registered in step 2)'],
    ['a delivery to a URL of no webhook of the model', { path: '/hooks/other/w1', eventId: 'evt_z', receivedAt: 6_010 }, undefined],
  ];
  for (const [name, d, want] of cases) {
    test(name, () => {
      const failure = deliveryViolation(m, d, AFTER_DELETE);
      expect(failure && `${failure.requirement}: ${failure.received}`).toBe(want && `WEBHOOK-009: ${want}`);
    });
  }
});

test.describe('lib/stateful/run.ts: settings', () => {
  test('many sequences locally, a few against sandbox or real windows, none in production; no exchange unless FC_EXCHANGES', () => {
    const [short, real] = [groupsFromSpec(rateLimitSpec, 5), groupsFromSpec(rateLimitSpec)];
    expect([statefulSettings('local', short, {}).numRuns, statefulSettings('local', real, {}).numRuns, statefulSettings('sandbox', real, {}).numRuns, statefulSettings('production', real, {}).numRuns]).toEqual([100, 10, 10, 0]);
    expect(statefulSettings('local', short, {})).toMatchObject({ exchanges: 0, maxCommands: 20 });
    expect(statefulSettings('local', short, { FC_NUM_RUNS: '7', FC_SEED: '-3', FC_PATH: '2:0', FC_EXCHANGES: '2' })).toMatchObject({ numRuns: 7, seed: -3, path: '2:0', exchanges: 2 });
    expect(statefulSettings('local', short, { FC_NUM_RUNS: '7', FC_SEED: '-3', FC_STATEFUL_NUM_RUNS: '25', FC_STATEFUL_SEED: '1' })).toMatchObject({ numRuns: 25, seed: 1 });
    expect(() => statefulSettings('local', short, { FC_EXCHANGES: 'many' })).toThrow('FC_EXCHANGES must be a whole number of exchanges per sequence (0 or more), not "many".');
  });

  test('the replay command names FC_EXCHANGES only when sequences exchange', () => {
    expect(replayCommand('local', 12, '3:0:1', 0)).toBe('FC_SEED=12 FC_PATH=3:0:1 npm run conformance -- --env local --grep @STATEFUL');
    expect(replayCommand('sandbox', -5, '0', 2)).toBe('FC_EXCHANGES=2 FC_SEED=-5 FC_PATH=0 npm run conformance -- --env sandbox --grep @STATEFUL');
  });
});

interface Recorded {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** A server that records each request and answers a registration with a webhook_id. */
async function recordingServer(): Promise<{ url: string; requests: Recorded[]; close(): Promise<void> }> {
  const requests: Recorded[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      requests.push({ method: req.method!, url: req.url!, headers: req.headers, body });
      const answer = req.method === 'POST' && req.url === '/webhooks' ? { webhook: { webhook_id: 'wh_from_answer', url: 'x' }, secret: 'whsec_x' } : { ok: true };
      res.writeHead(req.method === 'POST' ? 201 : 404, { 'Content-Type': 'application/json' }).end(JSON.stringify(answer, null, 2));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

test('lib/stateful/steps.ts: the bash script sends what the steps say, secrets from variables and IDs from earlier answers', async () => {
  const awkward = `http://127.0.0.1:9/h'o"o$k\`s/ns/w1`;
  const steps: Step[] = [
    { n: 1, request: { operationId: 'createWebhook', auth: { role: 'second' }, body: { url: literal(awkward), events: ['BILLS_UPDATED'] }, captures: { WH_1: 'webhook_id' } }, expected: '201', expectedStatus: 201, received: '201 Created' },
    { n: 2, wait: { ms: 50, why: 'listings catch up' }, expected: '', expectedStatus: 0, received: '' },
    { n: 3, request: { operationId: 'deleteWebhook', auth: { role: 'second' }, params: { webhook_id: { variable: 'WH_1', value: 'wh_x' } } }, expected: '404', expectedStatus: 404, received: '200 OK', broke: 'WEBHOOK-008' },
    { n: 4, request: { operationId: 'getBills', auth: { bearer: { env: 'BILLERAPI_ACCESS_TOKEN', value: 'secret-token' } }, query: { account_link_id: literal('link_abc') } }, expected: '403', expectedStatus: 403, received: '200 OK' },
  ];
  expect(steps.map(stepLine)).toEqual([
    `1. POST /webhooks as the second client {"url":${JSON.stringify(awkward)},"events":["BILLS_UPDATED"]}: expected 201, received 201 Created`,
    '2. wait 0.05 s (listings catch up)',
    '3. DELETE /webhooks/$WH_1 as the second client: expected 404, received 200 OK  ✗ WEBHOOK-008',
    '4. GET /bills/get?account_link_id=link_abc with Bearer $BILLERAPI_ACCESS_TOKEN: expected 403, received 200 OK',
  ]);
  const server = await recordingServer();
  try {
    const script = bashScript(steps, server.url, 'local', PLAIN_ROLE_CLIENTS).join('\n');
    expect(script).not.toContain('secret-token');
    const env = { ...process.env, BILLERAPI_SECOND_CLIENT_ID: 'cli_2', BILLERAPI_SECOND_CLIENT_SECRET: "bb_test_'q\"$", BILLERAPI_ACCESS_TOKEN: 'tok_abc' };
    // Asynchronously: the server answering the script runs in this process.
    const { stdout: output } = await promisify(execFile)('bash', ['-c', script], { env, encoding: 'utf8', timeout: 20_000 });
    expect(output.trim().split('\n')).toEqual(['1. 201 (expected 201)', '3. 404 (expected 404)', '4. 404 (expected 403)']);
    expect(server.requests.map((r) => `${r.method} ${r.url}`)).toEqual(['POST /webhooks', 'DELETE /webhooks/wh_from_answer', 'GET /bills/get?account_link_id=link_abc']);
    expect(JSON.parse(server.requests[0].body)).toEqual({ url: awkward, events: ['BILLS_UPDATED'] });
    expect(server.requests[0].headers['x-client-secret']).toBe("bb_test_'q\"$");
    expect(server.requests[2].headers.authorization).toBe('Bearer tok_abc');
  } finally {
    await server.close();
  }
});

/** Deterministic generation (the seed), enough sequences for the fault to show under it. */
const FAULT_RUN_ENV = { FC_SEED: '1', FC_NUM_RUNS: '25' };

/** A faulted run reports every requirement it finds broken, each shrunk: longer than most conformance runs. */
const FAULT_RUN_TIMEOUT_MS = 240_000;

/** The lines of the first bash script in a run's output, as a person would copy them. */
function bashScriptIn(stdout: string): string {
  const lines = stdout.split('\n');
  const start = lines.findIndex((l) => /^\s+# bash, reading /.test(l));
  expect(start, stdout.slice(-3_000)).toBeGreaterThan(-1);
  const indent = /^\s+/.exec(lines[start])![0].length;
  const block: string[] = [];
  for (const line of lines.slice(start)) {
    if (!/^\s+(# |BASE=|field\(\) |call\(\) |call \d|sleep )/.test(line)) break;
    block.push(line.slice(indent));
  }
  return block.join('\n');
}

test('a shrunk failure reproduces: its curl script in bash against the faulty reference, and its FC_SEED/FC_PATH replay', { tag: '@runs' }, async () => {
  test.setTimeout(2 * FAULT_RUN_TIMEOUT_MS + 30_000);
  const credentials = parse(readFileSync(join(repoRoot, '.env.local')));
  const reference = await startReferenceProcess({ REFERENCE_FAULTS: 'webhook-repeat-delete-200', REFERENCE_WINDOW_SECONDS: '5' });
  try {
    const args = ['--base-url', reference.url, '--grep', '@STATEFUL'];
    const first = await runConformance(args, { REFERENCE_WINDOW_SECONDS: '5', ...FAULT_RUN_ENV }, FAULT_RUN_TIMEOUT_MS);
    expect(first.code, first.stdout.slice(-3_000)).toBe(1);
    for (const [name, value] of Object.entries(credentials)) if (name.endsWith('_SECRET')) expect(first.stdout).not.toContain(value);
    const [shrunk] = counterexamplesOf(first.reportsDir);
    expect(shrunk).toMatchObject({ requirement: 'WEBHOOK-008' });
    expect(first.stdout).toContain(replayCommand('local', shrunk.seed!, shrunk.path!, 0));

    // The script prints each call's status and what the model expected; the last call is the broken one.
    const script = bashScriptIn(first.stdout);
    const output = execFileSync('bash', ['-c', script], { env: { ...process.env, ...credentials }, encoding: 'utf8' }).trim().split('\n');
    expect(output).toHaveLength(shrunk.steps);
    expect(output.at(-1)).toBe(`${shrunk.steps}. 200 (expected 404)`);

    const again = await runConformance(args, { REFERENCE_WINDOW_SECONDS: '5', FC_SEED: String(shrunk.seed), FC_PATH: shrunk.path }, FAULT_RUN_TIMEOUT_MS);
    expect(again.code, again.stdout.slice(-3_000)).toBe(1);
    const [replayed] = counterexamplesOf(again.reportsDir);
    expect({ requirement: replayed.requirement, steps: replayed.steps }).toEqual({ requirement: shrunk.requirement, steps: shrunk.steps });
  } finally {
    await reference.stop();
  }
});
