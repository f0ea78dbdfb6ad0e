/**
 * Read-only by mechanism (lib/safety/send-policy.ts): a read-only run (production, the gate profile)
 * refuses every write and every x-sandbox-only operation in ApiClient, before pacing and before
 * a byte is sent, whatever the test's tags say; the reference counts the writes it receives.
 */
import { test, expect } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'dotenv';
import { clientAuth } from '../lib/transport/auth';
import { ApiClient, type CallOptions } from '../lib/transport/client';
import { ExitCode, HarnessError } from '../lib/config/errors';
import { linkTokenRequest } from '../lib/contract/fixtures-data';
import { send } from '../lib/transport/http';
import { refusalOf, SAFE_METHODS } from '../lib/safety/send-policy';
import { operation, operations, type Operation } from '../lib/contract/spec';
import { startReference, type ReferenceStats } from '../reference/app';
import { referenceClientsFromEnv } from '../reference/clients';
import { repoRoot, runPlanted, startReferenceProcess } from './support/run';

const env = parse(readFileSync(join(repoRoot, '.env.local')));
const [primary] = referenceClientsFromEnv(env);
const auth = clientAuth({ id: primary.clientId, secret: primary.secret });

const zeroPerGroup = { authentication: 0, link: 0, biller: 0 };
const untouched: ReferenceStats = { requests: zeroPerGroup, limited: zeroPerGroup, writes: 0 };

test.describe('refusalOf', () => {
  test('the safe methods are those of RFC 9110 §9.2.1', () => {
    expect(SAFE_METHODS).toEqual(['GET', 'HEAD', 'OPTIONS']);
  });

  // Every operation of the spec: read-only refuses each non-GET and each x-sandbox-only one; otherwise nothing.
  for (const op of operations) {
    const refused = op.method !== 'GET' || op.sandboxOnly;
    test(`${op.method} ${op.path} (${op.operationId}) is ${refused ? 'refused' : 'sent'} read-only, sent otherwise`, () => {
      expect(refusalOf(op, true) !== undefined).toBe(refused);
      expect(refusalOf(op, false)).toBeUndefined();
    });
  }

  test('the spec has writes, sandbox-only operations and reads to tell apart', () => {
    const refused = operations.filter((op) => refusalOf(op, true)).map((op) => op.operationId);
    expect(refused).toEqual(expect.arrayContaining(['createLinkToken', 'sandboxCreatePublicToken', 'sandboxFireWebhook', 'deleteWebhook']));
    expect(refused).not.toContain('listBillers');
  });

  const synthetic = (given: Partial<Operation>): Operation => ({ ...operation('listBillers'), operationId: 'x', path: '/x', ...given });
  const never = 'the read-only profile (production, gate) never sends it.';
  const cases: [string, { given: Operation; want: string | undefined }][] = [
    ['a write', { given: operation('createLinkToken'), want: `POST /link/token/create (createLinkToken) is a write: ${never}` }],
    ['a write (DELETE, path template)', { given: operation('deleteWebhook'), want: `DELETE /webhooks/{webhook_id} (deleteWebhook) is a write: ${never}` }],
    ['a sandbox-only write', { given: operation('sandboxCreatePublicToken'), want: `POST /sandbox/public_token/create (sandboxCreatePublicToken) is a write and sandbox-only (x-sandbox-only): ${never}` }],
    ['a sandbox-only read', { given: synthetic({ sandboxOnly: true }), want: `GET /x (x) is sandbox-only (x-sandbox-only): ${never}` }],
    ['a read', { given: operation('listBillers'), want: undefined }],
    ['HEAD', { given: synthetic({ method: 'HEAD' as Operation['method'] }), want: undefined }],
    ['OPTIONS', { given: synthetic({ method: 'OPTIONS' as Operation['method'] }), want: undefined }],
    ['PATCH', { given: synthetic({ method: 'PATCH' as Operation['method'] }), want: `PATCH /x (x) is a write: ${never}` }],
  ];
  for (const [name, { given, want }] of cases) {
    test(`says why, in one sentence (${name})`, () => {
      expect(refusalOf(given, true)).toBe(want);
    });
  }
});

const refusedCalls: [string, CallOptions][] = [
  ['createLinkToken', { auth, body: linkTokenRequest() }],
  ['sandboxCreatePublicToken', { auth, body: { biller_id: 'bil_koala_card' } }],
  ['deleteWebhook', { auth, params: { webhook_id: 'wh_planted' } }],
];

test('a read-only ApiClient refuses writes before pacing, and the reference receives none; a read goes through', async () => {
  const reference = await startReference({ clients: referenceClientsFromEnv(env) });
  try {
    let paced = 0;
    const client = new ApiClient(reference.url, { readOnly: true, pace: async () => void (paced += 1) });
    for (const [operationId, options] of refusedCalls) {
      const error: unknown = await client.call(operationId, options).then(() => undefined, (e: unknown) => e);
      expect(error, operationId).toBeInstanceOf(HarnessError);
      expect(error, operationId).toMatchObject({ kind: 'refused-write', message: refusalOf(operation(operationId), true) });
    }
    expect(paced).toBe(0);
    expect(reference.stats()).toEqual(untouched);

    const read = await client.call('listBillers', { auth, query: { limit: 1 } });
    expect(read.response.status).toBe(200);
    expect(paced).toBe(1);
    expect(reference.stats()).toEqual({ ...untouched, requests: { ...zeroPerGroup, biller: 1 } });
  } finally {
    await reference.close();
  }
});

test('the reference counts every write that reaches routing, however it is answered', async () => {
  const reference = await startReference({ clients: referenceClientsFromEnv(env) });
  try {
    const client = new ApiClient(reference.url, { readOnly: false });
    expect((await client.call('createLinkToken', { auth, body: linkTokenRequest() })).response.status).toBe(200);
    expect((await client.call('createLinkToken', { auth: clientAuth({ id: primary.clientId, secret: 'bb_test_wrong' }), body: linkTokenRequest() })).response.status).toBe(401);
    expect((await send({ method: 'POST', url: `${reference.url}/no/such/route`, headers: [] })).status).toBe(404);
    expect((await client.call('listBillers', { auth })).response.status).toBe(200);
    const served = JSON.parse((await send({ method: 'GET', url: `${reference.url}/_reference/stats`, headers: [] })).body);
    expect(served).toEqual({ ...untouched, requests: { ...zeroPerGroup, link: 2, biller: 1 }, writes: 3 });
    reference.reset();
    expect(reference.stats()).toEqual(untouched);
  } finally {
    await reference.close();
  }
});

test('end to end: a write misplaced in a production-safe test is refused under the gate profile, recorded as a harness error, and the target receives no write', { tag: '@runs' }, async () => {
  const reference = await startReferenceProcess();
  try {
    const run = await runPlanted('planted', { BILLERAPI_PROFILE: 'gate', BILLERAPI_BASE_URL: reference.url });
    expect(run.code, run.output).toBe(1);
    const [planted] = run.result!.record.tests;
    expect([planted.title, planted.status]).toEqual(['AUTH-001 a write misplaced in a production-safe test (planted)', 'failed']);
    // Recorded as data where it was refused: a harness error, never a pass of AUTH-001, never a verdict on the target.
    expect(planted.outcomes).toEqual([{ result: 'error', harness: 'refused-write', message: refusalOf(operation('createLinkToken'), true) }]);
    expect([run.result!.judgement.verdict, run.result!.judgement.exitCode]).toEqual(['ERROR', ExitCode.runError]);
    expect(run.result!.judgement.requirements.find((r) => r.id === 'AUTH-001')?.status).toBe('not-judged');

    const stats: ReferenceStats = JSON.parse((await send({ method: 'GET', url: `${reference.url}/_reference/stats`, headers: [] })).body);
    expect(stats.writes).toBe(0);
    expect(stats.requests.link).toBe(0);
    // The run did reach this reference: the setup's reachability check is a read of the biller group.
    expect(stats.requests.biller).toBeGreaterThan(0);
  } finally {
    await reference.stop();
  }
});
